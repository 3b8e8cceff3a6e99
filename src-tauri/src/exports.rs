//! Files the app saves for the user: a name from the server made safe, in a
//! folder of the user's choosing, never over an existing file.

use std::path::{Path, PathBuf};

use rollcall_core::api::SavedFile;

use crate::server_requests::Download;
use crate::AppError;

impl Download {
    /// Saves the file in `folder` under the server's name (made safe), or
    /// `fallback` when the server gave none usable.
    ///
    /// # Errors
    /// [`AppError::SaveFailed`].
    pub fn save_in(&self, folder: &Path, fallback: &str) -> Result<SavedFile, AppError> {
        let name = safe_file_name(self.suggested_name.as_deref(), fallback);
        save_new_file(folder, &name, &self.bytes)
    }
}

/// A file name from the server that cannot leave the folder or surprise a file
/// manager: letters, digits, `-`, `_` and one `.` before the extension.
fn safe_file_name(suggested: Option<&str>, fallback: &str) -> String {
    let Some(name) = suggested else {
        return fallback.to_owned();
    };
    let name = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    let expected = fallback.rsplit('.').next().unwrap_or_default();
    if cleaned.is_empty() || !cleaned.ends_with(&format!(".{expected}")) || cleaned.len() > 120 {
        fallback.to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// Writes `bytes` to `folder/name`, or `name (2)`, `name (3)`, … when taken;
/// the folder is created if missing. Never replaces a file.
fn save_new_file(folder: &Path, name: &str, bytes: &[u8]) -> Result<SavedFile, AppError> {
    use std::io::Write as _;
    let failed = |path: &Path, source| AppError::SaveFailed {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(folder).map_err(|e| failed(folder, e))?;
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..1000 {
        let candidate: PathBuf = if n == 1 {
            folder.join(name)
        } else {
            folder.join(format!("{stem} ({n}).{extension}"))
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut file) => {
                file.write_all(bytes)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| failed(&candidate, e))?;
                return Ok(SavedFile {
                    path: candidate.display().to_string(),
                    bytes: bytes.len() as u64,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(failed(&candidate, e)),
        }
    }
    Err(failed(
        &folder.join(name),
        std::io::Error::other("a thousand files of that name already exist"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn server_file_names_are_made_safe() {
        let fallback = "class-sheet.csv";
        assert_eq!(
            safe_file_name(Some("class-sheet-SE-A-2026-11-21-0900.csv"), fallback),
            "class-sheet-SE-A-2026-11-21-0900.csv"
        );
        assert_eq!(
            safe_file_name(Some("../../etc/passwd.csv"), fallback),
            "passwd.csv"
        );
        assert_eq!(safe_file_name(Some("a b?.csv"), fallback), "a-b-.csv");
        assert_eq!(safe_file_name(Some(".bashrc"), fallback), fallback);
        assert_eq!(safe_file_name(Some("sheet.exe"), fallback), fallback);
        assert_eq!(safe_file_name(None, fallback), fallback);
    }

    #[test]
    fn saving_never_replaces_a_file() {
        let dir = std::env::temp_dir().join(format!("rollcall-save-{}", Uuid::now_v7()));
        let first = save_new_file(&dir, "s.csv", b"one").unwrap();
        let second = save_new_file(&dir, "s.csv", b"two").unwrap();
        assert!(first.path.ends_with("s.csv"));
        assert!(second.path.ends_with("s (2).csv"));
        assert_eq!(std::fs::read(&first.path).unwrap(), b"one");
        assert_eq!(second.bytes, 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
