//! Requests of authors to review the hiding of what they wrote: one per hidden proposal or
//! comment, decided by a moderator (restored, or kept hidden with a reason).

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub target_kind: String,
    pub target_id: i64,
    pub author_id: i64,
    pub author_handle: String,
    pub message: String,
    pub created_at: i64,
    /// The idea the target is or belongs to.
    pub proposal_id: i64,
    /// What the hidden text says, for the moderator who reviews it.
    pub excerpt: String,
    pub hidden_reason: Option<String>,
    pub outcome: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.target_kind, r.target_id, r.author_id, \
       u.handle AS author_handle, r.message, r.created_at, \
       COALESCE(cm.proposal_id, r.target_id) AS proposal_id, \
       COALESCE(cm.body, p.title, '') AS excerpt, \
       COALESCE(cm.hidden_reason, p.hidden_reason) AS hidden_reason, r.outcome \
     FROM review_requests r JOIN users u ON u.id = r.author_id \
     LEFT JOIN comments cm ON r.target_kind = 'comment' AND cm.id = r.target_id \
     LEFT JOIN proposals p ON r.target_kind = 'proposal' AND p.id = r.target_id";

/// Records a request; false when one was already made for this target.
pub async fn insert(
    ex: Ex<'_>,
    target_kind: &str,
    target_id: i64,
    author_id: i64,
    message: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO review_requests (target_kind, target_id, author_id, message, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (target_kind, target_id) DO NOTHING"
    )
    .bind(target_kind)
    .bind(target_id)
    .bind(author_id)
    .bind(message)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected() > 0))
}

/// Requests not yet decided, oldest first.
pub async fn open(ex: Ex<'_>) -> Result<Vec<ReviewRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE r.decided_at IS NULL ORDER BY r.created_at, r.id");
    on_conn!(ex, |c| sqlx::query_as(&sql).fetch_all(c).await)
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<ReviewRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// Decides an open request; false when it was decided already.
pub async fn decide(
    ex: Ex<'_>,
    id: i64,
    moderator: i64,
    outcome: &str,
    reason: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE review_requests SET decided_at = $2, decided_by = $3, outcome = $4, \
         decision_reason = $5 WHERE id = $1 AND decided_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .bind(moderator)
    .bind(outcome)
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected() > 0))
}
