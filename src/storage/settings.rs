//! Instance-wide key/value settings kept in the database, so that every process sharing
//! the database sees the same values (the setup token, the demo marker).

use super::{Ex, on_conn};

pub const SETUP_TOKEN: &str = "setup_token";
pub const DEMO_MARKER: &str = "demo_instance";

pub async fn get(ex: Ex<'_>, key: &str) -> Result<Option<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT value FROM settings WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(c)
    .await)
}

/// Stores the value unless the key already has one; returns the value now stored. Safe
/// when several processes race to create the same setting.
pub async fn get_or_insert(ex: Ex<'_>, key: &str, value: &str) -> Result<String, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *c)
        .await?;
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(&mut *c)
            .await
    })
}

pub async fn set(ex: Ex<'_>, key: &str, value: &str) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    .bind(key)
    .bind(value)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes the key only if it still holds `value`; returns whether it did.
pub async fn delete_if(ex: Ex<'_>, key: &str, value: &str) -> Result<bool, sqlx::Error> {
    let done = on_conn!(ex, |c| sqlx::query(
        "DELETE FROM settings WHERE key = $1 AND value = $2"
    )
    .bind(key)
    .bind(value)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

pub async fn delete(ex: Ex<'_>, key: &str) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query("DELETE FROM settings WHERE key = $1")
        .bind(key)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Counts the rows of the main tables, to tell an empty database from one in use.
pub async fn content_rows(ex: Ex<'_>) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM themes)"
    )
    .fetch_one(c)
    .await)
}

/// Every setting whose key starts with `prefix`.
pub async fn with_prefix(ex: Ex<'_>, prefix: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    let pattern = format!("{prefix}%");
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT key, value FROM settings WHERE key LIKE $1"
    )
    .bind(&pattern)
    .fetch_all(c)
    .await)
}
