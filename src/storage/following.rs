//! Remote actors the municipality follows, the posts that reach it through them, and the
//! supports and replies residents here give those posts.

use sqlx::FromRow;

use super::{Ex, on_conn};

#[derive(Debug, Clone, FromRow)]
pub struct FollowedRow {
    pub id: i64,
    pub remote_actor_id: i64,
    pub actor_id: String,
    pub domain: String,
    pub kind: String,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub follow_activity: String,
    pub state: String,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    /// The start of the peer's answer when it refused our `Follow` delivery.
    pub refusal: Option<String>,
}

macro_rules! followed_select {
    () => {
        "SELECT f.id, f.remote_actor_id, ra.actor_id, ra.domain, ra.kind, ra.preferred_username, \
         ra.name, ra.url, ra.inbox, ra.shared_inbox, f.follow_activity, f.state, f.created_at, \
         f.answered_at, f.refusal FROM followed_actors f JOIN remote_actors ra ON ra.id = f.remote_actor_id"
    };
}

/// Records a Follow just sent; `None` when this actor is already followed.
pub async fn insert_follow(
    ex: Ex<'_>,
    remote_actor_id: i64,
    follow_activity: &str,
    created_by: i64,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_scalar(
        "INSERT INTO followed_actors (remote_actor_id, follow_activity, state, created_by, created_at) \
         VALUES ($1, $2, 'pending', $3, $4) ON CONFLICT (remote_actor_id) DO NOTHING RETURNING id"
    )
    .bind(remote_actor_id)
    .bind(follow_activity)
    .bind(created_by)
    .bind(now)
    .fetch_optional(c)
    .await
    })
}

pub async fn list_follows(ex: Ex<'_>) -> Result<Vec<FollowedRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        followed_select!(),
        " ORDER BY f.created_at DESC, f.id DESC"
    ))
    .fetch_all(c)
    .await)
}

pub async fn find_follow(ex: Ex<'_>, id: i64) -> Result<Option<FollowedRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        followed_select!(),
        " WHERE f.id = $1"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// The follow of a remote actor, by the actor's id.
pub async fn follow_of_actor(
    ex: Ex<'_>,
    actor_id: &str,
) -> Result<Option<FollowedRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        followed_select!(),
        " WHERE ra.actor_id = $1"
    ))
    .bind(actor_id)
    .fetch_optional(c)
    .await)
}

/// Records the answer to our Follow (`accepted` or `rejected`), if `actor_id` is the actor
/// it was sent to. Returns whether a follow changed.
/// Records the answer to our `Follow`; returns the follow's row when one changed.
pub async fn answer_follow(
    ex: Ex<'_>,
    follow_activity: &str,
    actor_id: &str,
    state: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "UPDATE followed_actors SET state = $1, answered_at = $2 WHERE follow_activity = $3 \
         AND remote_actor_id = (SELECT id FROM remote_actors WHERE actor_id = $4) RETURNING id"
    )
    .bind(state)
    .bind(now)
    .bind(follow_activity)
    .bind(actor_id)
    .fetch_optional(c)
    .await)
}

