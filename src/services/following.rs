//! Following other municipalities and their themes: staff follow remote actors, what those
//! actors publish is kept here, and residents support and answer it from this server (the
//! origin counts the supports and keeps the replies).

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::events::{self, EventKind};
use super::{Page, Viewer, rfc3339};
use crate::domain::parse_text;
use crate::domain::urls::Urls;
use crate::error::AppError;
use crate::markdown;
use crate::state::AppState;
use crate::storage::federation::RemoteActorRow;
use crate::storage::following::{self as store, FollowedRow, NewRemotePost, RemotePostRow};
use crate::storage::now_millis;

/// A post from a followed actor, as the federation face read it.
#[derive(Debug, Clone)]
pub struct IncomingPost {
    pub ap_id: String,
    /// Its ActivityStreams type (`Page`, `Note`, `Article`...).
    pub kind: String,
    pub name: Option<String>,
    /// The sanitised content, as kept.
    pub content: String,
    pub url: Option<String>,
    pub in_reply_to: Option<String>,
    pub author: Option<String>,
    pub published_at: i64,
}

/// The payload of `follow_ended`: what the `Undo(Follow)` names, the follow row being gone.
#[derive(Debug, Serialize, Deserialize)]
pub struct FollowEnded {
    pub follow_activity: String,
    pub actor_id: String,
    pub inbox: String,
}

/// The payload of `remote_post_supported` and `remote_post_support_withdrawn`.
#[derive(Debug, Serialize, Deserialize)]
pub struct RemoteSupport {
    pub user_id: i64,
    pub handle: String,
    /// The id of the `Like` (the one to undo, on withdrawal).
    pub like_activity: String,
}

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
            msg!("error-follow-required"),
        ));
    }
    let target = state.directory.resolve(state, &input.actor).await?;
    if super::moderation::is_blocked(state, &target.actor_id).await? {
        return Err(AppError::invalid(
            "actor",
            "blocked",
            msg!("error-blocked-actor"),
        ));
    }
    let instance = Urls::new(&state.config).instance_actor();
    let follow_id = Urls::activity_id(&instance, "follow", &super::accounts::random_token(12));
    let mut tx = state.db.begin().await?;
    let id = store::insert_follow(tx.ex(), target.id, &follow_id, staff.id, now_millis())
        .await?
        .ok_or_else(|| AppError::conflict("actor", msg!("error-already-followed")))?;
    let row = store::find_follow(tx.ex(), id)
        .await?
        .ok_or(AppError::NotFound("follow"))?;
    events::record(tx.ex(), EventKind::FollowRequested, id).await?;
    tx.commit().await?;
    state.event_signal.written();
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
    let mut tx = state.db.begin().await?;
    let row = store::find_follow(tx.ex(), id)
        .await?
        .ok_or(AppError::NotFound("follow"))?;
    store::delete_follow(tx.ex(), id).await?;
    let ended = FollowEnded {
        follow_activity: row.follow_activity.clone(),
        actor_id: row.actor_id.clone(),
        inbox: row.inbox.clone(),
    };
    events::record_with(tx.ex(), EventKind::FollowEnded, id, &ended).await?;
    tx.commit().await?;
    state.event_signal.written();
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
    let mut tx = state.db.begin().await?;
    let changed =
        store::answer_follow(tx.ex(), follow_id, actor_id, state_name, now_millis()).await?;
    if let Some(row) = changed
        && accepted
    {
        // What the actor published before the follow is fetched (again) once it holds.
        events::record(tx.ex(), EventKind::FollowAccepted, row).await?;
    }
    tx.commit().await?;
    if changed.is_some() {
        state.event_signal.written();
        tracing::info!(actor = actor_id, state = state_name, "follow answered");
    }
    Ok(changed.is_some())
}

/// Keeps a post from a followed actor, or its new version when it is already kept.
pub async fn receive_post(
    state: &AppState,
    followed: &FollowedRow,
    author: Option<&RemoteActorRow>,
    post: &IncomingPost,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let stored = store::insert_post(
        conn.ex(),
        &NewRemotePost {
            ap_id: &post.ap_id,
            followed_id: followed.id,
            author_actor_id: author.map(|a| a.id),
            kind: &post.kind,
            name: post.name.as_deref(),
            content: &post.content,
            url: post.url.as_deref(),
            in_reply_to: post.in_reply_to.as_deref(),
            published_at: post.published_at,
        },
        now_millis(),
    )
    .await?;
    drop(conn);
    match stored {
        Some(id) => {
            tracing::info!(post = id, origin = %post.ap_id, "post from a followed actor kept")
        }
        None => {
            if let Some(author) = post.author.as_deref() {
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
    post: &IncomingPost,
    actor: &str,
) -> Result<bool, AppError> {
    match is_author(state, &post.ap_id, actor).await? {
        None => Ok(false),
        Some(false) => Err(AppError::Forbidden(msg!("error-wire-not-origin"))),
        Some(true) => {
            let mut conn = state.db.acquire().await?;
            store::update_post(
                conn.ex(),
                &post.ap_id,
                post.name.as_deref(),
                &post.content,
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
        Some(false) => Err(AppError::Forbidden(msg!("error-wire-not-origin"))),
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
    let urls = Urls::new(&state.config);
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
    let mut tx = state.db.begin().await?;
    if support {
        let actor = Urls::new(&state.config).user(&user.handle);
        let like_id = Urls::activity_id(&actor, "like", &super::accounts::random_token(12));
        if store::add_support(tx.ex(), row.id, user.id, &like_id, now_millis()).await? {
            let payload = RemoteSupport {
                user_id: user.id,
                handle: user.handle.clone(),
                like_activity: like_id,
            };
            events::record_with(tx.ex(), EventKind::RemotePostSupported, row.id, &payload).await?;
        }
    } else if let Some(like_id) = store::remove_support(tx.ex(), row.id, user.id).await? {
        let payload = RemoteSupport {
            user_id: user.id,
            handle: user.handle.clone(),
            like_activity: like_id,
        };
        let kind = EventKind::RemotePostSupportWithdrawn;
        events::record_with(tx.ex(), kind, row.id, &payload).await?;
    }
    tx.commit().await?;
    state.event_signal.written();
    let mut conn = state.db.acquire().await?;
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
    let mut tx = state.db.begin().await?;
    let reply_id = store::insert_reply(tx.ex(), row.id, user.id, &body, now_millis()).await?;
    let reply = store::find_reply(tx.ex(), reply_id)
        .await?
        .ok_or(AppError::NotFound("reply"))?;
    events::record(tx.ex(), EventKind::RemotePostReplied, reply_id).await?;
    tx.commit().await?;
    state.event_signal.written();
    Ok(reply_view(&Urls::new(&state.config), &reply))
}

/// A resident's reply here, as shown under the post.
fn reply_view(urls: &Urls, reply: &store::ReplyRow) -> RemoteReplyView {
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

/// A resident's reply with the post it answers (for its `Note` at `/replies/{id}`).
pub async fn reply_with_post(
    state: &AppState,
    id: i64,
) -> Result<(store::ReplyRow, RemotePostRow), AppError> {
    let mut conn = state.db.acquire().await?;
    let reply = store::find_reply(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("reply"))?;
    let post = store::find_post(conn.ex(), reply.remote_post_id)
        .await?
        .ok_or(AppError::NotFound("reply"))?;
    Ok((reply, post))
}

/// The post a resident's reply answers, for links to it.
pub async fn reply_post_id(state: &AppState, id: i64) -> Result<i64, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::find_reply(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("reply"))?
        .remote_post_id)
}
