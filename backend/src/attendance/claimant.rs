//! The account a batch of claims is submitted by. The claims endpoint takes
//! only the token's word for who is calling ([`crate::http::Bearer`]) and
//! admits the account here, before anything of the batch is written: from
//! the first claim's state read, which reads the account in the same
//! statement, or with an account check of its own where a claim needs no
//! state (an unknown session). Under load this saves a statement per request.

use rollcall_core::api::Role;
use uuid::Uuid;

use crate::auth::accounts::{Account, AccountStatus, ReadAccounts, TokenOwner};
use crate::grouped::Grouped;

/// Why a batch was not judged.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// The account is not an active student's (deactivated, deleted, or its
    /// role changed since the token was issued): what was read.
    #[error("the account may not submit claims")]
    NotAdmitted(AccountStatus),
    /// The database could not be reached; nothing was judged after that
    /// point, and the device sends the claim again later.
    #[error(transparent)]
    Unavailable(anyhow::Error),
    /// Anything else that failed.
    #[error(transparent)]
    Other(anyhow::Error),
}

impl From<anyhow::Error> for ClaimsError {
    fn from(e: anyhow::Error) -> Self {
        if crate::database::unreachable_in(&e) {
            Self::Unavailable(e)
        } else {
            Self::Other(e)
        }
    }
}

impl From<sqlx::Error> for ClaimsError {
    fn from(e: sqlx::Error) -> Self {
        anyhow::Error::new(e).into()
    }
}

/// The submitting account, admitted at most once per batch.
#[derive(Debug)]
pub struct Claimant<'a> {
    owner: TokenOwner,
    checks: &'a Grouped<ReadAccounts>,
    admitted: bool,
}

impl<'a> Claimant<'a> {
    /// The bearer of a token, not admitted yet.
    #[must_use]
    pub fn new(owner: TokenOwner, checks: &'a Grouped<ReadAccounts>) -> Self {
        Self {
            owner,
            checks,
            admitted: false,
        }
    }

    /// The account id.
    #[must_use]
    pub fn id(&self) -> Uuid {
        self.owner.user
    }

    /// The token's sign-in, which a state read checks too.
    #[must_use]
    pub fn sign_in(&self) -> Option<Uuid> {
        self.owner.sign_in
    }

    /// Admits the account unless it was already: `read` is the account as a
    /// state read found it, or `None` to read it now.
    ///
    /// # Errors
    /// [`ClaimsError::NotAdmitted`] unless it is an active student's;
    /// [`ClaimsError::Other`] when the database fails.
    pub async fn admit(
        &mut self,
        pool: &sqlx::PgPool,
        read: Option<AccountStatus>,
    ) -> Result<(), ClaimsError> {
        if self.admitted {
            return Ok(());
        }
        let status = match read {
            Some(status) => status,
            None => self.checks.call(pool, self.owner).await?,
        };
        match &status {
            Some(Account {
                role: Role::Student,
                active: true,
                signed_in: true,
            }) => {
                self.admitted = true;
                Ok(())
            }
            _ => Err(ClaimsError::NotAdmitted(status)),
        }
    }
}
