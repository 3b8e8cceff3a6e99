//! The fence on a map, on request: tiles from the school's tile server with the
//! fence drawn over them, a scale bar and the map's credit. Without a tile
//! server, or when it does not answer, it says why; the drawing stays.

use rollcall_core::geofence::FenceShape;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::client::school::{self, FenceMap, MapOutline};
use crate::shared::sign_in_guard::{Loadable, SignInGuard};

/// The map's side, in pixels.
const SIZE: u32 = 320;

/// Properties of [`FenceMapView`].
#[derive(Properties, PartialEq)]
pub struct FenceMapProps {
    /// The fence to show.
    pub shape: FenceShape,
}

/// "Show on map", then the map of the fence as it is now.
#[component]
pub fn FenceMapView(props: &FenceMapProps) -> Html {
    let guard = use_context::<SignInGuard>().unwrap_or_default();
    // The map, and the fence it was drawn for (an edited fence hides it).
    let map = use_state(|| None::<(FenceShape, Loadable<FenceMap>)>);
    let show = {
        let (guard, map, shape) = (guard, map.clone(), props.shape.clone());
        Callback::from(move |_: MouseEvent| {
            let (guard, map, shape) = (guard.clone(), map.clone(), shape.clone());
            map.set(Some((shape.clone(), Loadable::Loading)));
            spawn_local(async move {
                if let Some(result) = guard.pass(school::fence_map(&shape, SIZE).await) {
                    map.set(Some((shape, result.into())));
                }
            });
        })
    };
    let current = map
        .as_ref()
        .filter(|(shape, _)| *shape == props.shape)
        .map(|(_, state)| state);
    match current {
        None => html! {
            <button id="fence-map-show" class="button secondary small" type="button" onclick={show}>{ "Show on map" }</button>
        },
        Some(Loadable::Loading) => html! {
            <p class="muted small" id="fence-map-loading" role="status"><span class="spinner" aria-hidden="true"></span>{ " Fetching the map…" }</p>
        },
        Some(Loadable::Failed(problem)) => html! {
            <p class="muted small" id="fence-map-problem" role="status">{ problem.clone() }</p>
        },
        Some(Loadable::Ready(map)) => drawn(map),
    }
}

/// The tiles, the fence over them, a scale bar and the credit.
fn drawn(map: &FenceMap) -> Html {
    let size = f64::from(map.size);
    let outline = match &map.outline {
        MapOutline::Circle { cx, cy, r } => html! {
            <circle class="fence-shape on-map" cx={format!("{cx:.1}")} cy={format!("{cy:.1}")} r={format!("{r:.1}")} />
        },
        MapOutline::Polygon { points } => html! {
            <polygon class="fence-shape on-map" points={points.clone()} />
        },
    };
    let (bar_m, bar_px) = scale_bar(map.metres_per_pixel, size);
    html! {
        <svg id="fence-map" viewBox={format!("0 0 {size} {size}")} role="img"
            aria-label={format!("Map of the fence, zoom {}", map.zoom)}>
            { for map.tiles.iter().map(|t| html! {
                <image class="map-tile" href={t.href.clone()} x={format!("{:.1}", t.x)} y={format!("{:.1}", t.y)}
                    width={t.side.to_string()} height={t.side.to_string()} />
            }) }
            { outline }
            <g class="map-scale">
                <rect x="8" y={format!("{:.1}", size - 22.0)} width={format!("{bar_px:.1}")} height="4" />
                <text x="8" y={format!("{:.1}", size - 26.0)}>{ format!("{bar_m} m") }</text>
            </g>
            <text class="map-attribution" x={format!("{:.1}", size - 4.0)} y={format!("{:.1}", size - 5.0)}>{ map.attribution.clone() }</text>
        </svg>
    }
}

/// A round length (1, 2 or 5 times a power of ten metres) between a sixth and a
/// third of the map's width, and its length in pixels.
fn scale_bar(metres_per_pixel: f64, size: f64) -> (u32, f64) {
    let target_m = metres_per_pixel * size / 4.0;
    let mut best = 1_u32;
    for power in 0..7 {
        for step in [1_u32, 2, 5] {
            let m = step * 10_u32.pow(power);
            if f64::from(m) <= target_m {
                best = m;
            }
        }
    }
    (
        best,
        f64::from(best) / metres_per_pixel.max(f64::MIN_POSITIVE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_bar_is_a_round_length_of_a_fair_width() {
        // Zoom 18 at Pune: about 0.57 m per pixel on a 320-pixel map.
        let (m, px) = scale_bar(0.566, 320.0);
        assert_eq!(m, 20);
        assert!((px - 35.3).abs() < 0.1, "{px}");
        let (m, _) = scale_bar(10.0, 320.0);
        assert_eq!(m, 500);
        let (m, _) = scale_bar(0.001, 320.0);
        assert_eq!(m, 1);
    }
}
