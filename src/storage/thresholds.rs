//! Support thresholds: a theme's number of supports that makes a proposal need an answer,
//! and the moment each proposal reached it.

use super::{Ex, on_conn};

/// Sets a theme's threshold (`None`: none) and who counts toward it.
pub async fn set(
    ex: Ex<'_>,
    theme_id: i64,
    threshold: Option<i32>,
    counts: &str,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE themes SET support_threshold = $2, threshold_counts = $3 WHERE id = $1"
    )
    .bind(theme_id)
    .bind(threshold)
    .bind(counts)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Records that the proposals (one, or all of a theme) whose counted supports reached their
/// theme's threshold did so now, unless they had already; the ids of those that just did.
pub async fn reach(
    ex: Ex<'_>,
    proposal_id: Option<i64>,
    theme_id: Option<i64>,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "UPDATE proposals SET threshold_reached_at = $3 \
         WHERE ($1 IS NULL OR id = $1) AND ($2 IS NULL OR theme_id = $2) \
         AND threshold_reached_at IS NULL AND withdrawn_at IS NULL AND hidden_at IS NULL \
         AND EXISTS (SELECT 1 FROM themes t WHERE t.id = proposals.theme_id \
           AND t.support_threshold IS NOT NULL \
           AND (SELECT COUNT(*) FROM supports s WHERE s.proposal_id = proposals.id) \
             + CASE WHEN t.threshold_counts = 'residents_and_fediverse' \
               THEN (SELECT COUNT(*) FROM remote_supports r WHERE r.proposal_id = proposals.id) \
               ELSE 0 END >= t.support_threshold) \
         RETURNING id"
    )
    .bind(proposal_id)
    .bind(theme_id)
    .bind(now)
    .fetch_all(c)
    .await)
}
