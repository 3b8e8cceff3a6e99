//! Is a GPS fix inside the room?
//!
//! A room's fence is a circle (centre and radius) or a polygon. A fix passes
//! when its geodesic distance to the fence is at most
//! `min(accuracy, tolerance)` metres; a fix whose accuracy is worse than the
//! configured bound is *doubtful* (unless even its whole error circle misses
//! the fence, which fails); a fix the OS flagged as mocked never passes; a fix
//! taken long before the scan is doubtful.
//!
//! Distances are geodesic on the WGS84 ellipsoid (`geo`'s `Geodesic`). For a
//! polygon, the nearest point of its outline is found in a local tangent
//! plane around the fix (exact enough for rooms, which are metres wide) and
//! its distance is then measured geodesically. Fences must not straddle the
//! antimeridian.

use crate::policy::Status;
use crate::timestamp::Timestamp;
use geo::{Contains, Coord, Distance, Geodesic, LineString, Point, Polygon, Validation};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Metres per radian of latitude on a sphere of the Earth's mean radius; only
/// used to find the nearest outline point, never to report a distance.
const METRES_PER_RADIAN: f64 = 6_371_008.8;

macro_rules! bounded_degrees {
    ($(#[$doc:meta])* $name:ident, $limit:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(try_from = "f64", into = "f64")]
        pub struct $name(f64);

        impl $name {
            /// Degrees, checked to be finite and within range.
            ///
            /// # Errors
            /// [`CoordinateError`] when not.
            pub fn new(degrees: f64) -> Result<Self, CoordinateError> {
                if degrees.is_finite() && degrees.abs() <= $limit {
                    Ok(Self(degrees))
                } else {
                    Err(CoordinateError { what: $what, value: degrees })
                }
            }

            /// The value in degrees.
            #[must_use]
            pub const fn degrees(self) -> f64 {
                self.0
            }
        }

        impl TryFrom<f64> for $name {
            type Error = CoordinateError;
            fn try_from(v: f64) -> Result<Self, Self::Error> {
                Self::new(v)
            }
        }

        impl From<$name> for f64 {
            fn from(v: $name) -> Self {
                v.0
            }
        }
    };
}

bounded_degrees!(
    /// A latitude in degrees, −90 to 90.
    Latitude, 90.0, "latitude"
);
bounded_degrees!(
    /// A longitude in degrees, −180 to 180.
    Longitude, 180.0, "longitude"
);

/// A coordinate or a length out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{what} {value} is out of range")]
pub struct CoordinateError {
    /// Which quantity.
    pub what: &'static str,
    /// The value given.
    pub value: f64,
}

/// A point on the Earth (WGS84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// North–south position.
    pub latitude: Latitude,
    /// East–west position.
    pub longitude: Longitude,
}

impl GeoPoint {
    /// A point from degrees.
    ///
    /// # Errors
    /// [`CoordinateError`] for out-of-range values.
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, CoordinateError> {
        Ok(Self {
            latitude: Latitude::new(latitude)?,
            longitude: Longitude::new(longitude)?,
        })
    }

    /// Degrees north.
    #[must_use]
    pub const fn latitude(self) -> f64 {
        self.latitude.0
    }

    /// Degrees east.
    #[must_use]
    pub const fn longitude(self) -> f64 {
        self.longitude.0
    }

    fn to_geo(self) -> Point<f64> {
        Point::new(self.longitude.0, self.latitude.0)
    }

    /// Geodesic distance in metres.
    #[must_use]
    pub fn distance_m(self, other: Self) -> f64 {
        Geodesic.distance(self.to_geo(), other.to_geo())
    }
}

/// A non-negative, finite length in metres (a radius, an accuracy).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Metres(f64);

impl Metres {
    /// A length, checked to be finite and not negative.
    ///
    /// # Errors
    /// [`CoordinateError`] when not.
    pub fn new(metres: f64) -> Result<Self, CoordinateError> {
        if metres.is_finite() && metres >= 0.0 {
            Ok(Self(metres))
        } else {
            Err(CoordinateError {
                what: "length in metres",
                value: metres,
            })
        }
    }

