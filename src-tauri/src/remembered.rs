//! The sign-in kept across restarts: the server's address and the session's
//! latest refresh token, in the OS keystore through `keyring` (the Secret
//! Service on Linux, the keychain on macOS and iOS, the credential store on
//! Windows) and never in the WebView. Where there is no keystore (a headless
//! machine, Android, whose app folder only the app can read) or when
//! `ROLLCALL_APP_DATA_DIR` keeps everything of the app in one folder, it is a
//! file there that only this user can read. Every new refresh token replaces
//! the kept one, in order, from one writer task; signing out (or "Keep me
//! signed in" left unticked) forgets it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager as _, Runtime};
use tokio::sync::mpsc;

use crate::device::key_file::write_private_replacing;
use crate::{AppConfig, ServerAddress, ServerClient};
use rollcall_client::TokenKeeper;

/// The keystore entry's service name.
pub const SERVICE: &str = "Rollcall sign-in";
/// The file's name in the app's folder, where there is no keystore.
pub const FILE_NAME: &str = "sign-in.json";

/// A sign-in to resume: where, and the refresh token to exchange.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptSignIn {
    /// The server's address.
    pub server: String,
    /// The latest refresh token (single use).
    pub refresh_token: String,
}

impl fmt::Debug for KeptSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeptSignIn")
            .field("server", &self.server)
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// Where the sign-in is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The OS keystore where one answers, else the file.
    OsFirst,
    /// Only the file in the folder.
    FolderOnly,
}

/// The kept sign-in, in Tauri's managed state: started on the first command
/// that needs it (the app's start asks to resume), where the app's folder is
/// known.
#[derive(Debug, Default)]
pub struct RememberedSignIn {
    keeper: OnceLock<SignInKeeper>,
}

impl RememberedSignIn {
    /// The keeper, started the first time (in the OS keystore, or in the app's
    /// folder when `ROLLCALL_APP_DATA_DIR` is set or on Android) and told every
    /// new refresh token of the session from then on.
    pub fn attach<R: Runtime>(&self, app: &AppHandle<R>) -> &SignInKeeper {
        self.keeper.get_or_init(|| {
            let config = app.state::<AppConfig>();
            let place = if config.data_dir.is_some() || cfg!(target_os = "android") {
                Place::FolderOnly
            } else {
                Place::OsFirst
            };
            // Without a folder for the app's data only a keystore keeps it.
            let keeper = SignInKeeper::start(config.data_folder(app).ok(), place);
            app.state::<ServerClient>()
                .keep_tokens_with(keeper.token_keeper());
            keeper
        })
    }
}

/// Keeps the sign-in: read at start, replaced on each rotation.
#[derive(Debug)]
pub struct SignInKeeper {
    store: Store,
    /// Whether the signed-in person asked to stay signed in.
    remember: Arc<AtomicBool>,
    writes: mpsc::UnboundedSender<Option<KeptSignIn>>,
}

impl SignInKeeper {
    /// Keeps sign-ins in `place`, with `folder` for the file (without one, only
    /// a keystore keeps them), and starts the task that writes each change in
    /// order.
    #[must_use]
    pub fn start(folder: Option<PathBuf>, place: Place) -> Self {
        let store = Store { folder, place };
        let (writes, mut changes) = mpsc::unbounded_channel::<Option<KeptSignIn>>();
        let writer = store.clone();
        tauri::async_runtime::spawn(async move {
            while let Some(change) = changes.recv().await {
                let writer = writer.clone();
                let done = tokio::task::spawn_blocking(move || match change {
                    Some(kept) => writer.keep(&kept),
                    None => writer.forget(),
                })
                .await;
                if let Ok(Err(e)) = done {
                    eprintln!("rollcall: the sign-in could not be kept: {e}");
                }
            }
        });
        Self {
            store,
            remember: Arc::new(AtomicBool::new(true)),
            writes,
        }
    }

    /// What the session's client tells of each new refresh token: kept while
    /// the person asked to stay signed in, forgotten otherwise and at the end.
    #[must_use]
    pub fn token_keeper(&self) -> TokenKeeper {
        let (remember, writes) = (self.remember.clone(), self.writes.clone());
        Arc::new(move |kept: Option<(&ServerAddress, &str)>| {
            let change = kept
                .filter(|_| remember.load(Ordering::SeqCst))
                .map(|(server, token)| KeptSignIn {
                    server: server.to_string(),
                    refresh_token: token.to_owned(),
                });
            // The writer lives as long as the app.
            let _ = writes.send(change);
        })
    }

