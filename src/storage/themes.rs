//! Themes (テーマ), their tags and their phases.

use sqlx::FromRow;

use super::{Ex, on_conn};

#[derive(Debug, Clone, FromRow)]
pub struct ThemeRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// What the theme was based on (JSON), when it was started from a method.
    pub based_on: Option<String>,
    pub proposal_count: i64,
    /// Fediverse accounts that follow the theme.
    pub follower_count: i64,
    /// Supports that make a proposal need an answer, if the theme sets a number.
    pub support_threshold: Option<i32>,
    /// Who counts toward it: `residents` or `residents_and_fediverse`.
    pub threshold_counts: String,
}

macro_rules! theme_select {
    () => {
        "SELECT t.id, t.slug, t.title, t.description, t.status, t.created_at, t.updated_at, \
         t.based_on, (SELECT COUNT(*) FROM proposals p WHERE p.theme_id = t.id \
            AND p.withdrawn_at IS NULL AND p.hidden_at IS NULL) AS proposal_count, \
         (SELECT COUNT(*) FROM followers f WHERE f.local_kind = 'theme' \
            AND f.local_id = t.id) AS follower_count, t.support_threshold, t.threshold_counts \
         FROM themes t"
    };
}

#[derive(Debug, Clone, FromRow)]
pub struct PhaseRow {
    pub id: i64,
    pub theme_id: i64,
    pub position: i64,
    pub name: String,
    pub description: String,
    pub starts_on: String,
    pub ends_on: String,
    pub allow_ideas: bool,
    pub allow_comments: bool,
    pub allow_supports: bool,
    pub allow_amendments: bool,
    pub staff_guidance: String,
}

pub struct NewPhase<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub staff_guidance: &'a str,
    pub starts_on: String,
    pub ends_on: String,
    pub allow_ideas: bool,
    pub allow_comments: bool,
    pub allow_supports: bool,
    pub allow_amendments: bool,
}

pub struct ThemeFields<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub status: &'a str,
}

pub async fn insert_theme(
    ex: Ex<'_>,
    slug: &str,
    fields: &ThemeFields<'_>,
    created_by: Option<i64>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO themes (slug, title, description, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
    )
    .bind(slug)
    .bind(fields.title)
    .bind(fields.description)
    .bind(fields.status)
    .bind(created_by)
    .bind(now)
    .fetch_one(c)
    .await)
}

pub async fn update_theme(
    ex: Ex<'_>,
    id: i64,
    fields: &ThemeFields<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE themes SET title = $1, description = $2, status = $3, updated_at = $4 WHERE id = $5"
    )
    .bind(fields.title)
    .bind(fields.description)
    .bind(fields.status)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces a theme's phases with the given list, in order.
pub async fn replace_phases(
    ex: Ex<'_>,
    theme_id: i64,
    phases: &[NewPhase<'_>],
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query("DELETE FROM theme_phases WHERE theme_id = $1")
            .bind(theme_id)
            .execute(&mut *c)
            .await?;
        for (position, phase) in phases.iter().enumerate() {
            sqlx::query(
                "INSERT INTO theme_phases (theme_id, position, name, description, starts_on, ends_on, \
                 allow_ideas, allow_comments, allow_supports, staff_guidance, allow_amendments) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(theme_id)
            .bind(position as i64)
            .bind(phase.name)
            .bind(phase.description)
            .bind(&phase.starts_on)
            .bind(&phase.ends_on)
            .bind(phase.allow_ideas)
            .bind(phase.allow_comments)
            .bind(phase.allow_supports)
            .bind(phase.staff_guidance)
            .bind(phase.allow_amendments)
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    })
}

pub async fn replace_tags(ex: Ex<'_>, theme_id: i64, tags: &[&str]) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query("DELETE FROM theme_tags WHERE theme_id = $1")
            .bind(theme_id)
            .execute(&mut *c)
            .await?;
        for tag in tags {
            sqlx::query("INSERT INTO theme_tags (theme_id, tag) VALUES ($1, $2)")
                .bind(theme_id)
                .bind(tag)
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    })
}

pub async fn find_theme_by_slug(ex: Ex<'_>, slug: &str) -> Result<Option<ThemeRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        theme_select!(),
        " WHERE t.slug = $1 AND t.removed_at IS NULL"
    ))
    .bind(slug)
    .fetch_optional(c)
    .await)
}

