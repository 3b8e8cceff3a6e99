//! Per-client-address request limits: a fixed one-minute window per address,
//! one budget for sign-in attempts and one for everything else. Each replica
//! counts for itself; that is enough to blunt guessing and floods.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState};

const WINDOW: Duration = Duration::from_secs(60);
/// Above this many tracked addresses, expired windows are swept.
const SWEEP_AT: usize = 10_000;

/// Requests allowed per address per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `POST /api/v1/auth/login`, `/forgot` and `/reset`.
    pub sign_in_per_minute: u32,
    /// Every other request.
    pub general_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_in_per_minute: 10,
            general_per_minute: 600,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

/// The counters.
#[derive(Debug, Default)]
pub struct RateLimiter {
    limits: Limits,
    windows: Mutex<HashMap<(IpAddr, bool), Window>>,
}

impl RateLimiter {
    /// A limiter with these limits.
    #[must_use]
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            windows: Mutex::default(),
        }
    }

    /// Counts one request; `Err(seconds)` when over the limit, with the wait.
    fn hit(&self, ip: IpAddr, sign_in: bool, now: Instant) -> Result<(), u64> {
        let limit = if sign_in {
            self.limits.sign_in_per_minute
        } else {
            self.limits.general_per_minute
        };
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > SWEEP_AT {
            windows.retain(|_, w| now.duration_since(w.started) < WINDOW);
        }
        let window = windows.entry((ip, sign_in)).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(window.started) >= WINDOW {
            *window = Window {
                started: now,
                count: 0,
            };
        }
        if window.count >= limit {
            let left = WINDOW.saturating_sub(now.duration_since(window.started));
            return Err(left.as_secs().max(1));
        }
        window.count += 1;
        Ok(())
    }
}

fn is_sign_in(req: &Request) -> bool {
    req.method() == Method::POST
        && matches!(
            req.uri().path(),
            "/api/v1/auth/login" | "/api/v1/auth/forgot" | "/api/v1/auth/reset"
        )
}

/// The middleware: 429 with `Retry-After` once an address is over its budget.
pub async fn limit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let sign_in = is_sign_in(&req);
    let client = client_address(peer.ip(), req.headers(), &state.settings.trusted_proxies);
    match state.limiter.hit(client, sign_in, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let mut resp = ApiError::TooManyRequests { retry_after: wait }.into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                resp.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
            resp
        }
    }
}

/// The client's address: the TCP peer, or, when the peer is one of our
/// trusted proxies (a load balancer), the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy. A client cannot
/// choose its own address by sending the header: it is only read from
/// trusted proxies.
#[must_use]
pub fn client_address(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let client: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(
            client_address(proxy, &headers, &[proxy]),
            client,
            "the nearest untrusted hop"
        );
        let direct: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            client_address(direct, &headers, &[proxy]),
            direct,
            "a client cannot spoof it"
        );
        assert_eq!(
            client_address(proxy, &axum::http::HeaderMap::new(), &[proxy]),
            proxy
        );
    }

    #[test]
    fn a_window_allows_its_budget_then_refuses_until_it_turns_over() {
        let limiter = RateLimiter::new(Limits {
            sign_in_per_minute: 2,
            general_per_minute: 5,
        });
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let t0 = Instant::now();
        assert!(limiter.hit(ip, true, t0).is_ok());
        assert!(limiter.hit(ip, true, t0).is_ok());
        let wait = limiter
            .hit(ip, true, t0 + Duration::from_secs(15))
            .unwrap_err();
        assert_eq!(wait, 45);
        assert!(limiter.hit(ip, false, t0).is_ok(), "separate budgets");
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        assert!(limiter.hit(other, true, t0).is_ok(), "separate addresses");
        assert!(limiter.hit(ip, true, t0 + WINDOW).is_ok(), "a new window");
    }
}
