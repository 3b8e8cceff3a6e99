//! Kiosk recognition: 1:N over the room's roster, marking a student only after the same
//! identification on several consecutive frames, then leaving them alone for a cooldown.
//!
//! A single frame can be a lucky (or unlucky) look; agreement over frames is what makes
//! 1:N over a whole roster safe. A face that is not clearly one enrolled student is never
//! matched: it is reported as unknown (for review), never as the nearest student.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rollcall_core::api::KioskConfig;
use rollcall_core::face::{Candidate, FaceCheck, FaceSettings, TemplateMatrix};
use rollcall_core::ids::StudentId;

/// How the kiosk decides.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskSettings {
    /// The calibrated threshold and doubtful margin. At the kiosk only a clear match
    /// (above threshold + margin) counts: there is no one to review a borderline 1:N hit.
    pub face: FaceSettings,
    /// Consecutive frames that must agree before a student is marked.
    pub agreement_frames: u32,
    /// After a mark, the same student is not marked again for this long.
    pub cooldown: Duration,
    /// The best candidate must beat the second by at least this much, else the face is
    /// ambiguous (two enrolled students who look alike).
    pub min_lead: f32,
}

impl KioskSettings {
    /// Three agreeing frames (0.6 s at 5 frames/s), a 10-minute cooldown, a 0.05 lead.
    #[must_use]
    pub fn new(face: FaceSettings) -> Self {
        Self::configured(face, &KioskConfig::default())
    }

    /// What an administrator set for this kiosk (its agreeing frames and
    /// cooldown), with the calibrated face settings and a 0.05 lead.
    #[must_use]
    pub fn configured(face: FaceSettings, config: &KioskConfig) -> Self {
        Self {
            face,
            agreement_frames: config.agreement_frames,
            cooldown: Duration::from_secs(u64::from(config.cooldown_minutes) * 60),
            min_lead: 0.05,
        }
    }
}

/// What the kiosk concluded about one face in one frame.
#[derive(Debug, Clone, PartialEq)]
pub enum KioskEvent {
    /// Agreement reached: mark this student present.
    Marked {
        /// The student.
        student: StudentId,
        /// This frame's score.
        score: f32,
    },
    /// A clear match, still collecting agreeing frames.
    Recognising {
        /// The student.
        student: StudentId,
        /// Agreeing frames so far.
        frames: u32,
        /// Frames needed.
        needed: u32,
    },
    /// Already marked within the cooldown: nothing to do.
    AlreadyMarked {
        /// The student.
        student: StudentId,
    },
    /// Not clearly anyone on the roster (below the threshold, borderline, or ambiguous):
    /// never matched.
    Unknown {
        /// The best score, if the roster is not empty.
        best_score: Option<f32>,
    },
    /// Borderline for the same student over as many frames as a mark needs: still not
    /// matched (nobody is greeted), but worth a person's look, so it goes to review with
    /// a thumbnail; the cooldown then applies as after a mark.
    Doubtful {
        /// The nearest student.
        student: StudentId,
        /// This frame's score.
        score: f32,
    },
}

/// The kiosk's roster and memory between frames.
#[derive(Debug)]
pub struct Kiosk {
    roster: TemplateMatrix,
    settings: KioskSettings,
    streaks: HashMap<StudentId, u32>,
    doubts: HashMap<StudentId, u32>,
    marked_at: HashMap<StudentId, Instant>,
    scratch: Vec<Candidate>,
}

impl Kiosk {
    /// Applies new settings from now on (a streak under way keeps counting).
    pub fn set_settings(&mut self, settings: KioskSettings) {
        self.settings = settings;
    }

    /// A kiosk over the room's roster (cached on the device, so it works offline).
    #[must_use]
    pub fn new(roster: TemplateMatrix, settings: KioskSettings) -> Self {
        Self {
            roster,
            settings,
            streaks: HashMap::new(),
            doubts: HashMap::new(),
            marked_at: HashMap::new(),
            scratch: Vec::with_capacity(2),
        }
    }

    /// The roster.
    #[must_use]
    pub const fn roster(&self) -> &TemplateMatrix {
        &self.roster
    }

