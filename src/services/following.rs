//! Following other municipalities and their themes: staff follow remote actors, what those
//! actors publish is kept here, and residents support and answer it from this server (the
//! origin counts the supports and keeps the replies).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Page, Viewer, rfc3339};
use crate::domain::parse_text;
use crate::error::AppError;
use crate::federation::following as wire;
use crate::federation::objects::PostObject;
use crate::markdown;
use crate::state::AppState;
use crate::storage::federation::RemoteActorRow;
use crate::storage::following::{self as store, FollowedRow, NewRemotePost, RemotePostRow};
use crate::storage::now_millis;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowInput {
    /// `name@host` (a theme, a municipality's `city@host`...) or the actor's URL.
    #[schema(schema_with = crate::domain::schemas::actor_address)]
    pub actor: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    /// Markdown.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 10000
    )]
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowState {
    /// Sent; the other server has not answered yet.
    Pending,
    Accepted,
    Rejected,
}

impl FollowState {
    fn parse(state: &str) -> FollowState {
        match state {
            "accepted" => FollowState::Accepted,
            "rejected" => FollowState::Rejected,
            _ => FollowState::Pending,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FollowState::Pending => "pending",
            FollowState::Accepted => "accepted",
            FollowState::Rejected => "rejected",
        }
    }
}

/// An account on another server, as shown here.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemoteAccount {
    /// `user@host`, or the actor's URL when it has no user name.
    pub handle: String,
    pub display_name: String,
    /// The account's page on its server.
    pub url: String,
}

