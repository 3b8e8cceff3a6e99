//! Outgoing mail over SMTP (`ROLLCALL_SMTP_URL`), used for password resets.

use anyhow::Context as _;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

/// Sends the server's mail; without `ROLLCALL_SMTP_URL` it sends nothing and
/// says so in the log.
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    /// Shared: every request's state holds a copy of the mailer.
    from: std::sync::Arc<Mailbox>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("enabled", &self.transport.is_some())
            .finish()
    }
}

/// The sender used when `ROLLCALL_MAIL_FROM` is unset.
pub const DEFAULT_FROM: &str = "Rollcall <no-reply@rollcall.invalid>";

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://host:port` for a local relay,
    /// `smtps://user:pass@host` or `smtp://…?tls=required` for TLS).
    ///
    /// # Errors
    /// When the URL or the sender address cannot be parsed.
    pub fn new(smtp_url: Option<&str>, from: &str) -> anyhow::Result<Self> {
        let from: Mailbox = from
            .parse()
            .context("ROLLCALL_MAIL_FROM is not a mail address")?;
        let transport = smtp_url
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map(lettre::transport::smtp::AsyncSmtpTransportBuilder::build)
                    .context("ROLLCALL_SMTP_URL is not a valid smtp:// or smtps:// URL")
            })
            .transpose()?;
        Ok(Self {
            transport,
            from: std::sync::Arc::new(from),
        })
    }

    /// A mailer that sends nothing.
    #[must_use]
    pub fn disabled() -> Self {
        Self {
            transport: None,
            #[allow(
                clippy::expect_used,
                reason = "a constant address, parsed by a unit test too"
            )]
            from: std::sync::Arc::new(DEFAULT_FROM.parse().expect("the default sender parses")),
        }
    }

    /// Sends a password-reset code to `to`.
    ///
    /// # Errors
    /// When the message cannot be built or the SMTP server refuses it.
    pub async fn send_reset_code(&self, to: &str, name: &str, code: &str) -> anyhow::Result<()> {
        let Some(transport) = &self.transport else {
            tracing::warn!("a password reset was requested but ROLLCALL_SMTP_URL is not set");
            return Ok(());
        };
        let to = Mailbox::new(Some(name.to_owned()), to.parse().context("bad recipient")?);
        let body = format!(
            "Hello {name},\n\nSomeone asked to reset the password of your Rollcall account.\n\
             Your reset code is:\n\n    {code}\n\nIt works once, within 30 minutes. If it was \
             not you, ignore this mail: your password stays as it is.\n\nRollcall\n"
        );
        let message = Message::builder()
            .from(Mailbox::clone(&self.from))
            .to(to)
            .subject("Your Rollcall password reset code")
            .body(body)
            .context("Failed to build the reset mail")?;
        transport
            .send(message)
            .await
            .context("Failed to send the reset mail")?;
        Ok(())
    }
}