    /// The length in metres.
    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Metres {
    type Error = CoordinateError;
    fn try_from(v: f64) -> Result<Self, Self::Error> {
        Self::new(v)
    }
}

impl From<Metres> for f64 {
    fn from(v: Metres) -> Self {
        v.0
    }
}

/// A location fix as the phone's OS reported it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LocationFix {
    /// Where the OS thinks the phone is.
    pub point: GeoPoint,
    /// Horizontal accuracy (radius of ~68 % confidence), metres.
    pub accuracy: Metres,
    /// Whether the OS flagged the fix as coming from a mock provider.
    pub mocked: bool,
    /// When the fix was taken.
    pub fixed_at: Timestamp,
}

/// Why a polygon cannot be a fence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FenceError {
    /// Fewer than three distinct corners.
    #[error("a polygon fence needs at least 3 distinct corners, got {0}")]
    TooFewPoints(usize),
    /// Two edges cross or touch.
    #[error("the polygon fence crosses itself")]
    SelfIntersecting,
    /// All corners on one line.
    #[error("the polygon fence has no area (its corners are on one line)")]
    NoArea,
    /// A radius that is zero, negative or not a number.
    #[error("a circle fence needs a positive radius")]
    BadRadius,
}

/// A room's outline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FenceShape", into = "FenceShape")]
pub struct Geofence(Shape);

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Circle {
        centre: GeoPoint,
        radius: f64,
    },
    Polygon {
        corners: Vec<GeoPoint>,
        geo: Polygon<f64>,
    },
}

/// The serialised form of a [`Geofence`], validated on the way in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FenceShape {
    /// A circle around a centre.
    Circle {
        /// The centre.
        centre: GeoPoint,
        /// The radius.
        radius_m: Metres,
    },
    /// A simple polygon, corners in order (not repeating the first).
    Polygon {
        /// The corners.
        corners: Vec<GeoPoint>,
    },
}

impl TryFrom<FenceShape> for Geofence {
    type Error = FenceError;
    fn try_from(shape: FenceShape) -> Result<Self, Self::Error> {
        match shape {
            FenceShape::Circle { centre, radius_m } => Self::circle(centre, radius_m),
            FenceShape::Polygon { corners } => Self::polygon(corners),
        }
    }
}

impl From<Geofence> for FenceShape {
    fn from(fence: Geofence) -> Self {
        match fence.0 {
            Shape::Circle { centre, radius } => Self::Circle {
                centre,
                radius_m: Metres(radius),
            },
            Shape::Polygon { corners, .. } => Self::Polygon { corners },
        }
    }
}

impl Geofence {
    /// A circle fence.
    ///
    /// # Errors
    /// [`FenceError::BadRadius`] for a zero radius.
    pub fn circle(centre: GeoPoint, radius: Metres) -> Result<Self, FenceError> {
        if radius.0 <= 0.0 {
            return Err(FenceError::BadRadius);
        }
        Ok(Self(Shape::Circle {
            centre,
            radius: radius.0,
        }))
    }

    /// A polygon fence from its corners in order; a repeated closing corner
    /// and repeated consecutive corners are dropped.
    ///
    /// # Errors
    /// A [`FenceError`] for fewer than 3 distinct corners, crossing edges or
    /// no area.
    pub fn polygon(corners: Vec<GeoPoint>) -> Result<Self, FenceError> {
        let mut corners = corners;
        corners.dedup();
        while corners.len() > 1 && corners.first() == corners.last() {
            corners.pop();
        }
        if corners.len() < 3 {
            return Err(FenceError::TooFewPoints(corners.len()));
        }
        let ring: Vec<Coord<f64>> = corners.iter().map(|p| p.to_geo().0).collect();
        let geo = Polygon::new(LineString::from(ring), vec![]);
        let collinear = corners.windows(3).all(|w| {
            let (a, b, c) = (w[0].to_geo(), w[1].to_geo(), w[2].to_geo());
            let cross = (b.x() - a.x()) * (c.y() - a.y()) - (b.y() - a.y()) * (c.x() - a.x());
            cross.abs() <= f64::EPSILON
        });
        if collinear {
            return Err(FenceError::NoArea);
        }
        if !geo.is_valid() {
            return Err(FenceError::SelfIntersecting);
        }
        Ok(Self(Shape::Polygon { corners, geo }))
    }

    /// Geodesic distance in metres from `point` to the fence: 0 inside it.
    #[must_use]
    pub fn distance_m(&self, point: GeoPoint) -> f64 {
        match &self.0 {
            Shape::Circle { centre, radius } => (centre.distance_m(point) - radius).max(0.0),
            Shape::Polygon { corners, geo } => {
                if geo.contains(&point.to_geo()) {
                    return 0.0;
                }
                nearest_on_outline(corners, point).distance_m(point)
            }
        }
    }
}

