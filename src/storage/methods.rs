//! Methods and their versions.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MethodRow {
    pub id: i64,
    pub current_version: i32,
    pub title: String,
    pub summary: String,
    pub derived_from: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub version: i32,
    pub document: String,
    pub created_at: i64,
}

const METHOD_COLUMNS: &str =
    "m.id, m.current_version, m.title, m.summary, m.derived_from, m.created_at, m.updated_at";

/// Stores a new method with its first version; returns its id.
pub async fn insert(
    ex: Ex<'_>,
    title: &str,
    summary: &str,
    derived_from: Option<&str>,
    created_by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO methods (current_version, title, summary, derived_from, created_by, \
         created_at, updated_at) VALUES (1, $1, $2, $3, $4, $5, $5) RETURNING id"
    )
    .bind(title)
    .bind(summary)
    .bind(derived_from)
    .bind(created_by)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Makes `version` the newest of a method; false when another edit took that number first.
pub async fn advance(
    ex: Ex<'_>,
    id: i64,
    version: i32,
    title: &str,
    summary: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE methods SET current_version = $2, title = $3, summary = $4, updated_at = $5 \
         WHERE id = $1 AND current_version = $2 - 1"
    )
    .bind(id)
    .bind(version)
    .bind(title)
    .bind(summary)
    .bind(now)
    .execute(c)
    .await
    .map(|done| done.rows_affected() == 1))
}

pub async fn insert_version(
    ex: Ex<'_>,
    id: i64,
    version: i32,
    document: &str,
    created_by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO method_versions (method_id, version, document, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(id)
    .bind(version)
    .bind(document)
    .bind(created_by)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Replaces the method's tags with those of its newest version.
pub async fn set_tags(ex: Ex<'_>, id: i64, tags: &[String]) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query("DELETE FROM method_tags WHERE method_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        for tag in tags {
            sqlx::query("INSERT INTO method_tags (method_id, tag) VALUES ($1, $2)")
                .bind(id)
                .bind(tag)
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    })
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<MethodRow>, sqlx::Error> {
    let sql = format!("SELECT {METHOD_COLUMNS} FROM methods m WHERE m.id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

pub async fn find_version(
    ex: Ex<'_>,
    id: i64,
    version: i32,
) -> Result<Option<VersionRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT version, document, created_at FROM method_versions \
         WHERE method_id = $1 AND version = $2"
    )
    .bind(id)
    .bind(version)
    .fetch_optional(c)
    .await)
}

/// Every version of a method, newest first.
pub async fn versions(ex: Ex<'_>, id: i64) -> Result<Vec<VersionRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT version, document, created_at FROM method_versions \
         WHERE method_id = $1 ORDER BY version DESC"
    )
    .bind(id)
    .fetch_all(c)
    .await)
}

/// Methods whose title or summary contains every term (case-insensitive) and that carry
/// `tag` when one is given, most recently changed first.
/// How many methods this municipality has.
pub async fn count(ex: Ex<'_>) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar("SELECT COUNT(*) FROM methods")
        .fetch_one(c)
        .await)
}

pub async fn list(
    ex: Ex<'_>,
    terms: &[String],
    tag: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<MethodRow>, sqlx::Error> {
    let mut sql = format!("SELECT {METHOD_COLUMNS} FROM methods m WHERE 1 = 1");
    let mut n = 0;
    for _ in terms {
        n += 1;
        sql.push_str(&format!(
            " AND (LOWER(m.title) LIKE ${n} ESCAPE '\\' OR LOWER(m.summary) LIKE ${n} ESCAPE '\\')"
        ));
    }
    if tag.is_some() {
        n += 1;
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM method_tags mt WHERE mt.method_id = m.id AND mt.tag = ${n})"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY m.updated_at DESC, m.id DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    ));
    let patterns: Vec<String> = terms.iter().map(|t| super::like_pattern(t)).collect();
    on_conn!(ex, |c| {
        let mut query = sqlx::query_as(&sql);
        for pattern in &patterns {
            query = query.bind(pattern);
        }
        if let Some(tag) = tag {
            query = query.bind(tag);
        }
        query.bind(limit).bind(offset).fetch_all(c).await
    })
}

/// A theme elsewhere started from one of these methods (kept once per theme).
pub async fn add_use(
    ex: Ex<'_>,
    method_id: i64,
    theme_ap_id: &str,
    title: &str,
    actor_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO method_uses (method_id, theme_ap_id, title, actor_id, received_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (method_id, theme_ap_id) DO UPDATE \
         SET title = excluded.title"
    )
    .bind(method_id)
    .bind(theme_ap_id)
    .bind(title)
    .bind(actor_id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// (theme id, title) of the themes elsewhere started from a method, oldest first.
pub async fn uses(ex: Ex<'_>, method_id: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT theme_ap_id, title FROM method_uses WHERE method_id = $1 \
         ORDER BY received_at, theme_ap_id"
    )
    .bind(method_id)
    .fetch_all(c)
    .await)
}
