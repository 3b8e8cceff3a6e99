//! What a desktop journey needs from its surroundings, read once and checked.

use std::path::PathBuf;

/// The environment of a desktop journey.
#[derive(Debug, Clone)]
pub struct JourneyEnv {
    /// The built app binary (`ROLLCALL_E2E_APP`).
    pub app: PathBuf,
    /// The base URL of a running, seeded server (`ROLLCALL_E2E_SERVER`).
    pub server: String,
    /// Where screenshots go (`ROLLCALL_E2E_ARTIFACTS`); created if missing.
    pub artifacts: PathBuf,
}

impl JourneyEnv {
    /// Reads and checks the variables.
    ///
    /// # Errors
    /// A message naming every missing or unusable variable and how the journeys are meant
    /// to be run, so a bare `cargo test -p rollcall-e2e` fails loudly instead of passing.
    pub fn from_env() -> Result<Self, String> {
        let mut problems = Vec::new();
        let mut var = |name: &str, what: &str| match std::env::var(name) {
            Ok(value) if !value.trim().is_empty() => Some(value.trim().to_owned()),
            _ => {
                problems.push(format!("{name} is not set ({what})"));
                None
            }
        };
        let app = var(
            "ROLLCALL_E2E_APP",
            "absolute path of the built rollcall-app binary",
        );
        let server = var(
            "ROLLCALL_E2E_SERVER",
            "URL of a running server with the demo data",
        );
        let artifacts = var("ROLLCALL_E2E_ARTIFACTS", "folder for screenshots");
        if std::env::var_os("DISPLAY").is_none() {
            problems.push("DISPLAY is not set (run under xvfb-run)".to_owned());
        }
        if let Some(app) = &app {
            let path = PathBuf::from(app);
            if !path.is_absolute() || !path.is_file() {
                problems.push(format!(
                    "ROLLCALL_E2E_APP={app} is not an absolute path to a file"
                ));
            }
        }
        match (app, server, artifacts) {
            (Some(app), Some(server), Some(artifacts)) if problems.is_empty() => {
                let artifacts = PathBuf::from(artifacts);
                std::fs::create_dir_all(&artifacts).map_err(|e| {
                    format!(
                        "cannot create ROLLCALL_E2E_ARTIFACTS={}: {e}",
                        artifacts.display()
                    )
                })?;
                Ok(Self {
                    app: PathBuf::from(app),
                    server,
                    artifacts,
                })
            }
            _ => Err(format!(
                "the desktop journeys cannot run: {}.\n\
                 They need the built app, a running server and a display; \
                 `cargo xtask test` prepares all three.",
                problems.join("; ")
            )),
        }
    }
}