    /// Identifies one probe without touching the kiosk's memory: the student when the best
    /// candidate is a clear match with a clear lead, else `Err(best score)`.
    ///
    /// # Errors
    /// The best score (if any) when the probe is not clearly one student.
    pub fn identify(&mut self, probe: &[f32]) -> Result<Candidate, Option<f32>> {
        if self.roster.top_k_into(probe, 2, &mut self.scratch).is_err() {
            return Err(None);
        }
        let Some(best) = self.scratch.first().copied() else {
            return Err(None);
        };
        let clear = matches!(
            self.settings.face.judge_score(best.score),
            FaceCheck::Match { .. }
        );
        let lead = self
            .scratch
            .get(1)
            .map_or(f32::INFINITY, |second| best.score - second.score);
        if clear && lead >= self.settings.min_lead {
            Ok(best)
        } else {
            Err(Some(best.score))
        }
    }

    /// Feeds one frame's face embeddings (unit length, from the pipeline); returns one event
    /// per face, in order. A student's streak survives only while they are identified in
    /// every frame.
    pub fn observe(&mut self, now: Instant, probes: &[&[f32]]) -> Vec<KioskEvent> {
        let mut seen: HashMap<StudentId, u32> = HashMap::new();
        let mut doubted: HashMap<StudentId, u32> = HashMap::new();
        let mut events = Vec::with_capacity(probes.len());
        for probe in probes {
            let event = match self.identify(probe) {
                Err(best_score) => self.doubt(now, best_score, &mut doubted),
                Ok(best) => {
                    let cooling = self.marked_at.get(&best.student).is_some_and(|at| {
                        now.saturating_duration_since(*at) < self.settings.cooldown
                    });
                    if cooling {
                        KioskEvent::AlreadyMarked {
                            student: best.student,
                        }
                    } else if seen.contains_key(&best.student) {
                        // The same student twice in one frame: one of them is not.
                        KioskEvent::Unknown {
                            best_score: Some(best.score),
                        }
                    } else {
                        let frames = self.streaks.get(&best.student).copied().unwrap_or(0) + 1;
                        seen.insert(best.student, frames);
                        if frames >= self.settings.agreement_frames {
                            self.marked_at.insert(best.student, now);
                            seen.insert(best.student, 0);
                            KioskEvent::Marked {
                                student: best.student,
                                score: best.score,
                            }
                        } else {
                            KioskEvent::Recognising {
                                student: best.student,
                                frames,
                                needed: self.settings.agreement_frames,
                            }
                        }
                    }
                }
            };
            events.push(event);
        }
        seen.retain(|_, frames| *frames > 0);
        self.streaks = seen;
        doubted.retain(|_, frames| *frames > 0);
        self.doubts = doubted;
        events
    }

