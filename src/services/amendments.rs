//! Amendments (修正提案) to a draft: a resident proposes replacement text for one paragraph
//! with a reason, while the theme's phase takes amendments; others support and discuss it;
//! staff accept it (a new version of the draft with that paragraph replaced) or reject it
//! with a reason. A decision is an event: the author and supporters are told.

use crate::msg;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::comments::{AuthorFields, CommentAuthor, author};
use super::discussion::{self, DiscussionView, Topic};
use super::events::{self, EventKind};
use super::{Viewer, rfc3339};
use crate::domain::drafts::{DiffPiece, MAX_PARAGRAPH, compare};
use crate::domain::{Action, parse_text};
use crate::error::{AppError, Checker, Invalid, checker_invariant};
use crate::state::AppState;
use crate::storage::drafts::{self as store, AmendmentRow, NewAmendment};
use crate::storage::now_millis;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentInput {
    /// The paragraph's number in the current version.
    #[schema(minimum = 1)]
    pub paragraph: i32,
    /// The text that would replace the paragraph.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 5000
    )]
    pub replacement: String,
    /// Why.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 2000
    )]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `accepted` or `rejected`.
    #[schema(pattern = r"^\s*(accepted|rejected)\s*$")]
    pub decision: String,
    /// Why (required to reject).
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        max_length = 2000
    )]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentCommentInput {
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 5000
    )]
    pub body: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentView {
    pub id: i64,
    pub draft_id: i64,
    pub paragraph: i32,
    /// The version whose paragraph it would replace.
    pub base_version: i32,
    pub replacement: String,
    pub reason: String,
    pub author: Option<CommentAuthor>,
    /// `open`, `accepted` or `rejected`.
    pub status: String,
    pub decision_reason: String,
    pub decided_at: Option<String>,
    /// The version accepting it made.
    pub accepted_version: Option<i32>,
    pub support_count: i32,
    /// Whether the viewer supports it.
    pub supported: bool,
    /// The paragraph as it stood in its base version, with the proposed change marked.
    pub changes: Vec<DiffPiece>,
    pub created_at: String,
}

fn view(row: AmendmentRow, base_text: &str, supported: bool) -> AmendmentView {
    AmendmentView {
        changes: compare(base_text, &row.replacement),
        id: row.id,
        draft_id: row.draft_id,
        paragraph: row.paragraph,
        base_version: row.base_version,
        replacement: row.replacement,
        reason: row.reason,
        author: author(AuthorFields {
            handle: row.author_handle.as_ref(),
            display_name: row.author_display_name.as_ref(),
            remote_actor: None,
            remote_username: None,
            remote_domain: None,
            remote_name: None,
            remote_url: None,
        }),
        status: row.status,
        decision_reason: row.decision_reason,
        decided_at: row.decided_at.map(rfc3339),
        accepted_version: row.accepted_version,
        support_count: row.support_count,
        supported,
        created_at: rfc3339(row.created_at),
    }
}

/// The paragraphs of every version an amendment of this draft was based on.
async fn base_texts(
    state: &AppState,
    draft_id: i64,
    rows: &[AmendmentRow],
) -> Result<HashMap<i32, Vec<String>>, AppError> {
    let mut texts = HashMap::new();
    let mut conn = state.db.acquire().await?;
    for row in rows {
        if let std::collections::hash_map::Entry::Vacant(entry) = texts.entry(row.base_version) {
            entry.insert(store::paragraphs(conn.ex(), draft_id, row.base_version).await?);
        }
    }
    Ok(texts)
}

fn base_of<'a>(texts: &'a HashMap<i32, Vec<String>>, row: &AmendmentRow) -> &'a str {
    texts
        .get(&row.base_version)
        .and_then(|v| v.get(row.paragraph as usize - 1))
        .map(String::as_str)
        .unwrap_or_default()
}

