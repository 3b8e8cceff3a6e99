//! A map under a room's geofence. Tiles come from the tile server named by
//! `ROLLCALL_MAP_TILES` (an `http(s)://…/{z}/{x}/{y}.png` template, Web Mercator,
//! 256-pixel tiles, e.g. a school's own or OpenStreetMap's), fetched here rather
//! than by the window (whose content policy stays closed to other hosts) and kept
//! on disk, so a room edited twice asks the server once. Without a tile server,
//! or when it does not answer, the admin keeps the drawn preview and is told why.

use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rollcall_core::api::{FenceMap, MapOutline, MapTile};
use rollcall_core::geofence::{FenceShape, GeoPoint};

use crate::AppError;

/// Pixels per tile side.
const TILE: f64 = 256.0;
/// The deepest zoom asked for (most tile servers stop at 19).
const MAX_ZOOM: u8 = 19;
/// The largest tile accepted, in bytes.
const MAX_TILE_BYTES: usize = 1 << 20;
/// Mercator's latitude limit.
const MAX_LATITUDE: f64 = 85.051_128_78;
/// The Earth's circumference at the equator, in metres (the spherical Mercator's).
const EQUATOR_M: f64 = 40_075_016.686;

/// Where tiles come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileSource {
    template: String,
    attribution: String,
}

impl TileSource {
    /// A source from an `http(s)` URL template holding `{z}`, `{x}` and `{y}`.
    ///
    /// # Errors
    /// [`AppError::MapUnavailable`] naming what is wrong with the template.
    pub fn parse(template: &str, attribution: Option<&str>) -> Result<Self, AppError> {
        let template = template.trim();
        let usable = (template.starts_with("https://") || template.starts_with("http://"))
            && ["{z}", "{x}", "{y}"].iter().all(|p| template.contains(p));
        if !usable {
            return Err(unavailable(
                "ROLLCALL_MAP_TILES must be an http(s) address with {z}, {x} and {y} in it",
            ));
        }
        Ok(Self {
            template: template.to_owned(),
            attribution: attribution
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .unwrap_or("Map data © OpenStreetMap contributors")
                .to_owned(),
        })
    }

    fn url(&self, tile: TileId) -> String {
        self.template
            .replace("{z}", &tile.z.to_string())
            .replace("{x}", &tile.x.to_string())
            .replace("{y}", &tile.y.to_string())
    }

