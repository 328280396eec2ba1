//! Drafts (たたき台): staff publish a document as numbered paragraphs for residents to
//! improve; each accepted amendment makes a new version, and every version is kept, with
//! a per-paragraph comparison of any two. Publishing and each new version are events, from
//! which the fediverse is told (an `Article`, then its `Update`s).

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::amendments::{self, AmendmentView};
use super::discussion::{self, DiscussionView, Topic};
use super::events::{self, EventKind};
use super::{Viewer, rfc3339};
use crate::domain::drafts::{DiffPiece, compare as compare_text, paragraphs as split};
use crate::domain::{Action, parse_text};
use crate::error::{AppError, Checker, Invalid, checker_invariant};
use crate::state::AppState;
use crate::storage::drafts::{self as store, DraftRow};
use crate::storage::now_millis;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    /// The document; a blank line starts a new paragraph (at most 300, each up to 5,000
    /// characters). Paragraphs are numbered from 1.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 200000
    )]
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParagraphView {
    pub number: i32,
    pub text: String,
    /// The amendments proposed to this paragraph, oldest first.
    pub amendments: Vec<AmendmentView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftView {
    pub id: i64,
    pub theme_slug: String,
    pub theme_title: String,
    pub title: String,
    /// The current version's number (the first is 1).
    pub version: i32,
    pub paragraphs: Vec<ParagraphView>,
    /// Whether residents may propose, support and discuss amendments now.
    pub open_for_amendments: bool,
    /// Replies from the fediverse.
    pub comments: Vec<DiscussionView>,
    /// Its id on the fediverse (an `Article`).
    pub url: String,
    pub published_at: String,
    pub updated_at: String,
}

impl DraftView {
    pub fn open_amendments(&self) -> usize {
        self.paragraphs
            .iter()
            .flat_map(|p| &p.amendments)
            .filter(|a| a.status == "open")
            .count()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftSummary {
    pub id: i64,
    pub title: String,
    pub version: i32,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i32,
    /// The amendment it accepted, and the paragraph that one replaced (none for the first).
    pub amendment_id: Option<i64>,
    pub paragraph: Option<i32>,
    /// What staff said they changed, for a version they wrote themselves.
    pub change_note: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParagraphChange {
    pub number: i32,
    pub changed: bool,
    /// The paragraph's text in the later version with what changed marked.
    pub pieces: Vec<DiffPiece>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComparisonView {
    pub draft_id: i64,
    pub title: String,
    pub theme_slug: String,
    pub from: i32,
    pub to: i32,
    pub paragraphs: Vec<ParagraphChange>,
    /// Every version, for choosing others to compare.
    pub versions: Vec<VersionView>,
}

/// A draft the viewer may see, with its theme.
pub(super) async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(DraftRow, super::themes::LoadedTheme), AppError> {
    let mut conn = state.db.acquire().await?;
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("draft"))?;
    drop(conn);
    let theme = super::themes::load_by_id(state, row.theme_id)
        .await
        .map_err(|_| AppError::NotFound("draft"))?;
    if !theme.visible_to(viewer) {
        return Err(AppError::NotFound("draft"));
    }
    Ok((row, theme))
}

/// Staff publish a draft under a theme.
pub async fn publish(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    input: &DraftInput,
) -> Result<DraftView, AppError> {
    let staff = viewer.require_staff()?;
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut check = Checker::new();
    let title = check.check("title", parse_text(&input.title, 1, 200, false));
    let paragraphs = check.check("text", split(&input.text));
    check.finish()?;
    let (Some(title), Some(paragraphs)) = (title, paragraphs) else {
        return Err(checker_invariant());
    };
    let mut tx = state.db.begin().await?;
    let id = store::insert(
        tx.ex(),
        theme.row.id,
        &title,
        &paragraphs,
        staff.id,
        now_millis(),
    )
    .await?;
    events::record(tx.ex(), EventKind::DraftPublished, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(
        theme = slug,
        draft = id,
        by = staff.id,
        paragraphs = paragraphs.len(),
        "draft published"
    );
    get(state, viewer, id).await
}

/// Whether a theme the viewer may see has drafts (its page then links them).
pub async fn exist(state: &AppState, viewer: &Viewer, slug: &str) -> Result<bool, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    Ok(store::count_of_theme(conn.ex(), theme.row.id).await? > 0)
}

/// A theme's drafts.
pub async fn of_theme(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<Vec<DraftSummary>, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    Ok(store::of_theme(conn.ex(), theme.row.id)
        .await?
        .into_iter()
        .map(|d| DraftSummary {
            id: d.id,
            title: d.title,
            version: d.current_version,
            updated_at: rfc3339(d.updated_at),
        })
        .collect())
}

/// A draft's current version, its amendments by paragraph and its replies.
pub async fn get(state: &AppState, viewer: &Viewer, id: i64) -> Result<DraftView, AppError> {
    let (row, theme) = load(state, viewer, id).await?;
    let mut conn = state.db.acquire().await?;
    let texts = store::paragraphs(conn.ex(), id, row.current_version).await?;
    drop(conn);
    let mut by_paragraph = amendments::of_draft(state, viewer, id).await?;
    let paragraphs = texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let number = i as i32 + 1;
            ParagraphView {
                number,
                text,
                amendments: by_paragraph.remove(&number).unwrap_or_default(),
            }
        })
        .collect();
    Ok(DraftView {
        id,
        theme_slug: theme.row.slug.clone(),
        theme_title: theme.row.title.clone(),
        title: row.title,
        version: row.current_version,
        paragraphs,
        open_for_amendments: theme
            .require(Action::Amend, state.config.municipality.today())
            .is_ok(),
        comments: discussion::of_topic(state, Topic::Draft(id)).await?,
        url: format!("{}/drafts/{id}", state.config.public_url()),
        published_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    })
}

/// Every version of a draft, oldest first.
pub async fn versions(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<Vec<VersionView>, AppError> {
    load(state, viewer, id).await?;
    let mut conn = state.db.acquire().await?;
    Ok(store::versions(conn.ex(), id)
        .await?
        .into_iter()
        .map(|v| VersionView {
            version: v.version,
            amendment_id: v.amendment_id,
            paragraph: v.paragraph,
            change_note: v.change_note,
            created_at: rfc3339(v.created_at),
        })
        .collect())
}

/// One version's paragraphs.
pub async fn version(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    version: i32,
) -> Result<Vec<String>, AppError> {
    load(state, viewer, id).await?;
    let mut conn = state.db.acquire().await?;
    let texts = store::paragraphs(conn.ex(), id, version).await?;
    if texts.is_empty() {
        return Err(AppError::NotFound("version"));
    }
    Ok(texts)
}

/// What changed, paragraph by paragraph, from one version to another (by default from
/// the one before the current to the current).
pub async fn compare(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<ComparisonView, AppError> {
    let (row, theme) = load(state, viewer, id).await?;
    let current = row.current_version;
    let to = to.unwrap_or(current);
    let from = from.unwrap_or((to - 1).max(1));
    let mut check = Checker::new();
    for (field, v) in [("from", from), ("to", to)] {
        if !(1..=current).contains(&v) {
            check.push(Invalid::new("no_such_version", msg!("error-no-such-version")).at(field));
        }
    }
    check.finish()?;
    let mut conn = state.db.acquire().await?;
    let old = store::paragraphs(conn.ex(), id, from).await?;
    let new = store::paragraphs(conn.ex(), id, to).await?;
    drop(conn);
    let count = old.len().max(new.len());
    let paragraphs = (0..count)
        .map(|i| {
            let before = old.get(i).map(String::as_str).unwrap_or_default();
            let after = new.get(i).map(String::as_str).unwrap_or_default();
            ParagraphChange {
                number: i as i32 + 1,
                changed: before != after,
                pieces: compare_text(before, after),
            }
        })
        .collect();
    Ok(ComparisonView {
        draft_id: id,
        title: row.title,
        theme_slug: theme.row.slug,
        from,
        to,
        paragraphs,
        versions: versions(state, viewer, id).await?,
    })
}
