//! One call to the server: the route's path filled in, the query and body
//! written, the access token attached (and renewed once if it had expired),
//! and the answer read as JSON, nothing, a file or text.

use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use rollcall_core::api::{ErrorCode, ErrorEnvelope};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::routes::Route;
use crate::{Client, ClientError, ServerAddress};

/// A file the server sent: its suggested name and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The name from `Content-Disposition`, if any (not yet made safe).
    pub suggested_name: Option<String>,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Who a call is made as.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    /// The signed-in user (its token, renewed when it expired).
    SignedIn,
    /// Nobody, at this server.
    Anonymous(ServerAddress),
    /// The bearer of `token` (a metrics scraper), at this server.
    Token(ServerAddress, String),
}

/// A body to send.
#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Vec<u8>),
    Text {
        content_type: &'static str,
        text: String,
    },
}

/// A call being made; see the module.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    client: &'a Client,
    route: &'static Route,
    path: String,
    query: Vec<String>,
    body: Body,
    caller: Caller,
}

impl Client {
    /// A call of `route` with its `{…}` parameters, in order, as `caller`.
    pub(crate) fn call(
        &self,
        route: &'static Route,
        params: &[&(dyn std::fmt::Display + Sync)],
        caller: Caller,
    ) -> Call<'_> {
        Call {
            client: self,
            route,
            path: route.path(params),
            query: Vec::new(),
            body: Body::None,
            caller,
        }
    }
}

fn encoding(error: impl std::fmt::Display) -> ClientError {
    ClientError::Api {
        status: 0,
        code: ErrorCode::InvalidBody,
        message: format!("the request could not be written: {error}"),
        details: std::collections::BTreeMap::new(),
        retry_after: None,
    }
}

impl Call<'_> {
    /// Adds `query`'s fields to the query string.
    pub(crate) fn query<Q: Serialize + ?Sized>(mut self, query: &Q) -> Result<Self, ClientError> {
        let text = serde_urlencoded::to_string(query).map_err(encoding)?;
        if !text.is_empty() {
            self.query.push(text);
        }
        Ok(self)
    }

    /// Sends `body` as JSON.
    pub(crate) fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, ClientError> {
        self.body = Body::Json(serde_json::to_vec(body).map_err(encoding)?);
        Ok(self)
    }

    /// Sends `text` with `content_type`.
    pub(crate) fn text(mut self, content_type: &'static str, text: String) -> Self {
        self.body = Body::Text { content_type, text };
        self
    }

    /// The answer as `T`.
    pub(crate) async fn answer<T: DeserializeOwned>(self) -> Result<T, ClientError> {
        let (server, response) = self.send().await?;
        read_json(&server, response).await
    }

    /// A success with nothing in it.
    pub(crate) async fn done(self) -> Result<(), ClientError> {
        let (server, response) = self.send().await?;
        read_empty(&server, response).await
    }

    /// The answer as a file.
    pub(crate) async fn file(self) -> Result<Download, ClientError> {
        let (server, response) = self.send().await?;
        if !response.status().is_success() {
            return Err(failure(&server, response).await);
        }
        let suggested_name = response
            .headers()
            .get(CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(attachment_name);
        let bytes = response
            .bytes()
            .await
            .map_err(|source| unreachable(&server, source))?;
        Ok(Download {
            suggested_name,
            bytes: bytes.to_vec(),
        })
    }

    /// The answer as text.
    pub(crate) async fn text_answer(self) -> Result<String, ClientError> {
        let (server, response) = self.send().await?;
        if !response.status().is_success() {
            return Err(failure(&server, response).await);
        }
        response
            .text()
            .await
            .map_err(|source| unreachable(&server, source))
    }

    /// Sends the call; for the signed-in user, once more with a renewed
    /// token if the first answer was 401.
    async fn send(self) -> Result<(ServerAddress, Response), ClientError> {
        match &self.caller {
            Caller::Anonymous(server) => {
                let response = self.once(server, None).await?;
                Ok((server.clone(), response))
            }
            Caller::Token(server, token) => {
                let response = self.once(server, Some(token)).await?;
                Ok((server.clone(), response))
            }
            Caller::SignedIn => {
                let (server, token) = self.client.credentials()?;
                let response = self.once(&server, Some(&token)).await?;
                if response.status() != StatusCode::UNAUTHORIZED {
                    return Ok((server, response));
                }
                let token = self.client.renewed_token(&token).await?;
                let response = self.once(&server, Some(&token)).await?;
                if response.status() == StatusCode::UNAUTHORIZED {
                    self.client.forget_session();
                    return Err(ClientError::SignInAgain);
                }
                Ok((server, response))
            }
        }
    }

    async fn once(
        &self,
        server: &ServerAddress,
        token: Option<&str>,
    ) -> Result<Response, ClientError> {
        let mut url = server.endpoint(&self.path)?;
        if !self.query.is_empty() {
            url.set_query(Some(&self.query.join("&")));
        }
        let mut request = self.client.http.request(self.route.method(), url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request = match &self.body {
            Body::None => request,
            Body::Json(bytes) => request
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Text { content_type, text } => request
                .header(CONTENT_TYPE, *content_type)
                .body(text.clone()),
        };
        request
            .send()
            .await
            .map_err(|source| unreachable(server, source))
    }
}

pub(crate) fn unreachable(server: &ServerAddress, source: reqwest::Error) -> ClientError {
    ClientError::Unreachable {
        address: server.to_string(),
        source,
    }
}

/// Reads a successful answer as `T`, or turns the error envelope into a
/// [`ClientError`].
pub(crate) async fn read_json<T: DeserializeOwned>(
    server: &ServerAddress,
    response: Response,
) -> Result<T, ClientError> {
    if !response.status().is_success() {
        return Err(failure(server, response).await);
    }
    response
        .json::<T>()
        .await
        .map_err(|_| ClientError::NotRollcall {
            address: server.to_string(),
        })
}

/// A success with no content, or the failure it is.
pub(crate) async fn read_empty(
    server: &ServerAddress,
    response: Response,
) -> Result<(), ClientError> {
    if response.status().is_success() {
        Ok(())
    } else {
        Err(failure(server, response).await)
    }
}

/// What a failed answer means.
async fn failure(server: &ServerAddress, response: Response) -> ClientError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    if status.is_server_error() {
        return ClientError::Server {
            address: server.to_string(),
            status: status.as_u16(),
            retry_after,
        };
    }
    match response.json::<ErrorEnvelope>().await {
        Ok(envelope) if envelope.error.code == ErrorCode::InvalidCredentials => {
            ClientError::InvalidCredentials
        }
        Ok(envelope) => ClientError::Api {
            status: status.as_u16(),
            code: envelope.error.code,
            message: envelope.error.message,
            details: envelope.error.details,
            retry_after,
        },
        Err(_) => ClientError::NotRollcall {
            address: server.to_string(),
        },
    }
}

/// The file name of `attachment; filename="name.csv"`.
fn attachment_name(disposition: &str) -> Option<String> {
    let (_, rest) = disposition.split_once("filename=")?;
    let name = rest.split(';').next()?.trim().trim_matches('"');
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::attachment_name;

    #[test]
    fn the_file_name_comes_from_content_disposition() {
        assert_eq!(
            attachment_name("attachment; filename=\"class-sheet-SE-A.csv\"").as_deref(),
            Some("class-sheet-SE-A.csv")
        );
        assert_eq!(attachment_name("attachment").as_deref(), None);
        assert_eq!(
            attachment_name("attachment; filename=\"\"").as_deref(),
            None
        );
    }
}
