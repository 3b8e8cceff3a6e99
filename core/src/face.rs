//! Face score math: the part of face recognition that is not the model.
//!
//! The app's model turns a face crop into an embedding; everything after that
//! is here, so the phone (1:1 against the student's own template), the kiosk
//! (1:N over its room's roster) and the server judge scores the same way:
//! L2-normalised embeddings, cosine similarity, a threshold calibrated per
//! model, and a doubtful band just above the threshold.

use crate::ids::StudentId;
use crate::policy::Status;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Lanes of the dot product's accumulators: enough independent sums for the
/// compiler to vectorise on any target.
const LANES: usize = 16;

/// The dot product of two equally long vectors (extra elements of the longer
/// one are ignored).
#[must_use]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; LANES];
    let mut ca = a.chunks_exact(LANES);
    let mut cb = b.chunks_exact(LANES);
    for (x, y) in ca.by_ref().zip(cb.by_ref()) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f32>() + tail
}

/// Why an embedding or template is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaceError {
    /// All zeros (or so close that it has no direction).
    #[error("the embedding has no direction (zero vector)")]
    ZeroVector,
    /// A NaN or infinite component.
    #[error("the embedding has a component that is not a finite number")]
    NotFinite,
    /// Vectors of different lengths where one length is needed.
    #[error("embedding length {got} does not match {expected}")]
    DimensionMismatch {
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// Enrolment with no embeddings.
    #[error("enrolment needs at least one embedding")]
    NoEmbeddings,
    /// A model id that is empty or too long.
    #[error("a face model id is 1 to 64 printable characters")]
    BadModelId,
}

/// Scales `v` to unit length in place.
///
/// # Errors
/// [`FaceError`] for a zero or non-finite vector (left unchanged).
pub fn l2_normalize(v: &mut [f32]) -> Result<(), FaceError> {
    if v.iter().any(|x| !x.is_finite()) {
        return Err(FaceError::NotFinite);
    }
    let norm = dot(v, v).sqrt();
    if norm.is_nan() || norm <= f32::MIN_POSITIVE {
        return Err(FaceError::ZeroVector);
    }
    let inv = norm.recip();
    for x in v.iter_mut() {
        *x *= inv;
    }
    Ok(())
}

/// Cosine similarity of two vectors of any length (not necessarily
/// normalised); 0 when either has no direction or the lengths differ.
#[must_use]
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    let denom = (dot(a, a) * dot(b, b)).sqrt();
    if denom > f32::MIN_POSITIVE {
        dot(a, b) / denom
    } else {
        0.0
    }
}

/// Which embedding model (and version) produced a vector or calibrated a
/// threshold, e.g. `arcface-r100-v1`. Scores from different models are not
/// comparable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ModelId(String);

impl ModelId {
    /// A model id.
    ///
    /// # Errors
    /// [`FaceError::BadModelId`] for empty, over-long or control characters.
    pub fn new(id: impl Into<String>) -> Result<Self, FaceError> {
        let id = id.into();
        if id.is_empty() || id.len() > 64 || id.chars().any(char::is_control) {
            return Err(FaceError::BadModelId);
        }
        Ok(Self(id))
    }

