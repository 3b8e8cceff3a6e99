//! What the app says after an export.

use rollcall_core::api::SavedFile;

/// "Saved to …", or that nothing was saved because the save dialog was closed.
#[must_use]
pub fn saved_sentence(saved: Option<&SavedFile>) -> String {
    match saved {
        Some(file) => format!("Saved to {}", file.path),
        None => "Not saved: the save dialog was closed.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_where_the_file_went_or_that_none_was_saved() {
        let file = SavedFile {
            path: "/home/t/Downloads/sheet.csv".into(),
            bytes: 10,
        };
        assert_eq!(
            saved_sentence(Some(&file)),
            "Saved to /home/t/Downloads/sheet.csv"
        );
        assert_eq!(
            saved_sentence(None),
            "Not saved: the save dialog was closed."
        );
    }
}
