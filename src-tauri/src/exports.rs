//! Files the app saves for the user: where they choose in the system's save
//! dialog (starting in their Downloads folder, with the server's file name made
//! safe), or, when `ROLLCALL_EXPORT_DIR` is set, in that folder and never over an
//! existing file.

use std::path::{Path, PathBuf};

use rollcall_core::api::{SavedFile, SheetFormat};
use tauri::{AppHandle, Runtime};

use crate::{AppConfig, AppError};
use rollcall_client::Download;

/// What an export is, for the save dialog.
#[derive(Debug, Clone, Copy)]
pub struct ExportKind {
    /// The dialog's title.
    pub title: &'static str,
    /// The name used when the server suggests none (without the extension).
    pub fallback_stem: &'static str,
    /// What kind of file.
    pub format: FileType,
}

impl ExportKind {
    fn fallback(&self) -> String {
        format!("{}.{}", self.fallback_stem, self.format.extension())
    }
}

/// The kinds of file the app saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// A class sheet or a report: CSV or PDF.
    Sheet(SheetFormat),
    /// A JSON document (the user's own data).
    Json,
}

impl FileType {
    /// The file name's extension.
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Sheet(format) => format.as_str(),
            Self::Json => "json",
        }
    }

    /// What the save dialog's filter calls it.
    const fn label(self) -> &'static str {
        match self {
            Self::Sheet(SheetFormat::Csv) => "CSV spreadsheet",
            Self::Sheet(SheetFormat::Pdf) => "PDF document",
            Self::Json => "JSON document",
        }
    }
}

impl From<SheetFormat> for FileType {
    fn from(format: SheetFormat) -> Self {
        Self::Sheet(format)
    }
}

/// Saves `download` where the user wants it: in `ROLLCALL_EXPORT_DIR` when set
/// (under the server's name, never over a file), else where they choose in the
/// system's save dialog. `Ok(None)` when they cancel the dialog.
///
/// # Errors
/// [`AppError::SaveFailed`].
pub async fn save_where_chosen<R: Runtime>(
    app: &AppHandle<R>,
    config: &AppConfig,
    download: &Download,
    kind: ExportKind,
) -> Result<Option<SavedFile>, AppError> {
    if let Some(folder) = &config.export_dir {
        return save_in(download, folder, &kind.fallback()).map(Some);
    }
    let name = safe_file_name(download.suggested_name.as_deref(), &kind.fallback());
    let Some(chosen) = ask_where(app, &name, kind).await? else {
        return Ok(None);
    };
    save_chosen(&with_extension(chosen, kind.format), &download.bytes).map(Some)
}

/// The system's save dialog, over the app's window, starting in the user's
/// Downloads folder with `name` filled in. `None` when cancelled.
async fn ask_where<R: Runtime>(
    app: &AppHandle<R>,
    name: &str,
    kind: ExportKind,
) -> Result<Option<PathBuf>, AppError> {
    use tauri_plugin_dialog::DialogExt as _;
    let (label, extension) = (kind.format.label(), kind.format.extension());
    let mut dialog = app
        .dialog()
        .file()
        .set_title(kind.title)
        .set_file_name(name)
        .add_filter(label, &[extension]);
    if let Some(folder) = downloads_folder(app) {
        dialog = dialog.set_directory(folder);
    }
    // Phones have no parent windows: the picker is the whole screen there.
    #[cfg(desktop)]
    {
        use tauri::Manager as _;
        if let Some(window) = app.get_webview_window("main") {
            dialog = dialog.set_parent(&window);
        }
    }
    let (answer, chosen) = tokio::sync::oneshot::channel();
    dialog.save_file(move |path| {
        // The command may have gone (the window closed): nobody to tell.
        let _ = answer.send(path);
    });
    let Ok(Some(path)) = chosen.await else {
        return Ok(None);
    };
    path.into_path()
        .map(Some)
        .map_err(|e| AppError::SaveFailed {
            path: name.to_owned(),
            source: std::io::Error::other(e.to_string()),
        })
}

/// The user's Downloads folder (or Documents, or home), whichever exists first.
fn downloads_folder<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    use tauri::Manager as _;
    let paths = app.path();
    paths
        .download_dir()
        .or_else(|_| paths.document_dir())
        .or_else(|_| paths.home_dir())
        .ok()
        .filter(|folder| folder.is_dir())
}

/// `path` with the format's extension added when the user typed a name without it.
fn with_extension(path: PathBuf, format: FileType) -> PathBuf {
    let wanted = format.extension();
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
    {
        path
    } else {
        let mut name = path.into_os_string();
        name.push(".");
        name.push(wanted);
        PathBuf::from(name)
    }
}

/// Writes `bytes` to `path`, which the user chose (the dialog has asked before
/// replacing a file): into a new file beside it first, then renamed over, so a
/// failure leaves the old file whole and no half-written one.
fn save_chosen(path: &Path, bytes: &[u8]) -> Result<SavedFile, AppError> {
    use std::io::Write as _;
    let failed = |source| AppError::SaveFailed {
        path: path.display().to_string(),
        source,
    };
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| failed(std::io::Error::other("that is a folder, not a file name")))?;
    let mut part_name = std::ffi::OsString::from(".");
    part_name.push(name);
    part_name.push(format!(".{}.part", uuid::Uuid::now_v7().simple()));
    let part = folder.join(part_name);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&part)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&part, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&part);
        return Err(failed(e));
    }
    Ok(SavedFile {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
    })
}

/// Saves `download` in `folder` under the server's name (made safe), or
/// `fallback` when the server gave none usable.
///
/// # Errors
/// [`AppError::SaveFailed`].
pub fn save_in(download: &Download, folder: &Path, fallback: &str) -> Result<SavedFile, AppError> {
    let name = safe_file_name(download.suggested_name.as_deref(), fallback);
    save_new_file(folder, &name, &download.bytes)
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
    fn a_chosen_file_is_replaced_whole_and_gets_its_extension() {
        let dir = std::env::temp_dir().join(format!("rollcall-chosen-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let chosen = with_extension(dir.join("term report"), SheetFormat::Csv.into());
        assert_eq!(chosen, dir.join("term report.csv"));
        assert_eq!(
            with_extension(dir.join("a.PDF"), SheetFormat::Pdf.into()),
            dir.join("a.PDF")
        );
        std::fs::write(&chosen, b"old contents, longer than the new").unwrap();
        let saved = save_chosen(&chosen, b"new").unwrap();
        assert_eq!(saved.path, chosen.display().to_string());
        assert_eq!(std::fs::read(&chosen).unwrap(), b"new");
        // Nothing else is left in the folder (no part file).
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        // A folder that does not exist: a typed error, and nothing written.
        let missing = dir.join("no-such-folder").join("x.csv");
        let e = save_chosen(&missing, b"x").unwrap_err();
        assert!(matches!(e, AppError::SaveFailed { .. }), "{e:?}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
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
