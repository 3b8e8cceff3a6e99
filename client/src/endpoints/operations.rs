//! Health, metrics and the audit log.

use rollcall_core::api::{AuditEntry, AuditFilter, Health, ListParams, Page};

use crate::request::Caller;
use crate::routes;
use crate::{Client, ClientError, ServerAddress};

impl Client {
    /// `GET /health/live`: the server process is up.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn health_live(&self, server: &ServerAddress) -> Result<Health, ClientError> {
        self.call(&routes::HEALTH_LIVE, &[], Caller::Anonymous(server.clone()))
            .answer()
            .await
    }

    /// `GET /health/ready`: the server and its database answer.
    ///
    /// # Errors
    /// What the call fails with (a 503 while the database is away).
    pub async fn health_ready(&self, server: &ServerAddress) -> Result<Health, ClientError> {
        self.call(
            &routes::HEALTH_READY,
            &[],
            Caller::Anonymous(server.clone()),
        )
        .answer()
        .await
    }

    /// `GET /metrics` with the scraper's `token`: the Prometheus text.
    ///
    /// # Errors
    /// What the call fails with (403 without the right token).
    pub async fn metrics(
        &self,
        server: &ServerAddress,
        token: &str,
    ) -> Result<String, ClientError> {
        self.call(
            &routes::METRICS,
            &[],
            Caller::Token(server.clone(), token.to_owned()),
        )
        .text_answer()
        .await
    }

    /// `GET /api/v1/audit`: the audit log, newest first.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn audit_log(
        &self,
        list: &ListParams,
        filter: &AuditFilter,
    ) -> Result<Page<AuditEntry>, ClientError> {
        self.call(&routes::AUDIT, &[], Caller::SignedIn)
            .query(list)?
            .query(filter)?
            .answer()
            .await
    }
}
