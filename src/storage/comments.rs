//! Threaded comments on proposals.

use sqlx::FromRow;

use super::{Ex, on_conn};

#[derive(Debug, Clone, FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub proposal_id: i64,
    pub parent_id: Option<i64>,
    /// The resident who wrote it, or none for a comment from the fediverse.
    pub author_id: Option<i64>,
    pub author_handle: Option<String>,
    pub author_display_name: Option<String>,
    pub remote_actor: Option<String>,
    pub remote_username: Option<String>,
    pub remote_name: Option<String>,
    pub remote_domain: Option<String>,
    pub remote_url: Option<String>,
    /// The comment's id on its origin, for comments from the fediverse.
    pub ap_id: Option<String>,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    pub hidden_at: Option<i64>,
    pub hidden_reason: Option<String>,
}

macro_rules! comment_select {
    () => {
        "SELECT c.id, c.proposal_id, c.parent_id, c.author_id, u.handle AS author_handle, \
         u.display_name AS author_display_name, ra.actor_id AS remote_actor, \
         ra.preferred_username AS remote_username, ra.name AS remote_name, ra.domain AS remote_domain, \
         ra.url AS remote_url, c.ap_id, c.body, c.created_at, c.updated_at, c.deleted_at, \
         c.hidden_at, c.hidden_reason FROM comments c LEFT JOIN users u ON u.id = c.author_id \
         LEFT JOIN remote_actors ra ON ra.id = c.remote_actor_id"
    };
}

pub async fn insert(
    ex: Ex<'_>,
    proposal_id: i64,
    parent_id: Option<i64>,
    author_id: i64,
    body: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO comments (proposal_id, parent_id, author_id, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id"
    )
    .bind(proposal_id)
    .bind(parent_id)
    .bind(author_id)
    .bind(body)
    .bind(now)
    .fetch_one(c)
    .await)
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<CommentRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        comment_select!(),
        " WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// Every comment of a proposal, oldest first (the caller builds the tree).
pub async fn for_proposal(ex: Ex<'_>, proposal_id: i64) -> Result<Vec<CommentRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        comment_select!(),
        " WHERE c.proposal_id = $1 ORDER BY c.created_at, c.id"
    ))
    .bind(proposal_id)
    .fetch_all(c)
    .await)
}

pub async fn update_body(ex: Ex<'_>, id: i64, body: &str, now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE comments SET body = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(body)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_deleted(ex: Ex<'_>, id: i64, now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE comments SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_hidden(
    ex: Ex<'_>,
    id: i64,
    hidden: Option<(i64, &str, i64)>,
) -> Result<(), sqlx::Error> {
    let (at, reason, by) = match hidden {
        Some((at, reason, by)) => (Some(at), Some(reason), Some(by)),
        None => (None, None, None),
    };
    on_conn!(ex, |c| sqlx::query(
        "UPDATE comments SET hidden_at = $1, hidden_reason = $2, hidden_by = $3 WHERE id = $4"
    )
    .bind(at)
    .bind(reason)
    .bind(by)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores a reply from the fediverse under a proposal that is still open (neither withdrawn
/// nor hidden); `None` when the proposal is not open or a comment with this `ap_id` is
/// already stored, so a reply that arrives twice is stored once.
pub async fn insert_remote(
    ex: Ex<'_>,
    proposal_id: i64,
    parent_id: Option<i64>,
    remote_actor_id: i64,
    ap_id: &str,
    body: &str,
    published: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_scalar(
        "INSERT INTO comments (proposal_id, parent_id, remote_actor_id, ap_id, body, created_at, updated_at) \
         SELECT id, $2, $3, $4, $5, $6, $6 FROM proposals \
         WHERE id = $1 AND withdrawn_at IS NULL AND hidden_at IS NULL \
         ON CONFLICT (ap_id) DO NOTHING RETURNING id"
    )
    .bind(proposal_id)
    .bind(parent_id)
    .bind(remote_actor_id)
    .bind(ap_id)
    .bind(body)
    .bind(published)
    .fetch_optional(c)
    .await
    })
}

pub async fn find_by_ap_id(ex: Ex<'_>, ap_id: &str) -> Result<Option<CommentRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        comment_select!(),
        " WHERE c.ap_id = $1"
    ))
    .bind(ap_id)
    .fetch_optional(c)
    .await)
}

/// Replaces the text of a comment from the fediverse (an `Update` from its origin).
pub async fn update_remote(
    ex: Ex<'_>,
    ap_id: &str,
    body: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE comments SET body = $1, updated_at = $2 WHERE ap_id = $3"
    )
    .bind(body)
    .bind(now)
    .bind(ap_id)
    .execute(c)
    .await
    .map(|_| ()))
}