    /// A folder name for this source's cached tiles.
    fn cache_name(&self) -> String {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(self.template.as_bytes());
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn unavailable(reason: impl Into<String>) -> AppError {
    AppError::MapUnavailable {
        reason: reason.into(),
    }
}

/// A tile's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TileId {
    z: u8,
    x: u32,
    y: u32,
}

/// A point's Web Mercator pixel position in the whole world at zoom `z`.
fn world_pixel(point: GeoPoint, z: u8) -> (f64, f64) {
    let world = TILE * f64::from(1_u32 << z);
    let latitude = point
        .latitude()
        .clamp(-MAX_LATITUDE, MAX_LATITUDE)
        .to_radians();
    let x = (point.longitude() + 180.0) / 360.0 * world;
    let y = (1.0 - (latitude.tan() + 1.0 / latitude.cos()).ln() / PI) / 2.0 * world;
    (x, y)
}

/// Metres per pixel at `latitude` and zoom `z`.
fn metres_per_pixel(latitude: f64, z: u8) -> f64 {
    EQUATOR_M * latitude.to_radians().cos() / (TILE * f64::from(1_u32 << z))
}

/// The fence's centre and its extent in metres (the wider side of its box);
/// `None` for a polygon without corners.
fn centre_and_extent(shape: &FenceShape) -> Option<(GeoPoint, f64)> {
    match shape {
        FenceShape::Circle { centre, radius_m } => Some((*centre, f64::from(*radius_m) * 2.0)),
        FenceShape::Polygon { corners } => {
            let (mut south, mut north, mut west, mut east) =
                (90.0_f64, -90.0_f64, 180.0_f64, -180.0_f64);
            for c in corners {
                south = south.min(c.latitude());
                north = north.max(c.latitude());
                west = west.min(c.longitude());
                east = east.max(c.longitude());
            }
            // The middle of valid coordinates is valid; the first corner otherwise.
            let middle = GeoPoint::new((south + north) / 2.0, (west + east) / 2.0)
                .ok()
                .or_else(|| corners.first().copied())?;
            let lat_m = (north - south) * 110_540.0;
            let lon_m = (east - west) * 111_320.0 * middle.latitude().to_radians().cos();
            Some((middle, lat_m.max(lon_m)))
        }
    }
}

/// The deepest zoom at which the fence takes at most half of `size` pixels.
fn zoom_for(latitude: f64, extent_m: f64, size: f64) -> u8 {
    (0..=MAX_ZOOM)
        .rev()
        .find(|z| extent_m / metres_per_pixel(latitude, *z) <= size / 2.0)
        .unwrap_or(0)
}

/// Where everything goes in a `size` square centred on the fence.
struct Layout {
    zoom: u8,
    metres_per_pixel: f64,
    /// Each tile with its top-left corner in the square.
    tiles: Vec<(TileId, f64, f64)>,
    outline: MapOutline,
}

fn layout(shape: &FenceShape, size: f64) -> Option<Layout> {
    let (centre, extent) = centre_and_extent(shape)?;
    let z = zoom_for(centre.latitude(), extent, size);
    let (cx, cy) = world_pixel(centre, z);
    let (left, top) = (cx - size / 2.0, cy - size / 2.0);
    let tiles_across = 1_i64 << z;
    let first = |edge: f64| (edge / TILE).floor() as i64;
    let mut tiles = Vec::new();
    for ty in first(top)..=first(top + size - 1.0) {
        if !(0..tiles_across).contains(&ty) {
            continue; // beyond the poles: nothing to draw
        }
        for tx in first(left)..=first(left + size - 1.0) {
            // Across the antimeridian the world repeats.
            let wrapped = tx.rem_euclid(tiles_across);
            let (Ok(x), Ok(y)) = (u32::try_from(wrapped), u32::try_from(ty)) else {
                continue;
            };
            tiles.push((
                TileId { z, x, y },
                tx as f64 * TILE - left,
                ty as f64 * TILE - top,
            ));
        }
    }
    let mpp = metres_per_pixel(centre.latitude(), z);
    let outline = match shape {
        FenceShape::Circle { radius_m, .. } => MapOutline::Circle {
            cx: size / 2.0,
            cy: size / 2.0,
            r: f64::from(*radius_m) / mpp,
        },
        FenceShape::Polygon { corners } => MapOutline::Polygon {
            points: corners
                .iter()
                .map(|c| {
                    let (x, y) = world_pixel(*c, z);
                    format!("{:.1},{:.1}", x - left, y - top)
                })
                .collect::<Vec<_>>()
                .join(" "),
        },
    };
    Some(Layout {
        zoom: z,
        metres_per_pixel: mpp,
        tiles,
        outline,
    })
}

/// The map of `shape` in a `size`-pixel square, tiles from `source`, kept under
/// `cache` (a tile already there is not fetched again).
///
/// # Errors
/// [`AppError::MapUnavailable`] when a tile is neither kept nor fetched.
pub async fn fence_map(
    source: &TileSource,
    cache: &Path,
    shape: &FenceShape,
    size: u32,
) -> Result<FenceMap, AppError> {
    // The same rule the server applies: no map of a fence it would refuse.
    let shape = FenceShape::from(
        rollcall_core::geofence::Geofence::try_from(shape.clone())
            .map_err(|e| unavailable(format!("the fence is not usable: {e}")))?,
    );
    let size_px = f64::from(size.clamp(128, 1024));
    let Layout {
        zoom,
        metres_per_pixel,
        tiles: placed,
        outline,
    } = layout(&shape, size_px).ok_or_else(|| unavailable("the fence has no corners"))?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(8))
        .user_agent(concat!(
            "Rollcall/",
            env!("CARGO_PKG_VERSION"),
            " (attendance; room geofence editor)"
        ))
        .build()
        .map_err(|e| unavailable(format!("no HTTP client: {e}")))?;
    let folder = cache.join(source.cache_name());
    let fetches = placed
        .iter()
        .map(|(tile, _, _)| tile_bytes(&http, source, &folder, *tile));
    let images = futures_util::future::join_all(fetches).await;
    let mut tiles = Vec::with_capacity(placed.len());
    for ((_, x, y), image) in placed.into_iter().zip(images) {
        let (bytes, kind) = image?;
        use base64::Engine as _;
        tiles.push(MapTile {
            x,
            y,
            side: TILE,
            href: format!(
                "data:{kind};base64,{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            ),
        });
    }
    Ok(FenceMap {
        size: size_px as u32,
        zoom,
        metres_per_pixel,
        tiles,
        outline,
        attribution: source.attribution.clone(),
    })
}

/// One tile's image and its type, from the cache or the server (then kept).
async fn tile_bytes(
    http: &reqwest::Client,
    source: &TileSource,
    folder: &Path,
    tile: TileId,
) -> Result<(Vec<u8>, &'static str), AppError> {
    let path = tile_path(folder, tile);
    if let Ok(bytes) = tokio::fs::read(&path).await {
        if let Some(kind) = image_kind(&bytes) {
            return Ok((bytes, kind));
        }
    }
    let url = source.url(tile);
    let host = url
        .split('/')
        .nth(2)
        .unwrap_or("the tile server")
        .to_owned();
    let failed = |why: String| unavailable(format!("map tiles from {host}: {why}"));
    let response = http
        .get(&url)
        .send()
        .await
        .map_err(|e| failed(format!("no answer ({})", e.without_url())))?;
    if !response.status().is_success() {
        return Err(failed(format!("HTTP {}", response.status().as_u16())));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| failed(format!("the tile was cut off ({})", e.without_url())))?;
    if bytes.len() > MAX_TILE_BYTES {
        return Err(failed("a tile larger than 1 MiB".to_owned()));
    }
    let kind = image_kind(&bytes).ok_or_else(|| failed("not a PNG or JPEG image".to_owned()))?;
    keep(&path, &bytes).await;
    Ok((bytes.to_vec(), kind))
}

fn tile_path(folder: &Path, tile: TileId) -> PathBuf {
    folder
        .join(tile.z.to_string())
        .join(tile.x.to_string())
        .join(format!("{}.tile", tile.y))
}

/// Keeps a tile for next time; a cache that cannot be written only costs a fetch.
async fn keep(path: &Path, bytes: &[u8]) {
    let Some(folder) = path.parent() else { return };
    if tokio::fs::create_dir_all(folder).await.is_err() {
        return;
    }
    let part = path.with_extension(format!("part-{}", uuid::Uuid::now_v7().simple()));
    if tokio::fs::write(&part, bytes).await.is_ok() && tokio::fs::rename(&part, path).await.is_ok()
    {
        return;
    }
    let _ = tokio::fs::remove_file(&part).await;
}

/// `image/png` or `image/jpeg` by the file's first bytes; `None` for anything else.
fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::geofence::Metres;

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    #[test]
    fn the_projection_matches_web_mercator() {
        assert_eq!(world_pixel(point(0.0, 0.0), 0), (128.0, 128.0));
        let (x, y) = world_pixel(point(0.0, 0.0), 1);
        assert!((x - 256.0).abs() < 1e-9 && (y - 256.0).abs() < 1e-9);
        // Pune at zoom 16: tile 46_213, 29_336 (the slippy-map formula, worked by hand).
        let (x, y) = world_pixel(point(18.5204, 73.8567), 16);
        assert_eq!(((x / TILE) as u32, (y / TILE) as u32), (46_213, 29_336));
        // Near the pole the latitude is clamped rather than infinite.
        assert!(world_pixel(point(89.9, 0.0), 3).1.is_finite());
        // A metre per pixel is about zoom 17 at the equator.
        assert!((metres_per_pixel(0.0, 17) - 1.194).abs() < 0.001);
    }

