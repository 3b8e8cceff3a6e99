//! Query-string and path extractors whose rejections speak our envelope, and
//! the one way a day in a query is read.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use rollcall_core::api::ErrorCode;
use serde::de::DeserializeOwned;
use time::Date;

use super::ApiError;

/// Like `axum::extract::Query`, but a bad query string is our 400, and so is
/// a NUL character in any value (Postgres cannot store or compare one).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

/// The name of the first query parameter whose name or value holds an encoded
/// NUL (`%00`; a raw one cannot reach us, the HTTP parser refuses it).
fn nul_parameter(query: &str) -> Option<&str> {
    query
        .split('&')
        .find(|pair| pair.contains("%00"))
        .map(|pair| pair.split('=').next().unwrap_or(pair))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(name) = parts.uri.query().and_then(nul_parameter) {
            return Err(ApiError::BadRequest {
                code: ErrorCode::InvalidQuery,
                message: format!("{name}: text may not contain the NUL character"),
            });
        }
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Self(v))
            .map_err(|e| ApiError::BadRequest {
                code: ErrorCode::InvalidQuery,
                message: e.body_text(),
            })
    }
}

/// Like `axum::extract::Path`, but a malformed id is our 404 (there is no
/// such thing), not a plain-text 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Self(v))
            .map_err(|_| ApiError::NotFound("there is nothing with this id".to_owned()))
    }
}

/// The first and last day a query may name: the days an instant of the API
/// can fall on (see `rollcall_core::timestamp::Timestamp`), so that no date
/// arithmetic or Postgres date can overflow on them.
const FIRST_DAY: Date = time::macros::date!(1970 - 01 - 01);
const LAST_DAY: Date = time::macros::date!(9999 - 12 - 31);

/// A day given as `YYYY-MM-DD` in the query parameter `name`.
///
/// # Errors
/// A 400 naming `name` for anything else, or a day outside 1970–9999.
pub fn day(text: &str, name: &str) -> Result<Date, ApiError> {
    let bad = || ApiError::BadRequest {
        code: ErrorCode::InvalidQuery,
        message: format!("{name} must be a date like 2026-11-21, from 1970 to 9999"),
    };
    let day = Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| bad())?;
    if (FIRST_DAY..=LAST_DAY).contains(&day) {
        Ok(day)
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_only_inside_the_range_every_date_sum_can_hold() {
        assert_eq!(day("2026-11-21", "to").unwrap().to_string(), "2026-11-21");
        for bad in [
            "-9999-01-01",
            "0000-01-01",
            "1969-12-31",
            "+10000-01-01",
            "2026-02-30",
            "",
        ] {
            assert!(day(bad, "to").is_err(), "{bad}");
        }
    }

    #[test]
    fn an_encoded_nul_is_found_in_a_name_or_a_value() {
        assert_eq!(nul_parameter("q=a%00b&page=1"), Some("q"));
        assert_eq!(nul_parameter("page=1&x%00=2"), Some("x%00"));
        assert_eq!(nul_parameter("q=abc&page=1"), None);
    }
}
