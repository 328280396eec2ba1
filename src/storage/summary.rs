//! The figures of a theme's public summary: who took part, how much, and how the ideas were
//! answered.

use super::{Ex, on_conn};

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Participation {
    /// Registered residents who posted, commented or supported.
    pub residents: i64,
    /// Fediverse accounts that posted, replied or liked.
    pub fediverse_accounts: i64,
    /// Published ideas.
    pub ideas: i64,
    pub comments: i64,
    pub supports: i64,
    pub remote_supports: i64,
}

/// Counts only what a visitor of the theme can see: published ideas (neither withdrawn nor
/// hidden), the shown comments under them and their supports; those who took part are the
/// people behind these.
pub async fn participation(ex: Ex<'_>, theme_id: i64) -> Result<Participation, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "WITH shown AS (SELECT id, author_id, remote_actor_id FROM proposals \
           WHERE theme_id = $1 AND withdrawn_at IS NULL AND hidden_at IS NULL), \
         shown_comments AS (SELECT c.author_id, c.remote_actor_id FROM comments c \
           JOIN shown p ON p.id = c.proposal_id \
           WHERE c.deleted_at IS NULL AND c.hidden_at IS NULL) \
         SELECT \
           (SELECT COUNT(*) FROM ( \
              SELECT author_id AS who FROM shown WHERE author_id IS NOT NULL \
              UNION SELECT author_id FROM shown_comments WHERE author_id IS NOT NULL \
              UNION SELECT s.user_id FROM supports s JOIN shown p ON p.id = s.proposal_id \
            ) residents) AS residents, \
           (SELECT COUNT(*) FROM ( \
              SELECT remote_actor_id AS who FROM shown WHERE remote_actor_id IS NOT NULL \
              UNION SELECT remote_actor_id FROM shown_comments WHERE remote_actor_id IS NOT NULL \
              UNION SELECT r.remote_actor_id FROM remote_supports r \
                JOIN shown p ON p.id = r.proposal_id \
            ) accounts) AS fediverse_accounts, \
           (SELECT COUNT(*) FROM shown) AS ideas, \
           (SELECT COUNT(*) FROM shown_comments) AS comments, \
           (SELECT COUNT(*) FROM supports s JOIN shown p ON p.id = s.proposal_id) AS supports, \
           (SELECT COUNT(*) FROM remote_supports r JOIN shown p ON p.id = r.proposal_id) \
             AS remote_supports"
    )
    .bind(theme_id)
    .fetch_one(c)
    .await)
}

/// How many published ideas have each answer state (`None`: not answered yet).
pub async fn answers_by_state(
    ex: Ex<'_>,
    theme_id: i64,
) -> Result<Vec<(Option<String>, i64)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT answer_state, COUNT(*) FROM proposals WHERE theme_id = $1 \
         AND withdrawn_at IS NULL AND hidden_at IS NULL GROUP BY answer_state"
    )
    .bind(theme_id)
    .fetch_all(c)
    .await)
}
