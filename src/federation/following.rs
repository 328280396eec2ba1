//! Following remote actors from Hiroba: the municipality's actor follows a theme or a
//! municipality on another server, stores what that actor announces, and carries residents'
//! supports (`Like`) and replies (`Note`) back to the origin, which counts and keeps them.

use crate::msg;
use serde_json::Value;

use super::actors::{self, host_of};
use super::inbox::id_of;
use super::interactions::trusted_object;
use super::keys::KeyOwner;
use super::objects::PostObject;
use super::remote_follow::{self, RemoteFollowError};
use super::wire::create::{CreateOrUpdate, CreateOrUpdateType};
use super::wire::follow::Follow;
use super::wire::like::Like;
use super::wire::undo::Undo;
use super::{PUBLIC, Urls, delivery};
use crate::error::AppError;
use crate::services::directory::{ActorDirectory, Lookup, Snapshot, SnapshotError};
use crate::services::following::{self as service, FollowEnded, RemoteSupport};
use crate::state::AppState;
use crate::storage::federation::RemoteActorRow;
use crate::storage::following::{self as store, FollowedRow, RemotePostRow};

/// The actor that a staff member typed: an actor URL, or a handle (`name@host`, with or
/// without a leading `@`) looked up by WebFinger; then fetched and stored.
pub async fn resolve(state: &AppState, typed: &str) -> Result<RemoteActorRow, AppError> {
    let typed = typed.trim();
    let actor_id = if typed.starts_with("https://") || typed.starts_with("http://") {
        url::Url::parse(typed)
            .map_err(|_| AppError::invalid("actor", "invalid_url", msg!("error-invalid-url")))?
            .to_string()
    } else {
        remote_follow::actor_of_handle(state, typed)
            .await
            .map_err(|e| match e {
                RemoteFollowError::NotAHandle => {
                    AppError::invalid("actor", "not_a_handle", msg!("error-not-a-handle"))
                }
                other => {
                    tracing::info!(error = %other, "an address to follow could not be looked up");
                    AppError::invalid("actor", "unreachable", msg!("error-unreachable"))
                }
            })?
    };
    let urls = Urls::new(&state.config);
    if host_of(&actor_id) == host_of(urls.base()) {
        return Err(AppError::invalid(
            "actor",
            "local",
            msg!("error-local-actor"),
        ));
    }
    actors::actor(state, &actor_id, true).await.map_err(|e| {
        tracing::info!(actor = %actor_id, error = %e, "the actor to follow could not be fetched");
        AppError::invalid("actor", "unreachable", msg!("error-unreachable"))
    })
}

/// Services look remote actors up through this.
pub struct Directory;

impl ActorDirectory for Directory {
    fn resolve<'a>(
        &'a self,
        state: &'a AppState,
        typed: &'a str,
    ) -> Lookup<'a, Result<RemoteActorRow, AppError>> {
        Box::pin(resolve(state, typed))
    }

    fn actor_of_handle<'a>(
        &'a self,
        state: &'a AppState,
        handle: &'a str,
    ) -> Lookup<'a, Result<String, String>> {
        Box::pin(async move {
            remote_follow::actor_of_handle(state, handle)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn snapshot<'a>(
        &'a self,
        state: &'a AppState,
        url: &'a str,
    ) -> Lookup<'a, Result<Snapshot, SnapshotError>> {
        Box::pin(super::references::fetch(state, url))
    }
}

/// Sends the municipality's `Follow` to the actor (when staff still follow it).
pub async fn send_follow(state: &AppState, follow_row_id: i64) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(target) = store::find_follow(conn.ex(), follow_row_id).await? else {
        return Ok(());
    };
    drop(conn);
    let city = Urls::new(&state.config).instance_actor();
    let follow = Follow::new(&target.follow_activity, &city, &target.actor_id);
    delivery::enqueue(
        state,
        std::slice::from_ref(&target.inbox),
        &follow,
        KeyOwner::Instance,
    )
    .await?;
    Ok(())
}

