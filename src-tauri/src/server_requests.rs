//! Requests made for the signed-in user: each carries the access token, and an
//! expired access token is renewed once with the refresh token, then the request
//! is sent again.

use reqwest::header::CONTENT_DISPOSITION;
use reqwest::{Method, Response, StatusCode};
use rollcall_core::api::{LoginResponse, RefreshRequest};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::server_api::{read_json, unreachable};
use crate::{AppError, ServerAddress, ServerClient};

/// A file the server sent: its suggested name and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The name from `Content-Disposition`, if any (not yet made safe).
    pub suggested_name: Option<String>,
    /// The content.
    pub bytes: Vec<u8>,
}

impl ServerClient {
    /// The server and access token of the signed-in session.
    ///
    /// # Errors
    /// [`AppError::NotSignedIn`].
    pub fn credentials(&self) -> Result<(ServerAddress, String), AppError> {
        self.with_session(|s| (s.server.clone(), s.access_token().to_owned()))
            .ok_or(AppError::NotSignedIn)
    }

    /// `GET path` for the signed-in user, read as `T`.
    ///
    /// # Errors
    /// [`AppError::NotSignedIn`], [`AppError::SignInAgain`], an unreachable server, or
    /// what the server answered.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, AppError> {
        let (server, response) = self.authorized(Method::GET, path, None::<&()>).await?;
        read_json(&server, response).await
    }

    /// `method path` with a JSON body for the signed-in user, the answer read as `T`.
    ///
    /// # Errors
    /// As [`ServerClient::get_json`].
    pub async fn send_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, AppError> {
        let (server, response) = self.authorized(method, path, body).await?;
        read_json(&server, response).await
    }

    /// `POST path` with a text body of `content_type` for the signed-in user, the
    /// answer read as `T`.
    ///
    /// # Errors
    /// As [`ServerClient::get_json`].
    pub async fn post_text<T: DeserializeOwned>(
        &self,
        path: &str,
        content_type: &'static str,
        body: String,
    ) -> Result<T, AppError> {
        let (server, token) = self.credentials()?;
        let mut response = self
            .send_text(&server, &token, path, content_type, &body)
            .await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            let token = self.renewed_token(&token).await?;
            response = self
                .send_text(&server, &token, path, content_type, &body)
                .await?;
            if response.status() == StatusCode::UNAUTHORIZED {
                self.forget_session();
                return Err(AppError::SignInAgain);
            }
        }
        read_json(&server, response).await
    }

    /// `DELETE path` for the signed-in user; the server answers with no content.
    ///
    /// # Errors
    /// As [`ServerClient::get_json`].
    pub async fn delete(&self, path: &str) -> Result<(), AppError> {
        let (server, response) = self.authorized(Method::DELETE, path, None::<&()>).await?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(read_json::<()>(&server, response)
            .await
            .err()
            .unwrap_or(AppError::NotRollcallServer {
                address: server.to_string(),
            }))
    }

    /// `GET path` for the signed-in user, as a file.
    ///
    /// # Errors
    /// As [`ServerClient::get_json`].
    pub async fn download(&self, path: &str) -> Result<Download, AppError> {
        let (server, response) = self.authorized(Method::GET, path, None::<&()>).await?;
        if !response.status().is_success() {
            // The error envelope becomes the right AppError; a success here is not one.
            return Err(read_json::<()>(&server, response).await.err().unwrap_or(
                AppError::NotRollcallServer {
                    address: server.to_string(),
                },
            ));
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

    async fn authorized<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<(ServerAddress, Response), AppError> {
        let (server, token) = self.credentials()?;
        let response = self
            .send(&server, &token, method.clone(), path, body)
            .await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok((server, response));
        }
        let token = self.renewed_token(&token).await?;
        let response = self.send(&server, &token, method, path, body).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            self.forget_session();
            return Err(AppError::SignInAgain);
        }
        Ok((server, response))
    }

    async fn send_text(
        &self,
        server: &ServerAddress,
        token: &str,
        path: &str,
        content_type: &'static str,
        body: &str,
    ) -> Result<Response, AppError> {
        self.http
            .post(server.endpoint(path)?)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.to_owned())
            .send()
            .await
            .map_err(|source| unreachable(server, source))
    }

    async fn send<B: Serialize + ?Sized>(
        &self,
        server: &ServerAddress,
        token: &str,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Response, AppError> {
        let mut request = self
            .http
            .request(method, server.endpoint(path)?)
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        request
            .send()
            .await
            .map_err(|source| unreachable(server, source))
    }

    /// A working access token after `stale` was refused: renewed with the refresh
    /// token, or the one another request renewed meanwhile.
    ///
    /// # Errors
    /// [`AppError::SignInAgain`] when the refresh token no longer works (the session is
    /// forgotten then); [`AppError::NotSignedIn`]; an unreachable server.
    pub async fn renewed_token(&self, stale: &str) -> Result<String, AppError> {
        let _one_at_a_time = self.renewing.lock().await;
        let (server, access, refresh) = self
            .with_session(|s| {
                (
                    s.server.clone(),
                    s.access_token().to_owned(),
                    s.refresh_token().to_owned(),
                )
            })
            .ok_or(AppError::NotSignedIn)?;
        if access != stale {
            return Ok(access);
        }
        let response = self
            .http
            .post(server.endpoint("api/v1/auth/refresh")?)
            .json(&RefreshRequest {
                refresh_token: refresh,
            })
            .send()
            .await
            .map_err(|source| unreachable(&server, source))?;
        if response.status() == StatusCode::UNAUTHORIZED {
            self.forget_session();
            return Err(AppError::SignInAgain);
        }
        let answer: LoginResponse = read_json(&server, response).await?;
        self.replace_tokens(answer.access_token.clone(), answer.refresh_token);
        Ok(answer.access_token)
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
    use crate::{AppError, ServerClient};

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

    async fn signed_in_teacher(pool: &sqlx::PgPool) -> ServerClient {
        rollcall_server::seed::seed_demo(pool).await.unwrap();
        let addr = rollcall_server::testing::spawn_server(pool.clone())
            .await
            .unwrap();
        let client = ServerClient::new();
        client
            .login(&format!("http://{addr}"), "teacher1", "rollcall-teacher")
            .await
            .unwrap();
        client
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_expired_access_token_is_renewed_once_for_requests_at_the_same_time(
        pool: sqlx::PgPool,
    ) {
        let client = signed_in_teacher(&pool).await;
        let refresh = client
            .with_session(|s| s.refresh_token().to_owned())
            .unwrap();
        client.replace_tokens("expired".into(), refresh);
        let path = "api/v1/sessions/today";
        let (a, b) = tokio::join!(
            client.get_json::<serde_json::Value>(path),
            client.get_json::<serde_json::Value>(path)
        );
        // Two renewals with one single-use refresh token would revoke the family.
        assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
        let used: i64 =
            sqlx::query_scalar("SELECT count(*) FROM refresh_tokens WHERE used_at IS NOT NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(used, 1);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_refresh_token_that_no_longer_works_means_sign_in_again(pool: sqlx::PgPool) {
        let client = signed_in_teacher(&pool).await;
        client.replace_tokens("expired".into(), "revoked".into());
        let error = client
            .get_json::<serde_json::Value>("api/v1/sessions/today")
            .await
            .unwrap_err();
        assert!(matches!(error, AppError::SignInAgain), "{error:?}");
        assert!(
            client.with_session(|_| ()).is_none(),
            "the session is forgotten"
        );
        let again = client
            .get_json::<serde_json::Value>("api/v1/sessions/today")
            .await
            .unwrap_err();
        assert!(matches!(again, AppError::NotSignedIn), "{again:?}");
    }
}
