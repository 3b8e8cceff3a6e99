//! The app's start-up configuration.

/// Where the app looks for its server unless the user types another address.
pub const FALLBACK_SERVER_URL: &str = "http://127.0.0.1:8080";

/// Settings the app reads once at start.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppConfig {
    /// The server address the login screen starts with.
    pub default_server_url: String,
    /// Where exported files go (`ROLLCALL_EXPORT_DIR`); unset means the user's
    /// Downloads folder.
    pub export_dir: Option<std::path::PathBuf>,
    /// Where the phone's key and outbox live (`ROLLCALL_APP_DATA_DIR`); unset
    /// means the app's data folder.
    pub data_dir: Option<std::path::PathBuf>,
    /// The map tile server under room geofences (`ROLLCALL_MAP_TILES`, an
    /// `http(s)://…/{z}/{x}/{y}.png` template); unset means no map.
    pub map_tiles: Option<String>,
    /// Whom the tiles are credited to (`ROLLCALL_MAP_ATTRIBUTION`).
    pub map_attribution: Option<String>,
    /// How often a kiosk says it is alive and picks up new settings, seconds
    /// (`ROLLCALL_KIOSK_HEARTBEAT_S`, 1–3600; core's `KIOSK_HEARTBEAT_S` unset).
    pub kiosk_heartbeat_s: u64,
}

impl AppConfig {
    /// Reads `ROLLCALL_SERVER_URL` (falling back to [`FALLBACK_SERVER_URL`]),
    /// `ROLLCALL_EXPORT_DIR`, `ROLLCALL_APP_DATA_DIR`, `ROLLCALL_MAP_TILES`,
    /// `ROLLCALL_MAP_ATTRIBUTION` and `ROLLCALL_KIOSK_HEARTBEAT_S`.
    #[must_use]
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from a variable lookup, so tests need not touch the
    /// process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let default_server_url = lookup("ROLLCALL_SERVER_URL")
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| FALLBACK_SERVER_URL.to_owned());
        let export_dir = lookup("ROLLCALL_EXPORT_DIR")
            .filter(|dir| !dir.trim().is_empty())
            .map(std::path::PathBuf::from);
        let data_dir = lookup("ROLLCALL_APP_DATA_DIR")
            .filter(|dir| !dir.trim().is_empty())
            .map(std::path::PathBuf::from);
        let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        Self {
            default_server_url,
            export_dir,
            data_dir,
            map_tiles: set("ROLLCALL_MAP_TILES"),
            map_attribution: set("ROLLCALL_MAP_ATTRIBUTION"),
            kiosk_heartbeat_s: set("ROLLCALL_KIOSK_HEARTBEAT_S")
                .and_then(|v| v.trim().parse().ok())
                .filter(|s| (1..=3600).contains(s))
                .unwrap_or(rollcall_core::api::KIOSK_HEARTBEAT_S),
        }
    }

    /// Where the phone's key and outbox (or the kiosk's roster and outbox, or the
    /// map's tile cache) live: `ROLLCALL_APP_DATA_DIR`, else the app's data folder.
    pub fn data_folder<R: tauri::Runtime>(
        &self,
        app: &tauri::AppHandle<R>,
    ) -> Result<std::path::PathBuf, crate::AppError> {
        use tauri::Manager as _;
        match &self.data_dir {
            Some(folder) => Ok(folder.clone()),
            None => app
                .path()
                .app_data_dir()
                .map_err(|e| crate::AppError::Phone {
                    code: "key_failed",
                    message: format!("There is no folder for this app's data: {e}."),
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_url_comes_from_rollcall_server_url() {
        let config = AppConfig::from_lookup(|name| {
            (name == "ROLLCALL_SERVER_URL").then(|| " https://rollcall.school.example ".to_owned())
        });
        assert_eq!(config.default_server_url, "https://rollcall.school.example");
    }

    #[test]
    fn an_unset_or_blank_variable_falls_back_to_the_local_server() {
        assert_eq!(
            AppConfig::from_lookup(|_| None).default_server_url,
            FALLBACK_SERVER_URL
        );
        assert_eq!(
            AppConfig::from_lookup(|_| Some("  ".to_owned())).default_server_url,
            FALLBACK_SERVER_URL
        );
    }
}
