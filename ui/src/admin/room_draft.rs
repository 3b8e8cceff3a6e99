//! The new-room form as the admin fills it in, checked with `rollcall-core`'s own
//! rules before anything is sent, and the fence preview's geometry.

use rollcall_core::api::{NewAccessPoint, NewRoom, RoomPatch, DEFAULT_MIN_RSSI, MAX_TOLERANCE_M};
use rollcall_core::geofence::{FenceShape, GeoPoint, Geofence, Metres};
use rollcall_core::policy::Policy;
use rollcall_core::radio::{Bssid, Rssi};

/// Which shape the fence has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FenceKind {
    /// A centre and a radius.
    #[default]
    Circle,
    /// Corners in order.
    Polygon,
}

/// What the form holds: text, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomDraft {
    /// Short code ("B-204").
    pub code: String,
    /// Full name.
    pub name: String,
    /// Building.
    pub building: String,
    /// Circle or polygon.
    pub kind: FenceKind,
    /// Circle centre latitude.
    pub latitude: String,
    /// Circle centre longitude.
    pub longitude: String,
    /// Circle radius, metres.
    pub radius_m: String,
    /// Polygon corners, one `latitude, longitude` per line (or separated by `;`).
    pub corners: String,
    /// The factors check-ins need (empty: the school's default).
    pub policy: String,
    /// One Wi-Fi access point's BSSID (optional).
    pub bssid: String,
    /// Its label.
    pub bssid_label: String,
}

fn number(text: &str, what: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{what} must be a number."))
}

fn point(latitude: f64, longitude: f64) -> Result<GeoPoint, String> {
    GeoPoint::new(latitude, longitude).map_err(|e| format!("{latitude}, {longitude}: {e}."))
}

/// An edit of the form. Dispatched, it is applied to the draft as it is when
/// it runs, not as it was when the form was last drawn: two events that
/// arrive before the next render (a keystroke, then a click) both stand.
#[derive(Debug)]
pub enum DraftEdit {
    /// A field's new text.
    Field(fn(&mut RoomDraft, String), String),
    /// Circle or polygon.
    Kind(FenceKind),
    /// A nearby access point picked: its BSSID, and its name as the label
    /// unless one was typed.
    AccessPoint { bssid: String, ssid: String },
    /// Back to an empty form (the room was added).
    Clear,
}

impl yew::Reducible for RoomDraft {
    type Action = DraftEdit;

    fn reduce(self: std::rc::Rc<Self>, edit: DraftEdit) -> std::rc::Rc<Self> {
        let mut next = (*self).clone();
        match edit {
            DraftEdit::Field(apply, text) => apply(&mut next, text),
            DraftEdit::Kind(kind) => next.kind = kind,
            DraftEdit::AccessPoint { bssid, ssid } => {
                next.bssid = bssid;
                if next.bssid_label.is_empty() {
                    next.bssid_label = ssid;
                }
            }
            DraftEdit::Clear => next = Self::default(),
        }
        std::rc::Rc::new(next)
    }
}

impl RoomDraft {
    /// The fence, checked: a sentence saying what is wrong otherwise.
    ///
    /// # Errors
    /// The first problem, as a sentence.
    pub fn fence(&self) -> Result<FenceShape, String> {
        let shape = match self.kind {
            FenceKind::Circle => {
                let centre = point(
                    number(&self.latitude, "The latitude")?,
                    number(&self.longitude, "The longitude")?,
                )?;
                let radius = Metres::new(number(&self.radius_m, "The radius")?)
                    .map_err(|e| format!("The radius: {e}."))?;
                FenceShape::Circle {
                    centre,
                    radius_m: radius,
                }
            }
            FenceKind::Polygon => {
                let mut corners = Vec::new();
                for (n, line) in self.corners.split(['\n', ';']).enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    let Some((lat, lon)) = line.split_once(',') else {
                        return Err(format!(
                            "Corner {} should read \u{201c}latitude, longitude\u{201d}.",
                            n + 1
                        ));
                    };
                    corners.push(point(
                        number(lat, &format!("Corner {}'s latitude", n + 1))?,
                        number(lon, &format!("Corner {}'s longitude", n + 1))?,
                    )?);
                }
                FenceShape::Polygon { corners }
            }
        };
        // The same rule the server applies: at least three corners, no crossing
        // edges, some area, a positive radius.
        Geofence::try_from(shape.clone()).map_err(|e| {
            let text = e.to_string();
            let mut chars = text.chars();
            chars.next().map_or_else(String::new, |c| {
                format!("{}{}.", c.to_uppercase(), chars.as_str())
            })
        })?;
        Ok(shape)
    }

    /// The room to create, or the first problem as a sentence.
    ///
    /// # Errors
    /// A sentence naming the field.
    pub fn to_new_room(&self) -> Result<NewRoom, String> {
        if self.code.trim().is_empty() {
            return Err("Give the room a short code, like B-204.".to_owned());
        }
        if self.name.trim().is_empty() {
            return Err("Give the room a name, like Lecture Hall B-204.".to_owned());
        }
        let geofence = Geofence::try_from(self.fence()?).map_err(|e| e.to_string())?;
        let policy = if self.policy.trim().is_empty() {
            None
        } else {
            Some(
                self.policy
                    .parse::<Policy>()
                    .map_err(|e| format!("The check-in rule: {e}."))?,
            )
        };
        let mut access_points = Vec::new();
        if !self.bssid.trim().is_empty() {
            let bssid: Bssid = self.bssid.trim().parse().map_err(|_| {
                format!(
                    "\u{201c}{}\u{201d} is not a BSSID like 3c:84:6a:d0:00:01.",
                    self.bssid.trim()
                )
            })?;
            access_points.push(NewAccessPoint::Wifi {
                bssid,
                label: self.bssid_label.trim().to_owned(),
                min_rssi: Rssi::new(DEFAULT_MIN_RSSI).map_err(|e| e.to_string())?,
            });
        }
        Ok(NewRoom {
            code: self.code.trim().to_owned(),
            name: self.name.trim().to_owned(),
            building: self.building.trim().to_owned(),
            geofence,
            location_tolerance_m: None,
            policy,
            access_points,
        })
    }
}

