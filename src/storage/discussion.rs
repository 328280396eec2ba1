//! Comments on what staff publish for discussion: an amendment, a draft, a section of
//! results. Residents write them here; replies from the fediverse are kept once by their
//! id on their origin.

use super::{Ex, on_conn};

/// What a comment is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Amendment(i64),
    Draft(i64),
    Result(i64),
}

impl Topic {
    fn column(self) -> &'static str {
        match self {
            Topic::Amendment(_) => "amendment_id",
            Topic::Draft(_) => "draft_id",
            Topic::Result(_) => "result_id",
        }
    }

    fn id(self) -> i64 {
        match self {
            Topic::Amendment(id) | Topic::Draft(id) | Topic::Result(id) => id,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DiscussionRow {
    pub id: i64,
    pub author_handle: Option<String>,
    pub author_display_name: Option<String>,
    pub remote_actor: Option<String>,
    pub remote_username: Option<String>,
    pub remote_name: Option<String>,
    pub remote_domain: Option<String>,
    pub remote_url: Option<String>,
    pub ap_id: Option<String>,
    pub body: String,
    pub created_at: i64,
}

pub async fn insert_local(
    ex: Ex<'_>,
    topic: Topic,
    author_id: i64,
    body: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "INSERT INTO discussion_comments ({}, author_id, body, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
        topic.column()
    );
    on_conn!(ex, |c| sqlx::query_scalar(&sql)
        .bind(topic.id())
        .bind(author_id)
        .bind(body)
        .bind(now)
        .fetch_one(c)
        .await)
}

/// Keeps a reply from the fediverse; `None` when it was kept before.
pub async fn insert_remote(
    ex: Ex<'_>,
    topic: Topic,
    remote_actor_id: i64,
    ap_id: &str,
    body: &str,
    published: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let sql = format!(
        "INSERT INTO discussion_comments ({}, remote_actor_id, ap_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ap_id) DO NOTHING RETURNING id",
        topic.column()
    );
    on_conn!(ex, |c| sqlx::query_scalar(&sql)
        .bind(topic.id())
        .bind(remote_actor_id)
        .bind(ap_id)
        .bind(body)
        .bind(published)
        .fetch_optional(c)
        .await)
}

/// The visible comments on a topic, oldest first.
pub async fn of_topic(ex: Ex<'_>, topic: Topic) -> Result<Vec<DiscussionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT d.id, u.handle AS author_handle, u.display_name AS author_display_name, \
         ra.actor_id AS remote_actor, ra.preferred_username AS remote_username, \
         ra.name AS remote_name, ra.domain AS remote_domain, ra.url AS remote_url, d.ap_id, \
         d.body, d.created_at FROM discussion_comments d \
         LEFT JOIN users u ON u.id = d.author_id \
         LEFT JOIN remote_actors ra ON ra.id = d.remote_actor_id \
         WHERE d.{} = $1 AND d.hidden_at IS NULL ORDER BY d.created_at, d.id",
        topic.column()
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(topic.id())
        .fetch_all(c)
        .await)
}

/// Removes a reply its author deleted on their server; whether there was one.
pub async fn delete_remote(
    ex: Ex<'_>,
    ap_id: &str,
    remote_actor_id: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM discussion_comments WHERE ap_id = $1 AND remote_actor_id = $2"
    )
    .bind(ap_id)
    .bind(remote_actor_id)
    .execute(c)
    .await
    .map(|done| done.rows_affected() > 0))
}
