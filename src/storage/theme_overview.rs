//! What each theme holds, counted in one statement for the staff home: ideas, those still
//! awaiting an official answer, open reports against its ideas and comments, drafts and
//! result sections.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThemeCounts {
    pub slug: String,
    /// Published ideas (not withdrawn, not hidden).
    pub ideas: i64,
    /// Published ideas without an official answer.
    pub awaiting_answer: i64,
    /// Reports not yet handled, on the theme's ideas and on comments under them.
    pub open_reports: i64,
    pub drafts: i64,
    pub results: i64,
}

/// The counts of every theme that is not removed.
pub async fn counts(ex: Ex<'_>) -> Result<Vec<ThemeCounts>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT t.slug AS slug, \
           (SELECT COUNT(*) FROM proposals p WHERE p.theme_id = t.id \
              AND p.withdrawn_at IS NULL AND p.hidden_at IS NULL) AS ideas, \
           (SELECT COUNT(*) FROM proposals p WHERE p.theme_id = t.id \
              AND p.withdrawn_at IS NULL AND p.hidden_at IS NULL \
              AND p.answer_state IS NULL) AS awaiting_answer, \
           (SELECT COUNT(*) FROM reports r JOIN proposals p \
              ON r.target_kind = 'proposal' AND p.id = r.target_id \
              WHERE p.theme_id = t.id AND r.resolved_at IS NULL) \
           + (SELECT COUNT(*) FROM reports r JOIN comments cm \
              ON r.target_kind = 'comment' AND cm.id = r.target_id \
              JOIN proposals p ON p.id = cm.proposal_id \
              WHERE p.theme_id = t.id AND r.resolved_at IS NULL) AS open_reports, \
           (SELECT COUNT(*) FROM drafts d WHERE d.theme_id = t.id) AS drafts, \
           (SELECT COUNT(*) FROM theme_results x WHERE x.theme_id = t.id) AS results \
         FROM themes t WHERE t.removed_at IS NULL"
    )
    .fetch_all(c)
    .await)
}
