//! Configuration from the environment. Every variable is documented in the
//! README and in `.env.example`.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The default listen address when `ROLLCALL_LISTEN` is unset.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// What the server was told by its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `ROLLCALL_LISTEN`: the address to serve HTTP on.
    pub listen: SocketAddr,
    /// `DATABASE_URL`: an external Postgres; without it the private cluster is used.
    pub database_url: Option<String>,
    /// `ROLLCALL_DATA_DIR`: where the private cluster and generated keys live.
    pub data_dir: PathBuf,
    /// `ROLLCALL_JWT_SECRET`: the access-token signing key; generated into the
    /// data folder when unset.
    pub jwt_secret: Option<String>,
    /// `ROLLCALL_PG_USER`: the unprivileged account that runs the private
    /// cluster when the server runs as root (Postgres refuses root).
    pub pg_user: String,
    /// `ROLLCALL_SMTP_URL`: where mail goes (`smtp://host:port`, `smtps://user:pass@host`);
    /// unset sends none.
    pub smtp_url: Option<String>,
    /// `ROLLCALL_MAIL_FROM`: the sender of the server's mail.
    pub mail_from: String,
    /// `ROLLCALL_CORS_ORIGINS`: comma-separated origins a browser may call from.
    pub cors_origins: Vec<String>,
    /// `ROLLCALL_METRICS_TOKEN`: bearer token for `/metrics`.
    pub metrics_token: Option<String>,
    /// `ROLLCALL_LOGIN_LIMIT_PER_MINUTE` and `ROLLCALL_RATE_LIMIT_PER_MINUTE`.
    pub limits: crate::http::rate_limit::Limits,
    /// `ROLLCALL_SCHOOL_UTC_OFFSET` (`+05:30`): the school's time zone offset.
    pub school_offset: time::UtcOffset,
    /// `ROLLCALL_TEMPLATE_KEY`: base64 of the 32-byte face-template key;
    /// generated into the data folder when unset.
    pub template_key: Option<String>,
    /// `ROLLCALL_TRUSTED_PROXIES`: comma-separated addresses of load balancers
    /// whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// A variable that is set but cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `ROLLCALL_LISTEN` is not `host:port`.
    #[error("ROLLCALL_LISTEN={value:?} is not an address like 127.0.0.1:8080")]
    Listen {
        /// The value given.
        value: String,
    },
    /// No data folder could be worked out.
    #[error("cannot find a data folder for this user; set ROLLCALL_DATA_DIR")]
    NoDataDir,
    /// A number that is not a positive whole number.
    #[error("{name}={value:?} must be a whole number above 0")]
    NotANumber {
        /// The variable.
        name: &'static str,
        /// The value given.
        value: String,
    },
    /// A trusted proxy is not an IP address.
    #[error("ROLLCALL_TRUSTED_PROXIES: {0:?} is not an IP address")]
    Proxy(String),
    /// The offset is not like `+05:30`.
    #[error("ROLLCALL_SCHOOL_UTC_OFFSET={0:?} is not an offset like +05:30 or -04:00")]
    Offset(String),
    /// The JWT secret is too short to be safe.
    #[error("ROLLCALL_JWT_SECRET must be at least 32 characters")]
    WeakJwtSecret,
}

