//! Key pairs of local actors and the remote followers of local actors.

use super::{Ex, on_conn};

/// Stores a key pair unless the actor already has one; returns the stored pair (which may
/// be another process's, when two raced).
pub async fn key_pair(
    ex: Ex<'_>,
    owner_kind: &str,
    owner_id: i64,
    candidate: Option<(&str, &str)>,
    now: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    on_conn!(ex, |c| {
        if let Some((public_pem, private_pem)) = candidate {
            sqlx::query(
                "INSERT INTO actor_keys (owner_kind, owner_id, public_key_pem, private_key_pem, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (owner_kind, owner_id) DO NOTHING",
            )
            .bind(owner_kind)
            .bind(owner_id)
            .bind(public_pem)
            .bind(private_pem)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
        sqlx::query_as(
            "SELECT public_key_pem, private_key_pem FROM actor_keys WHERE owner_kind = $1 AND owner_id = $2",
        )
        .bind(owner_kind)
        .bind(owner_id)
        .fetch_optional(&mut *c)
        .await
    })
}

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

/// A pseudonym by its public name: (id, theme id, created_at).
pub async fn find_pseudonym(
    ex: Ex<'_>,
    name: &str,
) -> Result<Option<(i64, i64, i64)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, theme_id, created_at FROM pseudonyms WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(c)
    .await)
}

/// A user by handle: (id, display name, created_at).
pub async fn find_user_by_handle(
    ex: Ex<'_>,
    handle: &str,
) -> Result<Option<(i64, String, i64)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, display_name, created_at FROM users WHERE handle = $1"
    )
    .bind(handle)
    .fetch_optional(c)
    .await)
}

/// Local users, published proposals and visible comments, for NodeInfo.
pub async fn usage_counts(ex: Ex<'_>) -> Result<(i64, i64, i64), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM users), \
                (SELECT COUNT(*) FROM proposals WHERE withdrawn_at IS NULL AND hidden_at IS NULL), \
                (SELECT COUNT(*) FROM comments WHERE deleted_at IS NULL AND hidden_at IS NULL)"
    )
    .fetch_one(c)
    .await)
}
