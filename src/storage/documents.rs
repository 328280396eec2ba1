//! The documents attached to sections of results: which file of the media folder, under
//! what title and upload name, of what type and size.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub result_id: i64,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
    pub sha256: String,
    pub created_at: i64,
}

pub struct NewDocument<'a> {
    pub result_id: i64,
    pub title: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub byte_size: i64,
    pub sha256: &'a str,
    pub by: i64,
    pub now: i64,
}

const COLUMNS: &str =
    "d.id, d.result_id, d.title, d.file_name, d.content_type, d.byte_size, d.sha256, d.created_at";

pub async fn insert(ex: Ex<'_>, doc: &NewDocument<'_>) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO result_documents (result_id, title, file_name, content_type, byte_size, \
         sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(doc.result_id)
    .bind(doc.title)
    .bind(doc.file_name)
    .bind(doc.content_type)
    .bind(doc.byte_size)
    .bind(doc.sha256)
    .bind(doc.by)
    .bind(doc.now)
    .fetch_one(c)
    .await)
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<DocumentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM result_documents d WHERE d.id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// The documents of a theme's sections, in the order they were attached.
pub async fn of_theme(ex: Ex<'_>, theme_id: i64) -> Result<Vec<DocumentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM result_documents d JOIN theme_results r ON r.id = d.result_id \
         WHERE r.theme_id = $1 ORDER BY d.result_id, d.id"
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(theme_id)
        .fetch_all(c)
        .await)
}

/// Removes a document; whether another document still uses its file.
pub async fn delete(ex: Ex<'_>, id: i64, sha256: &str) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query("DELETE FROM result_documents WHERE id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        let others: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM result_documents WHERE sha256 = $1")
                .bind(sha256)
                .fetch_one(&mut *c)
                .await?;
        Ok(others > 0)
    })
}
