//! A JSON extractor whose rejections speak our error envelope.

use rollcall_core::api::ErrorCode;
use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{ApiError, MAX_BODY_BYTES};

/// Like `axum::Json`, but every bad body becomes an [`ApiError`], a body
/// must be a JSON object (serde would otherwise accept `["a", "b"]` as a
/// struct, field by position), and no text in it may hold the NUL character
/// (Postgres stores none, in `text` or `jsonb`: it would be a 500 later, or a
/// change half made).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&req) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes =
            Bytes::from_request(req, state)
                .await
                .map_err(|_| ApiError::PayloadTooLarge {
                    limit: MAX_BODY_BYTES,
                })?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(
                if serde_json::from_slice::<serde_json::Value>(&bytes).is_ok() {
                    ApiError::Unprocessable {
                        code: ErrorCode::InvalidBody,
                        message: "the request body must be a JSON object".to_owned(),
                        details: BTreeMap::new(),
                    }
                } else {
                    malformed()
                },
            );
        }
        if has_nul_escape(&bytes) {
            if let Some(field) = nul_field(&bytes) {
                return Err(ApiError::Unprocessable {
                    code: ErrorCode::InvalidText,
                    message: format!("{field}: text may not contain the NUL character"),
                    details: BTreeMap::from([("field".to_owned(), field)]),
                });
            }
        }
        // Most bodies are fine: parse them without tracking the path, and
        // parse again with it only to say where a bad body went wrong (the
        // tracking cost a few per cent of the server's time under load).
        if let Ok(value) = serde_json::from_slice::<T>(&bytes) {
            return Ok(Self(value));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let parsed = serde_path_to_error::deserialize::<_, T>(&mut deserializer);
        if parsed.is_ok() && deserializer.end().is_err() {
            return Err(malformed());
        }
        parsed.map(Self).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            match inner.classify() {
                serde_json::error::Category::Data => {
                    let mut details = BTreeMap::new();
                    if path != "." {
                        details.insert("field".to_owned(), path.clone());
                    }
                    details.insert("reason".to_owned(), format!("{path}: {inner}"));
                    ApiError::Unprocessable {
                        code: ErrorCode::InvalidBody,
                        message: "the request body does not have the expected fields".to_owned(),
                        details,
                    }
                }
                _ => malformed(),
            }
        })
    }
}

/// Whether the body spells `\u0000` as an escape (an odd run of backslashes
/// before it; an even one is a literal backslash followed by text). A raw NUL
/// byte is not valid JSON and fails the parse anyway.
fn has_nul_escape(bytes: &[u8]) -> bool {
    const ESCAPE: &[u8] = b"u0000";
    bytes.windows(ESCAPE.len()).enumerate().any(|(at, window)| {
        window == ESCAPE
            && bytes[..at]
                .iter()
                .rev()
                .take_while(|b| **b == b'\\')
                .count()
                % 2
                == 1
    })
}

/// The path (`claims[0].label`) of the first string or key holding a NUL.
fn nul_field(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    nul_in(&value)
}

/// The path of the first string or key in `value` holding a NUL (`.` for
/// `value` itself).
pub(super) fn nul_in(value: &serde_json::Value) -> Option<String> {
    fn walk(value: &serde_json::Value, path: &str) -> Option<String> {
        match value {
            serde_json::Value::String(s) => s.contains('\0').then(|| path.to_owned()),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &format!("{path}[{i}]"))),
            serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k.contains('\0') {
                    Some(here.replace('\0', "\\u0000"))
                } else {
                    walk(v, &here)
                }
            }),
            _ => None,
        }
    }
    walk(value, "").map(|p| if p.is_empty() { ".".to_owned() } else { p })
}

fn malformed() -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::MalformedJson,
        message: "the request body is not valid JSON".to_owned(),
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_escape_is_told_from_a_literal_backslash_and_its_field_named() {
        assert!(has_nul_escape(br#"{"a":"x\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a":"x\\u0000"}"#), "a literal \\u0000");
        assert!(has_nul_escape(br#"{"a":"x\\\u0000"}"#));
        assert_eq!(
            nul_field(br#"{"marks":[{"reason":"ok"},{"reason":"a\u0000"}]}"#).as_deref(),
            Some("marks[1].reason")
        );
        assert_eq!(
            nul_field(br#"{"config":{"k\u0000":1}}"#).as_deref(),
            Some("config.k\\u0000")
        );
        assert_eq!(nul_field(br#"{"a":"x\\u0000"}"#), None);
    }
}
