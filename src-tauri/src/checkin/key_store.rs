//! Where a student's device key is kept. On desktops, in the OS keystore through
//! the `keyring` crate (the Secret Service on Linux — GNOME Keyring, KWallet —,
//! the keychain on macOS, the credential store on Windows), so the private key is
//! never a file; a key an older version left in the private file moves there and
//! the file is removed. Where there is no keystore (a headless machine, no
//! session bus), and on Android, where the crate has none, the key stays in a
//! file readable only by this user, as before. (The phones' own Keystore and
//! Keychain behind the biometric gate need the mobile builds; not done here.)

use std::io;
use std::path::Path;

use rollcall_core::signing::DeviceKey;
use uuid::Uuid;

use super::phone::KeyFile;

/// Where the key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPlace {
    /// The operating system's keystore.
    OsKeystore,
    /// A file in the account's folder, mode 0600.
    PrivateFile,
}

/// Whether to use the OS keystore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStoreChoice {
    /// The OS keystore where there is one, else the file.
    OsFirst,
    /// Only the file in the folder (`ROLLCALL_APP_DATA_DIR` set: everything of
    /// the app, its key included, lives in that folder — tests, portable installs).
    FolderOnly,
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
    tokio::task::spawn_blocking(move || match choice {
        KeyStoreChoice::OsFirst => os_first(&file, &user),
        KeyStoreChoice::FolderOnly => file.load_or_create().map(|k| (k, KeyPlace::PrivateFile)),
    })
    .await
    .map_err(io::Error::other)?
}

/// Why the keystore was not used.
enum NotKept {
    /// There is none, or it refused: the file is used instead.
    Unavailable(String),
    /// It holds something that is not a key: an error, not a silent new key.
    Damaged,
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

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
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

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn in_keystore(_file: &KeyFile, _user: &str) -> Result<DeviceKey, NotKept> {
    Err(NotKept::Unavailable(
        "no keystore on this platform in this build".to_owned(),
    ))
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
fn seed_key(seed: &[u8]) -> Result<DeviceKey, NotKept> {
    let seed: [u8; 32] = seed.try_into().map_err(|_| NotKept::Damaged)?;
    Ok(DeviceKey::from_seed(&seed))
}
