//! The terms of use and the privacy policy, every version kept, and the versions of the terms
//! each account agreed to.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyRow {
    pub version: i32,
    pub body: String,
    pub created_at: i64,
}

/// The newest version of a policy (`terms` or `privacy`).
pub async fn current(ex: Ex<'_>, kind: &str) -> Result<Option<PolicyRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT version, body, created_at FROM policy_versions WHERE kind = $1 \
         ORDER BY version DESC LIMIT 1"
    )
    .bind(kind)
    .fetch_optional(c)
    .await)
}

/// Stores the next version of a policy; `None` when another writer took that number first.
pub async fn insert_next(
    ex: Ex<'_>,
    kind: &str,
    body: &str,
    by: i64,
    now: i64,
) -> Result<Option<i32>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO policy_versions (kind, version, body, created_by, created_at) \
         SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4 FROM policy_versions \
         WHERE kind = $1 \
         ON CONFLICT DO NOTHING RETURNING version"
    )
    .bind(kind)
    .bind(body)
    .bind(by)
    .bind(now)
    .fetch_optional(c)
    .await)
}

/// Records that an account agreed to a version of the terms (once per version).
pub async fn accept_terms(
    ex: Ex<'_>,
    user_id: i64,
    version: i32,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO terms_acceptances (user_id, version, accepted_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING"
    )
    .bind(user_id)
    .bind(version)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The newest version of the terms an account agreed to.
pub async fn accepted_terms(ex: Ex<'_>, user_id: i64) -> Result<Option<i32>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT MAX(version) FROM terms_acceptances WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_one(c)
    .await)
}
