//! References from a theme or proposal here to another instance's object, with the
//! snapshot each shows.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReferenceRow {
    pub id: i64,
    pub local_kind: String,
    pub local_id: i64,
    pub target: String,
    pub kind: String,
    pub title: String,
    pub municipality: Option<String>,
    pub phase: Option<String>,
    pub status: Option<String>,
    pub idea_count: Option<i64>,
    pub changed_at: Option<String>,
    pub url: Option<String>,
    pub removed: bool,
    pub fetched_at: i64,
    /// The actor told of the reference.
    pub actor: Option<String>,
}

const COLUMNS: &str = "id, local_kind, local_id, target, kind, title, municipality, phase, \
                       status, idea_count, changed_at, url, removed, fetched_at, actor";

/// What a fetch of the target showed.
pub struct SnapshotFields<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub municipality: Option<&'a str>,
    pub phase: Option<&'a str>,
    pub status: Option<&'a str>,
    pub idea_count: Option<i64>,
    pub changed_at: Option<&'a str>,
    pub url: Option<&'a str>,
    pub actor: Option<&'a str>,
}

/// Adds a reference; `None` when this one already has that target.
pub async fn insert(
    ex: Ex<'_>,
    local_kind: &str,
    local_id: i64,
    target: &str,
    s: &SnapshotFields<'_>,
    created_by: i64,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO object_references (local_kind, local_id, target, kind, title, \
         municipality, phase, status, idea_count, changed_at, url, fetched_at, created_by, \
         created_at, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $12, $14) \
         ON CONFLICT (local_kind, local_id, target) DO NOTHING RETURNING id"
    )
    .bind(local_kind)
    .bind(local_id)
    .bind(target)
    .bind(s.kind)
    .bind(s.title)
    .bind(s.municipality)
    .bind(s.phase)
    .bind(s.status)
    .bind(s.idea_count)
    .bind(s.changed_at)
    .bind(s.url)
    .bind(now)
    .bind(created_by)
    .bind(s.actor)
    .fetch_optional(c)
    .await)
}

/// Stores a new snapshot for every reference to `target`; the number changed.
pub async fn refresh(
    ex: Ex<'_>,
    target: &str,
    s: &SnapshotFields<'_>,
    now: i64,
) -> Result<u64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE object_references SET kind = $2, title = $3, municipality = COALESCE($4, \
         municipality), phase = $5, status = $6, idea_count = $7, changed_at = $8, \
         url = COALESCE($9, url), removed = FALSE, fetched_at = $10, \
         actor = COALESCE($11, actor) WHERE target = $1"
    )
    .bind(target)
    .bind(s.kind)
    .bind(s.title)
    .bind(s.municipality)
    .bind(s.phase)
    .bind(s.status)
    .bind(s.idea_count)
    .bind(s.changed_at)
    .bind(s.url)
    .bind(now)
    .bind(s.actor)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
}

/// The origin says the target is gone (410 or a `Tombstone`).
pub async fn mark_removed(ex: Ex<'_>, target: &str, now: i64) -> Result<u64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE object_references SET removed = TRUE, fetched_at = $2 WHERE target = $1"
    )
    .bind(target)
    .bind(now)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
}

/// A fetch failed for another reason: try again at the next round, not at once.
pub async fn postpone(ex: Ex<'_>, target: &str, now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE object_references SET fetched_at = $2 WHERE target = $1"
    )
    .bind(target)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Targets whose snapshot was fetched before `before`, oldest first.
pub async fn due(ex: Ex<'_>, before: i64, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT target FROM object_references WHERE fetched_at < $1 \
         GROUP BY target ORDER BY MIN(fetched_at) LIMIT $2"
    )
    .bind(before)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// Whether anything here references `target`.
pub async fn is_referenced(ex: Ex<'_>, target: &str) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM object_references WHERE target = $1"
    )
    .bind(target)
    .fetch_one(c)
    .await
    .map(|n| n > 0))
}

pub async fn list(
    ex: Ex<'_>,
    local_kind: &str,
    local_id: i64,
) -> Result<Vec<ReferenceRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM object_references WHERE local_kind = $1 AND local_id = $2 \
         ORDER BY created_at, id"
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(local_kind)
        .bind(local_id)
        .fetch_all(c)
        .await)
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<ReferenceRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM object_references WHERE id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

pub async fn delete(ex: Ex<'_>, id: i64) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM object_references WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|done| done.rows_affected() > 0))
}