fn account(
    actor: &str,
    username: Option<&str>,
    domain: Option<&str>,
    name: Option<&str>,
    url: Option<&str>,
) -> RemoteAccount {
    let handle = match (username, domain) {
        (Some(user), Some(domain)) => format!("{user}@{domain}"),
        _ => actor.to_string(),
    };
    RemoteAccount {
        display_name: name
            .filter(|n| !n.trim().is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| handle.clone()),
        handle,
        url: url.unwrap_or(actor).to_string(),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowView {
    pub id: i64,
    /// The followed actor's id.
    pub actor: String,
    /// Group (a theme), Application or Organization (a municipality), Person...
    pub kind: String,
    pub account: RemoteAccount,
    pub state: FollowState,
    /// Why the other server refused the follow, in its own words (the start of its answer),
    /// when it refused the delivery of our `Follow`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    pub created_at: String,
}

fn follow_view(row: &FollowedRow) -> FollowView {
    FollowView {
        id: row.id,
        actor: row.actor_id.clone(),
        kind: row.kind.clone(),
        account: account(
            &row.actor_id,
            row.preferred_username.as_deref(),
            Some(&row.domain),
            row.name.as_deref(),
            row.url.as_deref(),
        ),
        state: FollowState::parse(&row.state),
        refusal: row.refusal.clone(),
        created_at: rfc3339(row.created_at),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemotePostView {
    pub id: i64,
    /// The post's id on its origin.
    pub origin: String,
    /// Where to read it on its origin.
    pub url: String,
    pub kind: String,
    pub title: String,
    /// The post's text, sanitised.
    pub content_html: String,
    /// The followed actor it came through.
    pub via: RemoteAccount,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<RemoteAccount>,
    /// Supports of residents here (the origin counts them with its own).
    pub support_count: i64,
    pub reply_count: i64,
    /// Whether the viewer supports it (absent when not signed in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported: Option<bool>,
    pub published_at: String,
    pub updated_at: String,
}

fn post_view(row: &RemotePostRow, supported: Option<bool>) -> RemotePostView {
    RemotePostView {
        id: row.id,
        origin: row.ap_id.clone(),
        url: row.url.clone().unwrap_or_else(|| row.ap_id.clone()),
        kind: row.kind.clone(),
        title: super::proposals::remote_title(row.name.as_deref(), &row.content),
        content_html: markdown::render(&row.content),
        via: account(
            &row.via_actor,
            row.via_username.as_deref(),
            Some(&row.via_domain),
            row.via_name.as_deref(),
            None,
        ),
        author: row.author_actor.as_deref().map(|actor| {
            account(
                actor,
                row.author_username.as_deref(),
                row.author_domain.as_deref(),
                row.author_name.as_deref(),
                row.author_url.as_deref(),
            )
        }),
        support_count: row.support_count,
        reply_count: row.reply_count,
        supported,
        published_at: rfc3339(row.published_at),
        updated_at: rfc3339(row.updated_at),
    }
}

/// A reply under a post from a followed actor: by a resident here, or from elsewhere.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemoteReplyView {
    /// The id of a resident's reply here (`/replies/{id}`); absent for replies from elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// A resident's handle, or `user@host` for an account elsewhere.
    pub handle: String,
    pub display_name: String,
    /// Written elsewhere rather than by a resident here.
    pub remote: bool,
    /// The reply's page: here for residents' replies, else on its origin.
    pub url: String,
    pub body_html: String,
    pub created_at: String,
    #[serde(skip)]
    created_millis: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemotePostDetail {
    #[serde(flatten)]
    pub post: RemotePostView,
    /// Oldest first.
    pub replies: Vec<RemoteReplyView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemoteSupportView {
    pub post_id: i64,
    pub supported: bool,
    pub support_count: i64,
}

/// Staff follow a remote actor: the municipality's actor sends it a `Follow`.
pub async fn follow(
    state: &AppState,
    viewer: &Viewer,
    input: FollowInput,
) -> Result<FollowView, AppError> {
    let staff = viewer.require_staff()?;
    if input.actor.trim().is_empty() {
        return Err(AppError::invalid(
            "actor",
            "required",
            "enter the address or URL to follow",
        ));
    }
    let target = wire::resolve(state, &input.actor).await?;
    if crate::federation::actors::is_blocked(state, &target.actor_id).await? {
        return Err(AppError::invalid(
            "actor",
            "blocked",
            "this actor or its server is blocked here",
        ));
    }
    let follow_id = wire::new_follow_id(state);
    let mut conn = state.db.acquire().await?;
    let id = store::insert_follow(conn.ex(), target.id, &follow_id, staff.id, now_millis())
        .await?
        .ok_or_else(|| AppError::conflict("actor", "this actor is already followed"))?;
    let row = store::find_follow(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("follow"))?;
    drop(conn);
    wire::send_follow(state, &follow_id, &target).await?;
    tracing::info!(actor = %target.actor_id, "following a remote actor");
    Ok(follow_view(&row))
}

pub async fn follows(state: &AppState, viewer: &Viewer) -> Result<Vec<FollowView>, AppError> {
    viewer.require_staff()?;
    let mut conn = state.db.acquire().await?;
    Ok(store::list_follows(conn.ex())
        .await?
        .iter()
        .map(follow_view)
        .collect())
}

/// Staff stop following: `Undo(Follow)` is sent, and what came through it is forgotten.
pub async fn unfollow(state: &AppState, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    viewer.require_staff()?;
    let mut conn = state.db.acquire().await?;
    let row = store::find_follow(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("follow"))?;
    store::delete_follow(conn.ex(), id).await?;
    drop(conn);
    super::log_federation(wire::send_unfollow(state, &row).await, "unfollow");
    tracing::info!(actor = %row.actor_id, "stopped following a remote actor");
    Ok(())
}

/// The answer of a followed actor. Returns false when no Follow of ours to it has this id.
pub async fn follow_answered(
    state: &AppState,
    follow_id: &str,
    actor_id: &str,
    accepted: bool,
) -> Result<bool, AppError> {
    let state_name = if accepted { "accepted" } else { "rejected" };
    let mut conn = state.db.acquire().await?;
    let changed =
        store::answer_follow(conn.ex(), follow_id, actor_id, state_name, now_millis()).await?;
    if changed {
        tracing::info!(actor = actor_id, state = state_name, "follow answered");
    }
    Ok(changed)
}

/// Keeps a post from a followed actor, or its new version when it is already kept.
pub async fn receive_post(
    state: &AppState,
    followed: &FollowedRow,
    author: Option<&RemoteActorRow>,
    post: &PostObject,
) -> Result<(), AppError> {
    let content = post.kept_content();
    let published = post.published_millis();
    let mut conn = state.db.acquire().await?;
    let stored = store::insert_post(
        conn.ex(),
        &NewRemotePost {
            ap_id: &post.id,
            followed_id: followed.id,
            author_actor_id: author.map(|a| a.id),
            kind: &post.kind,
            name: post.name.as_deref(),
            content: &content,
            url: post.url.as_deref(),
            in_reply_to: post.in_reply_to.as_deref(),
            published_at: published,
        },
        now_millis(),
    )
    .await?;
    drop(conn);
    match stored {
        Some(id) => tracing::info!(post = id, origin = %post.id, "post from a followed actor kept"),
        None => {
            if let Some(author) = post.attributed_to.as_deref() {
                post_edited(state, post, author).await?;
            }
        }
    }
    Ok(())
}

/// Whether `actor` is the author recorded for a kept post (`None`: no such post).
async fn is_author(state: &AppState, ap_id: &str, actor: &str) -> Result<Option<bool>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::post_origin(conn.ex(), ap_id)
        .await?
        .map(|author| author.as_deref() == Some(actor)))
}

/// A new version of a kept post, from its author. Returns false when no such post is kept.
pub async fn post_edited(
    state: &AppState,
    post: &PostObject,
    actor: &str,
) -> Result<bool, AppError> {
    match is_author(state, &post.id, actor).await? {
        None => Ok(false),
        Some(false) => Err(AppError::Forbidden(
            "only the origin may change this object".into(),
        )),
        Some(true) => {
            let content = post.kept_content();
            let mut conn = state.db.acquire().await?;
            store::update_post(
                conn.ex(),
                &post.id,
                post.name.as_deref(),
                &content,
                now_millis(),
            )
            .await?;
            Ok(true)
        }
    }
}

/// A kept post deleted by its author. Returns false when no such post is kept.
pub async fn post_deleted(state: &AppState, ap_id: &str, actor: &str) -> Result<bool, AppError> {
    match is_author(state, ap_id, actor).await? {
        None => Ok(false),
        Some(false) => Err(AppError::Forbidden(
            "only the origin may delete this object".into(),
        )),
        Some(true) => {
            let mut conn = state.db.acquire().await?;
            store::delete_post(conn.ex(), ap_id, now_millis()).await?;
            tracing::info!(origin = ap_id, "post deleted by its origin");
            Ok(true)
        }
    }
}

/// The newest posts from followed actors (replies are shown under their post).
pub async fn posts(
    state: &AppState,
    viewer: &Viewer,
    page: Page,
) -> Result<(Vec<RemotePostView>, bool), AppError> {
    let mut conn = state.db.acquire().await?;
    let mut rows = store::list_posts(conn.ex(), page.probe_limit(), page.offset()).await?;
    let more = rows.len() as i64 > i64::from(page.per_page);
    rows.truncate(page.per_page as usize);
    let mut views = Vec::with_capacity(rows.len());
    for row in &rows {
        let supported = match viewer.id() {
            Some(uid) => Some(store::supports(conn.ex(), row.id, uid).await?),
            None => None,
        };
        views.push(post_view(row, supported));
    }
    Ok((views, more))
}

async fn find(state: &AppState, id: i64) -> Result<RemotePostRow, AppError> {
    let mut conn = state.db.acquire().await?;
    store::find_post(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("post"))
}

/// One post from a followed actor with its replies, here and from elsewhere.
pub async fn post(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<RemotePostDetail, AppError> {
    let row = find(state, id).await?;
    let urls = crate::federation::Urls::new(&state.config);
    let mut conn = state.db.acquire().await?;
    let supported = match viewer.id() {
        Some(uid) => Some(store::supports(conn.ex(), row.id, uid).await?),
        None => None,
    };
    let mut replies: Vec<RemoteReplyView> = store::replies_here(conn.ex(), row.id)
        .await?
        .iter()
        .map(|r| reply_view(&urls, r))
        .collect();
    for other in store::replies_from_elsewhere(conn.ex(), &row.ap_id).await? {
        let author = post_view(&other, None)
            .author
            .unwrap_or_else(|| account(&other.ap_id, None, None, None, None));
        replies.push(RemoteReplyView {
            id: None,
            handle: author.handle,
            display_name: author.display_name,
            remote: true,
            url: other.url.clone().unwrap_or_else(|| other.ap_id.clone()),
            body_html: markdown::render(&other.content),
            created_at: rfc3339(other.published_at),
            created_millis: other.published_at,
        });
    }
    replies.sort_by_key(|r| r.created_millis);
    Ok(RemotePostDetail {
        post: post_view(&row, supported),
        replies,
    })
}

/// A resident supports (`true`) a post from a followed actor, or withdraws the support.
pub async fn set_support(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    support: bool,
) -> Result<RemoteSupportView, AppError> {
    let user = viewer.user()?;
    let row = find(state, id).await?;
    let mut conn = state.db.acquire().await?;
    if support {
        let like = wire::like_activity(state, &user.handle, &row);
        let like_id = like["id"].as_str().unwrap_or_default().to_string();
        if store::add_support(conn.ex(), row.id, user.id, &like_id, now_millis()).await? {
            drop(conn);
            wire::send_like(state, user.id, &row, &like).await?;
            conn = state.db.acquire().await?;
        }
    } else if let Some(like_id) = store::remove_support(conn.ex(), row.id, user.id).await? {
        drop(conn);
        wire::send_undo_like(state, user.id, &user.handle, &row, &like_id).await?;
        conn = state.db.acquire().await?;
    }
    let updated = store::find_post(conn.ex(), row.id)
        .await?
        .ok_or(AppError::NotFound("post"))?;
    Ok(RemoteSupportView {
        post_id: row.id,
        supported: support,
        support_count: updated.support_count,
    })
}

/// A resident answers a post from a followed actor: kept here, delivered to the origin.
pub async fn reply(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: ReplyInput,
) -> Result<RemoteReplyView, AppError> {
    let user = viewer.user()?;
    let body = parse_text(&input.body, 1, 10_000, true)
        .map_err(|e| AppError::Validation(vec![e.at("body")]))?;
    let row = find(state, id).await?;
    let now = now_millis();
    let mut conn = state.db.acquire().await?;
    let reply_id = store::insert_reply(conn.ex(), row.id, user.id, &body, now).await?;
    let reply = store::find_reply(conn.ex(), reply_id)
        .await?
        .ok_or(AppError::NotFound("reply"))?;
    drop(conn);
    let published = rfc3339(now);
    super::log_federation(
        wire::send_reply(state, &reply, &row, &published).await,
        "reply to a followed post",
    );
    Ok(reply_view(
        &crate::federation::Urls::new(&state.config),
        &reply,
    ))
}

/// A resident's reply here, as shown under the post.
fn reply_view(urls: &crate::federation::Urls, reply: &store::ReplyRow) -> RemoteReplyView {
    RemoteReplyView {
        id: Some(reply.id),
        handle: reply.handle.clone(),
        display_name: if reply.display_name.trim().is_empty() {
            reply.handle.clone()
        } else {
            reply.display_name.clone()
        },
        remote: false,
        url: urls.reply(reply.id),
        body_html: markdown::render(&reply.body),
        created_at: rfc3339(reply.created_at),
        created_millis: reply.created_at,
    }
}

/// A resident's reply as its ActivityStreams `Note` (for `/replies/{id}`).
pub async fn reply_note(state: &AppState, id: i64) -> Result<PostObject, AppError> {
    let mut conn = state.db.acquire().await?;
    let reply = store::find_reply(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("reply"))?;
    let post = store::find_post(conn.ex(), reply.remote_post_id)
        .await?
        .ok_or(AppError::NotFound("reply"))?;
    let urls = crate::federation::Urls::new(&state.config);
    Ok(wire::reply_note(
        &urls,
        &reply,
        &post,
        &rfc3339(reply.created_at),
    ))
}

/// The post a resident's reply answers, for links to it.
pub async fn reply_post_id(state: &AppState, id: i64) -> Result<i64, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::find_reply(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("reply"))?
        .remote_post_id)
}