    /// The id text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ModelId {
    type Error = FaceError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<ModelId> for String {
    fn from(id: ModelId) -> Self {
        id.0
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A student's enrolled face: the renormalised mean of several good
/// embeddings from one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceTemplate {
    /// The model the embeddings came from.
    pub model: ModelId,
    vector: Vec<f32>,
}

impl FaceTemplate {
    /// Builds a template from several embeddings of one face: each is
    /// normalised (so no frame outweighs another), then the mean is
    /// normalised again.
    ///
    /// # Errors
    /// [`FaceError`] for no embeddings, mixed lengths, or unusable vectors.
    pub fn enrol<E: AsRef<[f32]>>(model: ModelId, embeddings: &[E]) -> Result<Self, FaceError> {
        let first = embeddings.first().ok_or(FaceError::NoEmbeddings)?.as_ref();
        let dim = first.len();
        let mut mean = vec![0f32; dim];
        let mut scratch = vec![0f32; dim];
        for e in embeddings {
            let e = e.as_ref();
            if e.len() != dim {
                return Err(FaceError::DimensionMismatch {
                    expected: dim,
                    got: e.len(),
                });
            }
            scratch.copy_from_slice(e);
            l2_normalize(&mut scratch)?;
            for (m, x) in mean.iter_mut().zip(&scratch) {
                *m += x;
            }
        }
        l2_normalize(&mut mean)?;
        Ok(Self {
            model,
            vector: mean,
        })
    }

    /// A template from a stored unit vector (renormalised defensively).
    ///
    /// # Errors
    /// [`FaceError`] for an unusable vector.
    pub fn from_vector(model: ModelId, mut vector: Vec<f32>) -> Result<Self, FaceError> {
        l2_normalize(&mut vector)?;
        Ok(Self { model, vector })
    }

    /// The unit vector.
    #[must_use]
    pub fn vector(&self) -> &[f32] {
        &self.vector
    }

    /// The similarity of a probe embedding to this template, in −1…1.
    ///
    /// # Errors
    /// [`FaceError`] for a probe of the wrong length or without direction.
    pub fn score(&self, probe: &[f32]) -> Result<f32, FaceError> {
        if probe.len() != self.vector.len() {
            return Err(FaceError::DimensionMismatch {
                expected: self.vector.len(),
                got: probe.len(),
            });
        }
        let norm = dot(probe, probe).sqrt();
        if norm.is_nan() || norm <= f32::MIN_POSITIVE || !norm.is_finite() {
            return Err(FaceError::ZeroVector);
        }
        Ok(dot(probe, &self.vector) / norm)
    }
}

/// Whether the app's liveness check ran and what it said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Liveness {
    /// No liveness check was run.
    #[default]
    NotTaken,
    /// A live person.
    Passed,
    /// A photo, screen or mask.
    Failed,
}

/// A cosine similarity as a claim reports it: a finite number from -1 to 1,
/// the whole range of the models' scores. Anything else (1e30, NaN, infinity)
/// is bad input, refused when the claim is read.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(into = "f32", try_from = "f32")]
pub struct FaceScore(f32);

/// A face score outside -1..=1, or not a number.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("a face score is a cosine similarity from -1 to 1, not {0}")]
pub struct ScoreOutOfRange(pub f32);

impl FaceScore {
    /// A score in `-1..=1`.
    ///
    /// # Errors
    /// [`ScoreOutOfRange`] for anything else.
    pub fn new(score: f32) -> Result<Self, ScoreOutOfRange> {
        if (-1.0..=1.0).contains(&score) {
            Ok(Self(score))
        } else {
            Err(ScoreOutOfRange(score))
        }
    }

    /// A cosine computed on the device, brought into `-1..=1` (unit vectors in
    /// `f32` can land a rounding step outside it); NaN, which matches no one,
    /// becomes -1.
    #[must_use]
    pub fn from_cosine(cosine: f32) -> Self {
        if cosine.is_nan() {
            Self(-1.0)
        } else {
            Self(cosine.clamp(-1.0, 1.0))
        }
    }

    /// The score.
    #[must_use]
    pub const fn get(self) -> f32 {
        self.0
    }
}

impl TryFrom<f32> for FaceScore {
    type Error = ScoreOutOfRange;

    fn try_from(score: f32) -> Result<Self, ScoreOutOfRange> {
        Self::new(score)
    }
}

impl From<FaceScore> for f32 {
    fn from(score: FaceScore) -> Self {
        score.0
    }
}

/// The face evidence of a claim: the on-device 1:1 result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceEvidence {
    /// Cosine similarity against the student's enrolled template.
    pub score: FaceScore,
    /// The model that produced the probe embedding.
    pub model: ModelId,
    /// The liveness result, where taken.
    #[serde(default)]
    pub liveness: Liveness,
}

/// A model's calibrated decision rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceSettings {
    /// The model the threshold was calibrated for.
    pub model: ModelId,
    /// Scores at or above this are the same person.
    pub threshold: f32,
    /// Scores in `threshold .. threshold + doubtful_margin` are doubtful.
    pub doubtful_margin: f32,
    /// Whether a claim without a passed liveness check is doubtful.
    #[serde(default)]
    pub require_liveness: bool,
}

