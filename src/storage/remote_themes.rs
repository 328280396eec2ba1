//! Themes that followed municipalities announced, as last announced.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RemoteThemeRow {
    pub id: i64,
    pub ap_id: String,
    pub name: String,
    pub summary: String,
    pub url: Option<String>,
    pub handle: Option<String>,
    pub status: Option<String>,
    pub phase_name: Option<String>,
    pub updated_at: i64,
    /// The municipality that announced it.
    pub via_actor: String,
    pub via_name: Option<String>,
    /// Whether this municipality follows the theme itself.
    pub followed: bool,
}

pub struct NewRemoteTheme<'a> {
    pub ap_id: &'a str,
    pub followed_id: i64,
    pub name: &'a str,
    pub summary: &'a str,
    pub url: Option<&'a str>,
    pub handle: Option<&'a str>,
    pub status: Option<&'a str>,
    pub phase_name: Option<&'a str>,
}

/// Stores a theme, or what a new announcement says of one already stored.
pub async fn upsert(ex: Ex<'_>, theme: &NewRemoteTheme<'_>, now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO remote_themes (ap_id, followed_id, name, summary, url, handle, status, \
         phase_name, received_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (ap_id) DO UPDATE SET name = excluded.name, summary = excluded.summary, \
         url = excluded.url, handle = excluded.handle, status = excluded.status, \
         phase_name = excluded.phase_name, updated_at = excluded.updated_at"
    )
    .bind(theme.ap_id)
    .bind(theme.followed_id)
    .bind(theme.name)
    .bind(theme.summary)
    .bind(theme.url)
    .bind(theme.handle)
    .bind(theme.status)
    .bind(theme.phase_name)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The themes announced to this municipality, most recently changed first.
pub async fn list(ex: Ex<'_>, limit: i64, offset: i64) -> Result<Vec<RemoteThemeRow>, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_as(
        "SELECT t.id, t.ap_id, t.name, t.summary, t.url, t.handle, t.status, t.phase_name, \
         t.updated_at, via.actor_id AS via_actor, via.name AS via_name, \
         EXISTS (SELECT 1 FROM followed_actors f JOIN remote_actors ra ON ra.id = f.remote_actor_id \
                 WHERE ra.actor_id = t.ap_id) AS followed \
         FROM remote_themes t JOIN followed_actors fa ON fa.id = t.followed_id \
         JOIN remote_actors via ON via.id = fa.remote_actor_id \
         ORDER BY t.updated_at DESC, t.id DESC LIMIT $1 OFFSET $2"
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(c)
    .await
    })
}

/// Forgets a theme its origin removed; whether it was known.
pub async fn delete(ex: Ex<'_>, ap_id: &str) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM remote_themes WHERE ap_id = $1"
    )
    .bind(ap_id)
    .execute(c)
    .await
    .map(|done| done.rows_affected() > 0))
}
