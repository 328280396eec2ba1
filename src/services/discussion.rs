//! Discussion of what staff put up for it: residents comment on amendments; replies from
//! the fediverse to a draft or to a section of results are kept as comments on it.

use crate::msg;
use serde::Serialize;
use utoipa::ToSchema;

use super::comments::{AuthorFields, CommentAuthor, author};
use super::{Viewer, rfc3339};
use crate::domain::parse_text;
use crate::error::AppError;
use crate::markdown;
use crate::state::AppState;
pub use crate::storage::discussion::Topic;
use crate::storage::discussion::{self as store, DiscussionRow};
use crate::storage::now_millis;

/// The longest comment (characters).
pub const MAX_COMMENT: usize = 5_000;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiscussionView {
    pub id: i64,
    pub author: Option<CommentAuthor>,
    pub body: String,
    pub body_html: String,
    /// For a reply from the fediverse: its id on its origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub created_at: String,
}

fn view(row: DiscussionRow) -> DiscussionView {
    DiscussionView {
        id: row.id,
        author: author(AuthorFields {
            handle: row.author_handle.as_ref(),
            display_name: row.author_display_name.as_ref(),
            remote_actor: row.remote_actor.as_ref(),
            remote_username: row.remote_username.as_ref(),
            remote_domain: row.remote_domain.as_ref(),
            remote_name: row.remote_name.as_ref(),
            remote_url: row.remote_url.as_ref(),
        }),
        body_html: markdown::render(&row.body),
        body: row.body,
        origin: row.ap_id,
        created_at: rfc3339(row.created_at),
    }
}

/// The comments on a topic, oldest first.
pub async fn of_topic(state: &AppState, topic: Topic) -> Result<Vec<DiscussionView>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::of_topic(conn.ex(), topic)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// A resident's comment; the caller has checked that the topic takes comments now.
pub(super) async fn add(
    state: &AppState,
    viewer: &Viewer,
    topic: Topic,
    body: &str,
) -> Result<i64, AppError> {
    let user = viewer.user()?;
    let body = parse_text(body, 1, MAX_COMMENT, true)
        .map_err(|e| AppError::Validation(vec![e.at("body")]))?;
    let mut conn = state.db.acquire().await?;
    Ok(store::insert_local(conn.ex(), topic, user.id, &body, now_millis()).await?)
}

/// A reply from the fediverse to a draft or a section of results, kept once by its id;
/// `None` when it was kept before or its topic is not public.
pub async fn from_fediverse(
    state: &AppState,
    topic: Topic,
    remote_actor_id: i64,
    ap_id: &str,
    body: &str,
    published: i64,
) -> Result<Option<i64>, AppError> {
    let theme_id = match topic {
        Topic::Draft(id) => {
            let mut conn = state.db.acquire().await?;
            crate::storage::drafts::find(conn.ex(), id)
                .await?
                .map(|d| d.theme_id)
        }
        Topic::Result(id) => {
            let mut conn = state.db.acquire().await?;
            crate::storage::results::find(conn.ex(), id)
                .await?
                .map(|r| r.theme_id)
        }
        Topic::Amendment(_) => None,
    };
    let Some(theme_id) = theme_id else {
        return Ok(None);
    };
    let theme = super::themes::load_by_id(state, theme_id).await?;
    if !theme.visible_to(&Viewer::default()) {
        return Ok(None);
    }
    let body: String = body.trim().chars().take(MAX_COMMENT).collect();
    if body.is_empty() {
        return Err(AppError::invalid(
            "content",
            "required",
            msg!("error-wire-empty-reply"),
        ));
    }
    let mut conn = state.db.acquire().await?;
    Ok(store::insert_remote(conn.ex(), topic, remote_actor_id, ap_id, &body, published).await?)
}

/// A reply its author deleted on their server; whether one was kept.
pub async fn deleted_on_fediverse(
    state: &AppState,
    ap_id: &str,
    remote_actor_id: i64,
) -> Result<bool, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::delete_remote(conn.ex(), ap_id, remote_actor_id).await?)
}
