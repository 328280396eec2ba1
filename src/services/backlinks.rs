//! Backlinks: other instances' themes, proposals and methods that reference a theme,
//! proposal or method here. Their origins tell us (the linking object, with FEP-e232 links
//! to ours); the page here lists them as "referenced by", and staff may hide one.

use serde::Serialize;
use utoipa::ToSchema;

use super::Viewer;
use crate::domain::urls::Urls;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::backlinks::{self as store, BacklinkRow, SourceFields};
use crate::storage::now_millis;
use crate::storage::{methods as method_store, proposals as proposal_store, themes as theme_store};

/// The most links of one object that are looked at.
pub const MAX_LINKS: usize = 50;

/// A local object that can be linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    Theme(i64),
    Proposal(i64),
    Method(i64),
}

impl Linked {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Linked::Theme(id) => ("theme", id),
            Linked::Proposal(id) => ("proposal", id),
            Linked::Method(id) => ("method", id),
        }
    }
}

/// An object of another instance, as its origin sent it, and the ids it links to.
pub struct LinkingObject {
    pub id: String,
    /// The actor that sent it (its origin).
    pub actor: String,
    /// `Group`, `Page` or `Method`.
    pub kind: String,
    pub title: String,
    pub municipality: Option<String>,
    pub url: Option<String>,
    pub links: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BacklinkView {
    pub id: i64,
    /// The object that references this one.
    pub source: String,
    /// `Group` (a theme), `Page` (a proposal) or `Method`.
    pub kind: String,
    pub title: String,
    pub municipality: Option<String>,
    /// Its page for people.
    pub url: String,
    /// Hidden by staff: listed to staff only.
    pub hidden: bool,
    pub received_at: String,
}

fn view(row: BacklinkRow) -> BacklinkView {
    BacklinkView {
        id: row.id,
        url: row.url.unwrap_or_else(|| row.source.clone()),
        source: row.source,
        kind: row.kind,
        title: row.title,
        municipality: row.municipality,
        hidden: row.hidden,
        received_at: super::rfc3339(row.received_at),
    }
}

/// Which local object, if any, `link` names.
async fn local_object(state: &AppState, link: &str) -> Result<Option<Linked>, AppError> {
    let urls = Urls::new(&state.config);
    let Some(path) = link.strip_prefix(urls.base()) else {
        return Ok(None);
    };
    let mut parts = path.trim_start_matches('/').split('/');
    let (Some(kind), Some(key), None) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    let mut conn = state.db.acquire().await?;
    Ok(match (kind, key.parse::<i64>()) {
        ("themes", _) => theme_store::find_theme_by_slug(conn.ex(), key)
            .await?
            .map(|t| Linked::Theme(t.id)),
        ("proposals", Ok(id)) => proposal_store::find(conn.ex(), id)
            .await?
            .filter(|p| p.ap_id.is_none())
            .map(|_| Linked::Proposal(id)),
        ("methods", Ok(id)) => method_store::find(conn.ex(), id)
            .await?
            .map(|_| Linked::Method(id)),
        _ => None,
    })
}

/// An origin sent a version of one of its objects: it now references here what its links
/// name, and no longer what they stopped naming. Links elsewhere are not ours to record.
/// Returns how many local objects it references.
pub async fn received(state: &AppState, object: &LinkingObject) -> Result<usize, AppError> {
    let mut linked = Vec::new();
    for link in object.links.iter().take(MAX_LINKS) {
        if let Some(local) = local_object(state, link).await?
            && !linked.contains(&local)
        {
            linked.push(local);
        }
    }
    let mut tx = state.db.begin().await?;
    let before = store::of_source(tx.ex(), &object.id).await?;
    let now = now_millis();
    let fields = SourceFields {
        source: &object.id,
        actor: &object.actor,
        kind: &object.kind,
        title: &object.title,
        municipality: object.municipality.as_deref(),
        url: object.url.as_deref(),
    };
    for local in &linked {
        let (kind, id) = local.parts();
        store::upsert(tx.ex(), kind, id, &fields, now).await?;
    }
    for (id, kind, local_id) in before {
        if !linked
            .iter()
            .any(|l| l.parts() == (kind.as_str(), local_id))
        {
            store::delete(tx.ex(), id).await?;
        }
    }
    tx.commit().await?;
    if !linked.is_empty() {
        tracing::info!(source = %object.id, count = linked.len(), "referenced from another instance");
    }
    Ok(linked.len())
}

/// Whether anything here was referenced by `source` (worth reading an update of it for).
pub async fn knows_source(state: &AppState, source: &str) -> Result<bool, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(!store::of_source(conn.ex(), source).await?.is_empty())
}

/// The origin deleted an object that referenced something here.
pub async fn source_removed(state: &AppState, source: &str) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    if store::delete_source(conn.ex(), source).await? > 0 {
        tracing::info!(source, "a referencing object was deleted at its origin");
    }
    Ok(())
}

/// The backlinks of a local object: the visible ones, and to staff the hidden ones too.
pub async fn list(
    state: &AppState,
    viewer: &Viewer,
    linked: Linked,
) -> Result<Vec<BacklinkView>, AppError> {
    let (kind, id) = linked.parts();
    let mut conn = state.db.acquire().await?;
    Ok(store::list(conn.ex(), kind, id, viewer.can_manage_themes())
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// The backlinks of a theme the viewer may see.
pub async fn of_theme(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<Vec<BacklinkView>, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    list(state, viewer, Linked::Theme(theme.row.id)).await
}

/// Staff hide a backlink (it stays recorded, and an update from its origin keeps it
/// hidden) or show it again.
pub async fn set_hidden(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    hidden: bool,
) -> Result<BacklinkView, AppError> {
    let staff = viewer.require_staff()?;
    let mut conn = state.db.acquire().await?;
    if !store::set_hidden(conn.ex(), id, hidden).await? {
        return Err(AppError::NotFound("backlink"));
    }
    tracing::info!(
        backlink = id,
        hidden,
        by = staff.id,
        "backlink visibility changed"
    );
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("backlink"))?;
    Ok(view(row))
}

/// Staff hide a backlink or show it again.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BacklinkVisibility {
    pub hidden: bool,
}

/// The actors of every object that references a local one (hidden backlinks too): they are
/// told when it is removed.
pub async fn linking_actors(state: &AppState, linked: Linked) -> Result<Vec<String>, AppError> {
    let (kind, id) = linked.parts();
    let mut conn = state.db.acquire().await?;
    let mut actors: Vec<String> = store::list(conn.ex(), kind, id, true)
        .await?
        .into_iter()
        .map(|row| row.actor)
        .collect();
    actors.sort();
    actors.dedup();
    Ok(actors)
}
