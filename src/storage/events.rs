//! The event log's tables: appending an event inside the writer's transaction, reading the
//! log in order, and each consumer's durable position, the process running it and its failure
//! record.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub subject_id: i64,
    pub payload: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsumerRow {
    pub name: String,
    pub position: i64,
    pub failing_event: Option<i64>,
    pub attempts: i32,
    pub retry_at: Option<i64>,
    pub last_error: Option<String>,
}

/// An arbitrary constant that names the lock PostgreSQL writers take to append in id order.
const APPEND_LOCK: i64 = 0x6869_726f_6261;

/// Appends an event. Call it inside the transaction of the change it records, as its last
/// write. On PostgreSQL the writer first takes a lock held to its commit, so that events
/// become visible in the order of their ids and a reader never passes over one that commits
/// later with a smaller id; SQLite has one writer at a time anyway.
pub async fn append(
    ex: Ex<'_>,
    kind: &str,
    subject_id: i64,
    payload: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let mut ex = ex;
    if let Ex::Postgres(c) = &mut ex {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(APPEND_LOCK)
            .execute(&mut **c)
            .await?;
        // Sent at commit to every process listening (see [`listen`]), so their consumers
        // wake at once instead of at their next look.
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(NOTIFY_CHANNEL)
            .execute(&mut **c)
            .await?;
    }
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO events (kind, subject_id, payload, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(kind)
    .bind(subject_id)
    .bind(payload)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// The PostgreSQL channel on which committed events are announced.
pub const NOTIFY_CHANNEL: &str = "hiroba_events";

/// On PostgreSQL, a connection that hears each commit of events by any process; `None` on
/// SQLite, where one process writes them all.
pub async fn listen(db: &super::Db) -> Result<Option<sqlx::postgres::PgListener>, sqlx::Error> {
    match db {
        super::Db::Postgres(pool) => {
            let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
            listener.listen(NOTIFY_CHANNEL).await?;
            Ok(Some(listener))
        }
        super::Db::Sqlite(_) => Ok(None),
    }
}

/// Events after `position`, oldest first.
pub async fn after(ex: Ex<'_>, position: i64, limit: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, kind, subject_id, payload, created_at FROM events \
         WHERE id > $1 ORDER BY id LIMIT $2"
    )
    .bind(position)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// The id of the newest event, or 0.
pub async fn last_id(ex: Ex<'_>) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COALESCE(MAX(id), 0) FROM events"
    )
    .fetch_one(c)
    .await)
}

/// Creates the consumer's row at `start` unless it exists.
pub async fn register(ex: Ex<'_>, name: &str, start: i64, now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO event_consumers (name, position, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING"
    )
    .bind(name)
    .bind(start)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Makes `owner` the process that runs the consumer (it holds the consumer's lock): from
/// now on only its [`advance`] moves the position.
pub async fn take_over(ex: Ex<'_>, name: &str, owner: &str) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE event_consumers SET lease_owner = $2, leased_until = NULL WHERE name = $1"
    )
    .bind(name)
    .bind(owner)
    .execute(c)
    .await
    .map(|_| ()))
}

pub async fn find(ex: Ex<'_>, name: &str) -> Result<Option<ConsumerRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT name, position, failing_event, attempts, retry_at, last_error \
         FROM event_consumers WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(c)
    .await)
}

pub async fn all(ex: Ex<'_>) -> Result<Vec<ConsumerRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT name, position, failing_event, attempts, retry_at, last_error \
         FROM event_consumers ORDER BY name"
    )
    .fetch_all(c)
    .await)
}

/// Moves the position past `event_id` and clears any failure, if `owner` still runs the
/// consumer.
pub async fn advance(
    ex: Ex<'_>,
    name: &str,
    owner: &str,
    event_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE event_consumers SET position = $3, failing_event = NULL, attempts = 0, \
         retry_at = NULL, last_error = NULL, updated_at = $4 \
         WHERE name = $1 AND lease_owner = $2 AND position < $3"
    )
    .bind(name)
    .bind(owner)
    .bind(event_id)
    .bind(now)
    .execute(c)
    .await
    .map(|done| done.rows_affected() == 1))
}

/// Records that handling `event_id` failed; it is tried again from `retry_at`.
pub async fn record_failure(
    ex: Ex<'_>,
    name: &str,
    event_id: i64,
    error: &str,
    retry_at: i64,
    now: i64,
) -> Result<i32, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "UPDATE event_consumers SET \
         attempts = CASE WHEN failing_event = $2 THEN attempts + 1 ELSE 1 END, \
         failing_event = $2, last_error = $3, retry_at = $4, updated_at = $5 \
         WHERE name = $1 RETURNING attempts"
    )
    .bind(name)
    .bind(event_id)
    .bind(error)
    .bind(retry_at)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Deletes events that every consumer has passed and that are older than `before`, and the
/// markers of activities queued for them that are delivered.
pub async fn prune(ex: Ex<'_>, before: i64) -> Result<u64, sqlx::Error> {
    on_conn!(ex, |c| {
        let pruned = sqlx::query(
            "DELETE FROM events WHERE created_at < $1 \
             AND id <= (SELECT COALESCE(MIN(position), 0) FROM event_consumers)",
        )
        .bind(before)
        .execute(&mut *c)
        .await?
        .rows_affected();
        sqlx::query(
            "DELETE FROM delivery_activities WHERE event_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM events WHERE events.id = delivery_activities.event_id) \
             AND NOT EXISTS (SELECT 1 FROM deliveries \
                             WHERE deliveries.activity_id = delivery_activities.id)",
        )
        .execute(&mut *c)
        .await?;
        Ok(pruned)
    })
}

/// How many events are there after `position`.
pub async fn count_after(ex: Ex<'_>, position: i64) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE id > $1"
    )
    .bind(position)
    .fetch_one(c)
    .await)
}
