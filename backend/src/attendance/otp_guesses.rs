//! The five-guess OTP lock, as one atomic step in Postgres.
//!
//! A claim with an OTP first *takes* a guess: one statement adds it to the
//! student's count for the session unless the count has reached the limit,
//! under the row's lock, so guesses sent at the same moment (to one server or
//! to several replicas) are counted one after the other and at most
//! [`MAX_OTP_FAILURES`] of them are ever checked against the real code. Only
//! then is the code judged, with the count taken as the failures before it. A
//! guess that was not wrong (right, expired, or its claim already stored) is
//! given back with the claim's write; a wrong one stays counted. A guess whose
//! write fails is not given back: the lock errs on the side of the code.

use rollcall_core::otp::MAX_OTP_FAILURES;
use sqlx::PgPool;
use uuid::Uuid;

/// What taking a guess found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    /// A guess was taken; this many were taken before it.
    Taken {
        /// Guesses counted before this one.
        before: u32,
    },
    /// The limit was reached: the code is not checked.
    Locked,
}

impl Guess {
    /// The failures to judge the code with (the limit when locked).
    #[must_use]
    pub const fn failures_before(self) -> u32 {
        match self {
            Self::Taken { before } => before,
            Self::Locked => MAX_OTP_FAILURES,
        }
    }

    /// Whether a guess was taken (and may have to be given back).
    #[must_use]
    pub const fn taken(self) -> bool {
        matches!(self, Self::Taken { .. })
    }
}

/// Takes one guess for `student` in `session`.
///
/// # Errors
/// When the database fails.
pub async fn take(pool: &PgPool, session: Uuid, student: Uuid) -> Result<Guess, sqlx::Error> {
    let limit = i32::try_from(MAX_OTP_FAILURES).unwrap_or(i32::MAX);
    let counted = sqlx::query_scalar!(
        "INSERT INTO otp_failures (session_id, student_id, failures) VALUES ($1, $2, 1)
         ON CONFLICT (session_id, student_id) DO UPDATE
           SET failures = otp_failures.failures + 1 WHERE otp_failures.failures < $3
         RETURNING failures",
        session,
        student,
        limit
    )
    .fetch_optional(pool)
    .await?;
    Ok(match counted {
        Some(n) => Guess::Taken {
            before: u32::try_from(n - 1).unwrap_or(0),
        },
        None => Guess::Locked,
    })
}

/// Gives back a guess whose claim was not stored (its id was stored by a
/// request at the same moment). Claims that are stored give theirs back in
/// the claim's own write.
///
/// # Errors
/// When the database fails.
pub async fn give_back(pool: &PgPool, session: Uuid, student: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE otp_failures SET failures = greatest(failures - 1, 0)
         WHERE session_id = $1 AND student_id = $2",
        session,
        student
    )
    .execute(pool)
    .await?;
    Ok(())
}
