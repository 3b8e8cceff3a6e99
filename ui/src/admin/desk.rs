use yew::prelude::*;

use super::audit_screen::AuditScreen;
use super::dashboard_screen::DashboardScreen;
use super::devices_screen::DevicesScreen;
use super::divisions_screen::DivisionsScreen;
use super::face_enrolment_screen::FaceEnrolmentScreen;
use super::people_screen::PeopleScreen;
use super::reports_screen::ReportsScreen;
use super::review_queue_screen::ReviewQueueScreen;
use super::rooms_screen::RoomsScreen;
use super::settings_screen::SettingsScreen;
use super::subjects_screen::SubjectsScreen;
use super::timetable_screen::TimetableScreen;
use crate::shared::sign_in_guard::SignInGuard;

/// The admin's screens: routing by an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRoute {
    /// Today and the last 30 days.
    Dashboard,
    /// Doubtful records waiting for a decision.
    Review,
    /// Attendance reports with export.
    Reports,
    /// Rooms, their fences and access points.
    Rooms,
    /// The weekly timetable.
    Timetable,
    /// Accounts.
    People,
    /// Phones and kiosks.
    Devices,
    /// Divisions and their students.
    Divisions,
    /// Face enrolment.
    Faces,
    /// Subjects taught.
    Subjects,
    /// School-wide settings.
    Settings,
    /// Who changed what, and when.
    Audit,
}

impl AdminRoute {
    const ALL: [Self; 12] = [
        Self::Dashboard,
        Self::Review,
        Self::Reports,
        Self::People,
        Self::Divisions,
        Self::Faces,
        Self::Subjects,
        Self::Rooms,
        Self::Timetable,
        Self::Devices,
        Self::Settings,
        Self::Audit,
    ];

    const fn label(self) -> &'static str {
        match self {
            Self::Dashboard => "Dashboard",
            Self::Review => "Review queue",
            Self::Reports => "Reports",
            Self::Rooms => "Rooms",
            Self::Timetable => "Timetable",
            Self::People => "People",
            Self::Devices => "Devices",
            Self::Divisions => "Divisions",
            Self::Faces => "Face enrolment",
            Self::Subjects => "Subjects",
            Self::Settings => "Settings",
            Self::Audit => "Audit log",
        }
    }

    const fn id(self) -> &'static str {
        match self {
            Self::Dashboard => "nav-dashboard",
            Self::Review => "nav-review",
            Self::Reports => "nav-reports",
            Self::Rooms => "nav-rooms",
            Self::Timetable => "nav-timetable",
            Self::People => "nav-people",
            Self::Devices => "nav-devices",
            Self::Divisions => "nav-divisions",
            Self::Faces => "nav-faces",
            Self::Subjects => "nav-subjects",
            Self::Settings => "nav-settings",
            Self::Audit => "nav-audit",
        }
    }
}

/// What the admin desk needs.
#[derive(Properties, PartialEq)]
pub struct AdminDeskProps {
    /// Called with a sentence when the sign-in has expired.
    pub on_expired: Callback<String>,
}

/// The admin's management view: a navigation rail and the chosen screen.
#[component]
pub fn AdminDesk(props: &AdminDeskProps) -> Html {
    let route = use_state(|| AdminRoute::Dashboard);
    let guard = SignInGuard(props.on_expired.clone());
    let nav = AdminRoute::ALL.iter().map(|r| {
        let current = *route == *r;
        let onclick = {
            let (route, r) = (route.clone(), *r);
            Callback::from(move |_| route.set(r))
        };
        html! {
            <button id={r.id()} type="button" class={classes!("nav-item", current.then_some("current"))}
                aria-current={current.then_some("page")} {onclick}>
                { r.label() }
            </button>
        }
    });
    let open_review = {
        let route = route.clone();
        Callback::from(move |()| route.set(AdminRoute::Review))
    };
    let screen = match *route {
        AdminRoute::Dashboard => html! { <DashboardScreen {open_review} /> },
        AdminRoute::Review => html! { <ReviewQueueScreen /> },
        AdminRoute::Reports => html! { <ReportsScreen /> },
        AdminRoute::Rooms => html! { <RoomsScreen /> },
        AdminRoute::Timetable => html! { <TimetableScreen /> },
        AdminRoute::People => html! { <PeopleScreen /> },
        AdminRoute::Devices => html! { <DevicesScreen /> },
        AdminRoute::Divisions => html! { <DivisionsScreen /> },
        AdminRoute::Faces => html! { <FaceEnrolmentScreen /> },
        AdminRoute::Subjects => html! { <SubjectsScreen /> },
        AdminRoute::Settings => html! { <SettingsScreen /> },
        AdminRoute::Audit => html! { <AuditScreen /> },
    };
    html! {
        <ContextProvider<SignInGuard> context={guard}>
            <div class="admin-desk">
                <nav class="admin-nav" aria-label="Management">{ for nav }</nav>
                <div class="admin-screen">{ screen }</div>
            </div>
        </ContextProvider<SignInGuard>>
    }
}
