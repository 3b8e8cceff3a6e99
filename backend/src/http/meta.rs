//! `GET /api/v1/meta`: which server this is.

use rollcall_core::api::ServerInfo;

use super::ApiJson;

#[utoipa::path(get, path = "/api/v1/meta", tag = "operations", summary = "Which server this is", responses((status = 200, description = "Name and version", body = ServerInfo)))]
pub(super) async fn meta() -> ApiJson<ServerInfo> {
    ApiJson(ServerInfo {
        name: "rollcall-server".to_owned(),
        version: crate::VERSION.to_owned(),
    })
}