    /// Whether the next sign-in is kept.
    pub fn set_remember(&self, remember: bool) {
        self.remember.store(remember, Ordering::SeqCst);
    }

    /// The kept sign-in, if any (a damaged one is forgotten).
    pub async fn recall(&self) -> Option<KeptSignIn> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.read())
            .await
            .ok()
            .flatten()
    }

    /// Forgets the kept sign-in (it no longer works).
    pub fn forget(&self) {
        let _ = self.writes.send(None);
    }
}

/// The keystore entry and the file.
#[derive(Debug, Clone)]
struct Store {
    folder: Option<PathBuf>,
    place: Place,
}

impl Store {
    fn file(&self) -> Option<PathBuf> {
        self.folder.as_ref().map(|f| f.join(FILE_NAME))
    }

    fn read(&self) -> Option<KeptSignIn> {
        let from_file = || self.file().and_then(|f| std::fs::read_to_string(f).ok());
        let text = match self.place {
            Place::OsFirst => keystore::read().or_else(from_file),
            Place::FolderOnly => from_file(),
        }?;
        let kept = serde_json::from_str(&text).ok();
        if kept.is_none() {
            let _ = self.forget();
        }
        kept
    }

    fn keep(&self, kept: &KeptSignIn) -> std::io::Result<()> {
        let text = serde_json::to_string(kept).map_err(std::io::Error::other)?;
        if self.place == Place::OsFirst {
            match keystore::write(&text) {
                Ok(()) => return remove_file(self.file().as_deref()),
                Err(why) => eprintln!(
                    "rollcall: no OS keystore ({why}); the sign-in is kept in a private file"
                ),
            }
        }
        let file = self
            .file()
            .ok_or_else(|| std::io::Error::other("no keystore and no folder for the app's data"))?;
        write_private_replacing(&file, text.as_bytes())
    }

    fn forget(&self) -> std::io::Result<()> {
        if self.place == Place::OsFirst {
            keystore::delete();
        }
        remove_file(self.file().as_deref())
    }
}

fn remove_file(path: Option<&Path>) -> std::io::Result<()> {
    match path.map(std::fs::remove_file) {
        Some(Err(e)) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "windows",
    target_os = "ios"
))]
mod keystore {
    use super::SERVICE;

    /// The keystore entry's account name (one kept sign-in per OS user).
    const ENTRY: &str = "remembered";

    fn entry() -> Result<keyring::Entry, String> {
        keyring::Entry::new(SERVICE, ENTRY).map_err(|e| e.to_string())
    }

    pub(super) fn read() -> Option<String> {
        entry().ok()?.get_password().ok()
    }

    pub(super) fn write(text: &str) -> Result<(), String> {
        let entry = entry()?;
        entry.set_password(text).map_err(|e| e.to_string())?;
        // A keystore that takes the secret but does not give it back is no keystore.
        if entry.get_password().ok().as_deref() == Some(text) {
            Ok(())
        } else {
            let _ = entry.delete_credential();
            Err("the keystore did not keep the sign-in".to_owned())
        }
    }

    pub(super) fn delete() {
        if let Ok(entry) = entry() {
            let _ = entry.delete_credential();
        }
    }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "windows",
    target_os = "ios"
)))]
mod keystore {
    pub(super) fn read() -> Option<String> {
        None
    }

    pub(super) fn write(_text: &str) -> Result<(), String> {
        Err("no keystore on this platform in this build".to_owned())
    }

    pub(super) fn delete() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_sign_in_is_a_private_file_replaced_whole_and_forgotten() {
        let folder = std::env::temp_dir().join(format!("rollcall-kept-{}", uuid::Uuid::now_v7()));
        let store = Store {
            folder: Some(folder.clone()),
            place: Place::FolderOnly,
        };
        assert_eq!(store.read(), None);
        let kept = KeptSignIn {
            server: "https://rollcall.school.example".into(),
            refresh_token: "first".into(),
        };
        store.keep(&kept).unwrap();
        store
            .keep(&KeptSignIn {
                refresh_token: "second".into(),
                ..kept.clone()
            })
            .unwrap();
        assert_eq!(store.read().unwrap().refresh_token, "second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(folder.join(FILE_NAME))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(
            !format!("{kept:?}").contains("first"),
            "the token is redacted from Debug"
        );
        std::fs::write(folder.join(FILE_NAME), b"{not json").unwrap();
        assert_eq!(store.read(), None, "a damaged file resumes nothing");
        assert!(!folder.join(FILE_NAME).exists(), "and is forgotten");
        store.keep(&kept).unwrap();
        store.forget().unwrap();
        assert_eq!(store.read(), None);
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