/// Sends `Undo(Follow)` for a follow that staff ended.
pub async fn send_unfollow(state: &AppState, followed: &FollowEnded) -> Result<(), AppError> {
    let city = Urls::new(&state.config).instance_actor();
    let follow = Follow::new(&followed.follow_activity, &city, &followed.actor_id);
    let activity = Undo::of(&city, follow, &followed.actor_id);
    delivery::enqueue(
        state,
        std::slice::from_ref(&followed.inbox),
        &activity,
        KeyOwner::Instance,
    )
    .await?;
    Ok(())
}

/// An `Accept` or `Reject` of the municipality's `Follow`.
pub async fn answered(
    state: &AppState,
    activity: &Value,
    actor_id: &str,
    accepted: bool,
) -> Result<(), AppError> {
    let Some(follow_id) = activity.get("object").and_then(id_of) else {
        tracing::info!("ignored an answer that names no Follow");
        return Ok(());
    };
    if !service::follow_answered(state, follow_id, actor_id, accepted).await? {
        tracing::info!(
            follow_id,
            actor_id,
            "ignored an answer to a Follow not sent from here"
        );
    }
    Ok(())
}

/// The local follow that lets `actor_id` send posts here: the actor itself is followed and
/// did not refuse.
pub(super) async fn followed(
    state: &AppState,
    actor_id: &str,
) -> Result<Option<FollowedRow>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::follow_of_actor(conn.ex(), actor_id)
        .await?
        .filter(|f| f.state != "rejected"))
}

/// Actor types: an announced actor is never kept as a post.
const ACTOR_TYPES: &[&str] = &["Person", "Group", "Organization", "Service", "Application"];

/// Activity types: an announced activity is read as embedded, never fetched by its id
/// (activity ids are often not dereferenceable); only its object is checked.
const ACTIVITY_TYPES: &[&str] = &[
    "Create", "Update", "Delete", "Like", "Dislike", "Follow", "Undo", "Add", "Remove", "Block",
    "Flag", "Accept", "Reject", "Announce",
];

/// An `Announce` from a followed actor (FEP-1b12: a group re-announces what it accepted):
/// new posts are stored, edits and deletions applied. Anything else is ignored.
pub async fn announced(
    state: &AppState,
    activity: &Value,
    announcer: &RemoteActorRow,
) -> Result<(), AppError> {
    if let Some(group) = activity
        .get("object")
        .filter(|o| o.get("type").and_then(Value::as_str) == Some("Group"))
    {
        note_use_of_method(state, group, announcer).await?;
    }
    let Some(followed) = followed(state, &announcer.actor_id).await? else {
        tracing::info!(actor = %announcer.actor_id, "ignored an Announce from an actor not followed here");
        return Ok(());
    };
    let urls = Urls::new(&state.config);
    let embedded = activity.get("object").cloned().unwrap_or(Value::Null);
    let embedded_kind = embedded.get("type").and_then(Value::as_str).unwrap_or("");
    let inner = if ACTIVITY_TYPES.contains(&embedded_kind) {
        embedded
    } else {
        if id_of(&embedded).is_some_and(|id| host_of(id) == host_of(urls.base())) {
            return Ok(());
        }
        trusted_object(state, activity, &announcer.actor_id).await?
    };
    let kind = inner.get("type").and_then(Value::as_str).unwrap_or("");
    let object_id = inner.get("object").and_then(id_of).unwrap_or_default();
    let ours = host_of(object_id) == host_of(urls.base());
    match kind {
        "Create" | "Update" if !ours => {
            let object = trusted_object(state, &inner, &announcer.actor_id).await?;
            super::references::observed(state, &object).await?;
            if object.get("type").and_then(Value::as_str) == Some("Group") {
                return keep_theme(state, &followed, announcer, &object).await;
            }
            store_post(state, &followed, object).await
        }
        // A municipality announces its theme as it opens.
        "Group" => {
            super::references::observed(state, &inner).await?;
            keep_theme(state, &followed, announcer, &inner).await
        }
        "Delete" if !ours => {
            let author = inner.get("actor").and_then(id_of).unwrap_or_default();
            remove_post(state, object_id, author, &announcer.actor_id).await
        }
        _ if ACTIVITY_TYPES.contains(&kind) => {
            tracing::debug!(kind, "ignored an announced activity of no interest here");
            Ok(())
        }
        _ => store_post(state, &followed, inner).await,
    }
}