/// A room's new check-in rule and location tolerance, checked before sending.
///
/// # Errors
/// A sentence naming the field.
pub fn rule_patch(policy: &str, tolerance_m: &str) -> Result<RoomPatch, String> {
    let policy = policy
        .trim()
        .parse::<Policy>()
        .map_err(|e| format!("The check-in rule: {e}."))?;
    let tolerance = number(tolerance_m, "The tolerance")?;
    if !(0.0..=MAX_TOLERANCE_M).contains(&tolerance) {
        return Err(format!("The tolerance is 0 to {MAX_TOLERANCE_M:.0} m."));
    }
    Ok(RoomPatch {
        policy: Some(policy),
        location_tolerance_m: Some(Metres::new(tolerance).map_err(|e| e.to_string())?),
        ..RoomPatch::default()
    })
}

/// The fence drawn in a square of `size` units: local metres, north up, scaled
/// to fit with a margin.
#[derive(Debug, Clone, PartialEq)]
pub enum FenceDrawing {
    /// A circle at the middle.
    Circle {
        /// Its radius in drawing units.
        r: f64,
        /// Metres across (the diameter).
        across_m: f64,
    },
    /// A polygon's `points` attribute.
    Polygon {
        /// `x,y x,y …`
        points: String,
        /// Metres across the wider side of its bounding box.
        across_m: f64,
    },
}

