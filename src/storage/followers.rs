//! The remote followers of local actors (the municipality, each theme), each with the
//! `Follow` it sent as it was received; and the `Block`s sent to followers whose follow a
//! moderators' block ended, kept until the block is lifted.

use super::{Ex, on_conn};

/// A follow of a local actor by a remote one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowerRow {
    pub id: i64,
    /// `instance` or `theme`.
    pub local_kind: String,
    pub local_id: i64,
    pub remote_actor: String,
    pub inbox: String,
    /// The `Follow` as it was received (JSON); none for follows kept before it was.
    pub follow_activity: Option<String>,
}

const FOLLOWER_COLUMNS: &str =
    "f.id, f.local_kind, f.local_id, f.remote_actor, f.inbox, f.follow_activity";

pub async fn follower_count(
    ex: Ex<'_>,
    local_kind: &str,
    local_id: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM followers WHERE local_kind = $1 AND local_id = $2"
    )
    .bind(local_kind)
    .bind(local_id)
    .fetch_one(c)
    .await)
}

/// Adds a follower, or renews what is known of one (its inboxes, its latest `Follow`).
#[allow(clippy::too_many_arguments)]
pub async fn add_follower(
    ex: Ex<'_>,
    local_kind: &str,
    local_id: i64,
    remote_actor: &str,
    inbox: &str,
    shared_inbox: Option<&str>,
    follow_activity: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
            "INSERT INTO followers (local_kind, local_id, remote_actor, inbox, shared_inbox, \
             follow_activity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (local_kind, local_id, remote_actor) DO UPDATE SET \
             inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, \
             follow_activity = COALESCE(excluded.follow_activity, followers.follow_activity)",
        )
        .bind(local_kind)
        .bind(local_id)
        .bind(remote_actor)
        .bind(inbox)
        .bind(shared_inbox)
        .bind(follow_activity)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })
}

pub async fn remove_follower(
    ex: Ex<'_>,
    local_kind: &str,
    local_id: i64,
    remote_actor: &str,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM followers WHERE local_kind = $1 AND local_id = $2 AND remote_actor = $3"
    )
    .bind(local_kind)
    .bind(local_id)
    .bind(remote_actor)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))
}

/// What a remote actor follows here.
pub async fn follows_of(ex: Ex<'_>, remote_actor: &str) -> Result<Vec<FollowerRow>, sqlx::Error> {
    let sql = format!("SELECT {FOLLOWER_COLUMNS} FROM followers f WHERE f.remote_actor = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(remote_actor)
        .fetch_all(c)
        .await)
}

/// What the accounts of an instance (by host name, whatever the port) follow here.
pub async fn follows_from_domain(
    ex: Ex<'_>,
    domain: &str,
) -> Result<Vec<FollowerRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {FOLLOWER_COLUMNS} FROM followers f \
         JOIN remote_actors ra ON ra.actor_id = f.remote_actor \
         WHERE ra.domain = $1 OR ra.domain LIKE $2 ESCAPE '\\'"
    );
    let with_port = format!(
        "{}:%",
        domain
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(domain)
        .bind(&with_port)
        .fetch_all(c)
        .await)
}

/// Removes follows by their rows.
pub async fn remove_followers(ex: Ex<'_>, ids: &[i64]) -> Result<u64, sqlx::Error> {
    if ids.is_empty() {
        return Ok(0);
    }
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("DELETE FROM followers WHERE id IN ({list})");
    on_conn!(ex, |c| sqlx::query(&sql)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}

/// Removes a remote actor from every followers list (when it is deleted or blocked).
pub async fn remove_follower_everywhere(
    ex: Ex<'_>,
    remote_actor: &str,
) -> Result<u64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM followers WHERE remote_actor = $1"
    )
    .bind(remote_actor)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
}

/// Where to deliver to the followers of a local actor: one shared inbox per instance.
pub async fn follower_inboxes(
    ex: Ex<'_>,
    local_kind: &str,
    local_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(shared_inbox, inbox) FROM followers WHERE local_kind = $1 AND local_id = $2"
    )
    .bind(local_kind)
    .bind(local_id)
    .fetch_all(c)
    .await
    })
}

/// A `Block` sent to a follower when a moderators' block ended its follow.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BlockNoticeRow {
    pub local_kind: String,
    pub local_id: i64,
    pub follower: String,
    pub inbox: String,
    pub block_activity: String,
}

pub async fn insert_block_notice(
    ex: Ex<'_>,
    block_id: i64,
    notice: &BlockNoticeRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO block_notices (block_id, local_kind, local_id, follower, inbox, \
         block_activity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(block_id)
    .bind(&notice.local_kind)
    .bind(notice.local_id)
    .bind(&notice.follower)
    .bind(&notice.inbox)
    .bind(&notice.block_activity)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The `Block`s sent for a moderators' block, which it takes away (they get their `Undo`).
pub async fn take_block_notices(
    ex: Ex<'_>,
    block_id: i64,
) -> Result<Vec<BlockNoticeRow>, sqlx::Error> {
    on_conn!(ex, |c| {
        let rows: Vec<BlockNoticeRow> = sqlx::query_as(
            "SELECT local_kind, local_id, follower, inbox, block_activity FROM block_notices \
             WHERE block_id = $1 ORDER BY id",
        )
        .bind(block_id)
        .fetch_all(&mut *c)
        .await?;
        sqlx::query("DELETE FROM block_notices WHERE block_id = $1")
            .bind(block_id)
            .execute(&mut *c)
            .await?;
        Ok(rows)
    })
}
