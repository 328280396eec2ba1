//! The word cloud's kept counts: each published idea's terms, how many ideas of a theme
//! contain each term, and the stop words and local names staff add.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TermCount {
    pub term: String,
    pub ideas: i64,
}

/// The terms stored for an idea.
pub async fn of_proposal(ex: Ex<'_>, proposal_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT term FROM proposal_terms WHERE proposal_id = $1 ORDER BY term"
    )
    .bind(proposal_id)
    .fetch_all(c)
    .await)
}

/// Records that an idea now contains `added` and no longer `removed`, and moves the theme's
/// counts by as much.
pub async fn change(
    ex: Ex<'_>,
    theme_id: i64,
    proposal_id: i64,
    added: &[String],
    removed: &[String],
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        for term in added {
            sqlx::query("INSERT INTO proposal_terms (proposal_id, term) VALUES ($1, $2)")
                .bind(proposal_id)
                .bind(term)
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "INSERT INTO theme_terms (theme_id, term, ideas) VALUES ($1, $2, 1) \
                 ON CONFLICT (theme_id, term) DO UPDATE SET ideas = theme_terms.ideas + 1",
            )
            .bind(theme_id)
            .bind(term)
            .execute(&mut *c)
            .await?;
        }
        for term in removed {
            sqlx::query("DELETE FROM proposal_terms WHERE proposal_id = $1 AND term = $2")
                .bind(proposal_id)
                .bind(term)
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "UPDATE theme_terms SET ideas = ideas - 1 WHERE theme_id = $1 AND term = $2",
            )
            .bind(theme_id)
            .bind(term)
            .execute(&mut *c)
            .await?;
        }
        if !removed.is_empty() {
            sqlx::query("DELETE FROM theme_terms WHERE theme_id = $1 AND ideas <= 0")
                .bind(theme_id)
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    })
}

/// A theme's most frequent terms, leaving out stop words.
pub async fn top_of_theme(
    ex: Ex<'_>,
    theme_id: i64,
    limit: i64,
) -> Result<Vec<TermCount>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT t.term, CAST(t.ideas AS BIGINT) AS ideas FROM theme_terms t \
         WHERE t.theme_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM word_cloud_stop_words s WHERE s.term = t.term) \
         ORDER BY t.ideas DESC, t.term LIMIT $2"
    )
    .bind(theme_id)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// The most frequent terms of a theme's ideas posted between two instants (a phase).
pub async fn top_between(
    ex: Ex<'_>,
    theme_id: i64,
    from: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<TermCount>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT pt.term, COUNT(*) AS ideas FROM proposal_terms pt \
         JOIN proposals p ON p.id = pt.proposal_id \
         WHERE p.theme_id = $1 AND p.created_at >= $2 AND p.created_at < $3 AND NOT EXISTS \
         (SELECT 1 FROM word_cloud_stop_words s WHERE s.term = pt.term) \
         GROUP BY pt.term ORDER BY COUNT(*) DESC, pt.term LIMIT $4"
    )
    .bind(theme_id)
    .bind(from)
    .bind(until)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// The ids of a theme's ideas that contain a term, newest first.
pub async fn proposals_with(
    ex: Ex<'_>,
    theme_id: i64,
    term: &str,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT p.id FROM proposal_terms pt JOIN proposals p ON p.id = pt.proposal_id \
         WHERE pt.term = $1 AND p.theme_id = $2 ORDER BY p.created_at DESC, p.id DESC LIMIT $3"
    )
    .bind(term)
    .bind(theme_id)
    .bind(limit)
    .fetch_all(c)
    .await)
}

pub async fn stop_words(ex: Ex<'_>) -> Result<Vec<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT term FROM word_cloud_stop_words ORDER BY term"
    )
    .fetch_all(c)
    .await)
}

/// Replaces staff's stop words.
pub async fn set_stop_words(ex: Ex<'_>, terms: &[String], now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query("DELETE FROM word_cloud_stop_words")
            .execute(&mut *c)
            .await?;
        for term in terms {
            sqlx::query(
                "INSERT INTO word_cloud_stop_words (term, created_at) VALUES ($1, $2) \
                 ON CONFLICT (term) DO NOTHING",
            )
            .bind(term)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    })
}

/// The local names staff keep whole, in the same order on both databases (their
/// collations differ, so the order is made here).
pub async fn names(ex: Ex<'_>) -> Result<Vec<String>, sqlx::Error> {
    let mut names: Vec<String> = on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT name FROM word_cloud_names"
    )
    .fetch_all(c)
    .await)?;
    names.sort();
    Ok(names)
}

/// Replaces staff's local names.
pub async fn set_names(ex: Ex<'_>, names: &[String], now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query("DELETE FROM word_cloud_names")
            .execute(&mut *c)
            .await?;
        for name in names {
            sqlx::query(
                "INSERT INTO word_cloud_names (name, created_at) VALUES ($1, $2) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    })
}

/// The ids of every idea that has terms or could have them, for recounting them all.
pub async fn every_proposal(ex: Ex<'_>) -> Result<Vec<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT id FROM proposals ORDER BY id"
    )
    .fetch_all(c)
    .await)
}
