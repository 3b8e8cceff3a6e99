//! The enrolment screen's shots: each picture as it was taken, then what the quality
//! gates said of it. A reducer, so answers arriving late land on the right shot.

use std::rc::Rc;

use rollcall_core::api::ShotReport;
use yew::Reducible;

/// The least number of good shots an enrolment needs (as the Rust side requires).
pub const NEEDED: usize = 3;

/// One shot.
#[derive(Debug, Clone, PartialEq)]
pub struct Shot {
    /// Stable within the screen.
    pub id: u32,
    /// The picture as sent (base64 or a `data:` URL).
    pub picture: String,
    /// A `data:` URL to show it.
    pub thumbnail: String,
    /// `None` while being checked; the report, or why it could not be checked.
    pub report: Option<Result<ShotReport, String>>,
}

impl Shot {
    /// Checked and good.
    #[must_use]
    pub fn is_good(&self) -> bool {
        matches!(&self.report, Some(Ok(r)) if r.good)
    }
}

/// The shots taken so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shots {
    /// In the order taken.
    pub list: Vec<Shot>,
    next: u32,
}

/// What can happen to the shots.
#[derive(Debug, Clone, PartialEq)]
pub enum ShotAction {
    /// A new picture (base64 or `data:` URL) and its thumbnail.
    Add {
        /// The picture.
        picture: String,
        /// Its `data:` URL.
        thumbnail: String,
    },
    /// The check of a shot came back.
    Judged {
        /// Which.
        id: u32,
        /// What it said.
        report: Result<ShotReport, String>,
    },
    /// Drop a shot.
    Remove(u32),
    /// Start again (another student, or enrolled).
    Clear,
}

impl Shots {
    /// The id the next added shot gets.
    #[must_use]
    pub const fn next_id(&self) -> u32 {
        self.next
    }

    /// Good shots so far.
    #[must_use]
    pub fn good(&self) -> usize {
        self.list.iter().filter(|s| s.is_good()).count()
    }

    /// The good shots' pictures, to enrol from.
    #[must_use]
    pub fn good_pictures(&self) -> Vec<String> {
        self.list
            .iter()
            .filter(|s| s.is_good())
            .map(|s| s.picture.clone())
            .collect()
    }

    /// Whether every shot has been checked.
    #[must_use]
    pub fn settled(&self) -> bool {
        self.list.iter().all(|s| s.report.is_some())
    }

    /// Applies `action`.
    pub fn apply(&mut self, action: ShotAction) {
        match action {
            ShotAction::Add { picture, thumbnail } => {
                self.list.push(Shot {
                    id: self.next,
                    picture,
                    thumbnail,
                    report: None,
                });
                self.next += 1;
            }
            ShotAction::Judged { id, report } => {
                if let Some(shot) = self.list.iter_mut().find(|s| s.id == id) {
                    shot.report = Some(report);
                }
            }
            ShotAction::Remove(id) => self.list.retain(|s| s.id != id),
            ShotAction::Clear => self.list.clear(),
        }
    }
}

impl Reducible for Shots {
    type Action = ShotAction;

    fn reduce(self: Rc<Self>, action: ShotAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(good: bool) -> ShotReport {
        ShotReport {
            faces: 1,
            good,
            advice: if good { "Good" } else { "Too dark" }.into(),
            issue: (!good).then(|| "face_too_dark".into()),
            face: None,
        }
    }

    #[test]
    fn late_answers_land_on_their_shot_and_only_good_ones_count() {
        let mut shots = Shots::default();
        for n in 0..4 {
            shots.apply(ShotAction::Add {
                picture: format!("p{n}"),
                thumbnail: format!("data:t{n}"),
            });
        }
        assert!(!shots.settled());
        shots.apply(ShotAction::Judged {
            id: 2,
            report: Ok(report(true)),
        });
        shots.apply(ShotAction::Judged {
            id: 0,
            report: Ok(report(true)),
        });
        shots.apply(ShotAction::Judged {
            id: 1,
            report: Ok(report(false)),
        });
        shots.apply(ShotAction::Remove(3));
        shots.apply(ShotAction::Judged {
            id: 3,
            report: Ok(report(true)),
        });
        assert!(shots.settled());
        assert_eq!(shots.good(), 2);
        assert_eq!(shots.good_pictures(), ["p0", "p2"]);
        shots.apply(ShotAction::Add {
            picture: "p4".into(),
            thumbnail: String::new(),
        });
        assert_eq!(shots.list.last().unwrap().id, 4, "ids are never reused");
        shots.apply(ShotAction::Clear);
        assert!(shots.list.is_empty());
    }
}
