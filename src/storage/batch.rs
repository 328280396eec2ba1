//! Groups small writes from concurrent requests into one transaction on SQLite: a burst of
//! inbox activities pays for one durable commit (one disk sync) instead of one each, and
//! every caller still hears back only after its write is committed. PostgreSQL groups the
//! syncs of concurrent commits itself; there each write is its own transaction.

use std::future::Future;
use std::pin::Pin;

use tokio::sync::{mpsc, oneshot};

use super::{Db, Dialect, Ex, Tx, on_conn};
use crate::error::AppError;

/// Writes waiting beyond this many make callers wait to queue (back-pressure).
const QUEUE: usize = 1024;
/// The most writes grouped into one transaction.
const MAX_BATCH: usize = 128;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// Told whether the transaction that held the write was committed.
type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn for<'c> FnOnce(&'c mut Tx) -> BoxFuture<'c, Completion> + Send>;
/// A write: statements on the connection it is given.
pub trait Write<T>:
    for<'c> FnOnce(Ex<'c>) -> BoxFuture<'c, Result<T, sqlx::Error>> + Send + 'static
{
}
impl<T, F> Write<T> for F where
    F: for<'c> FnOnce(Ex<'c>) -> BoxFuture<'c, Result<T, sqlx::Error>> + Send + 'static
{
}

/// The handle through which writes reach the batching task.
#[derive(Clone)]
pub struct Batcher {
    /// `None` on PostgreSQL, which already groups the disk syncs of concurrent commits
    /// (and where a round trip per savepoint costs more than it saves).
    jobs: Option<mpsc::Sender<Job>>,
    db: Db,
}

impl Batcher {
    /// Starts the task that runs the queued writes, in batches, on `db`.
    pub fn start(db: Db) -> Batcher {
        if db.dialect() == Dialect::Postgres {
            return Batcher { jobs: None, db };
        }
        let (jobs, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(run(db.clone(), receiver));
        Batcher {
            jobs: Some(jobs),
            db,
        }
    }

    /// Runs `write` (one statement, or several that must land together) in the next batch's
    /// transaction, inside a savepoint of its own so that a failing write leaves the others
    /// of the batch intact, and returns its result once the transaction is committed. On
    /// PostgreSQL it runs at once in a transaction of its own.
    pub async fn write<T, F>(&self, write: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: Write<T>,
    {
        let Some(jobs) = &self.jobs else {
            let mut tx = self.db.begin().await?;
            let value = write(tx.ex()).await?;
            tx.commit().await?;
            return Ok(value);
        };
        let (done, answer) = oneshot::channel::<Result<T, AppError>>();
        let job: Job = Box::new(move |tx: &mut Tx| {
            Box::pin(async move {
                let result = in_savepoint(tx, write).await;
                completion(done, result)
            })
        });
        send(jobs, job, answer).await
    }

    /// Runs `write`, which must be a single statement, in the next batch's transaction
    /// without a savepoint of its own (SQLite undoes a failed statement and keeps the
    /// transaction), and returns its result once that is committed. On PostgreSQL the
    /// statement commits by itself: one round trip.
    pub async fn write_one<T, F>(&self, write: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: Write<T>,
    {
        let Some(jobs) = &self.jobs else {
            let mut conn = self.db.acquire().await?;
            return Ok(write(conn.ex()).await?);
        };
        let (done, answer) = oneshot::channel::<Result<T, AppError>>();
        let job: Job = Box::new(move |tx: &mut Tx| {
            Box::pin(async move {
                let result = write(tx.ex()).await;
                completion(done, result)
            })
        });
        send(jobs, job, answer).await
    }
}

/// What tells a caller, once the batch is committed or not, how its write went.
fn completion<T: Send + 'static>(
    done: oneshot::Sender<Result<T, AppError>>,
    result: Result<T, sqlx::Error>,
) -> Completion {
    Box::new(move |committed: Result<(), String>| {
        let outcome = match (committed, result) {
            (Ok(()), Ok(value)) => Ok(value),
            (_, Err(e)) => Err(AppError::from(e)),
            (Err(why), Ok(_)) => Err(AppError::Internal(anyhow::anyhow!(
                "the batch transaction failed: {why}"
            ))),
        };
        let _ = done.send(outcome);
    })
}

/// Queues `job` and waits for its answer.
async fn send<T>(
    jobs: &mpsc::Sender<Job>,
    job: Job,
    answer: oneshot::Receiver<Result<T, AppError>>,
) -> Result<T, AppError> {
    jobs.send(job)
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the write batcher stopped")))?;
    answer
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the write batcher dropped a write")))?
}

async fn savepoint_statement(tx: &mut Tx, sql: &'static str) -> Result<(), sqlx::Error> {
    on_conn!(tx.ex(), |c| sqlx::query(sql).execute(c).await.map(|_| ()))
}

async fn in_savepoint<T, F: Write<T>>(tx: &mut Tx, write: F) -> Result<T, sqlx::Error> {
    savepoint_statement(tx, "SAVEPOINT batched_write").await?;
    match write(tx.ex()).await {
        Ok(value) => {
            savepoint_statement(tx, "RELEASE SAVEPOINT batched_write").await?;
            Ok(value)
        }
        Err(e) => {
            savepoint_statement(tx, "ROLLBACK TO SAVEPOINT batched_write").await?;
            savepoint_statement(tx, "RELEASE SAVEPOINT batched_write").await?;
            Err(e)
        }
    }
}

/// Takes what is queued (at least one write, at most [`MAX_BATCH`]), runs it in one
/// transaction, commits, answers; writes that arrive meanwhile form the next batch.
async fn run(db: Db, mut receiver: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
        let committed = match db.begin().await {
            Ok(mut tx) => {
                for job in batch.drain(..) {
                    completions.push(job(&mut tx).await);
                }
                tx.commit().await.map_err(|e| e.to_string())
            }
            Err(e) => {
                let why = e.to_string();
                batch.clear();
                Err(why)
            }
        };
        if let Err(why) = &committed {
            tracing::error!(error = %why, "a batch of writes could not be committed");
        }
        for completion in completions {
            completion(committed.clone());
        }
    }
}
