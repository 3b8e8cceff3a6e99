//! Chart geometry, drawn by the app as SVG (no chart library, nothing fetched):
//! pure functions from data to coordinates, so they are tested without a browser.

use crate::client::DailyPoint;

/// The attendance rate of each day with records, as `(day, percent)`.
#[must_use]
pub fn daily_rates(points: &[DailyPoint]) -> Vec<(String, f64)> {
    points
        .iter()
        .filter(|p| p.records > 0)
        .map(|p| {
            (
                p.date.clone(),
                f64::from(p.attended) * 100.0 / f64::from(p.records),
            )
        })
        .collect()
}

/// The `points` attribute of a polyline for `rates` (percent) in a `width` ×
/// `height` plot: x spread evenly, y = 100 % at the top.
#[must_use]
pub fn polyline(rates: &[f64], width: f64, height: f64) -> String {
    let step = if rates.len() > 1 {
        width / (rates.len() - 1) as f64
    } else {
        0.0
    };
    rates
        .iter()
        .enumerate()
        .map(|(i, rate)| {
            let x = if rates.len() == 1 {
                width / 2.0
            } else {
                i as f64 * step
            };
            let y = height - rate.clamp(0.0, 100.0) / 100.0 * height;
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str, records: u32, attended: u32) -> DailyPoint {
        DailyPoint {
            date: date.into(),
            records,
            attended,
        }
    }

    #[test]
    fn days_without_records_are_left_out_and_rates_are_percentages() {
        let rates = daily_rates(&[
            day("2026-11-19", 20, 15),
            day("2026-11-20", 0, 0),
            day("2026-11-21", 4, 4),
        ]);
        assert_eq!(
            rates,
            [
                ("2026-11-19".to_owned(), 75.0),
                ("2026-11-21".to_owned(), 100.0)
            ]
        );
    }

    #[test]
    fn the_polyline_spans_the_plot_with_full_attendance_at_the_top() {
        assert_eq!(
            polyline(&[0.0, 50.0, 100.0], 200.0, 100.0),
            "0.0,100.0 100.0,50.0 200.0,0.0"
        );
        assert_eq!(polyline(&[80.0], 200.0, 100.0), "100.0,20.0");
        assert_eq!(polyline(&[150.0], 10.0, 10.0), "5.0,0.0", "clamped");
        assert_eq!(polyline(&[], 10.0, 10.0), "");
    }
}