/// The point of the outline nearest to `p`, found in a tangent plane at `p`.
fn nearest_on_outline(corners: &[GeoPoint], p: GeoPoint) -> GeoPoint {
    let lat0 = p.latitude.0.to_radians();
    let lon0 = p.longitude.0.to_radians();
    let kx = METRES_PER_RADIAN * lat0.cos();
    let to_plane = |q: &GeoPoint| {
        (
            (q.longitude.0.to_radians() - lon0) * kx,
            (q.latitude.0.to_radians() - lat0) * METRES_PER_RADIAN,
        )
    };
    let mut best = (f64::INFINITY, (0.0, 0.0));
    for (i, a) in corners.iter().enumerate() {
        let b = &corners[(i + 1) % corners.len()];
        let (ax, ay) = to_plane(a);
        let (bx, by) = to_plane(b);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (x, y) = (ax + t * dx, ay + t * dy);
        let d2 = x * x + y * y;
        if d2 < best.0 {
            best = (d2, (x, y));
        }
    }
    let (x, y) = best.1;
    let lat = (lat0 + y / METRES_PER_RADIAN)
        .to_degrees()
        .clamp(-90.0, 90.0);
    let lon = if kx.abs() > f64::EPSILON {
        (lon0 + x / kx).to_degrees().clamp(-180.0, 180.0)
    } else {
        p.longitude.0
    };
    GeoPoint {
        latitude: Latitude(lat),
        longitude: Longitude(lon),
    }
}

/// How strictly a room judges fixes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeofenceRule {
    /// The most a fix may lie outside the fence and still pass, in metres
    /// (further capped by the fix's own accuracy).
    pub tolerance_m: f64,
    /// Fixes less accurate than this are doubtful, in metres.
    pub max_accuracy_m: f64,
    /// Fixes taken more than this many seconds before the scan are doubtful.
    pub max_fix_age_s: i64,
}

impl Default for GeofenceRule {
    fn default() -> Self {
        Self {
            tolerance_m: 30.0,
            max_accuracy_m: 100.0,
            max_fix_age_s: 120,
        }
    }
}

/// A room's fence, name and rule together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomFence {
    /// The room's name as people say it, for reasons ("Room B-204").
    pub name: String,
    /// The outline.
    pub fence: Geofence,
    /// How strictly fixes are judged.
    pub rule: GeofenceRule,
}

/// The judgement of one fix against a room.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FixCheck {
    /// Inside, or outside by no more than the allowance.
    Inside {
        /// Metres outside the fence (0 when inside).
        distance_m: f64,
    },
    /// Outside by more than the allowance.
    Outside {
        /// Metres outside the fence.
        distance_m: f64,
    },
    /// Too imprecise to decide.
    Inaccurate {
        /// The fix's accuracy, metres.
        accuracy_m: f64,
        /// The room's bound, metres.
        bound_m: f64,
    },
    /// Taken too long before the scan.
    Stale {
        /// Seconds between the fix and the scan.
        age_s: i64,
    },
    /// The OS flagged the fix as mocked.
    Mocked,
}

impl FixCheck {
    /// The status this judgement gives the location factor.
    #[must_use]
    pub const fn status(&self) -> Status {
        match self {
            Self::Inside { .. } => Status::Pass,
            Self::Inaccurate { .. } | Self::Stale { .. } => Status::Doubtful,
            Self::Outside { .. } | Self::Mocked => Status::Fail,
        }
    }
}

impl RoomFence {
    /// Judges `fix`, taken for a scan at `scanned_at`.
    #[must_use]
    pub fn check(&self, fix: &LocationFix, scanned_at: Timestamp) -> FixCheck {
        if fix.mocked {
            return FixCheck::Mocked;
        }
        let distance_m = self.fence.distance_m(fix.point);
        let accuracy_m = fix.accuracy.0;
        if accuracy_m > self.rule.max_accuracy_m {
            // Even the whole error circle misses the fence: clearly outside.
            if distance_m > accuracy_m {
                return FixCheck::Outside { distance_m };
            }
            return FixCheck::Inaccurate {
                accuracy_m,
                bound_m: self.rule.max_accuracy_m,
            };
        }
        if distance_m > accuracy_m.min(self.rule.tolerance_m) {
            return FixCheck::Outside { distance_m };
        }
        let age_s = scanned_at.seconds_since(fix.fixed_at);
        if age_s > self.rule.max_fix_age_s {
            return FixCheck::Stale { age_s };
        }
        FixCheck::Inside { distance_m }
    }
}