/// A post sent straight to this server (not announced) by a followed actor, or addressed to
/// one (its `audience`): stored like an announced one. False when neither is followed.
pub async fn received_directly(
    state: &AppState,
    actor: &RemoteActorRow,
    post: &PostObject,
) -> Result<bool, AppError> {
    let mut found = followed(state, &actor.actor_id).await?;
    if found.is_none()
        && let Some(group) = post.audience.as_deref()
    {
        found = followed(state, group).await?;
    }
    let Some(followed) = found else {
        return Ok(false);
    };
    keep_post(state, &followed, post).await?;
    Ok(true)
}

/// A municipality announced a theme started from one of our methods (`hiroba:basedOn`):
/// the method lists it where it was used. The theme must be on the announcer's server.
async fn note_use_of_method(
    state: &AppState,
    group: &Value,
    announcer: &RemoteActorRow,
) -> Result<(), AppError> {
    let Some(method) = group
        .get("hiroba:basedOn")
        .and_then(|b| b.get("href").or(Some(b)))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    let Some(theme) = theme_of_group(group) else {
        return Ok(());
    };
    if host_of(&theme.ap_id) != host_of(&announcer.actor_id) {
        tracing::info!(theme = %theme.ap_id, "ignored the use of a method told of another server's theme");
        return Ok(());
    }
    crate::services::method_reuse::used_elsewhere(
        state,
        method,
        &theme.ap_id,
        &theme.name,
        &announcer.actor_id,
    )
    .await?;
    Ok(())
}

/// Keeps a theme that a followed municipality announced. It must be on the announcer's
/// server: a city speaks for its own themes only.
async fn keep_theme(
    state: &AppState,
    followed: &FollowedRow,
    announcer: &RemoteActorRow,
    group: &Value,
) -> Result<(), AppError> {
    let Some(theme) = theme_of_group(group) else {
        tracing::info!("ignored an announced Group without an id or a name");
        return Ok(());
    };
    if host_of(&theme.ap_id) != host_of(&announcer.actor_id) {
        tracing::info!(theme = %theme.ap_id, "ignored a Group announced from another server");
        return Ok(());
    }
    crate::services::followed_themes::receive_theme(state, followed, &theme).await
}

/// What a theme's `Group` says of it: its id, name, summary, page, handle, status and the
/// name of the phase running today (`hiroba:currentPhase` indexes `hiroba:phases`).
fn theme_of_group(group: &Value) -> Option<crate::services::followed_themes::IncomingTheme> {
    let text = |key: &str| group.get(key).and_then(Value::as_str).map(str::to_string);
    let ap_id = text("id")?;
    let name = text("name")
        .or_else(|| text("preferredUsername"))
        .filter(|n| !n.trim().is_empty())?;
    let url = match group.get("url") {
        Some(Value::Array(urls)) => urls.iter().find_map(|u| super::objects::id_in(u)),
        Some(one) => super::objects::id_in(one).or_else(|| one.get("href")?.as_str()),
        None => None,
    }
    .map(str::to_string);
    let handle = text("preferredUsername")
        .zip(host_of(&ap_id))
        .map(|(user, host)| format!("{user}@{host}"));
    let phase_name = group
        .get("hiroba:currentPhase")
        .and_then(Value::as_u64)
        .and_then(|i| group.get("hiroba:phases")?.get(usize::try_from(i).ok()?))
        .and_then(|phase| phase.get("name")?.as_str())
        .map(str::to_string);
    let short = |s: String| crate::domain::kept_text(&s);
    Some(crate::services::followed_themes::IncomingTheme {
        ap_id,
        name: short(crate::markdown::plain_text(&name)),
        summary: short(crate::markdown::plain_text(
            &text("summary").unwrap_or_default(),
        )),
        url,
        handle,
        status: text("hiroba:status"),
        phase_name: phase_name.map(|p| short(crate::markdown::plain_text(&p))),
    })
}

