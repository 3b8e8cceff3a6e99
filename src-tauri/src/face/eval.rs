//! Verification metrics over labelled score pairs: what `rollcall-face eval` prints and
//! what the threshold in [`super::THRESHOLD`] is chosen from.

/// Scores of same-person (genuine) and different-person (impostor) pairs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairScores {
    /// Cosine of each same-person pair.
    pub genuine: Vec<f32>,
    /// Cosine of each different-person pair.
    pub impostor: Vec<f32>,
}

/// The rate of accepted genuine pairs where at most a given share of impostors pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperatingPoint {
    /// The false-accept rate asked for.
    pub far_target: f32,
    /// The threshold reaching it (accept at or above).
    pub threshold: f32,
    /// Genuine pairs accepted.
    pub tar: f32,
    /// Impostor pairs accepted at that threshold.
    pub far: f32,
}

impl PairScores {
    /// Area under the ROC curve: the chance a random genuine pair outscores a random
    /// impostor pair (ties count half).
    #[must_use]
    pub fn auc(&self) -> f32 {
        if self.genuine.is_empty() || self.impostor.is_empty() {
            return f32::NAN;
        }
        let mut imp = self.impostor.clone();
        imp.sort_by(f32::total_cmp);
        let mut wins = 0f64;
        for g in &self.genuine {
            let below = imp.partition_point(|s| s < g);
            let not_above = imp.partition_point(|s| s <= g);
            wins += below as f64 + (not_above - below) as f64 / 2.0;
        }
        (wins / (self.genuine.len() as f64 * imp.len() as f64)) as f32
    }

    /// Accepted shares `(tar, far)` at a threshold (accept at or above).
    #[must_use]
    pub fn rates_at(&self, threshold: f32) -> (f32, f32) {
        let share = |v: &[f32]| {
            if v.is_empty() {
                f32::NAN
            } else {
                v.iter().filter(|s| **s >= threshold).count() as f32 / v.len() as f32
            }
        };
        (share(&self.genuine), share(&self.impostor))
    }

    /// The best accuracy over all thresholds and the threshold giving it: the midpoint of
    /// the widest gap among the best splits, so it is not glued to one pair's score.
    #[must_use]
    pub fn best_accuracy(&self) -> (f32, f32) {
        let mut all: Vec<(f32, bool)> = self
            .genuine
            .iter()
            .map(|s| (*s, true))
            .chain(self.impostor.iter().map(|s| (*s, false)))
            .collect();
        if all.is_empty() {
            return (f32::NAN, f32::NAN);
        }
        all.sort_by(|a, b| b.0.total_cmp(&a.0));
        let n = all.len();
        // Accept the top k: correct = genuine in the top k + impostors below it.
        let mut correct = self.impostor.len();
        let mut best = (correct, f32::INFINITY, 0f32);
        for k in 1..=n {
            correct = if all[k - 1].1 {
                correct + 1
            } else {
                correct - 1
            };
            if k < n && all[k].0 == all[k - 1].0 {
                continue;
            }
            let next = if k < n { all[k].0 } else { all[k - 1].0 - 0.1 };
            let gap = all[k - 1].0 - next;
            let threshold = (all[k - 1].0 + next) / 2.0;
            if correct > best.0 || (correct == best.0 && gap > best.2) {
                best = (correct, threshold, gap);
            }
        }
        (best.0 as f32 / n as f32, best.1)
    }

    /// TAR at a target FAR: the lowest threshold that lets at most `far_target` of the
    /// impostors through. With fewer than `1 / far_target` impostor pairs this means none
    /// pass, so the figure is only as fine as the set.
    #[must_use]
    pub fn tar_at_far(&self, far_target: f32) -> OperatingPoint {
        let mut imp = self.impostor.clone();
        imp.sort_by(|a, b| b.total_cmp(a));
        let allowed = (far_target * imp.len() as f32).floor() as usize;
        let threshold = imp
            .get(allowed)
            .map_or(f32::NEG_INFINITY, |s| s.next_up_approx());
        let (tar, far) = self.rates_at(threshold);
        OperatingPoint {
            far_target,
            threshold,
            tar,
            far,
        }
    }
}

/// `next_up` for the MSRV: the smallest f32 above a finite value.
trait NextUp {
    fn next_up_approx(self) -> Self;
}

impl NextUp for f32 {
    fn next_up_approx(self) -> Self {
        if self.is_nan() || self == f32::INFINITY {
            return self;
        }
        if self == 0.0 {
            return f32::from_bits(1);
        }
        let bits = self.to_bits();
        if self > 0.0 {
            f32::from_bits(bits + 1)
        } else {
            f32::from_bits(bits - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separable_scores() {
        let s = PairScores {
            genuine: vec![0.9, 0.8, 0.6],
            impostor: vec![0.1, 0.2, 0.3, 0.5],
        };
        assert!((s.auc() - 1.0).abs() < 1e-6);
        let (acc, t) = s.best_accuracy();
        assert!((acc - 1.0).abs() < 1e-6);
        assert!((t - 0.55).abs() < 1e-6, "{t}");
        let p = s.tar_at_far(0.01);
        assert!(p.threshold > 0.5 && p.threshold < 0.5001);
        assert!((p.tar - 1.0).abs() < 1e-6 && p.far == 0.0);
    }

    #[test]
    fn overlapping_scores() {
        let s = PairScores {
            genuine: vec![0.9, 0.4],
            impostor: vec![0.5, 0.1],
        };
        assert!((s.auc() - 0.75).abs() < 1e-6);
        assert!((s.best_accuracy().0 - 0.75).abs() < 1e-6);
        let p = s.tar_at_far(0.5);
        assert!((p.tar - 1.0).abs() < 1e-6 && (p.far - 0.5).abs() < 1e-6);
        assert_eq!(s.rates_at(0.45), (0.5, 0.5));
    }
}