impl fmt::Display for GeoPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}, {:.6}", self.latitude.0, self.longitude.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Destination;
    use proptest::prelude::*;

    fn pt(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    /// The point `metres` from `from` towards `bearing` degrees, geodesically.
    fn towards(from: GeoPoint, bearing: f64, metres: f64) -> GeoPoint {
        let p = Geodesic.destination(from.to_geo(), bearing, metres);
        pt(p.y(), p.x())
    }

    fn square(centre: GeoPoint, half: f64) -> Vec<GeoPoint> {
        let n = towards(centre, 0.0, half).latitude.0;
        let s = towards(centre, 180.0, half).latitude.0;
        let e = towards(centre, 90.0, half).longitude.0;
        let w = towards(centre, 270.0, half).longitude.0;
        vec![pt(s, w), pt(s, e), pt(n, e), pt(n, w)]
    }

    const CAMPUS: (f64, f64) = (18.5204, 73.8567);

    fn room(fence: Geofence) -> RoomFence {
        RoomFence {
            name: "Room B-204".into(),
            fence,
            rule: GeofenceRule::default(),
        }
    }

    fn fix(point: GeoPoint, accuracy: f64) -> LocationFix {
        LocationFix {
            point,
            accuracy: Metres::new(accuracy).unwrap(),
            mocked: false,
            fixed_at: Timestamp::from_unix(1_000),
        }
    }

    #[test]
    fn coordinates_are_range_checked() {
        assert!(Latitude::new(90.5).is_err());
        assert!(Longitude::new(-180.5).is_err());
        assert!(Latitude::new(f64::NAN).is_err());
        assert!(Metres::new(-1.0).is_err());
        assert!(serde_json::from_str::<GeoPoint>(r#"{"latitude":91,"longitude":0}"#).is_err());
    }

    #[test]
    fn invalid_polygons_are_rejected_at_construction() {
        let c = pt(CAMPUS.0, CAMPUS.1);
        assert_eq!(
            Geofence::polygon(vec![c, pt(18.521, 73.857)]),
            Err(FenceError::TooFewPoints(2))
        );
        assert_eq!(
            Geofence::polygon(vec![c, c, c, c]),
            Err(FenceError::TooFewPoints(1))
        );
        let bow_tie = vec![
            pt(0.0, 0.0),
            pt(0.001, 0.001),
            pt(0.0, 0.001),
            pt(0.001, 0.0),
        ];
        assert_eq!(
            Geofence::polygon(bow_tie),
            Err(FenceError::SelfIntersecting)
        );
        let line = vec![pt(0.0, 0.0), pt(0.001, 0.001), pt(0.002, 0.002)];
        assert_eq!(Geofence::polygon(line), Err(FenceError::NoArea));
        assert_eq!(
            Geofence::circle(c, Metres::new(0.0).unwrap()),
            Err(FenceError::BadRadius)
        );
        let mut closed = square(c, 20.0);
        closed.push(closed[0]);
        assert!(Geofence::polygon(closed).is_ok());
    }

    #[test]
    fn fences_serialise_and_validate_on_the_way_in() {
        let corners = vec![pt(18.52, 73.85), pt(18.52, 73.851), pt(18.521, 73.851)];
        let fence = Geofence::polygon(corners).unwrap();
        let json = serde_json::to_string(&fence).unwrap();
        assert!(json.contains(r#""kind":"polygon""#));
        assert_eq!(serde_json::from_str::<Geofence>(&json).unwrap(), fence);
        let bad = r#"{"kind":"polygon","corners":[{"latitude":0,"longitude":0}]}"#;
        assert!(serde_json::from_str::<Geofence>(bad).is_err());
        let circle = r#"{"kind":"circle","centre":{"latitude":1,"longitude":2},"radius_m":15}"#;
        assert!(serde_json::from_str::<Geofence>(circle).is_ok());
    }

    #[test]
    fn the_allowance_is_the_smaller_of_accuracy_and_tolerance() {
        let c = pt(CAMPUS.0, CAMPUS.1);
        let r = room(Geofence::circle(c, Metres::new(25.0).unwrap()).unwrap());
        let at = Timestamp::from_unix(1_010);
        // 20 m outside, accuracy 25 m, tolerance 30 m: allowance 25 → pass
        assert!(matches!(
            r.check(&fix(towards(c, 45.0, 45.0), 25.0), at),
            FixCheck::Inside { .. }
        ));
        // 20 m outside, accuracy 10 m: allowance 10 → fail
        let FixCheck::Outside { distance_m } = r.check(&fix(towards(c, 45.0, 45.0), 10.0), at)
        else {
            panic!("expected outside")
        };
        assert!((distance_m - 20.0).abs() < 0.01);
        // 40 m outside, accuracy 50 m, tolerance 30 → fail
        assert!(matches!(
            r.check(&fix(towards(c, 0.0, 65.0), 50.0), at),
            FixCheck::Outside { .. }
        ));
    }

    #[test]
    fn mocked_inaccurate_and_stale_fixes() {
        let c = pt(CAMPUS.0, CAMPUS.1);
        let r = room(Geofence::circle(c, Metres::new(25.0).unwrap()).unwrap());
        let at = Timestamp::from_unix(1_010);
        let mut f = fix(c, 5.0);
        f.mocked = true;
        assert_eq!(r.check(&f, at), FixCheck::Mocked);
        assert_eq!(r.check(&f, at).status(), Status::Fail);
        let vague = r.check(&fix(c, 150.0), at);
        assert_eq!(
            vague,
            FixCheck::Inaccurate {
                accuracy_m: 150.0,
                bound_m: 100.0
            }
        );
        assert_eq!(vague.status(), Status::Doubtful);
        let far = r.check(&fix(towards(c, 90.0, 2_000.0), 150.0), at);
        assert_eq!(far.status(), Status::Fail);
        let old = r.check(&fix(c, 5.0), Timestamp::from_unix(1_500));
        assert_eq!(old, FixCheck::Stale { age_s: 500 });
        assert_eq!(old.status(), Status::Doubtful);
    }

    #[test]
    fn polygon_distance_is_zero_inside_and_geodesic_outside() {
        let c = pt(CAMPUS.0, CAMPUS.1);
        let fence = Geofence::polygon(square(c, 20.0)).unwrap();
        assert!(fence.distance_m(c) == 0.0);
        assert!(fence.distance_m(towards(c, 30.0, 15.0)) == 0.0);
        let d = fence.distance_m(towards(c, 90.0, 104.0));
        assert!((d - 84.0).abs() < 0.2, "{d}");
    }

    proptest! {
        #[test]
        fn circle_distance_matches_geodesic_offset(
            lat in -70.0f64..70.0, lon in -179.0f64..179.0,
            radius in 5.0f64..500.0, bearing in 0.0f64..360.0, extra in 0.0f64..5_000.0,
        ) {
            let c = pt(lat, lon);
            let fence = Geofence::circle(c, Metres::new(radius).unwrap()).unwrap();
            let d = fence.distance_m(towards(c, bearing, radius + extra));
            prop_assert!((d - extra).abs() < 1e-3 * (1.0 + extra), "d={} extra={}", d, extra);
            prop_assert!(fence.distance_m(towards(c, bearing, radius * 0.9)) == 0.0);
        }

        #[test]
        fn square_distance_matches_offset_from_an_edge(
            lat in -70.0f64..70.0, lon in -179.0f64..179.0,
            half in 10.0f64..200.0, side in 0usize..4, extra in 0.5f64..2_000.0,
            along in -0.9f64..0.9,
        ) {
            let c = pt(lat, lon);
            let fence = Geofence::polygon(square(c, half)).unwrap();
            let bearing = [0.0, 90.0, 180.0, 270.0][side];
            let edge_mid = towards(c, bearing, half);
            let on_edge = towards(edge_mid, bearing + 90.0, along * half);
            let p = towards(on_edge, bearing, extra);
            let d = fence.distance_m(p);
            // The square's edges follow parallels/meridians, not geodesics;
            // allow for that at the corners of large squares.
            prop_assert!((d - extra).abs() < 0.01 * extra + 0.5, "d={} extra={}", d, extra);
            let inside = towards(c, bearing, half * 0.5);
            prop_assert!(fence.distance_m(inside) == 0.0);
        }
    }
}
