//! `GET /api/v1/meta`: which server this is.

use rollcall_core::api::ServerInfo;

use super::ApiJson;

pub(super) async fn meta() -> ApiJson<ServerInfo> {
    ApiJson(ServerInfo {
        name: "rollcall-server".to_owned(),
        version: crate::VERSION.to_owned(),
    })
}