/// A draft's amendments, by paragraph number.
pub(super) async fn of_draft(
    state: &AppState,
    viewer: &Viewer,
    draft_id: i64,
) -> Result<HashMap<i32, Vec<AmendmentView>>, AppError> {
    let mut conn = state.db.acquire().await?;
    let rows = store::amendments(conn.ex(), draft_id).await?;
    let supported = match viewer.id() {
        Some(user) => store::supported_by(conn.ex(), draft_id, user).await?,
        None => Vec::new(),
    };
    drop(conn);
    let texts = base_texts(state, draft_id, &rows).await?;
    let mut by_paragraph: HashMap<i32, Vec<AmendmentView>> = HashMap::new();
    for row in rows {
        let base = base_of(&texts, &row).to_string();
        let mine = supported.contains(&row.id);
        by_paragraph
            .entry(row.paragraph)
            .or_default()
            .push(view(row, &base, mine));
    }
    Ok(by_paragraph)
}

/// An amendment with its discussion, and the draft's title and theme.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentDetail {
    pub amendment: AmendmentView,
    pub draft_title: String,
    pub theme_slug: String,
    /// The paragraph's text in the current version.
    pub current_text: String,
    pub current_version: i32,
    pub open_for_amendments: bool,
    pub comments: Vec<DiscussionView>,
}

async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(AmendmentRow, store::DraftRow, super::themes::LoadedTheme), AppError> {
    let mut conn = state.db.acquire().await?;
    let row = store::find_amendment(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("amendment"))?;
    drop(conn);
    let (draft, theme) = super::drafts::load(state, viewer, row.draft_id)
        .await
        .map_err(|_| AppError::NotFound("amendment"))?;
    Ok((row, draft, theme))
}

pub async fn get(state: &AppState, viewer: &Viewer, id: i64) -> Result<AmendmentDetail, AppError> {
    let (row, draft, theme) = load(state, viewer, id).await?;
    let texts = base_texts(state, draft.id, std::slice::from_ref(&row)).await?;
    let base = base_of(&texts, &row).to_string();
    let mut conn = state.db.acquire().await?;
    let current = store::paragraphs(conn.ex(), draft.id, draft.current_version).await?;
    let supported = match viewer.id() {
        Some(user) => store::supported_by(conn.ex(), draft.id, user)
            .await?
            .contains(&id),
        None => false,
    };
    drop(conn);
    Ok(AmendmentDetail {
        current_text: current
            .get(row.paragraph as usize - 1)
            .cloned()
            .unwrap_or_default(),
        amendment: view(row, &base, supported),
        draft_title: draft.title,
        theme_slug: theme.row.slug.clone(),
        current_version: draft.current_version,
        open_for_amendments: theme
            .require(Action::Amend, state.config.municipality.today())
            .is_ok(),
        comments: discussion::of_topic(state, Topic::Amendment(id)).await?,
    })
}

/// A resident proposes replacement text for a paragraph of the current version.
pub async fn propose(
    state: &AppState,
    viewer: &Viewer,
    draft_id: i64,
    input: &AmendmentInput,
) -> Result<AmendmentDetail, AppError> {
    let user = viewer.user()?;
    let (draft, theme) = super::drafts::load(state, viewer, draft_id).await?;
    theme.require(Action::Amend, state.config.municipality.today())?;
    let mut conn = state.db.acquire().await?;
    let current = store::paragraphs(conn.ex(), draft_id, draft.current_version).await?;
    drop(conn);
    let mut check = Checker::new();
    let existing = usize::try_from(input.paragraph)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| current.get(i));
    if existing.is_none() {
        check.push(
            Invalid::new("no_such_paragraph", msg!("error-no-such-paragraph")).at("paragraph"),
        );
    }
    let replacement = check.check(
        "replacement",
        parse_text(&input.replacement, 1, MAX_PARAGRAPH, true),
    );
    if let (Some(text), Some(existing)) = (&replacement, existing)
        && text == existing
    {
        check.push(Invalid::new("unchanged", msg!("error-unchanged")).at("replacement"));
    }
    let reason = check.check("reason", parse_text(&input.reason, 1, 2000, true));
    check.finish()?;
    let (Some(replacement), Some(reason)) = (replacement, reason) else {
        return Err(checker_invariant());
    };
    let mut conn = state.db.acquire().await?;
    let id = store::insert_amendment(
        conn.ex(),
        &NewAmendment {
            draft_id,
            paragraph: input.paragraph,
            base_version: draft.current_version,
            replacement: &replacement,
            reason: &reason,
            author_id: user.id,
            now: now_millis(),
        },
    )
    .await?;
    drop(conn);
    tracing::info!(
        draft = draft_id,
        amendment = id,
        by = user.id,
        "amendment proposed"
    );
    get(state, viewer, id).await
}

