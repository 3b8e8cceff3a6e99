//! Where a student's device key is kept. On desktops and iOS, in the OS keystore
//! through the `keyring` crate (the Secret Service on Linux — GNOME Keyring,
//! KWallet —, the keychain on macOS and iOS, the credential store on Windows), so
//! the private key is never a file; a key an older version left in the private
//! file moves there and the file is removed. On Android the seed is sealed by an
//! AES key in the Android Keystore that opens only after the owner's fingerprint,
//! face or PIN ([`SeedSealer`], through `tauri-plugin-biometric`), and only the
//! sealed form is written. Where there is no keystore (a headless machine, no
//! session bus) the key stays in a file readable only by this user.

use std::io;
use std::path::Path;

use rollcall_core::signing::DeviceKey;
use uuid::Uuid;

use super::key_file::KeyFile;

/// Where the key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPlace {
    /// The operating system's keystore.
    OsKeystore,
    /// Sealed by a key in the OS keystore; the sealed form in the account's folder.
    Sealed,
    /// A file in the account's folder, mode 0600.
    PrivateFile,
}

/// Seals the device key's seed with a key the OS keeps and the owner unlocks
/// (Android: the Keystore behind the biometric prompt). The texts are what the
/// OS's cipher takes and gives (hex of the seed in, its sealed form out).
pub trait SeedSealer: Send + Sync {
    /// The sealed form of `seed_hex`.
    ///
    /// # Errors
    /// The OS's refusal (cancelled, no lock set up), in its words.
    fn seal(&self, seed_hex: &str) -> Result<String, String>;
    /// The seed hex back from its sealed form.
    ///
    /// # Errors
    /// The OS's refusal, or a sealed form its key does not open.
    fn unseal(&self, sealed: &str) -> Result<String, String>;
}

/// Whether to use the OS keystore.
#[derive(Clone)]
pub enum KeyStoreChoice {
    /// The OS keystore where there is one, else the file.
    OsFirst,
    /// Only the file in the folder (`ROLLCALL_APP_DATA_DIR` set: everything of
    /// the app, its key included, lives in that folder — tests, portable installs).
    FolderOnly,
    /// The seed sealed by this sealer (Android), kept sealed in the folder.
    Sealed(std::sync::Arc<dyn SeedSealer>),
}

impl std::fmt::Debug for KeyStoreChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::OsFirst => "OsFirst",
            Self::FolderOnly => "FolderOnly",
            Self::Sealed(_) => "Sealed",
        })
    }
}

/// The service name keystore entries are filed under.
pub const SERVICE: &str = "Rollcall device key";

/// The device key of `account`, made on first use: in the OS keystore when
/// `choice` allows and one answers, else in `folder/device-key`.
///
/// # Errors
/// When the key can be neither read nor kept, or what is kept is not a key.
pub async fn load_or_create(
    folder: &Path,
    account: Uuid,
    choice: KeyStoreChoice,
) -> io::Result<(DeviceKey, KeyPlace)> {
    let file = KeyFile::in_folder(folder);
    let user = account.to_string();
    let sealed = folder.join("device-key.sealed");
    tokio::task::spawn_blocking(move || match choice {
        KeyStoreChoice::OsFirst => os_first(&file, &user),
        KeyStoreChoice::FolderOnly => file.load_or_create().map(|k| (k, KeyPlace::PrivateFile)),
        KeyStoreChoice::Sealed(sealer) => {
            sealed_in_folder(&file, &sealed, sealer.as_ref()).map(|k| (k, KeyPlace::Sealed))
        }
    })
    .await
    .map_err(io::Error::other)?
}

/// Why the keystore was not used.
enum NotKept {
    /// There is none, or it refused: the file is used instead.
    Unavailable(String),
    /// It holds something that is not a key: an error, not a silent new key.
    #[cfg_attr(
        target_os = "android",
        allow(
            dead_code,
            reason = "the sealed file on Android has no keystore to be damaged"
        )
    )]
    Damaged,
}

/// The key from its sealed form in `sealed`, or made (or taken from an old plain
/// key file, which is then removed) and sealed on first use.
fn sealed_in_folder(
    file: &KeyFile,
    sealed: &Path,
    sealer: &dyn SeedSealer,
) -> io::Result<DeviceKey> {
    let refused = |e: String| io::Error::new(io::ErrorKind::PermissionDenied, e);
    let damaged = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "the sealed device key is damaged",
        )
    };
    match std::fs::read_to_string(sealed) {
        Ok(text) => {
            let hex = sealer.unseal(text.trim()).map_err(refused)?;
            let seed = decode_hex_seed(&hex).ok_or_else(damaged)?;
            Ok(DeviceKey::from_seed(&seed))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let (key, moved) = match file.read()? {
                Some(key) => (key, true),
                None => (DeviceKey::generate(&mut rand_core::OsRng), false),
            };
            let hex: String = key.seed().iter().map(|b| format!("{b:02x}")).collect();
            let text = sealer.seal(&hex).map_err(refused)?;
            // A sealer that cannot open what it sealed would lose the key.
            if sealer.unseal(&text).map_err(refused)? != hex {
                return Err(io::Error::other("the keystore did not give the key back"));
            }
            super::key_file::write_private_replacing(sealed, text.as_bytes())?;
            if moved {
                file.remove()?;
            }
            Ok(key)
        }
        Err(e) => Err(e),
    }
}

fn decode_hex_seed(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(seed)
}

