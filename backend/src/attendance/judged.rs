//! What a claim is judged against: its session (secret, window, policy) and
//! the session's room (fence, access points), read once per session for the
//! claims that arrive together.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rollcall_core::evaluate::{LateSync, SessionKeys, TimingRules};
use rollcall_core::policy::Policy;
use sqlx::{PgConnection, PgPool};
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::session::{self, RoomRules, SessionRow};

/// How long a session's judging context is reused before it is read again.
/// Starting or ending a session on this server forgets it at once; another
/// replica sees the change within this time, well inside the 5-minute grace
/// after a session's end.
const JUDGED_TTL: Duration = Duration::from_secs(2);

/// Sessions kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

/// A session and its room, as claims are judged against them.
pub(super) struct Judged {
    pub(super) face: rollcall_core::face::FaceSettings,
    pub(super) row: SessionRow,
    pub(super) keys: SessionKeys,
    pub(super) policy: Policy,
    pub(super) rules: RoomRules,
    /// The time limits, with the school's late-sync rule as it is now.
    pub(super) timing: TimingRules,
}

/// One read of a session: every request that asks while it is under way
/// waits for it instead of reading the session again. (At a class's start,
/// and at every expiry under load, hundreds of claims used to read the same
/// session at once through the pool's ten connections: the bench's claims
/// waited up to a second then.)
type Read = Arc<OnceCell<Option<Arc<Judged>>>>;

/// Recently read sessions with their rooms, so a busy class does not re-read
/// the same session, room and access points for every claim.
#[derive(Default)]
pub struct JudgedCache {
    entries: Mutex<HashMap<Uuid, (Instant, Read)>>,
    /// Reads of the database so far.
    reads: AtomicU64,
}

impl std::fmt::Debug for JudgedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JudgedCache(..)")
    }
}

impl JudgedCache {
    /// Forgets `session` (it was started or ended here).
    pub fn forget(&self, session: Uuid) {
        self.lock().remove(&session);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, (Instant, Read)>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The read of `session` to use now: the current one, or a new one.
    fn read_of(&self, session: Uuid) -> Read {
        let mut entries = self.lock();
        if let Some((at, read)) = entries.get(&session) {
            if at.elapsed() < JUDGED_TTL {
                return Arc::clone(read);
            }
        }
        if entries.len() > SWEEP_AT {
            entries.retain(|_, (at, _)| at.elapsed() < JUDGED_TTL);
        }
        let read = Read::default();
        entries.insert(session, (Instant::now(), Arc::clone(&read)));
        read
    }

    /// The session and its room; `None` when there is no such session.
    ///
    /// # Errors
    /// When the database fails (the next caller reads again).
    pub(super) async fn get(
        &self,
        pool: &PgPool,
        session: Uuid,
    ) -> anyhow::Result<Option<Arc<Judged>>> {
        let read = self.read_of(session);
        let judged = read
            .get_or_try_init(|| async {
                self.reads.fetch_add(1, Ordering::Relaxed);
                let mut conn = pool.acquire().await?;
                anyhow::Ok(load(&mut conn, session).await?.map(Arc::new))
            })
            .await?;
        Ok(judged.clone())
    }
}

async fn load(conn: &mut PgConnection, id: Uuid) -> anyhow::Result<Option<Judged>> {
    let Some(row) = session::load(conn, id).await? else {
        return Ok(None);
    };
    let keys = row.keys()?;
    let policy = Policy::parse(&row.policy)?;
    let rules = session::room_rules(conn, row.room_id).await?;
    let timing = late_sync_rules(conn).await?;
    Ok(Some(Judged {
        face: rollcall_core::face::calibrated::settings(),
        row,
        keys,
        policy,
        rules,
        timing,
    }))
}

/// The default time limits with the school's late-sync rule and window.
///
/// # Errors
/// When the database fails.
pub async fn late_sync_rules(conn: &mut PgConnection) -> anyhow::Result<TimingRules> {
    let rules = sqlx::query!(
        r#"SELECT late_sync AS "late_sync: LateSync", late_sync_max_hours FROM school_settings"#
    )
    .fetch_one(conn)
    .await?;
    Ok(TimingRules {
        late_sync: rules.late_sync,
        max_late_age_s: i64::from(rules.late_sync_max_hours) * 3600,
        ..TimingRules::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn claims_arriving_together_read_their_session_once(pool: PgPool) {
        crate::seed::seed_demo(&pool).await.expect("demo school");
        let session: Uuid = sqlx::query_scalar(
            "INSERT INTO class_sessions (id, session_date, teacher_id, room_id, division_id, \
               secret, policy, scheduled_start, scheduled_end, started_at) \
             SELECT gen_random_uuid(), current_date, (SELECT id FROM users WHERE role = 'teacher' LIMIT 1), \
               (SELECT id FROM rooms LIMIT 1), (SELECT id FROM divisions LIMIT 1), \
               '\\x00112233445566778899aabbccddeeff', 'token', now(), now() + interval '1 hour', now() \
             RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .expect("a session");
        let cache = Arc::new(JudgedCache::default());
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let (cache, pool) = (Arc::clone(&cache), pool.clone());
            tasks.spawn(async move { cache.get(&pool, session).await });
        }
        while let Some(joined) = tasks.join_next().await {
            let judged = joined.expect("joined").expect("read").expect("the session");
            assert_eq!(judged.row.id, session);
        }
        assert_eq!(
            cache.reads.load(Ordering::Relaxed),
            1,
            "one read for 50 claims"
        );

        assert!(cache.get(&pool, session).await.expect("read").is_some());
        assert_eq!(cache.reads.load(Ordering::Relaxed), 1, "still fresh");
        cache.forget(session);
        assert!(cache.get(&pool, session).await.expect("read").is_some());
        assert_eq!(
            cache.reads.load(Ordering::Relaxed),
            2,
            "forgotten: read again"
        );
        assert!(cache.get(&pool, Uuid::nil()).await.expect("read").is_none());
    }
}
