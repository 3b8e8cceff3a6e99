//! OpenAPI schemas for the domain types that serialise as plain strings or
//! numbers (feature `openapi`, used by the server's API document).

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};

fn scalar(kind: Type, description: &str, example: serde_json::Value) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(kind))
        .description(Some(description))
        .examples([example])
        .into()
}

macro_rules! schema {
    ($ty:ty, $name:literal, $kind:expr, $description:literal, $example:expr) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                scalar($kind, $description, $example)
            }
        }
        impl utoipa::ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

schema!(
    crate::signing::DevicePublicKey,
    "DevicePublicKey",
    Type::String,
    "An Ed25519 public key, 32 bytes in base64url without padding.",
    serde_json::json!("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
);
schema!(
    crate::radio::Bssid,
    "Bssid",
    Type::String,
    "A Wi-Fi access point's MAC address; colons, dashes, dots and any case are accepted.",
    serde_json::json!("3c:84:6a:a1:01:10")
);
schema!(
    crate::radio::BeaconId,
    "BeaconId",
    Type::String,
    "An iBeacon as uuid/major/minor, or name:<advertised name>.",
    serde_json::json!("f7826da6-4fa2-4e98-8024-bc5b71e0893e/101/1")
);
schema!(
    crate::radio::Rssi,
    "Rssi",
    Type::Integer,
    "Received signal strength in dBm, -127 to 20.",
    serde_json::json!(-70)
);
schema!(
    crate::policy::Policy,
    "Policy",
    Type::String,
    "Which factors a check-in needs: token, location, radio, face joined by & and |, with parentheses.",
    serde_json::json!("token & location & (radio | face)")
);
schema!(
    crate::geofence::Geofence,
    "Geofence",
    Type::Object,
    "A circle {\"kind\":\"circle\",\"centre\":{\"latitude\",\"longitude\"},\"radius_m\"} or a polygon {\"kind\":\"polygon\",\"corners\":[{\"latitude\",\"longitude\"},...]} of at least 3 corners that does not cross itself.",
    serde_json::json!({"kind": "circle", "centre": {"latitude": 18.51862, "longitude": 73.81538}, "radius_m": 30.0})
);

fn bounded(
    kind: Type,
    description: &str,
    example: serde_json::Value,
    min: f64,
    max: f64,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(kind))
        .description(Some(description))
        .examples([example])
        .minimum(Some(min))
        .maximum(Some(max))
        .into()
}

impl utoipa::PartialSchema for crate::timestamp::Timestamp {
    fn schema() -> RefOr<Schema> {
        #[allow(
            clippy::cast_precision_loss,
            reason = "both bounds are exact in an f64"
        )]
        bounded(
            Type::Integer,
            "An instant in unix seconds, from 1970-01-01 to 9999-12-31.",
            serde_json::json!(1_795_227_997),
            crate::timestamp::Timestamp::EARLIEST.unix() as f64,
            crate::timestamp::Timestamp::LATEST.unix() as f64,
        )
    }
}
impl utoipa::ToSchema for crate::timestamp::Timestamp {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Timestamp")
    }
}
