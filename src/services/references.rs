//! Cross-references: staff point a theme or proposal here at another instance's theme,
//! proposal or method (by URL or `@handle`). Each shows a card from a snapshot of the
//! other object (its municipality, title, phase, status, ideas, last change), refreshed on
//! a schedule and whenever the origin sends an update; a removed object says so.

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Viewer;
use super::directory::{Snapshot, SnapshotError};
use super::events::{self, EventKind};
use crate::domain::urls::Urls;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::now_millis;
use crate::storage::references::{self as store, ReferenceRow, SnapshotFields};

/// Where a reference is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "local", content = "local_id", rename_all = "snake_case")]
pub enum Local {
    Theme(i64),
    Proposal(i64),
}

/// What the federation publisher needs to tell the referenced object's actor, recorded
/// with the event (the reference itself may be gone when it is read).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReferenceChange {
    #[serde(flatten)]
    pub local: Local,
    pub actor: Option<String>,
}

impl Local {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Local::Theme(id) => ("theme", id),
            Local::Proposal(id) => ("proposal", id),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceInput {
    /// The other object's URL, or `@name@host` for a theme.
    #[schema(min_length = 1, max_length = 2000)]
    pub target: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferenceView {
    pub id: i64,
    /// The referenced object's id.
    pub target: String,
    /// `Group` (a theme), `Page` (a proposal) or `Method`.
    pub kind: String,
    pub title: String,
    pub municipality: Option<String>,
    pub phase: Option<String>,
    pub status: Option<String>,
    pub idea_count: Option<i64>,
    /// When it last changed at the origin.
    pub changed_at: Option<String>,
    /// Its page for people.
    pub url: String,
    /// The origin says it was removed.
    pub removed: bool,
    /// When the snapshot was taken.
    pub fetched_at: String,
}

fn view(row: ReferenceRow) -> ReferenceView {
    ReferenceView {
        id: row.id,
        url: row.url.unwrap_or_else(|| row.target.clone()),
        target: row.target,
        kind: row.kind,
        title: row.title,
        municipality: row.municipality,
        phase: row.phase,
        status: row.status,
        idea_count: row.idea_count,
        changed_at: row.changed_at,
        removed: row.removed,
        fetched_at: super::rfc3339(row.fetched_at),
    }
}

fn fields(s: &Snapshot) -> SnapshotFields<'_> {
    SnapshotFields {
        kind: &s.kind,
        title: &s.title,
        municipality: s.municipality.as_deref(),
        phase: s.phase.as_deref(),
        status: s.status.as_deref(),
        idea_count: s.idea_count,
        changed_at: s.changed_at.as_deref(),
        url: s.url.as_deref(),
        actor: s.actor.as_deref(),
    }
}

fn target_error(code: &'static str, message: crate::error::Msg) -> AppError {
    AppError::invalid("target", code, message)
}

/// The URL that staff typed, or the actor a handle names.
async fn target_url(state: &AppState, typed: &str) -> Result<String, AppError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(target_error("required", msg!("error-reference-required")));
    }
    if typed.chars().count() > 2000 {
        return Err(target_error("too_long", msg!("error-link-too-long")));
    }
    if typed.starts_with("https://") || typed.starts_with("http://") {
        return url::Url::parse(typed)
            .map(|u| u.to_string())
            .map_err(|_| target_error("invalid_url", msg!("error-invalid-url")));
    }
    state
        .directory
        .actor_of_handle(state, typed)
        .await
        .map_err(|why| {
            tracing::info!(%why, "a handle to reference could not be looked up");
            target_error("unreachable", msg!("error-unreachable"))
        })
}

/// Staff add a reference: the target is fetched now, and nothing is stored unless it reads
/// as a theme, proposal or method of another instance.
pub async fn add(
    state: &AppState,
    viewer: &Viewer,
    local: Local,
    input: &ReferenceInput,
) -> Result<ReferenceView, AppError> {
    let staff = viewer.require_staff()?;
    let target = target_url(state, &input.target).await?;
    let urls = Urls::new(&state.config);
    if url::Url::parse(&target)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        == url::Url::parse(urls.base())
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    {
        return Err(target_error("local", msg!("error-reference-local")));
    }
    let snapshot = state
        .directory
        .snapshot(state, &target)
        .await
        .map_err(|e| match e {
            SnapshotError::Refused => target_error("refused", msg!("error-reference-refused")),
            SnapshotError::Scheme(scheme) => target_error(
                "not_https",
                msg!("error-reference-not-https", scheme = scheme),
            ),
            SnapshotError::TooLarge => target_error("too_large", msg!("error-reference-too-large")),
            SnapshotError::NotActivityPub => {
                target_error("not_activitypub", msg!("error-reference-not-activitypub"))
            }
            SnapshotError::Removed => target_error("removed", msg!("error-reference-removed")),
            SnapshotError::Unreachable(Some(status)) => target_error(
                "unreachable",
                msg!("error-reference-answered", status = status),
            ),
            SnapshotError::Unreachable(None) => {
                target_error("unreachable", msg!("error-reference-unreachable"))
            }
        })?;
    let (kind, local_id) = local.parts();
    let mut tx = state.db.begin().await?;
    let id = store::insert(
        tx.ex(),
        kind,
        local_id,
        &snapshot.id,
        &fields(&snapshot),
        staff.id,
        now_millis(),
    )
    .await?
    .ok_or_else(|| AppError::conflict("target", msg!("error-already-referenced")))?;
    let change = ReferenceChange {
        local,
        actor: snapshot.actor.clone(),
    };
    events::record_with(tx.ex(), EventKind::ReferenceAdded, id, &change).await?;
    let row = store::find(tx.ex(), id)
        .await?
        .ok_or(AppError::NotFound("reference"))?;
    tx.commit().await?;
    state.event_signal.written();
    forget_document(state, local).await;
    tracing::info!(reference = id, target = %snapshot.id, "reference added");
    Ok(view(row))
}

