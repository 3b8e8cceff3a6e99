//! A JSON extractor whose rejections speak our error envelope.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{ApiError, MAX_BODY_BYTES};

/// Like `axum::Json`, but every bad body becomes an [`ApiError`], and a body
/// must be a JSON object (serde would otherwise accept `["a", "b"]` as a
/// struct, field by position).
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
                        code: "invalid_body",
                        message: "the request body must be a JSON object".to_owned(),
                        details: BTreeMap::new(),
                    }
                } else {
                    malformed()
                },
            );
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
                        code: "invalid_body",
                        message: "the request body does not have the expected fields".to_owned(),
                        details,
                    }
                }
                _ => malformed(),
            }
        })
    }
}

fn malformed() -> ApiError {
    ApiError::BadRequest {
        code: "malformed_json",
        message: "the request body is not valid JSON".to_owned(),
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}