    /// A face that is not a clear match: borderline for one student (with a clear lead)
    /// counts towards [`KioskEvent::Doubtful`]; anything else is unknown.
    fn doubt(
        &mut self,
        now: Instant,
        best_score: Option<f32>,
        doubted: &mut HashMap<StudentId, u32>,
    ) -> KioskEvent {
        let unknown = KioskEvent::Unknown { best_score };
        let Some(best) = self.scratch.first().copied() else {
            return unknown;
        };
        let borderline = matches!(
            self.settings.face.judge_score(best.score),
            FaceCheck::Borderline { .. }
        );
        let lead = self
            .scratch
            .get(1)
            .map_or(f32::INFINITY, |second| best.score - second.score);
        let cooling = self
            .marked_at
            .get(&best.student)
            .is_some_and(|at| now.saturating_duration_since(*at) < self.settings.cooldown);
        if !borderline
            || lead < self.settings.min_lead
            || cooling
            || doubted.contains_key(&best.student)
        {
            return unknown;
        }
        let frames = self.doubts.get(&best.student).copied().unwrap_or(0) + 1;
        if frames >= self.settings.agreement_frames {
            self.marked_at.insert(best.student, now);
            doubted.insert(best.student, 0);
            KioskEvent::Doubtful {
                student: best.student,
                score: best.score,
            }
        } else {
            doubted.insert(best.student, frames);
            unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::face::{FaceTemplate, ModelId};
    use uuid::Uuid;

    fn student(i: u128) -> StudentId {
        StudentId::from_uuid(Uuid::from_u128(i))
    }

    fn kiosk() -> Kiosk {
        let model = ModelId::new("m").unwrap();
        let mut roster = TemplateMatrix::new(model.clone(), 3);
        for (i, v) in [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]].iter().enumerate() {
            roster
                .push(
                    student(i as u128 + 1),
                    &FaceTemplate::from_vector(model.clone(), v.to_vec()).unwrap(),
                )
                .unwrap();
        }
        Kiosk::new(
            roster,
            KioskSettings::new(FaceSettings {
                model,
                threshold: 0.4,
                doubtful_margin: 0.08,
                require_liveness: false,
            }),
        )
    }

    #[test]
    fn marks_after_agreement_then_cools_down() {
        let mut k = kiosk();
        let t0 = Instant::now();
        let a: &[f32] = &[1.0, 0.0, 0.0];
        assert!(matches!(
            k.observe(t0, &[a])[0],
            KioskEvent::Recognising { frames: 1, .. }
        ));
        assert!(matches!(
            k.observe(t0, &[a])[0],
            KioskEvent::Recognising { frames: 2, .. }
        ));
        assert_eq!(
            k.observe(t0, &[a])[0],
            KioskEvent::Marked {
                student: student(1),
                score: 1.0
            }
        );
        assert!(matches!(
            k.observe(t0, &[a])[0],
            KioskEvent::AlreadyMarked { .. }
        ));
        let later = t0 + Duration::from_secs(601);
        assert!(matches!(
            k.observe(later, &[a])[0],
            KioskEvent::Recognising { frames: 1, .. }
        ));
    }

    #[test]
    fn a_gap_resets_the_streak_and_strangers_are_never_matched() {
        let mut k = kiosk();
        let t = Instant::now();
        let a: &[f32] = &[1.0, 0.0, 0.0];
        let stranger: &[f32] = &[0.0, 0.0, 1.0];
        let between: &[f32] = &[0.70, 0.71, 0.0];
        k.observe(t, &[a]);
        k.observe(t, &[a]);
        assert!(matches!(
            k.observe(t, &[stranger])[0],
            KioskEvent::Unknown { .. }
        ));
        assert!(matches!(
            k.observe(t, &[a])[0],
            KioskEvent::Recognising { frames: 1, .. }
        ));
        // Close to two students at once: ambiguous, so unknown.
        assert!(matches!(
            k.observe(t, &[between])[0],
            KioskEvent::Unknown { .. }
        ));
        // Borderline (above threshold, inside the margin) is not enough at the kiosk.
        let borderline: &[f32] = &[0.44, 0.0, 0.898];
        assert!(matches!(
            k.observe(t, &[borderline])[0],
            KioskEvent::Unknown { .. }
        ));
    }

    #[test]
    fn a_face_borderline_for_one_student_over_the_agreement_frames_goes_to_review_once() {
        let mut k = kiosk();
        let t = Instant::now();
        let borderline: &[f32] = &[0.44, 0.0, 0.898];
        let stranger: &[f32] = &[0.0, 0.0, 1.0];
        k.observe(t, &[borderline]);
        // A gap starts the count again.
        k.observe(t, &[stranger]);
        let events: Vec<KioskEvent> = (0..3)
            .map(|_| k.observe(t, &[borderline])[0].clone())
            .collect();
        assert!(matches!(events[0], KioskEvent::Unknown { .. }));
        assert!(matches!(events[1], KioskEvent::Unknown { .. }));
        assert!(
            matches!(events[2], KioskEvent::Doubtful { student: who, .. } if who == student(1)),
            "{events:?}"
        );
        // Then the cooldown: no second review, and a clear look is "already marked".
        assert!(matches!(
            k.observe(t, &[borderline])[0],
            KioskEvent::Unknown { .. }
        ));
        assert!(matches!(
            k.observe(t, &[&[1.0, 0.0, 0.0][..]])[0],
            KioskEvent::AlreadyMarked { .. }
        ));
    }
}
