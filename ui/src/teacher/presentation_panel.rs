use gloo_timers::callback::Interval;
use uuid::Uuid;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::client::{self, CommandError, PresentationFrame};

/// What the presentation panel needs.
#[derive(Properties, PartialEq)]
pub struct PresentationPanelProps {
    /// The class.
    pub session_id: Uuid,
    /// The subject, for the heading in presentation mode.
    pub title: String,
    /// The room.
    pub room: String,
    /// The division.
    pub division: String,
    /// Full-screen presentation mode.
    pub presenting: bool,
    /// The network is gone (the code keeps turning).
    pub offline: bool,
    /// Present and expected, when known.
    pub present: Option<(u32, u32)>,
}

/// The rotating QR code, as large and high-contrast as the space allows, the
/// six-digit code beside it and a countdown to the next change. The frame is
/// asked of the Rust side every second; it needs no network.
#[component]
pub fn PresentationPanel(props: &PresentationPanelProps) -> Html {
    let frame = use_state(|| None::<Result<PresentationFrame, CommandError>>);
    {
        let frame = frame.clone();
        use_effect_with(props.session_id, move |id| {
            let id = *id;
            let fetch = move || {
                let frame = frame.clone();
                spawn_local(async move {
                    frame.set(Some(client::presentation_frame(id).await));
                });
            };
            fetch();
            let interval = Interval::new(1_000, fetch);
            move || drop(interval)
        });
    }
    let heading = if props.presenting {
        html! {
            <header class="presentation-head">
                <h1>{ &props.title }</h1>
                <p>{ &props.room }{ " · " }{ &props.division }</p>
            </header>
        }
    } else {
        html! {}
    };
    let body = match &*frame {
        None => html! { <p class="muted">{ "Preparing the code…" }</p> },
        Some(Err(error)) => html! { <p class="alert" role="alert">{ &error.message }</p> },
        Some(Ok(f)) => {
            let view_box = format!("0 0 {0} {0}", f.qr.size);
            let left = f.qr_seconds_left.min(f.qr_period_s);
            let width = if f.qr_period_s == 0 {
                0.0
            } else {
                f64::from(left) * 100.0 / f64::from(f.qr_period_s)
            };
            let (a, b) = f.otp.split_at(f.otp.len().min(3));
            html! {
                <>
                    <figure class="qr-frame">
                        <svg id="qr" class="qr" viewBox={view_box} role="img"
                            aria-label="Check-in QR code" data-payload={f.payload.clone()}
                            shape-rendering="crispEdges">
                            <rect width="100%" height="100%" fill="#ffffff" />
                            <path d={f.qr.path.clone()} fill="#000000" />
                        </svg>
                    </figure>
                    <div class="code-side">
                        <p class="eyebrow">{ "Or type the code" }</p>
                        <p id="otp" class="otp" aria-label={format!("Code {}", f.otp)}>
                            <span>{ a }</span><span>{ b }</span>
                        </p>
                        <p id="qr-countdown" class="countdown">{ format!("New code in {left} s") }</p>
                        // Geometry, not inline styles: the app's CSP forbids those.
                        <svg class="countdown-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
                            <rect class="track" width="100" height="8" rx="4" />
                            <rect class="fill" width={format!("{width:.1}")} height="8" rx="4" />
                        </svg>
                        if let Some((present, expected)) = props.present {
                            <p class="present-count-big">{ format!("{present} / {expected} checked in") }</p>
                        }
                        if props.offline {
                            <p id="offline-note" class="offline-note">
                                { "Offline: the code keeps turning; check-ins arrive when the network is back." }
                            </p>
                        }
                        if props.presenting {
                            <p class="muted small">{ "Press Esc to leave full screen" }</p>
                        }
                    </div>
                </>
            }
        }
    };
    html! {
        <section class="presentation" aria-label="Check-in code">
            { heading }
            <div class="presentation-body">{ body }</div>
        </section>
    }
}
