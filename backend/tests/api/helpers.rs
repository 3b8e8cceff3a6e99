use rollcall_core::api::{ErrorEnvelope, LoginRequest};
use rollcall_server::testing::{spawn_server_with, TestServer};
use sqlx::PgPool;

/// A server on a loopback port over a fresh database.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub pool: PgPool,
}

impl TestApp {
    pub async fn spawn(pool: PgPool) -> Self {
        Self::spawn_with(pool, TestServer::default()).await
    }

    pub async fn spawn_with(pool: PgPool, options: TestServer) -> Self {
        let addr = spawn_server_with(pool.clone(), options)
            .await
            .expect("server starts");
        Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            pool,
        }
    }

    pub async fn seeded(pool: PgPool) -> Self {
        Self::seeded_with(pool, TestServer::default()).await
    }

    pub async fn seeded_with(pool: PgPool, options: TestServer) -> Self {
        rollcall_server::seed::seed_demo(&pool)
            .await
            .expect("demo school seeds");
        Self::spawn_with(pool, options).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The product's typed client, signed in as `login`.
    pub async fn client(&self, login: &str, password: &str) -> rollcall_client::Client {
        let client = rollcall_client::Client::new();
        client
            .login(&self.base, login, password)
            .await
            .unwrap_or_else(|e| panic!("{login} signs in: {e}"));
        client
    }

    pub async fn login(&self, login: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/auth/login"))
            .json(&LoginRequest {
                login: login.into(),
                password: password.into(),
            })
            .send()
            .await
            .expect("request is sent")
    }
}

/// Reads an error response, asserting it has our envelope.
pub async fn envelope(resp: reqwest::Response) -> ErrorEnvelope {
    let text = resp.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an error envelope ({e}): {text}"))
}
