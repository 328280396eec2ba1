//! What residents are told on the site: one notification per account and event.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub kind: String,
    pub proposal_id: Option<i64>,
    pub proposal_title: Option<String>,
    pub answer_state: Option<String>,
    pub amendment_id: Option<i64>,
    pub draft_id: Option<i64>,
    pub draft_title: Option<String>,
    pub paragraph: Option<i32>,
    pub amendment_status: Option<String>,
    pub comment_id: Option<i64>,
    /// Why moderators hid the proposal or comment, for `proposal_hidden`/`comment_hidden`.
    pub hidden_reason: Option<String>,
    /// Whether the author has asked for that decision to be reviewed.
    pub review_requested: bool,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// Tells the author that moderators hid what they wrote (a proposal, or a comment under
/// it); told once per event.
pub async fn add_hidden(
    ex: Ex<'_>,
    user: i64,
    kind: &str,
    proposal_id: i64,
    comment_id: Option<i64>,
    event_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO notifications (user_id, kind, proposal_id, comment_id, event_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, event_id) DO NOTHING",
    )
    .bind(user)
    .bind(kind)
    .bind(proposal_id)
    .bind(comment_id)
    .bind(event_id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Tells each of `users` of an event; an account already told of it is not told again.
pub async fn add(
    ex: Ex<'_>,
    users: &[i64],
    kind: &str,
    proposal_id: Option<i64>,
    amendment_id: Option<i64>,
    event_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        for user in users {
            sqlx::query(
                "INSERT INTO notifications (user_id, kind, proposal_id, amendment_id, event_id, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (user_id, event_id) DO NOTHING",
            )
            .bind(user)
            .bind(kind)
            .bind(proposal_id)
            .bind(amendment_id)
            .bind(event_id)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    })
}

/// An account's notifications, newest first.
pub async fn list(
    ex: Ex<'_>,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_as(
        "SELECT n.id, n.kind, n.proposal_id, p.title AS proposal_title, p.answer_state, \
         n.amendment_id, a.draft_id, d.title AS draft_title, a.paragraph, \
         a.status AS amendment_status, n.comment_id, \
         CASE WHEN n.comment_id IS NULL THEN p.hidden_reason ELSE cm.hidden_reason END \
           AS hidden_reason, \
         EXISTS (SELECT 1 FROM review_requests r WHERE \
           (n.comment_id IS NOT NULL AND r.target_kind = 'comment' AND r.target_id = n.comment_id) \
           OR (n.comment_id IS NULL AND r.target_kind = 'proposal' AND r.target_id = n.proposal_id)) \
           AS review_requested, \
         n.created_at, n.read_at FROM notifications n \
         LEFT JOIN proposals p ON p.id = n.proposal_id \
         LEFT JOIN comments cm ON cm.id = n.comment_id \
         LEFT JOIN amendments a ON a.id = n.amendment_id \
         LEFT JOIN drafts d ON d.id = a.draft_id \
         WHERE n.user_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT $2 OFFSET $3"
    )
    .bind(user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(c)
    .await
    })
}

pub async fn unread_count(ex: Ex<'_>, user_id: i64) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user_id)
    .fetch_one(c)
    .await)
}

/// Marks one notification (`Some(id)`) or all of an account's as read; how many changed.
pub async fn mark_read(
    ex: Ex<'_>,
    user_id: i64,
    id: Option<i64>,
    now: i64,
) -> Result<u64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND read_at IS NULL \
         AND ($2 IS NULL OR id = $2)"
    )
    .bind(user_id)
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
}

/// Marks an account's unread notifications about one proposal read.
pub async fn mark_proposal_read(
    ex: Ex<'_>,
    user_id: i64,
    proposal_id: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND proposal_id = $2 \
         AND read_at IS NULL"
    )
    .bind(user_id)
    .bind(proposal_id)
    .bind(now)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
}
