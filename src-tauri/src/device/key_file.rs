//! The device key in a file readable only by its user (where there is no OS
//! keystore, or `ROLLCALL_APP_DATA_DIR` asks for one folder), and writing such
//! files safely.

use std::path::{Path, PathBuf};

use rollcall_core::signing::DeviceKey;

/// Where the device key lives on this machine.
#[derive(Debug, Clone)]
pub struct KeyFile(PathBuf);

impl KeyFile {
    /// The key file in `folder`.
    #[must_use]
    pub fn in_folder(folder: &Path) -> Self {
        Self(folder.join("device-key"))
    }

    /// The key, made (and saved, readable only by this user) on first use.
    ///
    /// # Errors
    /// When the file cannot be read or written, or is not a key.
    pub fn load_or_create(&self) -> std::io::Result<DeviceKey> {
        if let Some(key) = self.read()? {
            return Ok(key);
        }
        let key = DeviceKey::generate(&mut rand_core::OsRng);
        if let Some(folder) = self.0.parent() {
            std::fs::create_dir_all(folder)?;
        }
        write_private(&self.0, &key.seed())?;
        Ok(key)
    }

    /// The key in the file; `None` when there is no file.
    ///
    /// # Errors
    /// When the file cannot be read or is not a key.
    pub fn read(&self) -> std::io::Result<Option<DeviceKey>> {
        match std::fs::read(&self.0) {
            Ok(bytes) => {
                let seed: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "the device key file is damaged",
                    )
                })?;
                Ok(Some(DeviceKey::from_seed(&seed)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes the file (the key now lives elsewhere); no file is fine.
    ///
    /// # Errors
    /// When it exists and cannot be removed.
    pub fn remove(&self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.0) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Writes `bytes` to `path` readable only by this user, replacing what was there in
/// one step (a new file renamed over the old one).
///
/// # Errors
/// When the folder cannot be written.
pub(crate) fn write_private_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let fresh = path.with_extension("new");
    let _ = std::fs::remove_file(&fresh);
    write_private(&fresh, bytes)?;
    std::fs::rename(&fresh, path)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn the_device_key_is_made_once_and_readable_only_by_its_user() {
        let folder = std::env::temp_dir().join(format!("rollcall-key-{}", Uuid::now_v7()));
        let file = KeyFile::in_folder(&folder);
        let first = file.load_or_create().unwrap();
        let again = file.load_or_create().unwrap();
        assert_eq!(first.public(), again.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(folder.join("device-key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(folder.join("device-key"), b"short").unwrap();
        assert_eq!(
            file.load_or_create().unwrap_err().kind(),
            std::io::ErrorKind::InvalidData
        );
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