/// The judgement of a face score.
#[derive(Debug, Clone, PartialEq)]
pub enum FaceCheck {
    /// Clearly the enrolled student.
    Match {
        /// The score.
        score: f32,
    },
    /// Above the threshold but inside the doubtful margin.
    Borderline {
        /// The score.
        score: f32,
        /// The threshold it barely passed.
        threshold: f32,
    },
    /// Below the threshold.
    NoMatch {
        /// The score.
        score: f32,
        /// The threshold it missed.
        threshold: f32,
    },
    /// The liveness check said spoof.
    LivenessFailed,
    /// Liveness is required and was not taken.
    LivenessMissing,
    /// The score came from another model than the threshold's.
    ModelMismatch {
        /// The model the settings are calibrated for.
        expected: ModelId,
        /// The model the score came from.
        got: ModelId,
    },
}

impl FaceCheck {
    /// The status this judgement gives the face factor.
    #[must_use]
    pub const fn status(&self) -> Status {
        match self {
            Self::Match { .. } => Status::Pass,
            Self::Borderline { .. } | Self::LivenessMissing | Self::ModelMismatch { .. } => {
                Status::Doubtful
            }
            Self::NoMatch { .. } | Self::LivenessFailed => Status::Fail,
        }
    }
}

impl FaceSettings {
    /// Judges a bare score (1:1 on the phone, or the best 1:N candidate).
    #[must_use]
    pub fn judge_score(&self, score: f32) -> FaceCheck {
        if score.is_nan() || score < self.threshold {
            FaceCheck::NoMatch {
                score,
                threshold: self.threshold,
            }
        } else if score < self.threshold + self.doubtful_margin {
            FaceCheck::Borderline {
                score,
                threshold: self.threshold,
            }
        } else {
            FaceCheck::Match { score }
        }
    }

    /// Judges a claim's face evidence: model, liveness, then score.
    #[must_use]
    pub fn check(&self, face: &FaceEvidence) -> FaceCheck {
        if face.model != self.model {
            return FaceCheck::ModelMismatch {
                expected: self.model.clone(),
                got: face.model.clone(),
            };
        }
        match face.liveness {
            Liveness::Failed => return FaceCheck::LivenessFailed,
            Liveness::NotTaken if self.require_liveness => return FaceCheck::LivenessMissing,
            _ => {}
        }
        self.judge_score(face.score.get())
    }
}

/// One result of a 1:N search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The enrolled student.
    pub student: StudentId,
    /// Cosine similarity of the probe to their template.
    pub score: f32,
}

/// A roster's templates in one contiguous row-major matrix, for 1:N search.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateMatrix {
    model: ModelId,
    dim: usize,
    rows: Vec<f32>,
    students: Vec<StudentId>,
}

impl TemplateMatrix {
    /// An empty matrix for templates of `model` with `dim` components.
    #[must_use]
    pub fn new(model: ModelId, dim: usize) -> Self {
        Self {
            model,
            dim,
            rows: Vec::new(),
            students: Vec::new(),
        }
    }

    /// Adds a student's template.
    ///
    /// # Errors
    /// [`FaceError::DimensionMismatch`] for the wrong length.
    pub fn push(&mut self, student: StudentId, template: &FaceTemplate) -> Result<(), FaceError> {
        if template.vector.len() != self.dim {
            return Err(FaceError::DimensionMismatch {
                expected: self.dim,
                got: template.vector.len(),
            });
        }
        self.rows.extend_from_slice(&template.vector);
        self.students.push(student);
        Ok(())
    }

    /// The model of the templates.
    #[must_use]
    pub const fn model(&self) -> &ModelId {
        &self.model
    }

    /// How many templates.
    #[must_use]
    pub fn len(&self) -> usize {
        self.students.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.students.is_empty()
    }

