use yew::prelude::*;

use super::charts::{daily_rates, polyline};
use crate::client::DailyPoint;

/// What the attendance chart needs.
#[derive(Properties, PartialEq)]
pub struct AttendanceChartProps {
    /// One point per day.
    pub daily: Vec<DailyPoint>,
}

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 180.0;

/// Attendance rate per day, as a line over gridlines at 25 % steps.
#[component]
pub fn AttendanceChart(props: &AttendanceChartProps) -> Html {
    let rates = daily_rates(&props.daily);
    if rates.is_empty() {
        return html! {
            <p class="muted chart-empty">{ "No classes were held in this period yet, so there is nothing to chart." }</p>
        };
    }
    let values: Vec<f64> = rates.iter().map(|(_, r)| *r).collect();
    let line = polyline(&values, WIDTH, HEIGHT);
    let first = rates.first().map(|(d, _)| d.clone()).unwrap_or_default();
    let last = rates.last().map(|(d, _)| d.clone()).unwrap_or_default();
    let summary = format!(
        "Attendance per day from {first} to {last}; latest {:.0} %",
        values.last().copied().unwrap_or_default()
    );
    html! {
        <figure class="chart">
            <svg id="attendance-chart" viewBox={format!("-52 -10 {} {}", WIDTH + 62.0, HEIGHT + 40.0)}
                role="img" aria-label={summary}>
                { for [0.0, 25.0, 50.0, 75.0, 100.0].iter().map(|p| {
                    let y = HEIGHT - p / 100.0 * HEIGHT;
                    html! {
                        <g class="grid">
                            <line x1="0" x2={WIDTH.to_string()} y1={y.to_string()} y2={y.to_string()} />
                            <text x="-8" y={(y + 4.0).to_string()} text-anchor="end">{ format!("{p:.0}%") }</text>
                        </g>
                    }
                }) }
                <polyline class="series" points={line} />
                { for values.iter().enumerate().map(|(i, v)| {
                    let x = if values.len() == 1 { WIDTH / 2.0 } else { i as f64 * WIDTH / (values.len() - 1) as f64 };
                    let y = HEIGHT - v.clamp(0.0, 100.0) / 100.0 * HEIGHT;
                    html! { <circle class="dot" cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="3.5" /> }
                }) }
                if first == last {
                    <text class="axis" x={(WIDTH / 2.0).to_string()} y={(HEIGHT + 24.0).to_string()} text-anchor="middle">{ first }</text>
                } else {
                    <text class="axis" x="0" y={(HEIGHT + 24.0).to_string()}>{ first }</text>
                    <text class="axis" x={WIDTH.to_string()} y={(HEIGHT + 24.0).to_string()} text-anchor="end">{ last }</text>
                }
            </svg>
        </figure>
    }
}