    #[test]
    fn a_classroom_fence_fills_about_half_the_map() {
        let shape = FenceShape::Circle {
            centre: point(18.5204, 73.8567),
            radius_m: Metres::new(30.0).unwrap(),
        };
        let Layout {
            zoom: z,
            metres_per_pixel: mpp,
            tiles,
            outline,
        } = layout(&shape, 320.0).unwrap();
        assert_eq!(z, 18);
        let MapOutline::Circle { cx, cy, r } = outline else {
            panic!("a circle")
        };
        assert_eq!((cx, cy), (160.0, 160.0));
        assert!(r * 2.0 <= 160.0 && r * 2.0 > 80.0, "diameter {r}");
        assert!((r * mpp - 30.0).abs() < 1e-6);
        // The tiles cover the square with no gap.
        assert!(
            (2..=4).contains(&tiles.len()) || tiles.len() == 6,
            "{}",
            tiles.len()
        );
        let left = tiles.iter().map(|t| t.1).fold(f64::INFINITY, f64::min);
        let top = tiles.iter().map(|t| t.2).fold(f64::INFINITY, f64::min);
        let right = tiles
            .iter()
            .map(|t| t.1 + TILE)
            .fold(f64::NEG_INFINITY, f64::max);
        let bottom = tiles
            .iter()
            .map(|t| t.2 + TILE)
            .fold(f64::NEG_INFINITY, f64::max);
        assert!(left <= 0.0 && top <= 0.0 && right >= 320.0 && bottom >= 320.0);
    }

