//! The bench's client side of `POST /api/v1/attendance/claims`: one HTTP/1.1
//! keep-alive connection per worker, driven by hyper's connection API.
//!
//! The bench client shares the server's two cores, so whatever it spends is
//! taken from the server: a pooled general-purpose client (URL parsing, a
//! pool lock and a header map per request) cost about 60 µs of CPU per claim
//! on this machine, a third of what the server itself spends.

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rollcall_core::verdict::Outcome;
use serde::Deserialize;

const CLAIMS_PATH: &str = "/api/v1/attendance/claims";

/// What the bench reads of an answer: each claim's outcome (the other fields
/// are skipped by the parser, not built).
#[derive(Deserialize)]
struct Answer {
    results: Vec<OneResult>,
}

#[derive(Deserialize)]
struct OneResult {
    outcome: Outcome,
}

/// One worker's connection to the server.
pub struct ClaimsLine {
    sender: SendRequest<Full<Bytes>>,
    host: HeaderValue,
}

impl ClaimsLine {
    /// Connects to `authority` (`host:port`).
    pub async fn connect(authority: &str) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(authority).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self {
            sender,
            host: HeaderValue::from_str(authority)?,
        })
    }

    /// Sends one batch body with `bearer` (`Bearer …`); `true` when the
    /// server answered 200 and accepted every claim.
    pub async fn submit(&mut self, bearer: &HeaderValue, body: Bytes) -> anyhow::Result<bool> {
        self.sender.ready().await?;
        let request = Request::builder()
            .method(Method::POST)
            .uri(CLAIMS_PATH)
            .header(HOST, self.host.clone())
            .header(AUTHORIZATION, bearer.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(Full::new(body))?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        if status != StatusCode::OK {
            return Ok(false);
        }
        let answer: Answer = serde_json::from_slice(&body)?;
        Ok(!answer.results.is_empty()
            && answer
                .results
                .iter()
                .all(|r| r.outcome == Outcome::Accepted))
    }
}
