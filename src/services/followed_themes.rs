//! Themes of the municipalities this one follows, as their actors announce them (each theme
//! as it opens, then its phase changes): kept, listed, and followed in one step by staff.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Page, rfc3339};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::following::FollowedRow;
use crate::storage::now_millis;
use crate::storage::remote_themes::{self as store, NewRemoteTheme, RemoteThemeRow};

/// A theme as the federation face read it from its `Group`.
#[derive(Debug, Clone)]
pub struct IncomingTheme {
    pub ap_id: String,
    pub name: String,
    /// Plain text.
    pub summary: String,
    pub url: Option<String>,
    /// `name@host`.
    pub handle: Option<String>,
    pub status: Option<String>,
    /// The name of the phase running at the origin, when one is.
    pub phase_name: Option<String>,
}

/// A theme of a followed municipality.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemoteThemeView {
    pub id: i64,
    /// The theme's actor id, which staff follow.
    pub actor: String,
    /// `name@host`, when the Group names itself.
    pub handle: Option<String>,
    pub name: String,
    pub summary: String,
    /// The theme's page at its origin.
    pub url: String,
    /// `open`, `closed` or `archived`, as the origin says.
    pub status: Option<String>,
    /// The phase running there when it was last announced.
    pub phase: Option<String>,
    /// The municipality that announced it.
    pub municipality: String,
    /// Whether this municipality follows the theme itself.
    pub followed: bool,
    pub updated_at: String,
}

/// Keeps a theme announced by a followed municipality, or what it says of one kept.
pub async fn receive_theme(
    state: &AppState,
    followed: &FollowedRow,
    theme: &IncomingTheme,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    store::upsert(
        conn.ex(),
        &NewRemoteTheme {
            ap_id: &theme.ap_id,
            followed_id: followed.id,
            name: &theme.name,
            summary: &theme.summary,
            url: theme.url.as_deref(),
            handle: theme.handle.as_deref(),
            status: theme.status.as_deref(),
            phase_name: theme.phase_name.as_deref(),
        },
        now_millis(),
    )
    .await?;
    tracing::info!(theme = %theme.ap_id, via = %followed.actor_id, "theme of a followed municipality kept");
    Ok(())
}

fn view(row: RemoteThemeRow) -> RemoteThemeView {
    RemoteThemeView {
        id: row.id,
        url: row.url.clone().unwrap_or_else(|| row.ap_id.clone()),
        actor: row.ap_id,
        handle: row.handle,
        name: row.name,
        summary: row.summary,
        status: row.status,
        phase: row.phase_name,
        municipality: row
            .via_name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(row.via_actor),
        followed: row.followed,
        updated_at: rfc3339(row.updated_at),
    }
}

/// The themes followed municipalities announced, most recently changed first.
pub async fn list(state: &AppState, page: Page) -> Result<(Vec<RemoteThemeView>, bool), AppError> {
    let mut conn = state.db.acquire().await?;
    let mut rows = store::list(conn.ex(), page.probe_limit(), page.offset()).await?;
    let more = rows.len() as i64 > i64::from(page.per_page);
    rows.truncate(page.per_page as usize);
    Ok((rows.into_iter().map(view).collect(), more))
}

/// The origin of an announced theme removed it (the caller checked the sender is of the
/// theme's server): it leaves the list.
pub async fn removed(state: &AppState, ap_id: &str) -> Result<bool, AppError> {
    let mut conn = state.db.acquire().await?;
    let gone = store::delete(conn.ex(), ap_id).await?;
    if gone {
        tracing::info!(
            theme = ap_id,
            "an announced theme was removed at its origin"
        );
    }
    Ok(gone)
}