/// Stores a post (or applies a new version of one already stored). The post must share
/// its author's origin; posts of this server are not copies to keep.
async fn store_post(
    state: &AppState,
    followed: &FollowedRow,
    object: Value,
) -> Result<(), AppError> {
    let kind = object.get("type").and_then(Value::as_str).unwrap_or("");
    if ACTOR_TYPES.contains(&kind) {
        tracing::debug!(kind, "an announced actor is not a post");
        return Ok(());
    }
    match PostObject::from_wire(object) {
        Ok(post) => keep_post(state, followed, &post).await,
        Err(e) => {
            tracing::info!(error = %e, "ignored an announced object that is not a post");
            Ok(())
        }
    }
}

async fn keep_post(
    state: &AppState,
    followed: &FollowedRow,
    post: &PostObject,
) -> Result<(), AppError> {
    let urls = Urls::new(&state.config);
    if host_of(&post.id) == host_of(urls.base()) {
        return Ok(());
    }
    let Some(author_id) = post.attributed_to.as_deref() else {
        tracing::info!(object = %post.id, "ignored a post attributed to nobody");
        return Ok(());
    };
    if host_of(author_id) != host_of(&post.id) {
        return Err(AppError::invalid(
            "object",
            "origin",
            msg!("error-wire-author-origin"),
        ));
    }
    let author = match actors::actor(state, author_id, false).await {
        Ok(author) => Some(author),
        Err(e) => {
            tracing::info!(author = author_id, error = %e, "cannot fetch the author of a post");
            None
        }
    };
    service::receive_post(state, followed, author.as_ref(), &post.incoming()).await
}

/// A deletion by the post's origin. Announced from another origin than the announcer's,
/// it is believed only when the object is indeed gone there.
async fn remove_post(
    state: &AppState,
    object_id: &str,
    actor_id: &str,
    announcer: &str,
) -> Result<(), AppError> {
    if host_of(object_id) != host_of(actor_id) {
        tracing::info!(object_id, "ignored a Delete from another origin");
        return Ok(());
    }
    if host_of(object_id) != host_of(announcer) {
        match actors::signed_get(state, object_id).await {
            Err(super::client::FetchError::Status(404 | 410)) => {}
            Ok((_, object)) if object.get("type").and_then(Value::as_str) == Some("Tombstone") => {}
            _ => {
                tracing::info!(
                    object_id,
                    "ignored an announced Delete of an object that is still there"
                );
                return Ok(());
            }
        }
    }
    service::post_deleted(state, object_id, actor_id).await?;
    Ok(())
}

/// Where activities about a stored post go: its author's inbox (the origin counts supports
/// and keeps replies) and the followed actor's (a theme announces replies to its
/// followers), one copy per shared inbox.
async fn inboxes_of(state: &AppState, post: &RemotePostRow) -> Result<Vec<String>, AppError> {
    let mut inboxes = Vec::new();
    if let Some(author) = &post.author_actor {
        if let Some(inbox) = post
            .author_shared_inbox
            .clone()
            .or(post.author_inbox.clone())
        {
            inboxes.push(inbox);
        } else if let Ok(found) = actors::actor(state, author, false).await {
            inboxes.push(found.delivery_inbox());
        }
    }
    let mut conn = state.db.acquire().await?;
    if let Some(via) = store::find_follow(conn.ex(), post.followed_id).await? {
        inboxes.push(via.shared_inbox.unwrap_or(via.inbox));
    }
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

/// A resident's support of a stored post: a `Like` to the origin, addressed to it alone.
pub async fn send_like(
    state: &AppState,
    post_id: i64,
    support: &RemoteSupport,
) -> Result<(), AppError> {
    let Some(post) = find_post(state, post_id).await? else {
        return Ok(());
    };
    let actor = Urls::new(&state.config).user(&support.handle);
    let origin = post.author_actor.as_deref().unwrap_or(&post.via_actor);
    let like = Like::new(&support.like_activity, &actor, &post.ap_id, origin);
    let inboxes = inboxes_of(state, &post).await?;
    delivery::enqueue(state, &inboxes, &like, KeyOwner::User(support.user_id)).await?;
    Ok(())
}

async fn find_post(state: &AppState, id: i64) -> Result<Option<RemotePostRow>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::find_post(conn.ex(), id).await?)
}

