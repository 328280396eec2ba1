//! Reports (通報) awaiting moderators, and blocks of remote accounts and instances.

use sqlx::FromRow;

use super::{Ex, on_conn};

#[derive(Debug, Clone, FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub reporter_handle: Option<String>,
    pub target_kind: String,
    pub target_id: i64,
    pub reason: String,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub resolution: Option<String>,
}

pub async fn insert_report(
    ex: Ex<'_>,
    reporter_id: i64,
    target_kind: &str,
    target_id: i64,
    reason: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO reports (reporter_id, target_kind, target_id, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(reporter_id)
    .bind(target_kind)
    .bind(target_id)
    .bind(reason)
    .bind(now)
    .fetch_one(c)
    .await)
}

macro_rules! report_select {
    () => {
        "SELECT r.id, u.handle AS reporter_handle, r.target_kind, r.target_id, r.reason, \
         r.created_at, r.resolved_at, r.resolution FROM reports r \
         LEFT JOIN users u ON u.id = r.reporter_id"
    };
}

/// Unresolved reports, oldest first: the moderation queue.
pub async fn open_reports(ex: Ex<'_>, limit: i64) -> Result<Vec<ReportRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        report_select!(),
        " WHERE r.resolved_at IS NULL ORDER BY r.created_at, r.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(c)
    .await)
}

pub async fn find_report(ex: Ex<'_>, id: i64) -> Result<Option<ReportRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        report_select!(),
        " WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// Resolves every open report of the same target at once; returns how many.
pub async fn resolve_reports_of(
    ex: Ex<'_>,
    target_kind: &str,
    target_id: i64,
    moderator_id: i64,
    resolution: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE reports SET resolved_at = $1, resolved_by = $2, resolution = $3 \
         WHERE target_kind = $4 AND target_id = $5 AND resolved_at IS NULL"
    )
    .bind(now)
    .bind(moderator_id)
    .bind(resolution)
    .bind(target_kind)
    .bind(target_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
}

#[derive(Debug, Clone, FromRow)]
pub struct BlockRow {
    pub id: i64,
    pub kind: String,
    pub value: String,
    pub reason: String,
    pub created_at: i64,
}

/// Adds a block; returns its id, or None when it already existed.
pub async fn insert_block(
    ex: Ex<'_>,
    kind: &str,
    value: &str,
    reason: &str,
    created_by: i64,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_scalar(
        "INSERT INTO blocks (kind, value, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (kind, value) DO NOTHING RETURNING id"
    )
    .bind(kind)
    .bind(value)
    .bind(reason)
    .bind(created_by)
    .bind(now)
    .fetch_optional(c)
    .await
    })
}

pub async fn list_blocks(ex: Ex<'_>) -> Result<Vec<BlockRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, kind, value, reason, created_at FROM blocks ORDER BY kind, value"
    )
    .fetch_all(c)
    .await)
}

pub async fn delete_block(ex: Ex<'_>, id: i64) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query("DELETE FROM blocks WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected() == 1))
}

/// Whether an actor (by its id URL) or its whole instance is blocked.
pub async fn is_blocked(ex: Ex<'_>, domain: &str, actor_id: &str) -> Result<bool, sqlx::Error> {
    let count: i64 = on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM blocks WHERE (kind = 'domain' AND value = $1) \
         OR (kind = 'actor' AND value = $2)"
    )
    .bind(domain)
    .bind(actor_id)
    .fetch_one(c)
    .await)?;
    Ok(count > 0)
}

/// The inboxes of blocked remote actors that are known here (nothing is delivered there).
pub async fn blocked_actor_inboxes(ex: Ex<'_>) -> Result<Vec<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT a.inbox FROM blocks b JOIN remote_actors a ON a.actor_id = b.value \
         WHERE b.kind = 'actor'"
    )
    .fetch_all(c)
    .await)
}

/// A report from a fediverse account (`Flag`): no local reporter.
pub async fn insert_remote_report(
    ex: Ex<'_>,
    target_kind: &str,
    target_id: i64,
    reason: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO reports (reporter_id, target_kind, target_id, reason, created_at) \
         VALUES (NULL, $1, $2, $3, $4) RETURNING id"
    )
    .bind(target_kind)
    .bind(target_id)
    .bind(reason)
    .bind(now)
    .fetch_one(c)
    .await)
}