    /// The `k` best matches of a unit-length probe, best first, written into
    /// `out` (cleared first; reuse it between frames to avoid allocating).
    /// One pass over the matrix; nothing is allocated per candidate.
    ///
    /// # Errors
    /// [`FaceError::DimensionMismatch`] for a probe of the wrong length.
    pub fn top_k_into(
        &self,
        probe: &[f32],
        k: usize,
        out: &mut Vec<Candidate>,
    ) -> Result<(), FaceError> {
        if probe.len() != self.dim {
            return Err(FaceError::DimensionMismatch {
                expected: self.dim,
                got: probe.len(),
            });
        }
        out.clear();
        if k == 0 || self.dim == 0 {
            return Ok(());
        }
        out.reserve(k.min(self.len()));
        for (row, student) in self.rows.chunks_exact(self.dim).zip(&self.students) {
            let score = dot(row, probe);
            if out.len() == k {
                // Full: only a better score than the worst kept gets in.
                if out
                    .last()
                    .is_none_or(|w| score.is_nan() || score <= w.score)
                {
                    continue;
                }
                out.pop();
            }
            let at = out.partition_point(|c| c.score >= score);
            out.insert(
                at,
                Candidate {
                    student: *student,
                    score,
                },
            );
        }
        Ok(())
    }