fn os_first(file: &KeyFile, user: &str) -> io::Result<(DeviceKey, KeyPlace)> {
    match in_keystore(file, user) {
        Ok(key) => Ok((key, KeyPlace::OsKeystore)),
        Err(NotKept::Unavailable(why)) => {
            eprintln!("rollcall: no OS keystore ({why}); the device key is kept in a private file");
            file.load_or_create().map(|k| (k, KeyPlace::PrivateFile))
        }
        Err(NotKept::Damaged) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the device key in the OS keystore is damaged",
        )),
    }
}

#[cfg(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "windows",
    target_os = "ios"
))]
fn in_keystore(file: &KeyFile, user: &str) -> Result<DeviceKey, NotKept> {
    let unavailable = |e: keyring::Error| NotKept::Unavailable(e.to_string());
    let entry = keyring::Entry::new(SERVICE, user).map_err(unavailable)?;
    match entry.get_secret() {
        Ok(seed) => seed_key(&seed),
        Err(keyring::Error::NoEntry) => {
            let (key, moved) = match file.read() {
                Ok(Some(key)) => (key, true),
                Ok(None) => (DeviceKey::generate(&mut rand_core::OsRng), false),
                Err(e) => return Err(NotKept::Unavailable(format!("the old key file: {e}"))),
            };
            entry.set_secret(&key.seed()).map_err(unavailable)?;
            // A keystore that takes a key but does not give it back is no keystore.
            if entry.get_secret().ok().as_deref() != Some(key.seed().as_slice()) {
                let _ = entry.delete_credential();
                return Err(NotKept::Unavailable(
                    "the keystore did not keep the key".to_owned(),
                ));
            }
            if moved {
                // The key lives in the keystore now, and only there.
                if let Err(e) = file.remove() {
                    eprintln!("rollcall: the old device key file could not be removed: {e}");
                }
            }
            Ok(key)
        }
        Err(keyring::Error::BadEncoding(_)) => Err(NotKept::Damaged),
        Err(e) => Err(unavailable(e)),
    }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "windows",
    target_os = "ios"
)))]
fn in_keystore(_file: &KeyFile, _user: &str) -> Result<DeviceKey, NotKept> {
    Err(NotKept::Unavailable(
        "no keystore on this platform in this build".to_owned(),
    ))
}

#[cfg(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "windows",
    target_os = "ios"
))]
fn seed_key(seed: &[u8]) -> Result<DeviceKey, NotKept> {
    let seed: [u8; 32] = seed.try_into().map_err(|_| NotKept::Damaged)?;
    Ok(DeviceKey::from_seed(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seals by reversing and tagging: enough to tell sealed from plain.
    struct Reverse;

    impl SeedSealer for Reverse {
        fn seal(&self, seed_hex: &str) -> Result<String, String> {
            Ok(format!(
                "sealed:{}",
                seed_hex.chars().rev().collect::<String>()
            ))
        }
        fn unseal(&self, sealed: &str) -> Result<String, String> {
            sealed
                .strip_prefix("sealed:")
                .map(|s| s.chars().rev().collect())
                .ok_or_else(|| "not ours".to_owned())
        }
    }

    /// The owner cancels the prompt.
    struct Cancelled;

    impl SeedSealer for Cancelled {
        fn seal(&self, _: &str) -> Result<String, String> {
            Err("Authentication cancelled".to_owned())
        }
        fn unseal(&self, _: &str) -> Result<String, String> {
            Err("Authentication cancelled".to_owned())
        }
    }

    fn folder() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("rollcall-sealed-{}", Uuid::now_v7()))
    }

    fn sealed(sealer: impl SeedSealer + 'static) -> KeyStoreChoice {
        KeyStoreChoice::Sealed(std::sync::Arc::new(sealer))
    }

    #[tokio::test]
    async fn a_sealed_key_is_written_only_sealed_and_opens_again() {
        let dir = folder();
        let account = Uuid::now_v7();
        let (key, place) = load_or_create(&dir, account, sealed(Reverse))
            .await
            .unwrap();
        assert_eq!(place, KeyPlace::Sealed);
        assert!(!dir.join("device-key").exists(), "no plain key file");
        let text = std::fs::read_to_string(dir.join("device-key.sealed")).unwrap();
        let hex: String = key.seed().iter().map(|b| format!("{b:02x}")).collect();
        assert!(text.starts_with("sealed:") && !text.contains(&hex));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.join("device-key.sealed"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, _) = load_or_create(&dir, account, sealed(Reverse))
            .await
            .unwrap();
        assert_eq!(again.public(), key.public());

        // Cancelled at the prompt: an error in words, the sealed key untouched.
        let e = load_or_create(&dir, account, sealed(Cancelled))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        assert!(e.to_string().contains("cancelled"), "{e}");
        assert_eq!(
            std::fs::read_to_string(dir.join("device-key.sealed")).unwrap(),
            text
        );

        // Something that unseals to no key is damaged, never replaced by a new key.
        std::fs::write(dir.join("device-key.sealed"), "sealed:xyz").unwrap();
        let e = load_or_create(&dir, account, sealed(Reverse))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn an_old_plain_key_is_sealed_and_its_file_removed_and_a_refusal_writes_nothing() {
        let dir = folder();
        let old = KeyFile::in_folder(&dir).load_or_create().unwrap();
        let (key, _) = load_or_create(&dir, Uuid::now_v7(), sealed(Reverse))
            .await
            .unwrap();
        assert_eq!(key.public(), old.public());
        assert!(!dir.join("device-key").exists());
        assert!(dir.join("device-key.sealed").exists());

        let fresh = folder();
        let e = load_or_create(&fresh, Uuid::now_v7(), sealed(Cancelled))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        assert!(!fresh.join("device-key.sealed").exists() && !fresh.join("device-key").exists());
        std::fs::remove_dir_all(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&fresh);
    }
}