/// The references of a theme the viewer may see.
pub async fn of_theme(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<Vec<ReferenceView>, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    list(state, Local::Theme(theme.row.id)).await
}

pub async fn list(state: &AppState, local: Local) -> Result<Vec<ReferenceView>, AppError> {
    let (kind, id) = local.parts();
    let mut conn = state.db.acquire().await?;
    Ok(store::list(conn.ex(), kind, id)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// A proposal's document carries its references: the one kept for readers is stale.
async fn forget_document(state: &AppState, local: Local) {
    if let Local::Proposal(id) = local {
        state.caches.forget_proposal(id).await;
    }
}

/// Staff remove a reference; its origin is told.
pub async fn remove(state: &AppState, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    viewer.require_staff()?;
    let mut tx = state.db.begin().await?;
    let row = store::find(tx.ex(), id)
        .await?
        .ok_or(AppError::NotFound("reference"))?;
    let local = match row.local_kind.as_str() {
        "proposal" => Local::Proposal(row.local_id),
        _ => Local::Theme(row.local_id),
    };
    if !store::delete(tx.ex(), id).await? {
        return Err(AppError::NotFound("reference"));
    }
    let change = ReferenceChange {
        local,
        actor: row.actor,
    };
    events::record_with(tx.ex(), EventKind::ReferenceRemoved, id, &change).await?;
    tx.commit().await?;
    state.event_signal.written();
    forget_document(state, local).await;
    Ok(())
}

/// The references a theme or proposal makes, as its document links them; removed ones
/// are left out.
pub async fn live_links(state: &AppState, local: Local) -> Result<Vec<ReferenceView>, AppError> {
    Ok(list(state, local)
        .await?
        .into_iter()
        .filter(|r| !r.removed)
        .collect())
}

/// The origin sent what `snapshot.id` now shows (an `Update` from a followed origin):
/// every reference to it shows that. Nothing happens when nothing references it.
pub async fn origin_updated(state: &AppState, snapshot: &Snapshot) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    if !store::is_referenced(conn.ex(), &snapshot.id).await? {
        return Ok(());
    }
    // A snapshot without the municipality keeps the one the reference knew.
    store::refresh(conn.ex(), &snapshot.id, &fields(snapshot), now_millis()).await?;
    tracing::info!(target = %snapshot.id, "references refreshed by the origin's update");
    Ok(())
}

/// The origin deleted a referenced object.
pub async fn origin_removed(state: &AppState, target: &str) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    store::mark_removed(conn.ex(), target, now_millis()).await?;
    Ok(())
}

/// Fetches again the snapshots older than the refresh interval (a few per round).
pub async fn refresh_due(state: &AppState) -> Result<usize, AppError> {
    let interval = state.config.federation.reference_refresh;
    let before = now_millis() - i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
    let mut conn = state.db.acquire().await?;
    let due = store::due(conn.ex(), before, 20).await?;
    drop(conn);
    for target in &due {
        let result = state.directory.snapshot(state, target).await;
        let mut conn = state.db.acquire().await?;
        match result {
            Ok(snapshot) => {
                store::refresh(conn.ex(), target, &fields(&snapshot), now_millis()).await?;
            }
            Err(SnapshotError::Removed) => {
                store::mark_removed(conn.ex(), target, now_millis()).await?;
            }
            Err(e) => {
                tracing::info!(target = %target, error = %e, "a referenced object could not be read; kept as it was");
                store::postpone(conn.ex(), target, now_millis()).await?;
            }
        }
    }
    Ok(due.len())
}

/// Refreshes due snapshots every minute (each at most once per refresh interval).
pub fn spawn_refresher(state: &AppState) -> tokio::task::JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let every = state
            .config
            .federation
            .reference_refresh
            .min(std::time::Duration::from_secs(60));
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = refresh_due(&state).await {
                tracing::warn!(error = %e, "cannot refresh the references");
            }
        }
    })
}
