//! What the rules need to know about a claim's student and device beyond the
//! claim itself, read for many requests' claims in one statement (see
//! [`super::grouped`]).

use rollcall_core::anomaly::Sighting;
use rollcall_core::api::Role;
use rollcall_core::geofence::LocationFix;
use rollcall_core::ids::StudentId;
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::unix;
use crate::auth::accounts::{Account, AccountStatus};
use crate::grouped::GroupWork;

/// The claim a state is read for.
#[derive(Debug, Clone, Copy)]
pub struct StateQuery {
    pub claim_id: Uuid,
    pub session_id: Uuid,
    /// The session's division.
    pub division_id: Uuid,
    pub student_id: Uuid,
    pub device_id: Uuid,
    /// The submitting token's sign-in, checked with the account.
    pub sign_in: Option<Uuid>,
}

/// The student's and device's state as a claim is judged.
#[derive(Debug, Clone)]
pub struct ClaimState {
    /// The claiming student's account as it is now (the claims endpoint
    /// checks it here instead of in a statement of its own).
    pub account: AccountStatus,
    /// Whether this claim id is stored already: `Some(true)` as this
    /// student's own claim (a resend), `Some(false)` as someone else's.
    pub stored_as_own: Option<bool>,
    /// The student is in the session's division.
    pub in_division: bool,
    /// The device's public key, when it is the student's active device.
    pub device_key: Option<String>,
    /// The model of the student's enrolled face template, if any.
    pub face_model: Option<String>,
    /// Where the student was last seen (their latest claim not rejected).
    pub last_sighting: Option<Sighting>,
    /// Other students who claimed from this device lately.
    pub others: Vec<StudentId>,
}

/// Reads claim states in groups.
#[derive(Debug)]
pub struct ReadClaimStates;

impl GroupWork for ReadClaimStates {
    type Input = StateQuery;
    type Output = ClaimState;
    const NAME: &'static str = "claim state reader";

    async fn run(
        conn: &mut PgConnection,
        queries: &[StateQuery],
    ) -> anyhow::Result<Vec<ClaimState>> {
        read(conn, queries).await
    }
}

/// Every lookup is a scalar subquery or a `LIMIT`ed lateral probe, so the
/// generic plan stays on the indexes whatever the tables' sizes were when it
/// was made (an `EXISTS` here became a hash of every claim id once, built
/// while the table was empty).
async fn read(conn: &mut PgConnection, queries: &[StateQuery]) -> anyhow::Result<Vec<ClaimState>> {
    let column = |f: fn(&StateQuery) -> Uuid| queries.iter().map(f).collect::<Vec<Uuid>>();
    // Another student's claim from the same device within two hours counts as
    // sharing it.
    let rows = sqlx::query!(
        r#"SELECT acct.role AS "role?: Role", acct.active AS "active?",
           (q.sid IS NULL OR EXISTS (SELECT 1 FROM refresh_tokens t
             WHERE t.family_id = q.sid AND t.user_id = q.student_id AND t.revoked_at IS NULL
             LIMIT 1)) AS "signed_in!",
           (SELECT student_id = q.student_id AND kiosk_id IS NULL FROM claims
             WHERE id = q.claim_id LIMIT 1) AS stored_as_own,
           (SELECT true FROM division_students
             WHERE division_id = q.division_id AND student_id = q.student_id) IS NOT NULL
             AS "in_division!",
           (SELECT public_key FROM devices
             WHERE id = q.device_id AND user_id = q.student_id AND status = 'active') AS device_key,
           (SELECT model_id FROM face_templates WHERE student_id = q.student_id) AS face_model,
           last.location AS "location?: Json<LocationFix>", last.scanned_at AS "scanned_at?",
           COALESCE((SELECT array_agg(DISTINCT other) FROM (
             SELECT student_id AS other FROM claims
               WHERE device_id = q.device_id AND student_id < q.student_id
               AND scanned_at > now() - interval '2 hours'
             UNION ALL
             SELECT student_id FROM claims
               WHERE device_id = q.device_id AND student_id > q.student_id
               AND scanned_at > now() - interval '2 hours') others), '{}') AS "others!"
         FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[])
           WITH ORDINALITY AS q(claim_id, session_id, division_id, student_id, device_id, sid, ord)
         LEFT JOIN LATERAL (
           SELECT location, scanned_at FROM claims
           WHERE student_id = q.student_id AND location IS NOT NULL
             AND id <> q.claim_id AND outcome <> 'rejected'
           ORDER BY scanned_at DESC LIMIT 1) last ON true
         LEFT JOIN LATERAL (
           SELECT role, active FROM users WHERE id = q.student_id LIMIT 1) acct ON true
         ORDER BY q.ord"#,
        &column(|q| q.claim_id),
        &column(|q| q.session_id),
        &column(|q| q.division_id),
        &column(|q| q.student_id),
        &column(|q| q.device_id),
        &queries.iter().map(|q| q.sign_in).collect::<Vec<_>>() as &[Option<Uuid>]
    )
    .fetch_all(&mut *conn)
    .await?;
    anyhow::ensure!(
        rows.len() == queries.len(),
        "{} states for {} claims",
        rows.len(),
        queries.len()
    );
    Ok(rows
        .into_iter()
        .map(|row| ClaimState {
            account: row.role.zip(row.active).map(|(role, active)| Account {
                role,
                active,
                signed_in: row.signed_in,
            }),
            stored_as_own: row.stored_as_own,
            in_division: row.in_division,
            device_key: row.device_key,
            face_model: row.face_model,
            last_sighting: row.location.zip(row.scanned_at).map(|(fix, at)| Sighting {
                at: unix(at),
                point: fix.0.point,
                accuracy: fix.0.accuracy,
            }),
            others: row.others.into_iter().map(StudentId::from).collect(),
        })
        .collect())
}
