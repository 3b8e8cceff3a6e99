//! Building a student's template from several good shots: at least [`MIN_SHOTS`],
//! and every one must look like the others (a friend stepping in for one shot, or a
//! mixed-up file, spoils the enrolment instead of the template).

use rollcall_core::face::{cosine, FaceError, FaceTemplate};

/// Good shots needed for a template.
pub const MIN_SHOTS: usize = 3;

/// Why no template was built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EnrolmentError {
    /// Too few shots passed the quality gates.
    #[error("{good} good shot(s) of the {needed} needed: add shots until enough say \"Good\"")]
    NotEnoughShots {
        /// Good shots given.
        good: usize,
        /// Needed.
        needed: usize,
    },
    /// One shot does not look like the others.
    #[error("shot {shot} does not look like the same person as the others (similarity {score:.2}): remove it or retake it")]
    NotOnePerson {
        /// The shot, counted from 1 in the order given.
        shot: usize,
        /// Its similarity to the others' mean.
        score: f32,
    },
    /// The embeddings were unusable.
    #[error(transparent)]
    Math(#[from] FaceError),
}

/// Builds the template from `(shot number from 1, embedding)` of the good shots, checking
/// each shot against the mean of the others with `threshold`.
///
/// # Errors
/// An [`EnrolmentError`].
pub fn build_template(
    model: rollcall_core::face::ModelId,
    shots: &[(usize, Vec<f32>)],
    threshold: f32,
) -> Result<FaceTemplate, EnrolmentError> {
    if shots.len() < MIN_SHOTS {
        return Err(EnrolmentError::NotEnoughShots {
            good: shots.len(),
            needed: MIN_SHOTS,
        });
    }
    for (i, (number, embedding)) in shots.iter().enumerate() {
        let others: Vec<&[f32]> = shots
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, (_, e))| e.as_slice())
            .collect();
        let rest = FaceTemplate::enrol(model.clone(), &others)?;
        let score = cosine(rest.vector(), embedding);
        if score < threshold {
            return Err(EnrolmentError::NotOnePerson {
                shot: *number,
                score,
            });
        }
    }
    let all: Vec<&[f32]> = shots.iter().map(|(_, e)| e.as_slice()).collect();
    Ok(FaceTemplate::enrol(model, &all)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::face::ModelId;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn three_consistent_shots_make_a_unit_template() {
        let model = ModelId::new("m").unwrap();
        let shots = vec![
            (1, unit(&[1.0, 0.1, 0.0])),
            (2, unit(&[1.0, 0.0, 0.1])),
            (3, unit(&[0.9, 0.1, 0.1])),
        ];
        let t = build_template(model, &shots, 0.4).unwrap();
        let norm: f32 = t.vector().iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4);
    }

    #[test]
    fn too_few_or_a_stranger_among_them_builds_nothing() {
        let model = ModelId::new("m").unwrap();
        let two = vec![(1, unit(&[1.0, 0.0])), (2, unit(&[1.0, 0.1]))];
        assert_eq!(
            build_template(model.clone(), &two, 0.4).unwrap_err(),
            EnrolmentError::NotEnoughShots { good: 2, needed: 3 }
        );
        let mixed = vec![
            (1, unit(&[1.0, 0.0, 0.0])),
            (2, unit(&[0.0, 0.0, 1.0])),
            (4, unit(&[1.0, 0.1, 0.0])),
        ];
        assert!(matches!(
            build_template(model, &mixed, 0.4).unwrap_err(),
            EnrolmentError::NotOnePerson { shot: 2, .. }
        ));
    }
}
