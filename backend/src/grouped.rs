//! Database work gathered into groups: many requests hand in one item each,
//! and one worker task per kind of work runs whatever has gathered as one statement.
//!
//! While one group is in the database the next gathers, so under light load a
//! group is a single item, run at once, and under heavy load the per-statement
//! and per-commit costs (round trip, planning, WAL flush, NOTIFY's lock) are
//! shared by up to [`MAX_GROUP`] items. A group that fails as a whole is run
//! again one item at a time, so one bad item fails only itself.
//!
//! Each worker keeps its own connection with generic plans forced: a group's
//! statement takes arrays, whose length Postgres would otherwise plan for
//! anew at every call (a millisecond of planning for a fraction of that in
//! running).

use std::future::Future;
use std::sync::{Arc, OnceLock};

use sqlx::{Connection as _, PgConnection, PgPool};
use tokio::sync::{mpsc, oneshot, Mutex};

/// Most items in one group.
pub const MAX_GROUP: usize = 256;

/// Workers running groups of one kind at once, each on its own connection.
/// One: the next group gathers while the current one runs, and on two cores
/// a second worker only halved the groups, so every item paid for more
/// statements (the load bench, alternating: 3,428–4,691 claims/s with two
/// against 3,860–5,139 with one, one ahead in every pair).
const WORKERS: usize = 1;

/// Work that can be done for many items in one statement.
pub trait GroupWork: Send + Sync + 'static {
    /// One request's item.
    type Input: Clone + Send + Sync + 'static;
    /// Its answer.
    type Output: Send + 'static;
    /// The work's name in logs.
    const NAME: &'static str;

    /// Runs `inputs` together on `conn`; one output per input, in order.
    fn run(
        conn: &mut PgConnection,
        inputs: &[Self::Input],
    ) -> impl Future<Output = anyhow::Result<Vec<Self::Output>>> + Send;
}

/// Why an item's work failed, kept apart so that a database out of reach
/// reaches the caller as [`crate::database::Unreachable`] (a 503), not as
/// any other failure (a 500).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    unreachable: bool,
    message: String,
}

impl Failure {
    fn of(error: &anyhow::Error) -> Self {
        Self {
            unreachable: crate::database::unreachable_in(error),
            message: format!("{error:#}"),
        }
    }

    /// What went wrong, in words.
    #[cfg(test)]
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    fn into_error(self) -> anyhow::Error {
        if self.unreachable {
            anyhow::Error::new(crate::database::Unreachable(self.message))
        } else {
            anyhow::Error::msg(self.message)
        }
    }
}

type Reply<W> = oneshot::Sender<Result<<W as GroupWork>::Output, Failure>>;

/// An item waiting for its group.
pub(crate) struct Pending<W: GroupWork> {
    pub(crate) input: W::Input,
    pub(crate) reply: Reply<W>,
}

/// Hands items to the workers of `W`, which start on first use.
pub struct Grouped<W: GroupWork> {
    sender: OnceLock<mpsc::Sender<Pending<W>>>,
}

impl<W: GroupWork> Default for Grouped<W> {
    fn default() -> Self {
        Self {
            sender: OnceLock::new(),
        }
    }
}

impl<W: GroupWork> std::fmt::Debug for Grouped<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Grouped({})", W::NAME)
    }
}

impl<W: GroupWork> Grouped<W> {
    /// Runs `input` with whatever else is being run at the moment.
    ///
    /// # Errors
    /// When the database fails for this item.
    pub async fn call(&self, pool: &PgPool, input: W::Input) -> anyhow::Result<W::Output> {
        let sender = self.sender.get_or_init(|| spawn::<W>(pool));
        let (reply, answer) = oneshot::channel();
        match sender.send(Pending { input, reply }).await {
            Ok(()) => match answer.await {
                Ok(result) => result.map_err(Failure::into_error),
                Err(_) => anyhow::bail!("the {} workers stopped before answering", W::NAME),
            },
            // The workers are gone (their runtime ended): run it here.
            Err(mpsc::error::SendError(pending)) => {
                let mut conn = pool.acquire().await?;
                one::<W>(&mut conn, &pending.input).await
            }
        }
    }
}

fn spawn<W: GroupWork>(pool: &PgPool) -> mpsc::Sender<Pending<W>> {
    let (sender, receiver) = mpsc::channel(MAX_GROUP * 8);
    let receiver = Arc::new(Mutex::new(receiver));
    for _ in 0..WORKERS {
        tokio::spawn(work::<W>(pool.clone(), Arc::clone(&receiver)));
    }
    sender
}

