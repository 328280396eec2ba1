//! Results (反映) of a theme: sections, the proposals each reflects, and the
//! implementation record of each.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResultRow {
    pub id: i64,
    pub theme_id: i64,
    pub position: i32,
    pub heading: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReflectedRow {
    pub result_id: i64,
    pub proposal_id: i64,
    pub title: String,
    pub note: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgressRow {
    pub id: i64,
    pub result_id: i64,
    pub status: String,
    pub percent: i32,
    pub note: String,
    pub created_at: i64,
}

/// Adds a section at the end of a theme's results; its id.
pub async fn insert(
    ex: Ex<'_>,
    theme_id: i64,
    heading: &str,
    body: &str,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO theme_results (theme_id, position, heading, body, created_by, created_at, \
         updated_at) SELECT $1, COALESCE(MAX(position), 0) + 1, $2, $3, $4, $5, $5 \
         FROM theme_results WHERE theme_id = $1 RETURNING id"
    )
    .bind(theme_id)
    .bind(heading)
    .bind(body)
    .bind(by)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Replaces a section's text; whether it exists.
pub async fn update(
    ex: Ex<'_>,
    id: i64,
    heading: &str,
    body: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE theme_results SET heading = $2, body = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(heading)
    .bind(body)
    .bind(now)
    .execute(c)
    .await
    .map(|done| done.rows_affected() > 0))
}

/// Marks a section changed (a document or progress update added).
pub async fn touch(ex: Ex<'_>, id: i64, now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE theme_results SET updated_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Replaces the proposals a section reflects.
pub async fn set_reflected(
    ex: Ex<'_>,
    result_id: i64,
    reflected: &[(i64, String)],
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query("DELETE FROM result_proposals WHERE result_id = $1")
            .bind(result_id)
            .execute(&mut *c)
            .await?;
        for (proposal_id, note) in reflected {
            sqlx::query(
                "INSERT INTO result_proposals (result_id, proposal_id, note) VALUES ($1, $2, $3)",
            )
            .bind(result_id)
            .bind(proposal_id)
            .bind(note)
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    })
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<ResultRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, theme_id, position, heading, body, created_at, updated_at \
         FROM theme_results WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn of_theme(ex: Ex<'_>, theme_id: i64) -> Result<Vec<ResultRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, theme_id, position, heading, body, created_at, updated_at \
         FROM theme_results WHERE theme_id = $1 ORDER BY position, id"
    )
    .bind(theme_id)
    .fetch_all(c)
    .await)
}

/// The proposals the sections of a theme reflect (published ones).
pub async fn reflected_in_theme(
    ex: Ex<'_>,
    theme_id: i64,
) -> Result<Vec<ReflectedRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT rp.result_id, rp.proposal_id, p.title, rp.note FROM result_proposals rp \
         JOIN theme_results r ON r.id = rp.result_id JOIN proposals p ON p.id = rp.proposal_id \
         WHERE r.theme_id = $1 AND p.withdrawn_at IS NULL AND p.hidden_at IS NULL \
         ORDER BY rp.result_id, p.id"
    )
    .bind(theme_id)
    .fetch_all(c)
    .await)
}

/// The sections that reflect a proposal: `(result id, heading, note)`.
pub async fn reflecting(
    ex: Ex<'_>,
    proposal_id: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT r.id, r.heading, rp.note FROM result_proposals rp \
         JOIN theme_results r ON r.id = rp.result_id WHERE rp.proposal_id = $1 \
         ORDER BY r.position, r.id"
    )
    .bind(proposal_id)
    .fetch_all(c)
    .await)
}