/// The drawing of `shape` in a `size` × `size` square.
#[must_use]
pub fn drawing(shape: &FenceShape, size: f64) -> FenceDrawing {
    let usable = size * 0.8;
    match shape {
        FenceShape::Circle { radius_m, .. } => FenceDrawing::Circle {
            r: usable / 2.0,
            across_m: f64::from(*radius_m) * 2.0,
        },
        FenceShape::Polygon { corners } => {
            let lat0 =
                corners.iter().map(|c| c.latitude()).sum::<f64>() / corners.len().max(1) as f64;
            let metres: Vec<(f64, f64)> = corners
                .iter()
                .map(|c| {
                    (
                        c.longitude() * 111_320.0 * lat0.to_radians().cos(),
                        c.latitude() * 110_540.0,
                    )
                })
                .collect();
            let (min_x, max_x) = bounds(metres.iter().map(|m| m.0));
            let (min_y, max_y) = bounds(metres.iter().map(|m| m.1));
            let across = (max_x - min_x).max(max_y - min_y).max(f64::MIN_POSITIVE);
            let scale = usable / across;
            let (mid_x, mid_y) = ((min_x + max_x) / 2.0, (min_y + max_y) / 2.0);
            let points = metres
                .iter()
                .map(|(x, y)| {
                    format!(
                        "{:.1},{:.1}",
                        size / 2.0 + (x - mid_x) * scale,
                        size / 2.0 - (y - mid_y) * scale
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            FenceDrawing::Polygon {
                points,
                across_m: across,
            }
        }
    }
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_to_the_draft_as_it_is_so_quick_events_do_not_undo_each_other() {
        use std::rc::Rc;
        use yew::Reducible as _;
        // A keystroke and a click that arrive before the form is drawn again
        // are two edits of the same drawn draft; both must stand.
        let drawn = Rc::new(RoomDraft::default());
        let typed =
            Rc::clone(&drawn).reduce(DraftEdit::Field(|d, v| d.building = v, "Annexe".into()));
        let clicked = typed.reduce(DraftEdit::Kind(FenceKind::Polygon));
        assert_eq!(clicked.building, "Annexe");
        assert_eq!(clicked.kind, FenceKind::Polygon);

        let labelled =
            Rc::clone(&clicked).reduce(DraftEdit::Field(|d, v| d.bssid_label = v, "front".into()));
        let picked = labelled.reduce(DraftEdit::AccessPoint {
            bssid: "3c:84:6a:d0:00:01".into(),
            ssid: "Campus".into(),
        });
        assert_eq!(
            (picked.bssid.as_str(), picked.bssid_label.as_str()),
            ("3c:84:6a:d0:00:01", "front")
        );
        let unlabelled = Rc::new(RoomDraft::default()).reduce(DraftEdit::AccessPoint {
            bssid: "3c:84:6a:d0:00:02".into(),
            ssid: "Campus".into(),
        });
        assert_eq!(unlabelled.bssid_label, "Campus");

        assert_eq!(*picked.reduce(DraftEdit::Clear), RoomDraft::default());
    }

    fn circle() -> RoomDraft {
        RoomDraft {
            code: "B-204".into(),
            name: "Lecture Hall B-204".into(),
            latitude: "18.5204".into(),
            longitude: "73.8567".into(),
            radius_m: "30".into(),
            ..RoomDraft::default()
        }
    }

    #[test]
    fn a_circle_room_with_an_access_point_becomes_a_new_room() {
        let mut draft = circle();
        draft.bssid = "3C-84-6A-D0-00-01".into();
        draft.policy = "token & location".into();
        let room = draft.to_new_room().unwrap();
        assert_eq!(room.code, "B-204");
        assert_eq!(room.access_points.len(), 1);
        assert_eq!(room.policy.unwrap().to_string(), "token & location");
    }

    #[test]
    fn each_problem_is_a_sentence_naming_the_field() {
        let mut draft = circle();
        draft.radius_m = "wide".into();
        assert_eq!(
            draft.to_new_room().unwrap_err(),
            "The radius must be a number."
        );
        draft.radius_m = "0".into();
        assert!(draft.to_new_room().unwrap_err().contains("positive radius"));
        draft = circle();
        draft.latitude = "95".into();
        assert!(draft.to_new_room().unwrap_err().starts_with("95, 73.8567"));
        draft = circle();
        draft.bssid = "not-a-mac".into();
        assert!(draft.to_new_room().unwrap_err().contains("is not a BSSID"));
        draft = circle();
        draft.policy = "token &".into();
        assert!(draft
            .to_new_room()
            .unwrap_err()
            .starts_with("The check-in rule"));
        draft = circle();
        draft.code = " ".into();
        assert!(draft.to_new_room().unwrap_err().contains("short code"));
    }

    #[test]
    fn polygons_are_checked_with_the_servers_rule() {
        let mut draft = circle();
        draft.kind = FenceKind::Polygon;
        draft.corners =
            "18.5180, 73.8150\n18.5183, 73.8153\n18.5180, 73.8153\n18.5183, 73.8150".into();
        assert_eq!(
            draft.fence().unwrap_err(),
            "The polygon fence crosses itself."
        );
        draft.corners = "18.5180, 73.8150\n18.5180 73.8153".into();
        assert!(draft
            .fence()
            .unwrap_err()
            .starts_with("Corner 2 should read"));
        draft.corners =
            "18.5180, 73.8150\n18.5180, 73.8153\n\n18.5183, 73.8153\n18.5183, 73.8150\n".into();
        assert!(draft.to_new_room().is_ok());
    }

    #[test]
    fn a_rule_change_is_checked_before_it_is_sent() {
        let patch = rule_patch("token & (location | radio)", "20").unwrap();
        assert_eq!(
            patch.policy.unwrap().to_string(),
            "token & (location | radio)"
        );
        assert_eq!(f64::from(patch.location_tolerance_m.unwrap()), 20.0);
        assert!(
            patch.name.is_none() && patch.geofence.is_none(),
            "nothing else changes"
        );
        assert!(rule_patch("token |", "20")
            .unwrap_err()
            .starts_with("The check-in rule"));
        assert_eq!(
            rule_patch("token", "5000").unwrap_err(),
            "The tolerance is 0 to 1000 m."
        );
        assert_eq!(
            rule_patch("token", "near").unwrap_err(),
            "The tolerance must be a number."
        );
    }

    #[test]
    fn the_drawing_fits_the_square_with_north_up() {
        let mut draft = circle();
        draft.kind = FenceKind::Polygon;
        draft.corners =
            "18.5180, 73.8150\n18.5180, 73.8153\n18.5183, 73.8153\n18.5183, 73.8150".into();
        let FenceDrawing::Polygon { points, across_m } = drawing(&draft.fence().unwrap(), 200.0)
        else {
            panic!("a polygon");
        };
        let xy: Vec<(f64, f64)> = points
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        assert!(
            xy.iter()
                .all(|(x, y)| (19.9..=180.1).contains(x) && (19.9..=180.1).contains(y)),
            "{points}"
        );
        assert!(xy[0].1 > xy[2].1, "the southern corner is drawn lower");
        assert!((30.0..40.0).contains(&across_m), "{across_m}");
        let FenceDrawing::Circle { r, across_m } = drawing(&circle().fence().unwrap(), 200.0)
        else {
            panic!("a circle");
        };
        assert_eq!((r, across_m), (80.0, 60.0));
    }
}
