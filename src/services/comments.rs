//! Threaded comments on proposals.

use crate::msg;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::events::{self, EventKind};
use super::proposals;
use super::{Viewer, rfc3339};
use crate::domain::{Action, parse_text};
use crate::error::AppError;
use crate::markdown;
use crate::state::AppState;
use crate::storage::comments::CommentRow;
use crate::storage::{comments as store, now_millis};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    /// Markdown.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 5000
    )]
    pub body: String,
    /// The comment this one replies to; absent for a reply to the proposal itself.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentEdit {
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 5000
    )]
    pub body: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentAuthor {
    /// A resident's handle, or `user@host` for a fediverse account.
    pub handle: String,
    pub display_name: String,
    /// Written from a fediverse account rather than by a resident here.
    pub remote: bool,
    /// The account's page on its origin, for fediverse accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Who wrote a comment, as stored: a resident's handle and name, or a remote actor's.
pub(super) struct AuthorFields<'a> {
    pub handle: Option<&'a String>,
    pub display_name: Option<&'a String>,
    pub remote_actor: Option<&'a String>,
    pub remote_username: Option<&'a String>,
    pub remote_domain: Option<&'a String>,
    pub remote_name: Option<&'a String>,
    pub remote_url: Option<&'a String>,
}

pub(super) fn author(fields: AuthorFields<'_>) -> Option<CommentAuthor> {
    if let (Some(handle), Some(name)) = (fields.handle, fields.display_name) {
        return Some(CommentAuthor {
            handle: handle.clone(),
            display_name: name.clone(),
            remote: false,
            url: None,
        });
    }
    let actor = fields.remote_actor?;
    let handle = match (fields.remote_username, fields.remote_domain) {
        (Some(user), Some(domain)) => format!("{user}@{domain}"),
        _ => actor.clone(),
    };
    Some(CommentAuthor {
        display_name: fields
            .remote_name
            .filter(|n| !n.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| handle.clone()),
        handle,
        remote: true,
        url: Some(fields.remote_url.unwrap_or(actor).clone()),
    })
}

fn author_of(row: &CommentRow) -> Option<CommentAuthor> {
    author(AuthorFields {
        handle: row.author_handle.as_ref(),
        display_name: row.author_display_name.as_ref(),
        remote_actor: row.remote_actor.as_ref(),
        remote_username: row.remote_username.as_ref(),
        remote_domain: row.remote_domain.as_ref(),
        remote_name: row.remote_name.as_ref(),
        remote_url: row.remote_url.as_ref(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentStatus {
    Published,
    Deleted,
    Hidden,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Published => "published",
            CommentStatus::Deleted => "deleted",
            CommentStatus::Hidden => "hidden",
        }
    }
}

/// A comment and its replies. Deleted and hidden comments stay in the tree as
/// placeholders, so that the replies keep their place.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub proposal_id: i64,
    pub parent_id: Option<i64>,
    pub status: CommentStatus,
    /// Absent for deleted and hidden comments (moderators see hidden ones).
    pub author: Option<CommentAuthor>,
    pub body: Option<String>,
    pub body_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_reason: Option<String>,
    pub mine: bool,
    /// For a comment from the fediverse: its id on its origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    #[schema(no_recursion)]
    pub replies: Vec<CommentView>,
}

fn view(viewer: &Viewer, row: &CommentRow) -> CommentView {
    let mine = viewer.id().is_some() && viewer.id() == row.author_id;
    let moderator = viewer.can_moderate();
    let status = if row.deleted_at.is_some() {
        CommentStatus::Deleted
    } else if row.hidden_at.is_some() {
        CommentStatus::Hidden
    } else {
        CommentStatus::Published
    };
    let show = match status {
        CommentStatus::Published => true,
        CommentStatus::Hidden => moderator || mine,
        CommentStatus::Deleted => false,
    };
    CommentView {
        id: row.id,
        proposal_id: row.proposal_id,
        parent_id: row.parent_id,
        status,
        author: if show { author_of(row) } else { None },
        body: show.then(|| row.body.clone()),
        body_html: show.then(|| markdown::render(&row.body)),
        hidden_reason: if moderator || mine {
            row.hidden_reason.clone()
        } else {
            None
        },
        mine,
        origin: row.ap_id.clone(),
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
        replies: Vec::new(),
    }
}

/// Builds the reply tree from a flat, oldest-first list.
fn build_tree(mut flat: Vec<CommentView>) -> Vec<CommentView> {
    let mut children: HashMap<Option<i64>, Vec<CommentView>> = HashMap::new();
    for comment in flat.drain(..).rev() {
        children.entry(comment.parent_id).or_default().push(comment);
    }
    fn attach(
        parent: Option<i64>,
        children: &mut HashMap<Option<i64>, Vec<CommentView>>,
    ) -> Vec<CommentView> {
        let mut list = children.remove(&parent).unwrap_or_default();
        list.reverse();
        for comment in &mut list {
            comment.replies = attach(Some(comment.id), children);
        }
        list
    }
    attach(None, &mut children)
}

pub async fn list(
    state: &AppState,
    viewer: &Viewer,
    proposal_id: i64,
) -> Result<Vec<CommentView>, AppError> {
    let (row, _) = proposals::load(state, viewer, proposal_id).await?;
    let mut conn = state.db.acquire().await?;
    let rows = store::for_proposal(conn.ex(), row.id).await?;
    Ok(build_tree(rows.iter().map(|r| view(viewer, r)).collect()))
}

/// A comment as the fediverse is told of it, with its proposal and its local author, for
/// the event log's consumers; `None` when either no longer exists.
pub async fn as_published(
    state: &AppState,
    id: i64,
) -> Result<Option<(proposals::ProposalView, CommentView, Option<i64>)>, AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(row) = store::find(conn.ex(), id).await? else {
        return Ok(None);
    };
    drop(conn);
    let Some(proposal) = proposals::as_published(state, row.proposal_id).await? else {
        return Ok(None);
    };
    Ok(Some((
        proposal,
        view(&Viewer::default(), &row),
        row.author_id,
    )))
}

