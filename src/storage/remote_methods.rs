//! Methods that followed municipalities published, kept as their newest version.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RemoteMethodRow {
    pub id: i64,
    pub ap_id: String,
    pub origin_actor: String,
    pub origin_name: String,
    pub prefecture: Option<String>,
    pub version: i32,
    pub url: String,
    pub document: String,
    pub received_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "r.id, r.ap_id, r.origin_actor, r.origin_name, r.prefecture, r.version, \
                       r.url, r.document, r.received_at, r.updated_at";

/// What a received version says, for `keep`.
pub struct Received<'a> {
    pub ap_id: &'a str,
    pub followed_id: i64,
    pub origin_actor: &'a str,
    pub origin_name: &'a str,
    pub prefecture: Option<&'a str>,
    pub version: i32,
    pub title: &'a str,
    pub summary: &'a str,
    pub url: &'a str,
    pub document: &'a str,
    pub tags: &'a [String],
}

/// Keeps a method, or its newer version; an older or equal version changes nothing.
/// True when something was stored.
pub async fn keep(ex: Ex<'_>, m: &Received<'_>, now: i64) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO remote_methods (ap_id, followed_id, origin_actor, origin_name, \
             prefecture, version, title, summary, url, document, received_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
             ON CONFLICT (ap_id) DO UPDATE SET followed_id = excluded.followed_id, \
             origin_name = excluded.origin_name, prefecture = excluded.prefecture, \
             version = excluded.version, title = excluded.title, summary = excluded.summary, \
             url = excluded.url, document = excluded.document, updated_at = excluded.updated_at \
             WHERE remote_methods.version < excluded.version RETURNING id",
        )
        .bind(m.ap_id)
        .bind(m.followed_id)
        .bind(m.origin_actor)
        .bind(m.origin_name)
        .bind(m.prefecture)
        .bind(m.version)
        .bind(m.title)
        .bind(m.summary)
        .bind(m.url)
        .bind(m.document)
        .bind(now)
        .fetch_optional(&mut *c)
        .await?;
        let Some(id) = id else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM remote_method_tags WHERE remote_method_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        for tag in m.tags {
            sqlx::query(
                "INSERT INTO remote_method_tags (remote_method_id, tag) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(tag)
            .execute(&mut *c)
            .await?;
        }
        Ok(true)
    })
}

/// Forgets a method that its municipality deleted.
pub async fn remove(ex: Ex<'_>, ap_id: &str, origin_actor: &str) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM remote_methods WHERE ap_id = $1 AND origin_actor = $2"
    )
    .bind(ap_id)
    .bind(origin_actor)
    .execute(c)
    .await
    .map(|done| done.rows_affected() > 0))
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<RemoteMethodRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM remote_methods r WHERE r.id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// Kept methods whose title or summary contains every term (case-insensitive), with
/// `tag` and of `prefecture` when given, most recently changed first.
pub async fn list(
    ex: Ex<'_>,
    terms: &[String],
    tag: Option<&str>,
    prefecture: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RemoteMethodRow>, sqlx::Error> {
    let mut sql = format!("SELECT {COLUMNS} FROM remote_methods r WHERE 1 = 1");
    let mut n = 0;
    for _ in terms {
        n += 1;
        sql.push_str(&format!(
            " AND (LOWER(r.title) LIKE ${n} ESCAPE '\\' OR LOWER(r.summary) LIKE ${n} ESCAPE '\\')"
        ));
    }
    if tag.is_some() {
        n += 1;
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM remote_method_tags t \
             WHERE t.remote_method_id = r.id AND t.tag = ${n})"
        ));
    }
    if prefecture.is_some() {
        n += 1;
        sql.push_str(&format!(" AND r.prefecture = ${n}"));
    }
    sql.push_str(&format!(
        " ORDER BY r.updated_at DESC, r.id DESC LIMIT ${} OFFSET ${}",
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
        if let Some(prefecture) = prefecture {
            query = query.bind(prefecture);
        }
        query.bind(limit).bind(offset).fetch_all(c).await
    })
}

/// The prefectures of the kept methods, for the library's filter.
pub async fn prefectures(ex: Ex<'_>) -> Result<Vec<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT DISTINCT prefecture FROM remote_methods WHERE prefecture IS NOT NULL \
         ORDER BY prefecture"
    )
    .fetch_all(c)
    .await)
}