impl Config {
    /// Reads the process environment.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the variable that is wrong.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `lookup`, so tests need not touch the
    /// process environment.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the variable that is wrong.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let listen_raw = lookup("ROLLCALL_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen_raw.trim().parse().map_err(|_| ConfigError::Listen {
            value: listen_raw.clone(),
        })?;
        let data_dir = match lookup("ROLLCALL_DATA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => default_data_dir().ok_or(ConfigError::NoDataDir)?,
        };
        let jwt_secret = lookup("ROLLCALL_JWT_SECRET");
        if jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err(ConfigError::WeakJwtSecret);
        }
        let positive = |name: &'static str, default: u32| match lookup(name) {
            None => Ok(default),
            Some(value) => value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(ConfigError::NotANumber { name, value }),
        };
        let defaults = crate::http::rate_limit::Limits::default();
        let limits = crate::http::rate_limit::Limits {
            sign_in_per_minute: positive(
                "ROLLCALL_LOGIN_LIMIT_PER_MINUTE",
                defaults.sign_in_per_minute,
            )?,
            general_per_minute: positive(
                "ROLLCALL_RATE_LIMIT_PER_MINUTE",
                defaults.general_per_minute,
            )?,
        };
        let school_offset = match lookup("ROLLCALL_SCHOOL_UTC_OFFSET") {
            None => time::UtcOffset::UTC,
            Some(text) => time::UtcOffset::parse(
                text.trim(),
                time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]"),
            )
            .map_err(|_| ConfigError::Offset(text))?,
        };
        let trusted_proxies = lookup("ROLLCALL_TRUSTED_PROXIES")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| p.parse().map_err(|_| ConfigError::Proxy(p.to_owned())))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Self {
            trusted_proxies,
            template_key: lookup("ROLLCALL_TEMPLATE_KEY"),
            school_offset,
            limits,
            cors_origins: lookup("ROLLCALL_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            metrics_token: lookup("ROLLCALL_METRICS_TOKEN"),
            listen,
            database_url: lookup("DATABASE_URL"),
            data_dir,
            jwt_secret,
            pg_user: lookup("ROLLCALL_PG_USER").unwrap_or_else(|| "postgres".to_owned()),
            smtp_url: lookup("ROLLCALL_SMTP_URL"),
            mail_from: lookup("ROLLCALL_MAIL_FROM")
                .unwrap_or_else(|| crate::auth::mailer::DEFAULT_FROM.to_owned()),
        })
    }
}

/// `rollcall-data` under the user's data folder; for root, `/var/lib/rollcall-data`,
/// because the private cluster runs as an unprivileged user who cannot enter
/// root's home.
fn default_data_dir() -> Option<PathBuf> {
    if nix::unistd::geteuid().is_root() {
        return Some(PathBuf::from("/var/lib/rollcall-data"));
    }
    dirs::data_dir().map(|d| d.join("rollcall-data"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_listen_on_loopback_8080_without_a_database_url() {
        let c = config(&[("ROLLCALL_DATA_DIR", "/tmp/x")]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.database_url.is_none());
        assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn a_bad_listen_address_names_the_variable() {
        let err = config(&[("ROLLCALL_LISTEN", "localhost")]).unwrap_err();
        assert!(err.to_string().contains("ROLLCALL_LISTEN"));
    }

    #[test]
    fn origins_and_limits_are_read_and_checked() {
        let c = config(&[
            (
                "ROLLCALL_CORS_ORIGINS",
                "https://a.example/, https://b.example",
            ),
            ("ROLLCALL_LOGIN_LIMIT_PER_MINUTE", "5"),
        ])
        .unwrap();
        assert_eq!(c.cors_origins, ["https://a.example", "https://b.example"]);
        assert_eq!(c.limits.sign_in_per_minute, 5);
        assert_eq!(c.limits.general_per_minute, 600);
        let c = config(&[("ROLLCALL_SCHOOL_UTC_OFFSET", "+05:30")]).unwrap();
        assert_eq!(c.school_offset.whole_minutes(), 330);
        assert!(config(&[("ROLLCALL_SCHOOL_UTC_OFFSET", "IST")]).is_err());
        let c = config(&[("ROLLCALL_TRUSTED_PROXIES", "10.0.0.5, ::1")]).unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        assert!(config(&[("ROLLCALL_TRUSTED_PROXIES", "lb.internal")]).is_err());
        let err = config(&[("ROLLCALL_RATE_LIMIT_PER_MINUTE", "lots")]).unwrap_err();
        assert!(err.to_string().contains("ROLLCALL_RATE_LIMIT_PER_MINUTE"));
    }

    #[test]
    fn a_short_jwt_secret_is_refused() {
        let err = config(&[("ROLLCALL_JWT_SECRET", "short")]).unwrap_err();
        assert!(matches!(err, ConfigError::WeakJwtSecret));
    }
}