pub async fn load(state: &AppState, viewer: &Viewer, id: i64) -> Result<CommentRow, AppError> {
    let mut conn = state.db.acquire().await?;
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("comment"))?;
    drop(conn);
    // The comment is visible only where its proposal is.
    proposals::load(state, viewer, row.proposal_id).await?;
    Ok(row)
}

fn parse_body(body: &str) -> Result<String, AppError> {
    parse_text(body, 1, 5_000, true).map_err(|e| AppError::Validation(vec![e.at("body")]))
}

pub async fn create(
    state: &AppState,
    viewer: &Viewer,
    proposal_id: i64,
    input: CommentInput,
) -> Result<CommentView, AppError> {
    let user = viewer.user()?;
    let (proposal, theme) = proposals::load(state, viewer, proposal_id).await?;
    if proposal.hidden_at.is_some() || proposal.withdrawn_at.is_some() {
        return Err(AppError::Conflict {
            field: None,
            message: msg!("error-comments-closed"),
        });
    }
    theme.require(Action::Comment, state.config.municipality.today())?;
    let body = parse_body(&input.body)?;
    let mut conn = state.db.acquire().await?;
    if let Some(parent_id) = input.parent_id {
        let parent = store::find(conn.ex(), parent_id).await?;
        match parent {
            Some(p)
                if p.proposal_id == proposal.id
                    && p.deleted_at.is_none()
                    && p.hidden_at.is_none() => {}
            _ => {
                return Err(AppError::invalid(
                    "parent_id",
                    "unknown_parent",
                    msg!("error-no-such-parent"),
                ));
            }
        }
    }
    drop(conn);
    let mut tx = state.db.begin().await?;
    let id = store::insert(
        tx.ex(),
        proposal.id,
        input.parent_id,
        user.id,
        &body,
        now_millis(),
    )
    .await?;
    events::record(tx.ex(), EventKind::CommentCreated, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    let mut conn = state.db.acquire().await?;
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("comment"))?;
    drop(conn);
    let comment = view(viewer, &row);
    Ok(comment)
}

pub async fn edit(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: CommentEdit,
) -> Result<CommentView, AppError> {
    let user = viewer.user()?;
    let row = load(state, viewer, id).await?;
    if row.author_id != Some(user.id) {
        return Err(AppError::Forbidden(msg!("error-comment-not-yours")));
    }
    if row.deleted_at.is_some() || row.hidden_at.is_some() {
        return Err(AppError::Conflict {
            field: None,
            message: msg!("error-comment-locked"),
        });
    }
    let (_, theme) = proposals::load(state, viewer, row.proposal_id).await?;
    theme.require(Action::Comment, state.config.municipality.today())?;
    let body = parse_body(&input.body)?;
    let mut tx = state.db.begin().await?;
    store::update_body(tx.ex(), id, &body, now_millis()).await?;
    events::record(tx.ex(), EventKind::CommentUpdated, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    let mut conn = state.db.acquire().await?;
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("comment"))?;
    drop(conn);
    Ok(view(viewer, &row))
}

pub async fn delete(state: &AppState, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    let user = viewer.user()?;
    let row = load(state, viewer, id).await?;
    if row.author_id != Some(user.id) {
        return Err(AppError::Forbidden(msg!("error-comment-not-yours")));
    }
    let mut tx = state.db.begin().await?;
    store::set_deleted(tx.ex(), id, now_millis()).await?;
    events::record(tx.ex(), EventKind::CommentRemoved, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    Ok(())
}

pub async fn set_hidden(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    hide: bool,
    reason: &str,
) -> Result<CommentView, AppError> {
    let moderator = viewer.require_moderator()?;
    let reason = proposals::parse_reason(reason)?;
    let row = load(state, viewer, id).await?;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    store::set_hidden(
        tx.ex(),
        id,
        hide.then_some((now, reason.as_str(), moderator.id)),
    )
    .await?;
    super::moderation_log::record(
        tx.ex(),
        moderator.id,
        ("comment", row.id, ""),
        if hide { "hide" } else { "restore" },
        &reason,
    )
    .await?;
    // Restored, it is published again: peers were sent a Delete when it was hidden.
    let kind = if hide {
        EventKind::CommentRemoved
    } else {
        EventKind::CommentCreated
    };
    events::record(tx.ex(), kind, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    let mut conn = state.db.acquire().await?;
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("comment"))?;
    drop(conn);
    Ok(view(viewer, &row))
}