/// Withdraws a resident's support: `Undo` of the `Like` with the id that was sent.
pub async fn send_undo_like(
    state: &AppState,
    post_id: i64,
    support: &RemoteSupport,
) -> Result<(), AppError> {
    let Some(post) = find_post(state, post_id).await? else {
        return Ok(());
    };
    let post = &post;
    let like_id = &support.like_activity;
    let user_id = support.user_id;
    let actor = Urls::new(&state.config).user(&support.handle);
    let origin = post.author_actor.as_deref().unwrap_or(&post.via_actor);
    let like = Like::new(like_id, &actor, &post.ap_id, origin);
    let activity = Undo::of(&actor, like, origin);
    let inboxes = inboxes_of(state, post).await?;
    delivery::enqueue(state, &inboxes, &activity, KeyOwner::User(user_id)).await?;
    Ok(())
}

/// A resident's reply to a stored post, as the `Note` published at `/replies/{id}`.
pub fn reply_note(
    urls: &Urls,
    reply: &store::ReplyRow,
    post: &RemotePostRow,
    published: &str,
) -> PostObject {
    let mut cc = vec![post.via_actor.clone()];
    if let Some(author) = &post.author_actor
        && author != &post.via_actor
    {
        cc.push(author.clone());
    }
    PostObject {
        context: super::objects::context(),
        id: urls.reply(reply.id),
        kind: "Note".into(),
        attributed_to: Some(urls.user(&reply.handle)),
        name: None,
        content: crate::markdown::render(&reply.body),
        media_type: Some("text/html".into()),
        source: Some(super::objects::Source {
            content: reply.body.clone(),
            media_type: "text/markdown".into(),
        }),
        in_reply_to: Some(post.ap_id.clone()),
        to: vec![PUBLIC.into()],
        cc,
        audience: Some(post.via_actor.clone()),
        thread: None,
        url: Some(urls.reply(reply.id)),
        published: Some(published.to_string()),
        updated: None,
        tag: Vec::new(),
        sensitive: Some(false),
        content_map: None,
        attachment: Vec::new(),
        support_count: None,
        anonymous: None,
        answer: None,
    }
}

/// Delivers a resident's reply: `Create` of its `Note`, signed by the resident.
pub async fn send_reply(state: &AppState, reply_id: i64) -> Result<(), AppError> {
    let (reply, post) = match service::reply_with_post(state, reply_id).await {
        Ok(found) => found,
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let (reply, post) = (&reply, &post);
    let urls = Urls::new(&state.config);
    let published = crate::services::rfc3339(reply.created_at);
    let published = published.as_str();
    let mut note = reply_note(&urls, reply, post, published).embedded();
    if let Some(author) = post.author_actor.as_deref()
        && let Ok(author) = actors::actor(state, author, false).await
    {
        super::outbox::mention_remote(&mut note, &author);
    }
    let activity = CreateOrUpdate::fresh(CreateOrUpdateType::Create, note);
    let inboxes = inboxes_of(state, post).await?;
    delivery::enqueue(state, &inboxes, &activity, KeyOwner::User(reply.user_id)).await?;
    Ok(())
}
