//! Database work gathered into groups: many requests hand in one item each,
//! and a few worker tasks run whatever has gathered as one statement.
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

/// Workers running groups at once (each on its own connection), so one
/// group's round trip overlaps the next group's gathering.
const WORKERS: usize = 2;

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

type Reply<W> = oneshot::Sender<Result<<W as GroupWork>::Output, String>>;

/// An item waiting for its group.
pub(super) struct Pending<W: GroupWork> {
    pub(super) input: W::Input,
    pub(super) reply: Reply<W>,
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
                Ok(result) => result.map_err(anyhow::Error::msg),
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

async fn work<W: GroupWork>(pool: PgPool, receiver: Arc<Mutex<mpsc::Receiver<Pending<W>>>>) {
    let mut conn: Option<PgConnection> = None;
    loop {
        let group = {
            let mut receiver = receiver.lock().await;
            let Some(first) = receiver.recv().await else {
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
                    let message = format!("{}: no database connection: {e}", W::NAME);
                    tracing::warn!(work = W::NAME, error = %e, "no database connection");
                    for pending in group {
                        let _ = pending.reply.send(Err(message.clone()));
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
    sqlx::query("SET plan_cache_mode = force_generic_plan")
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
pub(super) async fn run_and_answer<W: GroupWork>(
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
                let _ = pending.reply.send(Err(e.to_string()));
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
                let _ = pending.reply.send(result.map_err(|e| e.to_string()));
            }
            false
        }
    }
}
