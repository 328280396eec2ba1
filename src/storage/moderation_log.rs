//! The moderation log as staff read it: every decision with who made it, when, on what, and
//! why, newest first, narrowed by action or by moderator. Entries are only ever added (the
//! database refuses to change or delete them).

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LogRow {
    pub id: i64,
    pub moderator_id: i64,
    pub moderator_handle: String,
    pub target_kind: String,
    pub target_id: i64,
    pub target_label: String,
    pub action: String,
    pub reason: String,
    pub created_at: i64,
}

/// One decision, as it is logged.
pub struct Entry<'a> {
    pub moderator_id: i64,
    pub target_kind: &'a str,
    pub target_id: i64,
    /// Words for the target that stay when it is gone (a host name, `@handle`).
    pub target_label: &'a str,
    pub action: &'a str,
    pub reason: &'a str,
}

pub async fn record(ex: Ex<'_>, entry: &Entry<'_>, now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO moderation_log (moderator_id, target_kind, target_id, target_label, action, \
         reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(entry.moderator_id)
    .bind(entry.target_kind)
    .bind(entry.target_id)
    .bind(entry.target_label)
    .bind(entry.action)
    .bind(entry.reason)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Entries newest first, of one action and one moderator when given.
pub async fn list(
    ex: Ex<'_>,
    action: Option<&str>,
    moderator: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<Vec<LogRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT l.id, l.moderator_id, u.handle AS moderator_handle, l.target_kind, l.target_id, \
           l.target_label, l.action, l.reason, l.created_at \
         FROM moderation_log l JOIN users u ON u.id = l.moderator_id \
         WHERE ($1 IS NULL OR l.action = $1) AND ($2 IS NULL OR l.moderator_id = $2) \
         ORDER BY l.created_at DESC, l.id DESC LIMIT $3 OFFSET $4"
    )
    .bind(action)
    .bind(moderator)
    .bind(limit)
    .bind(offset)
    .fetch_all(c)
    .await)
}

/// The moderators who have made a decision, by handle (the log's filter offers them).
pub async fn moderators(ex: Ex<'_>) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT DISTINCT u.id, u.handle FROM moderation_log l JOIN users u \
         ON u.id = l.moderator_id ORDER BY u.handle"
    )
    .fetch_all(c)
    .await)
}