/// A worker: gathers a group, runs it, answers; until every sender has gone
/// or the pool is closed (then its own connection is closed too, so the
/// database can be stopped or dropped).
async fn work<W: GroupWork>(pool: PgPool, receiver: Arc<Mutex<mpsc::Receiver<Pending<W>>>>) {
    let mut conn: Option<PgConnection> = None;
    let closed = pool.close_event();
    tokio::pin!(closed);
    loop {
        let group = {
            let mut receiver = tokio::select! {
                receiver = receiver.lock() => Some(receiver),
                () = &mut closed => None,
            };
            let first = match receiver.as_mut() {
                Some(receiver) => tokio::select! {
                    first = receiver.recv() => first,
                    () = &mut closed => None,
                },
                None => None,
            };
            let (Some(mut receiver), Some(first)) = (receiver, first) else {
                if let Some(c) = conn.take() {
                    let _ = c.close().await;
                }
                return;
            };
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match receiver.try_recv() {
                    Ok(next) => group.push(next),
                    Err(_) => break,
                }
            }
            group
        };
        if conn.is_none() {
            match connect(&pool).await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(work = W::NAME, error = %e, "no database connection");
                    let failure = Failure {
                        unreachable: true,
                        message: format!("{}: no database connection: {e}", W::NAME),
                    };
                    for pending in group {
                        let _ = pending.reply.send(Err(failure.clone()));
                    }
                    continue;
                }
            }
        }
        if let Some(c) = conn.as_mut() {
            if !run_and_answer::<W>(c, group).await {
                // The connection may be the trouble: the next group gets a new one.
                conn = None;
            }
        }
    }
}

async fn connect(pool: &PgPool) -> anyhow::Result<PgConnection> {
    let mut conn = PgConnection::connect_with(&pool.connect_options()).await?;
    sqlx::query!("SET plan_cache_mode = force_generic_plan")
        .execute(&mut conn)
        .await?;
    Ok(conn)
}

async fn one<W: GroupWork>(conn: &mut PgConnection, input: &W::Input) -> anyhow::Result<W::Output> {
    W::run(conn, std::slice::from_ref(input))
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("{}: no answer", W::NAME))
}

/// Runs a group and answers each of its senders (a sender that has gone,
/// its request dropped, is simply not told). `false` when something failed.
pub(crate) async fn run_and_answer<W: GroupWork>(
    conn: &mut PgConnection,
    group: Vec<Pending<W>>,
) -> bool {
    let inputs: Vec<W::Input> = group.iter().map(|p| p.input.clone()).collect();
    match W::run(conn, &inputs).await {
        Ok(outputs) if outputs.len() == group.len() => {
            for (pending, output) in group.into_iter().zip(outputs) {
                let _ = pending.reply.send(Ok(output));
            }
            true
        }
        Err(e) if group.len() == 1 => {
            for pending in group {
                let _ = pending.reply.send(Err(Failure::of(&e)));
            }
            false
        }
        failed => {
            let error = failed.err().map(|e| e.to_string());
            tracing::warn!(
                work = W::NAME,
                items = group.len(),
                ?error,
                "a group failed; running its items one by one"
            );
            for pending in group {
                let result = one::<W>(conn, &pending.input).await;
                let _ = pending.reply.send(result.map_err(|e| Failure::of(&e)));
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Doubles numbers in the database; a negative one fails its whole group.
    struct Double;

    impl GroupWork for Double {
        type Input = i64;
        type Output = i64;
        const NAME: &'static str = "double";

        async fn run(conn: &mut PgConnection, inputs: &[i64]) -> anyhow::Result<Vec<i64>> {
            let rows: Vec<(i64,)> = sqlx::query_as(
                "SELECT CASE WHEN x < 0 THEN 1 / (x - x) ELSE x * 2 END \
                 FROM UNNEST($1::int8[]) WITH ORDINALITY AS q(x, ord) ORDER BY ord",
            )
            .bind(inputs)
            .fetch_all(&mut *conn)
            .await?;
            Ok(rows.into_iter().map(|(x,)| x).collect())
        }
    }

    #[sqlx::test(migrations = false)]
    async fn every_caller_gets_its_own_answer_and_a_bad_item_fails_only_itself(pool: PgPool) {
        let grouped = Arc::new(Grouped::<Double>::default());
        let mut tasks = tokio::task::JoinSet::new();
        for x in -1..300_i64 {
            let (grouped, pool) = (Arc::clone(&grouped), pool.clone());
            tasks.spawn(async move { (x, grouped.call(&pool, x).await) });
        }
        while let Some(joined) = tasks.join_next().await {
            let (x, answer) = joined.expect("joined");
            if x < 0 {
                let e = answer.expect_err("a negative number fails");
                assert!(e.to_string().contains("division by zero"), "{e}");
            } else {
                assert_eq!(answer.expect("doubled"), x * 2);
            }
        }
    }

    #[sqlx::test(migrations = false)]
    async fn closing_the_pool_closes_the_workers_connections(pool: PgPool) {
        let grouped = Grouped::<Double>::default();
        assert_eq!(grouped.call(&pool, 21).await.expect("doubled"), 42);
        let options = pool.connect_options();
        let mut watcher = PgConnection::connect_with(&options)
            .await
            .expect("a connection of its own");
        let others = "SELECT count(*) FROM pg_stat_activity \
                      WHERE datname = current_database() AND pid <> pg_backend_pid()";
        let open: i64 = sqlx::query_scalar(others)
            .fetch_one(&mut watcher)
            .await
            .expect("counted");
        assert!(open >= 1, "the worker's connection is open");
        pool.close().await;
        let mut left = open;
        for _ in 0..50 {
            left = sqlx::query_scalar(others)
                .fetch_one(&mut watcher)
                .await
                .expect("counted");
            if left == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(left, 0, "connections left after the pool closed");
        assert!(
            grouped.call(&pool, 1).await.is_err(),
            "a closed pool answers nothing"
        );
    }
}