    /// The `k` best matches of a unit-length probe, best first.
    ///
    /// # Errors
    /// [`FaceError::DimensionMismatch`] for a probe of the wrong length.
    pub fn top_k(&self, probe: &[f32], k: usize) -> Result<Vec<Candidate>, FaceError> {
        let mut out = Vec::with_capacity(k.min(self.len()));
        self.top_k_into(probe, k, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn model() -> ModelId {
        ModelId::new("arcface-r100-v1").unwrap()
    }

    fn settings() -> FaceSettings {
        FaceSettings {
            model: model(),
            threshold: 0.40,
            doubtful_margin: 0.08,
            require_liveness: false,
        }
    }

    #[test]
    fn normalise_and_cosine() {
        let mut v = vec![3.0, 4.0];
        l2_normalize(&mut v).unwrap();
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
        assert_eq!(l2_normalize(&mut [0.0, 0.0]), Err(FaceError::ZeroVector));
        assert_eq!(
            l2_normalize(&mut [f32::NAN, 1.0]),
            Err(FaceError::NotFinite)
        );
        assert!((cosine(&[1.0, 0.0], &[5.0, 5.0]) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[-2.0, 0.0]) + 1.0 < 1e-6);
        assert_eq!(cosine(&[1.0], &[1.0, 2.0]), 0.0);
        let long: Vec<f32> = (0..37).map(|i| i as f32).collect();
        let naive: f32 = long.iter().map(|x| x * x).sum();
        assert!((dot(&long, &long) - naive).abs() < 1e-2);
    }

    #[test]
    fn enrolment_is_the_renormalised_mean() {
        let t = FaceTemplate::enrol(model(), &[vec![2.0, 0.0], vec![0.0, 10.0]]).unwrap();
        let h = std::f32::consts::FRAC_1_SQRT_2;
        assert!((t.vector()[0] - h).abs() < 1e-6 && (t.vector()[1] - h).abs() < 1e-6);
        assert!((t.score(&[1.0, 1.0]).unwrap() - 1.0).abs() < 1e-6);
        assert_eq!(
            FaceTemplate::enrol::<Vec<f32>>(model(), &[]),
            Err(FaceError::NoEmbeddings)
        );
        assert_eq!(
            FaceTemplate::enrol(model(), &[vec![1.0, 0.0], vec![1.0]]),
            Err(FaceError::DimensionMismatch {
                expected: 2,
                got: 1
            })
        );
        assert_eq!(
            FaceTemplate::enrol(model(), &[vec![1.0, 0.0], vec![-1.0, 0.0]]),
            Err(FaceError::ZeroVector)
        );
        assert!(t.score(&[0.0, 0.0]).is_err());
    }

    #[test]
    fn one_to_one_threshold_and_doubtful_margin() {
        let s = settings();
        assert_eq!(s.judge_score(0.60).status(), Status::Pass);
        assert_eq!(s.judge_score(0.45).status(), Status::Doubtful);
        assert_eq!(s.judge_score(0.39).status(), Status::Fail);
        assert_eq!(s.judge_score(f32::NAN).status(), Status::Fail);
        let mut face = FaceEvidence {
            score: FaceScore::new(0.7).unwrap(),
            model: model(),
            liveness: Liveness::Failed,
        };
        assert_eq!(s.check(&face), FaceCheck::LivenessFailed);
        face.liveness = Liveness::NotTaken;
        assert_eq!(s.check(&face).status(), Status::Pass);
        let strict = FaceSettings {
            require_liveness: true,
            ..settings()
        };
        assert_eq!(strict.check(&face), FaceCheck::LivenessMissing);
        face.model = ModelId::new("other").unwrap();
        assert_eq!(s.check(&face).status(), Status::Doubtful);
        assert!(ModelId::new("").is_err());
    }

    #[test]
    fn a_reported_score_is_a_cosine_or_it_is_not_read() {
        for bad in ["1e30", "1.0001", "-1.5", "3.5e38", "1e39"] {
            let text = format!(r#"{{"score":{bad},"model":"m"}}"#);
            assert!(
                serde_json::from_str::<FaceEvidence>(&text).is_err(),
                "{bad} was read"
            );
        }
        for good in ["-1", "0", "0.875", "1"] {
            let text = format!(r#"{{"score":{good},"model":"m"}}"#);
            let face: FaceEvidence = serde_json::from_str(&text).unwrap();
            assert_eq!(face.score.get(), good.parse::<f32>().unwrap());
        }
        assert!(FaceScore::new(f32::NAN).is_err());
        assert!(FaceScore::new(f32::INFINITY).is_err());
        assert_eq!(FaceScore::from_cosine(f32::NAN).get(), -1.0);
        assert_eq!(FaceScore::from_cosine(1.000_000_1).get(), 1.0);
    }

    #[test]
    fn top_k_finds_the_best_in_order() {
        let mut m = TemplateMatrix::new(model(), 3);
        let ids: Vec<StudentId> = (0..5u128)
            .map(|i| StudentId::from_uuid(Uuid::from_u128(i + 1)))
            .collect();
        let vecs = [
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.9, 0.1, 0.0],
            [0.7, 0.7, 0.0],
            [0.0, 0.0, 1.0],
        ];
        for (id, v) in ids.iter().zip(vecs) {
            m.push(
                *id,
                &FaceTemplate::from_vector(model(), v.to_vec()).unwrap(),
            )
            .unwrap();
        }
        let top = m.top_k(&[1.0, 0.0, 0.0], 3).unwrap();
        let who: Vec<StudentId> = top.iter().map(|c| c.student).collect();
        assert_eq!(who, vec![ids[0], ids[2], ids[3]]);
        assert!(top.windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(m.top_k(&[1.0, 0.0, 0.0], 10).unwrap().len(), 5);
        assert!(m.top_k(&[1.0, 0.0, 0.0], 0).unwrap().is_empty());
        assert!(m.top_k(&[1.0, 0.0], 1).is_err());
        let wrong = FaceTemplate::from_vector(model(), vec![1.0]).unwrap();
        assert!(m.push(ids[0], &wrong).is_err());
    }
}

/// The calibrated decision rule of the model Rollcall ships: MobileFace V2 on
/// YuNet landmarks with the ArcFace 5-point alignment. The numbers come from
/// `rollcall-face eval` on the public photo sets (`docs/face-eval.md`); the
/// phone, the kiosk and the server judge scores with this one rule.
pub mod calibrated {
    use super::{FaceSettings, ModelId};

    /// The embeddings' model id; scores are only comparable within one id.
    pub const MODEL_ID: &str = "mobileface-v2-arcface5";

    /// Cosine at or above which two faces are the same person.
    pub const THRESHOLD: f32 = 0.40;

    /// Scores in `THRESHOLD .. THRESHOLD + DOUBTFUL_MARGIN` are doubtful.
    pub const DOUBTFUL_MARGIN: f32 = 0.08;

    /// [`MODEL_ID`] as a [`ModelId`].
    #[must_use]
    pub fn model_id() -> ModelId {
        // A non-empty, short constant without control characters: always valid.
        ModelId::new(MODEL_ID).unwrap_or_else(|_| unreachable!("MODEL_ID is a valid model id"))
    }

    /// The rule, liveness not required.
    #[must_use]
    pub fn settings() -> FaceSettings {
        FaceSettings {
            model: model_id(),
            threshold: THRESHOLD,
            doubtful_margin: DOUBTFUL_MARGIN,
            require_liveness: false,
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_calibrated_rule_is_valid() {
            let s = super::settings();
            assert_eq!(s.model.as_str(), super::MODEL_ID);
            assert!(s.threshold > 0.0 && s.doubtful_margin > 0.0);
        }
    }
}