pub async fn find_theme(ex: Ex<'_>, id: i64) -> Result<Option<ThemeRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        theme_select!(),
        " WHERE t.id = $1 AND t.removed_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// A removed theme, by slug or id (only those).
pub async fn find_removed_theme(
    ex: Ex<'_>,
    slug: Option<&str>,
    id: Option<i64>,
) -> Result<Option<ThemeRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        theme_select!(),
        " WHERE t.removed_at IS NOT NULL AND (t.slug = $1 OR t.id = $2)"
    ))
    .bind(slug)
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// The removed themes, most recently removed first.
pub async fn removed_themes(ex: Ex<'_>) -> Result<Vec<ThemeRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        theme_select!(),
        " WHERE t.removed_at IS NOT NULL ORDER BY t.removed_at DESC, t.id DESC"
    ))
    .fetch_all(c)
    .await)
}

/// Removes a theme (`Some(now)`) or restores it (`None`); whether it changed.
pub async fn set_removed(
    ex: Ex<'_>,
    id: i64,
    removed_at: Option<i64>,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
        "UPDATE themes SET removed_at = $2 WHERE id = $1 AND (removed_at IS NULL) = ($2 IS NOT NULL)"
    )
    .bind(id)
    .bind(removed_at)
    .execute(c)
    .await
    .map(|done| done.rows_affected() > 0)
    })
}

/// Records the method a theme was started from (JSON).
pub async fn set_based_on(ex: Ex<'_>, theme_id: i64, based_on: &str) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE themes SET based_on = $2 WHERE id = $1"
    )
    .bind(theme_id)
    .bind(based_on)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Lists themes, newest first; drafts only when asked (for staff).
pub async fn list_themes(
    ex: Ex<'_>,
    include_drafts: bool,
    status: Option<&str>,
) -> Result<Vec<ThemeRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        theme_select!(),
        " WHERE t.removed_at IS NULL AND ($1 OR t.status <> 'draft') \
         AND ($2 IS NULL OR t.status = $2) \
         ORDER BY t.created_at DESC, t.id DESC"
    ))
    .bind(include_drafts)
    .bind(status)
    .fetch_all(c)
    .await)
}

pub async fn phases(ex: Ex<'_>, theme_id: i64) -> Result<Vec<PhaseRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, theme_id, position, name, description, starts_on, ends_on, allow_ideas, \
         allow_comments, allow_supports, allow_amendments, staff_guidance FROM theme_phases \
         WHERE theme_id = $1 \
         ORDER BY position"
    )
    .bind(theme_id)
    .fetch_all(c)
    .await)
}

pub async fn tags(ex: Ex<'_>, theme_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT tag FROM theme_tags WHERE theme_id = $1 ORDER BY tag"
    )
    .bind(theme_id)
    .fetch_all(c)
    .await)
}

/// Themes that the fediverse can see (not drafts), with what their `Group` last told
/// followers about the phase: (id, slug, published state).
pub async fn published_states(
    ex: Ex<'_>,
) -> Result<Vec<(i64, String, Option<String>)>, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_as(
        "SELECT id, slug, published_state FROM themes WHERE status <> 'draft' AND removed_at IS NULL ORDER BY id"
    )
    .fetch_all(c)
    .await
    })
}

/// What a theme's `Group` last told followers about the phase (`None`: nothing yet).
pub async fn published_state(ex: Ex<'_>, id: i64) -> Result<Option<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT published_state FROM themes WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await
    .map(Option::flatten))
}

/// Records what a theme's `Group` now tells followers, if it still told `before` (another
/// process may have published the change first). Returns whether this call recorded it.
pub async fn swap_published_state(
    ex: Ex<'_>,
    id: i64,
    before: Option<&str>,
    now: &str,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE themes SET published_state = $1 WHERE id = $2 \
         AND published_state IS NOT DISTINCT FROM $3"
    )
    .bind(now)
    .bind(id)
    .bind(before)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))
}

/// Records what a theme's `Group` told followers, whatever it told before.
pub async fn set_published_state(ex: Ex<'_>, id: i64, state: &str) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE themes SET published_state = $1 WHERE id = $2"
    )
    .bind(state)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}