/// Checks that an amendment is open and its theme takes amendments now.
async fn open_for_residents(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<AmendmentRow, AppError> {
    let (row, _, theme) = load(state, viewer, id).await?;
    theme.require(Action::Amend, state.config.municipality.today())?;
    if row.status != "open" {
        return Err(AppError::NotAllowedNow(msg!("error-amendment-decided")));
    }
    Ok(row)
}

/// A resident supports an amendment, or takes the support back.
pub async fn support(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    support: bool,
) -> Result<AmendmentDetail, AppError> {
    let user = viewer.user()?;
    open_for_residents(state, viewer, id).await?;
    let mut tx = state.db.begin().await?;
    store::set_support(tx.ex(), id, user.id, support, now_millis()).await?;
    tx.commit().await?;
    get(state, viewer, id).await
}

/// A resident comments on an amendment.
pub async fn comment(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: &AmendmentCommentInput,
) -> Result<AmendmentDetail, AppError> {
    viewer.user()?;
    open_for_residents(state, viewer, id).await?;
    discussion::add(state, viewer, Topic::Amendment(id), &input.body).await?;
    get(state, viewer, id).await
}

/// Staff accept an amendment (a new version of the draft) or reject it with a reason.
pub async fn decide(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: &DecisionInput,
) -> Result<AmendmentDetail, AppError> {
    let staff = viewer.require_staff()?;
    let (row, draft, _) = load(state, viewer, id).await?;
    let mut check = Checker::new();
    let decision = input.decision.trim();
    if !["accepted", "rejected"].contains(&decision) {
        check.push(Invalid::new("unknown_decision", msg!("error-unknown-decision")).at("decision"));
    }
    let reason = check.check("reason", parse_text(&input.reason, 0, 2000, true));
    if decision == "rejected" && reason.as_deref().is_some_and(str::is_empty) {
        check.push(Invalid::new("required", msg!("error-rejection-reason")).at("reason"));
    }
    check.finish()?;
    let reason = reason.ok_or_else(checker_invariant)?;
    if row.status != "open" {
        return Err(AppError::conflict(
            "decision",
            msg!("error-amendment-decided"),
        ));
    }
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    let accepted_version = if decision == "accepted" {
        let version = store::replace_paragraph(
            tx.ex(),
            &store::Replacement {
                draft_id: draft.id,
                from: draft.current_version,
                paragraph: row.paragraph,
                body: &row.replacement,
                amendment_id: id,
                by: staff.id,
                now,
            },
        )
        .await?
        .ok_or_else(|| AppError::conflict("decision", msg!("error-draft-changed")))?;
        Some(version)
    } else {
        None
    };
    if !store::decide(
        tx.ex(),
        id,
        decision,
        &reason,
        accepted_version,
        staff.id,
        now,
    )
    .await?
    {
        return Err(AppError::conflict(
            "decision",
            msg!("error-amendment-decided"),
        ));
    }
    if accepted_version.is_some() {
        events::record(tx.ex(), EventKind::DraftRevised, draft.id).await?;
    }
    events::record(tx.ex(), EventKind::AmendmentDecided, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(amendment = id, decision, version = ?accepted_version, by = staff.id, "amendment decided");
    get(state, viewer, id).await
}