    #[test]
    fn a_polygon_is_drawn_in_the_tiles_pixels_north_up() {
        let shape = FenceShape::Polygon {
            corners: vec![
                point(18.5300, 73.8300),
                point(18.5300, 73.8310),
                point(18.5290, 73.8310),
                point(18.5290, 73.8300),
            ],
        };
        let outline = layout(&shape, 320.0).unwrap().outline;
        let MapOutline::Polygon { points } = outline else {
            panic!("a polygon")
        };
        let xy: Vec<(f64, f64)> = points
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        // North is up, east is right, and the square is centred.
        assert!(xy[0].1 < xy[3].1 && xy[1].0 > xy[0].0);
        let mid_x = (xy[0].0 + xy[1].0) / 2.0;
        assert!((mid_x - 160.0).abs() < 1.0, "{points}");
    }

    #[test]
    fn across_the_antimeridian_the_tiles_wrap() {
        let shape = FenceShape::Circle {
            centre: point(-17.0, 179.9999),
            radius_m: Metres::new(30.0).unwrap(),
        };
        let Layout { zoom: z, tiles, .. } = layout(&shape, 320.0).unwrap();
        let last = (1_u32 << z) - 1;
        assert!(tiles.iter().any(|t| t.0.x == 0) && tiles.iter().any(|t| t.0.x == last));
    }

    #[test]
    fn templates_must_be_web_addresses_with_the_three_placeholders() {
        for bad in [
            "",
            "tiles/{z}/{x}/{y}.png",
            "ftp://t/{z}/{x}/{y}",
            "https://t/{z}/{x}.png",
        ] {
            let e = TileSource::parse(bad, None).unwrap_err();
            assert_eq!(e.code(), "map_unavailable", "{bad}");
        }
        let source =
            TileSource::parse(" https://tiles.example/{z}/{x}/{y}.png ", Some("© Us")).unwrap();
        assert_eq!(
            source.url(TileId { z: 3, x: 5, y: 2 }),
            "https://tiles.example/3/5/2.png"
        );
        assert_eq!(source.attribution, "© Us");
        assert!(TileSource::parse("http://127.0.0.1:9/{z}/{x}/{y}", None)
            .unwrap()
            .attribution
            .contains("OpenStreetMap"));
    }

    #[test]
    fn only_png_and_jpeg_are_taken_as_tiles() {
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_kind(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
        assert_eq!(image_kind(b"<html>"), None);
    }
}