/// Marks our `Follow` with this id as refused because its delivery was answered with a
/// client error; `reason` is the start of that answer. Returns whether a follow changed.
pub async fn refuse_follow(
    ex: Ex<'_>,
    follow_activity: &str,
    reason: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let changed = on_conn!(ex, |c| sqlx::query(
        "UPDATE followed_actors SET state = 'rejected', refusal = $1, answered_at = $2 \
         WHERE follow_activity = $3 AND state = 'pending'"
    )
    .bind(reason)
    .bind(now)
    .bind(follow_activity)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

pub async fn delete_follow(ex: Ex<'_>, id: i64) -> Result<bool, sqlx::Error> {
    let deleted = on_conn!(ex, |c| sqlx::query(
        "DELETE FROM followed_actors WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(deleted > 0)
}

#[derive(Debug, Clone, FromRow)]
pub struct RemotePostRow {
    pub id: i64,
    pub ap_id: String,
    pub followed_id: i64,
    /// The followed actor it arrived through (a theme or a municipality).
    pub via_actor: String,
    pub via_name: Option<String>,
    pub via_username: Option<String>,
    pub via_domain: String,
    pub author_actor: Option<String>,
    pub author_name: Option<String>,
    pub author_username: Option<String>,
    pub author_domain: Option<String>,
    pub author_url: Option<String>,
    pub author_inbox: Option<String>,
    pub author_shared_inbox: Option<String>,
    pub kind: String,
    pub name: Option<String>,
    pub content: String,
    pub url: Option<String>,
    pub in_reply_to: Option<String>,
    pub published_at: i64,
    pub updated_at: i64,
    pub support_count: i64,
    pub reply_count: i64,
}

macro_rules! post_select {
    () => {
        "SELECT p.id, p.ap_id, p.followed_id, via.actor_id AS via_actor, via.name AS via_name, \
         via.preferred_username AS via_username, via.domain AS via_domain, \
         au.actor_id AS author_actor, au.name AS author_name, \
         au.preferred_username AS author_username, au.domain AS author_domain, \
         au.url AS author_url, au.inbox AS author_inbox, au.shared_inbox AS author_shared_inbox, \
         p.kind, p.name, p.content, p.url, p.in_reply_to, p.published_at, p.updated_at, \
         (SELECT COUNT(*) FROM remote_post_supports s WHERE s.remote_post_id = p.id) AS support_count, \
         (SELECT COUNT(*) FROM remote_post_replies r WHERE r.remote_post_id = p.id) \
           + (SELECT COUNT(*) FROM remote_posts o WHERE o.in_reply_to = p.ap_id AND o.deleted_at IS NULL) \
           AS reply_count \
         FROM remote_posts p JOIN followed_actors f ON f.id = p.followed_id \
         JOIN remote_actors via ON via.id = f.remote_actor_id \
         LEFT JOIN remote_actors au ON au.id = p.author_actor_id"
    };
}

pub struct NewRemotePost<'a> {
    pub ap_id: &'a str,
    pub followed_id: i64,
    pub author_actor_id: Option<i64>,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    pub content: &'a str,
    pub url: Option<&'a str>,
    pub in_reply_to: Option<&'a str>,
    pub published_at: i64,
}

/// Stores a post; `None` when its id was already stored (it often arrives twice: announced
/// as a `Create` and as the object itself).
pub async fn insert_post(
    ex: Ex<'_>,
    p: &NewRemotePost<'_>,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_scalar(
        "INSERT INTO remote_posts (ap_id, followed_id, author_actor_id, kind, name, content, url, \
         in_reply_to, published_at, updated_at, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) ON CONFLICT (ap_id) DO NOTHING RETURNING id"
    )
    .bind(p.ap_id)
    .bind(p.followed_id)
    .bind(p.author_actor_id)
    .bind(p.kind)
    .bind(p.name)
    .bind(p.content)
    .bind(p.url)
    .bind(p.in_reply_to)
    .bind(p.published_at)
    .bind(now)
    .fetch_optional(c)
    .await
    })
}

