//! Staff write a new version of a draft themselves (not only by accepting amendments): the
//! whole text and title with a note of what changed, checked against the version they
//! edited so that nobody's change is overwritten. Open amendments to paragraphs whose text
//! changed are closed with that note (their authors are told), since they no longer apply.

use serde::Deserialize;
use utoipa::ToSchema;

use super::Viewer;
use super::drafts::{self, DraftView, load};
use super::events::{self, EventKind};
use crate::domain::drafts::paragraphs as split;
use crate::domain::parse_text;
use crate::error::{AppError, Checker, checker_invariant};
use crate::msg;
use crate::state::AppState;
use crate::storage::drafts::{self as store, Revision};
use crate::storage::now_millis;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionInput {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// The whole document; a blank line starts a new paragraph.
    #[schema(min_length = 1, max_length = 200000)]
    pub text: String,
    /// What changed and why, shown with the version.
    #[schema(min_length = 1, max_length = 500)]
    pub change_note: String,
    /// The version this text was written from: if the draft has moved on since, nothing is
    /// saved (`409`).
    #[schema(minimum = 1)]
    pub base_version: i32,
}

/// Staff save a new version of a draft from its whole text.
pub async fn revise(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: &RevisionInput,
) -> Result<DraftView, AppError> {
    let staff = viewer.require_staff()?;
    let (row, _) = load(state, viewer, id).await?;
    let mut check = Checker::new();
    let title = check.check("title", parse_text(&input.title, 1, 200, false));
    let paragraphs = check.check("text", split(&input.text));
    let note = check.check("change_note", parse_text(&input.change_note, 1, 500, true));
    check.finish()?;
    let (Some(title), Some(paragraphs), Some(note)) = (title, paragraphs, note) else {
        return Err(checker_invariant());
    };
    if input.base_version != row.current_version {
        return Err(AppError::conflict("text", msg!("error-draft-changed")));
    }
    let mut conn = state.db.acquire().await?;
    let current = store::paragraphs(conn.ex(), id, row.current_version).await?;
    drop(conn);
    if current == paragraphs && title == row.title {
        return Err(AppError::invalid(
            "text",
            "unchanged",
            msg!("error-draft-unchanged"),
        ));
    }
    // A paragraph whose text changed (or that no longer exists) leaves its amendments
    // without the text they would replace.
    let changed: Vec<i32> = (0..current.len().max(paragraphs.len()))
        .filter(|&i| current.get(i) != paragraphs.get(i))
        .map(|i| i as i32 + 1)
        .collect();
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    let version = store::revise(
        tx.ex(),
        &Revision {
            draft_id: id,
            from: row.current_version,
            title: &title,
            paragraphs: &paragraphs,
            note: &note,
            by: staff.id,
            now,
        },
    )
    .await?
    .ok_or_else(|| AppError::conflict("text", msg!("error-draft-changed")))?;
    let closed = store::close_amendments_on(tx.ex(), id, &changed, &note, staff.id, now).await?;
    events::record(tx.ex(), EventKind::DraftRevised, id).await?;
    for amendment in &closed {
        events::record(tx.ex(), EventKind::AmendmentDecided, *amendment).await?;
    }
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(
        draft = id,
        version,
        by = staff.id,
        amendments_closed = closed.len(),
        "draft revised by staff"
    );
    drafts::get(state, viewer, id).await
}
