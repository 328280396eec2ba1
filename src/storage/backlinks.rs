//! Backlinks: another instance's objects that link to a theme, proposal or method here, as
//! their origins told us.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BacklinkRow {
    pub id: i64,
    pub local_kind: String,
    pub local_id: i64,
    pub source: String,
    pub actor: String,
    pub kind: String,
    pub title: String,
    pub municipality: Option<String>,
    pub url: Option<String>,
    pub hidden: bool,
    pub received_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, local_kind, local_id, source, actor, kind, title, municipality, url, \
                       hidden, received_at, updated_at";

/// What the linking object shows.
pub struct SourceFields<'a> {
    pub source: &'a str,
    pub actor: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub municipality: Option<&'a str>,
    pub url: Option<&'a str>,
}

/// Records that `s.source` links to the local object, or refreshes what it shows (a hidden
/// backlink stays hidden).
pub async fn upsert(
    ex: Ex<'_>,
    local_kind: &str,
    local_id: i64,
    s: &SourceFields<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO backlinks (local_kind, local_id, source, actor, kind, title, \
         municipality, url, received_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (local_kind, local_id, source) DO UPDATE SET actor = excluded.actor, \
         kind = excluded.kind, title = excluded.title, \
         municipality = COALESCE(excluded.municipality, backlinks.municipality), \
         url = excluded.url, updated_at = excluded.updated_at"
    )
    .bind(local_kind)
    .bind(local_id)
    .bind(s.source)
    .bind(s.actor)
    .bind(s.kind)
    .bind(s.title)
    .bind(s.municipality)
    .bind(s.url)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The backlinks a source made: `(id, local_kind, local_id)`.
pub async fn of_source(ex: Ex<'_>, source: &str) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, local_kind, local_id FROM backlinks WHERE source = $1"
    )
    .bind(source)
    .fetch_all(c)
    .await)
}

pub async fn delete(ex: Ex<'_>, id: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query("DELETE FROM backlinks WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))
}

/// Forgets every backlink of a source that was deleted; the number forgotten.
pub async fn delete_source(ex: Ex<'_>, source: &str) -> Result<u64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM backlinks WHERE source = $1"
    )
    .bind(source)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
}

/// The backlinks to a local object, oldest first; hidden ones only when asked.
pub async fn list(
    ex: Ex<'_>,
    local_kind: &str,
    local_id: i64,
    with_hidden: bool,
) -> Result<Vec<BacklinkRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM backlinks WHERE local_kind = $1 AND local_id = $2 \
         AND ($3 OR hidden = FALSE) ORDER BY received_at, id"
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(local_kind)
        .bind(local_id)
        .bind(with_hidden)
        .fetch_all(c)
        .await)
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<BacklinkRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM backlinks WHERE id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// Hides or shows one again; whether it exists.
pub async fn set_hidden(ex: Ex<'_>, id: i64, hidden: bool) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE backlinks SET hidden = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(hidden)
    .execute(c)
    .await
    .map(|done| done.rows_affected() > 0))
}