pub async fn add_progress(
    ex: Ex<'_>,
    result_id: i64,
    status: &str,
    percent: i32,
    note: &str,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO result_progress (result_id, status, percent, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(result_id)
    .bind(status)
    .bind(percent)
    .bind(note)
    .bind(by)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Every progress update of a theme's sections, oldest first.
pub async fn progress_in_theme(ex: Ex<'_>, theme_id: i64) -> Result<Vec<ProgressRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT g.id, g.result_id, g.status, g.percent, g.note, g.created_at \
         FROM result_progress g JOIN theme_results r ON r.id = g.result_id \
         WHERE r.theme_id = $1 ORDER BY g.created_at, g.id"
    )
    .bind(theme_id)
    .fetch_all(c)
    .await)
}

/// How many sections a theme's results have.
pub async fn count_of_theme(ex: Ex<'_>, theme_id: i64) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM theme_results WHERE theme_id = $1"
    )
    .bind(theme_id)
    .fetch_one(c)
    .await)
}

/// Removes a section with its reflected proposals, progress and documents; the files of
/// those documents that nothing else uses are returned, to be deleted from the media folder.
pub async fn delete(mut ex: Ex<'_>, id: i64) -> Result<Vec<String>, sqlx::Error> {
    let files: Vec<String> = on_conn!(ex.reborrow(), |c| sqlx::query_scalar(
        "SELECT DISTINCT sha256 FROM result_documents WHERE result_id = $1"
    )
    .bind(id)
    .fetch_all(c)
    .await)?;
    on_conn!(ex.reborrow(), |c| sqlx::query(
        "DELETE FROM theme_results WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))?;
    let mut unused = Vec::new();
    for sha in files {
        let others: i64 = on_conn!(ex.reborrow(), |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM result_documents WHERE sha256 = $1"
        )
        .bind(&sha)
        .fetch_one(c)
        .await)?;
        if others == 0 {
            unused.push(sha);
        }
    }
    Ok(unused)
}

/// Corrects a progress update of a section; `false` when the section has no such update.
pub async fn update_progress(
    ex: Ex<'_>,
    result_id: i64,
    progress_id: i64,
    status: &str,
    percent: i32,
    note: &str,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE result_progress SET status = $1, percent = $2, note = $3 \
         WHERE id = $4 AND result_id = $5"
    )
    .bind(status)
    .bind(percent)
    .bind(note)
    .bind(progress_id)
    .bind(result_id)
    .execute(c)
    .await
    .map(|done| done.rows_affected() == 1))
}

/// Removes a progress update of a section; `false` when the section has no such update.
pub async fn delete_progress(
    ex: Ex<'_>,
    result_id: i64,
    progress_id: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM result_progress WHERE id = $1 AND result_id = $2"
    )
    .bind(progress_id)
    .bind(result_id)
    .execute(c)
    .await
    .map(|done| done.rows_affected() == 1))
}

/// A published idea of a theme that a section may take up.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdeaChoiceRow {
    pub id: i64,
    pub title: String,
    pub support_count: i64,
}

/// A theme's published ideas whose title or text contains every term (all of them without
/// terms), most supported first.
pub async fn idea_choices(
    ex: Ex<'_>,
    theme_id: i64,
    terms: &[String],
    limit: i64,
) -> Result<Vec<IdeaChoiceRow>, sqlx::Error> {
    let mut sql = String::from(
        "SELECT p.id, p.title, (SELECT COUNT(*) FROM supports s WHERE s.proposal_id = p.id) \
         AS support_count FROM proposals p WHERE p.theme_id = $1 \
         AND p.withdrawn_at IS NULL AND p.hidden_at IS NULL",
    );
    for i in 0..terms.len() {
        let n = i + 2;
        sql.push_str(&format!(
            " AND (LOWER(p.title) LIKE ${n} ESCAPE '\\' OR LOWER(p.body) LIKE ${n} ESCAPE '\\')"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY support_count DESC, p.id LIMIT ${}",
        terms.len() + 2
    ));
    let patterns: Vec<String> = terms.iter().map(|t| super::like_pattern(t)).collect();
    on_conn!(ex, |c| {
        let mut query = sqlx::query_as(&sql).bind(theme_id);
        for pattern in &patterns {
            query = query.bind(pattern);
        }
        query.bind(limit).fetch_all(c).await
    })
}