/// Replaces the title and text of a stored post; false when none has this id.
pub async fn update_post(
    ex: Ex<'_>,
    ap_id: &str,
    name: Option<&str>,
    content: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let changed = on_conn!(ex, |c| sqlx::query(
        "UPDATE remote_posts SET name = $1, content = $2, updated_at = $3 \
         WHERE ap_id = $4 AND deleted_at IS NULL"
    )
    .bind(name)
    .bind(content)
    .bind(now)
    .bind(ap_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

/// Marks a stored post deleted by its origin; false when none has this id.
pub async fn delete_post(ex: Ex<'_>, ap_id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let changed = on_conn!(ex, |c| {
        sqlx::query(
        "UPDATE remote_posts SET deleted_at = $1, content = '' WHERE ap_id = $2 AND deleted_at IS NULL"
    )
    .bind(now)
    .bind(ap_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(changed > 0)
}

/// The host of a stored post's author, to check that an `Update` or `Delete` comes from
/// the post's origin.
pub async fn post_origin(ex: Ex<'_>, ap_id: &str) -> Result<Option<Option<String>>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT au.actor_id FROM remote_posts p \
         LEFT JOIN remote_actors au ON au.id = p.author_actor_id WHERE p.ap_id = $1"
    )
    .bind(ap_id)
    .fetch_optional(c)
    .await)
}

/// The newest posts that start a thread (not replies), not deleted.
pub async fn list_posts(
    ex: Ex<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RemotePostRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        post_select!(),
        " WHERE p.deleted_at IS NULL AND p.in_reply_to IS NULL \
          ORDER BY p.published_at DESC, p.id DESC LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(c)
    .await)
}

pub async fn find_post(ex: Ex<'_>, id: i64) -> Result<Option<RemotePostRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        post_select!(),
        " WHERE p.id = $1 AND p.deleted_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// Stored posts from other servers that reply to `ap_id`, oldest first.
pub async fn replies_from_elsewhere(
    ex: Ex<'_>,
    ap_id: &str,
) -> Result<Vec<RemotePostRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        post_select!(),
        " WHERE p.in_reply_to = $1 AND p.deleted_at IS NULL ORDER BY p.published_at, p.id"
    ))
    .bind(ap_id)
    .fetch_all(c)
    .await)
}

/// Records a resident's support; false when they already support the post.
pub async fn add_support(
    ex: Ex<'_>,
    post_id: i64,
    user_id: i64,
    like_activity: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let added = on_conn!(ex, |c| sqlx::query(
        "INSERT INTO remote_post_supports (remote_post_id, user_id, like_activity, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
    )
    .bind(post_id)
    .bind(user_id)
    .bind(like_activity)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(added > 0)
}

/// Removes a resident's support, returning the id of the Like to undo.
pub async fn remove_support(
    ex: Ex<'_>,
    post_id: i64,
    user_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "DELETE FROM remote_post_supports WHERE remote_post_id = $1 AND user_id = $2 \
         RETURNING like_activity"
    )
    .bind(post_id)
    .bind(user_id)
    .fetch_optional(c)
    .await)
}

pub async fn supports(ex: Ex<'_>, post_id: i64, user_id: i64) -> Result<bool, sqlx::Error> {
    let found: i64 = on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM remote_post_supports WHERE remote_post_id = $1 AND user_id = $2"
    )
    .bind(post_id)
    .bind(user_id)
    .fetch_one(c)
    .await)?;
    Ok(found > 0)
}

#[derive(Debug, Clone, FromRow)]
pub struct ReplyRow {
    pub id: i64,
    pub remote_post_id: i64,
    pub user_id: i64,
    pub handle: String,
    pub display_name: String,
    pub body: String,
    pub created_at: i64,
    pub post_ap_id: String,
}

macro_rules! reply_select {
    () => {
        "SELECT r.id, r.remote_post_id, r.user_id, u.handle, u.display_name, r.body, r.created_at, \
         p.ap_id AS post_ap_id FROM remote_post_replies r JOIN users u ON u.id = r.user_id \
         JOIN remote_posts p ON p.id = r.remote_post_id"
    };
}

pub async fn insert_reply(
    ex: Ex<'_>,
    post_id: i64,
    user_id: i64,
    body: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO remote_post_replies (remote_post_id, user_id, body, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(post_id)
    .bind(user_id)
    .bind(body)
    .bind(now)
    .fetch_one(c)
    .await)
}

pub async fn find_reply(ex: Ex<'_>, id: i64) -> Result<Option<ReplyRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        reply_select!(),
        " WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn replies_here(ex: Ex<'_>, post_id: i64) -> Result<Vec<ReplyRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        reply_select!(),
        " WHERE r.remote_post_id = $1 ORDER BY r.created_at, r.id"
    ))
    .bind(post_id)
    .fetch_all(c)
    .await)
}
