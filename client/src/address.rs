//! A server's base address.

use std::fmt;

use reqwest::Url;

use crate::ClientError;

/// A server's base address: an `http` or `https` URL with a host, ending in `/`
/// so that API paths join below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress(Url);

impl ServerAddress {
    /// Parses what a person typed. A missing scheme means `http://`, because
    /// people type `school-server:8080`; query and fragment are dropped.
    ///
    /// # Errors
    /// [`ClientError::BadServerUrl`] when it is empty, not a URL, not
    /// `http`/`https`, or has no host.
    pub fn parse(input: &str) -> Result<Self, ClientError> {
        let bad = |reason| ClientError::BadServerUrl {
            input: input.to_owned(),
            reason,
        };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(bad("it is empty"));
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("http://{trimmed}")
        };
        let mut url = Url::parse(&with_scheme).map_err(|_| bad("it is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("only http and https are supported"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host name"));
        }
        url.set_query(None);
        url.set_fragment(None);
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Self(url))
    }

    /// The URL of an API path such as `/api/v1/meta`, below this address.
    ///
    /// # Errors
    /// [`ClientError::BadServerUrl`] when the path cannot be joined.
    pub fn endpoint(&self, path: &str) -> Result<Url, ClientError> {
        self.0
            .join(path.trim_start_matches('/'))
            .map_err(|_| ClientError::BadServerUrl {
                input: self.to_string(),
                reason: "API paths cannot be joined to it",
            })
    }
}

impl fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> String {
        ServerAddress::parse(input)
            .map(|a| a.0.to_string())
            .unwrap_or_else(|e| e.code().into())
    }

    #[test]
    fn server_addresses_are_normalised() {
        assert_eq!(parsed("http://127.0.0.1:8080"), "http://127.0.0.1:8080/");
        assert_eq!(
            parsed("  https://rollcall.example/school  "),
            "https://rollcall.example/school/"
        );
        assert_eq!(parsed("school-server:8080"), "http://school-server:8080/");
        assert_eq!(parsed("http://host/?q=1#top"), "http://host/");
    }

    #[test]
    fn api_paths_join_below_a_path_prefix() {
        let address = ServerAddress::parse("https://rollcall.example/school").unwrap();
        assert_eq!(
            address.endpoint("/api/v1/meta").unwrap().as_str(),
            "https://rollcall.example/school/api/v1/meta"
        );
        assert_eq!(address.to_string(), "https://rollcall.example/school");
    }

    #[test]
    fn only_http_and_https_with_a_host_are_accepted() {
        for input in [
            "",
            "   ",
            "ftp://files.example",
            "not a url",
            "http://",
            "file:///etc/passwd",
        ] {
            assert_eq!(parsed(input), "bad_server_url", "{input:?}");
        }
    }
}
