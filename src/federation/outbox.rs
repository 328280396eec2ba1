//! What local events send to the fediverse: answers to follows, and the theme's
//! `Announce`s of new proposals (FEP-1b12). Every activity gets a fresh id.

use serde_json::{Value, json};

use super::keys::KeyOwner;
use super::routes::{note, page};
use super::software::readers;
use super::{AS_CONTEXT, PUBLIC, Urls, delivery};
use crate::error::AppError;
use crate::services::accounts::random_token;
use crate::services::comments::CommentView;
use crate::services::proposals::ProposalView;
use crate::state::AppState;
use crate::storage::{federation as store, themes as theme_store};

/// The theme's `Announce` of an object or activity to its followers (FEP-1b12).
fn theme_announce(theme_actor: &str, inner: Value) -> Value {
    json!({
        "@context": super::objects::context(),
        "id": fresh_id(theme_actor, "announce"),
        "type": "Announce",
        "actor": theme_actor,
        "object": inner,
        "to": [PUBLIC],
        "cc": [format!("{theme_actor}/followers")],
        "audience": theme_actor,
        "published": jiff::Timestamp::now().to_string(),
    })
}

fn fresh_id(actor: &str, kind: &str) -> String {
    format!("{actor}/activities/{kind}/{}", random_token(12))
}

/// Answers a `Follow` with `Accept` or `Reject`, signed by the followed actor.
pub async fn answer_follow(
    state: &AppState,
    owner: KeyOwner,
    local_actor: &str,
    follow: &Value,
    inbox: &str,
    accept: bool,
) -> Result<(), AppError> {
    let activity = answer_activity(local_actor, follow, accept);
    delivery::enqueue(state, &[inbox.to_string()], &activity, owner).await?;
    Ok(())
}

fn answer_activity(local_actor: &str, follow: &Value, accept: bool) -> Value {
    let kind = if accept { "Accept" } else { "Reject" };
    let follower = follow.get("actor").cloned().unwrap_or(Value::Null);
    json!({
        "@context": AS_CONTEXT,
        "id": fresh_id(local_actor, &kind.to_lowercase()),
        "type": kind,
        "actor": local_actor,
        "object": follow,
        "to": [follower],
        "published": jiff::Timestamp::now().to_string(),
    })
}

/// The follows that a block ended: each followed local actor sends the blocked actor a
/// `Reject` of its follow (the only delivery a blocked actor still gets).
pub async fn reject_blocked_follower(
    state: &AppState,
    blocked: &crate::services::moderation::ActorBlocked,
) -> Result<(), AppError> {
    let urls = Urls::new(&state.config);
    for ended in &blocked.ended {
        let (owner, local_actor) = match ended.local_kind.as_str() {
            "instance" => (KeyOwner::Instance, urls.instance_actor()),
            "theme" => {
                let mut conn = state.db.acquire().await?;
                match theme_store::find_theme(conn.ex(), ended.local_id).await? {
                    Some(theme) => (KeyOwner::Theme(ended.local_id), urls.theme(&theme.slug)),
                    None => continue,
                }
            }
            _ => continue,
        };
        let follow = json!({"type": "Follow", "actor": blocked.actor, "object": local_actor});
        let activity = answer_activity(&local_actor, &follow, false);
        delivery::enqueue_farewell(state, &ended.inbox, &activity, owner).await?;
    }
    Ok(())
}

/// The author's `Create` of a local proposal. It happens once per proposal, so its id is
/// fixed, and it is served there (see `activities`).
pub fn proposal_create(urls: &Urls, proposal: &ProposalView) -> Value {
    let mut object = serde_json::to_value(page(urls, proposal)).unwrap_or_default();
    if let Some(map) = object.as_object_mut() {
        map.remove("@context");
    }
    wrap(
        &format!("{}/activities/create", urls.proposal(proposal.id)),
        "Create",
        object,
    )
}

/// An activity of a post's author about it, addressed as the post is.
pub(super) fn wrap(id: &str, kind: &str, object: Value) -> Value {
    let published = match kind {
        "Update" => object.get("updated").or_else(|| object.get("published")),
        _ => object.get("published"),
    }
    .cloned()
    .unwrap_or_else(|| json!(jiff::Timestamp::now().to_string()));
    json!({
        "id": id,
        "type": kind,
        "actor": object["attributedTo"].clone(),
        "to": object["to"].clone(),
        "cc": object["cc"].clone(),
        "audience": object["audience"].clone(),
        "published": published,
        "object": object,
    })
}

/// A new proposal reaches the theme's followers: the author's `Create` announced by the
/// theme (for group-aware software such as Lemmy), and the `Page` announced directly (for
/// Mastodon-family software).
pub async fn proposal_created(state: &AppState, proposal: &ProposalView) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(theme) = theme_store::find_theme_by_slug(conn.ex(), &proposal.theme).await? else {
        return Ok(());
    };
    let inboxes = store::follower_inboxes(conn.ex(), "theme", theme.id).await?;
    drop(conn);
    if inboxes.is_empty() {
        return Ok(());
    }
    let urls = Urls::new(&state.config);
    let theme_actor = urls.theme(&proposal.theme);
    let create = proposal_create(&urls, proposal);
    let object = create["object"].clone();
    let readers = readers(state, inboxes).await?;
    for (inner, inboxes) in [(create, &readers.activities), (object, &readers.objects)] {
        let announce = theme_announce(&theme_actor, inner);
        delivery::enqueue(state, inboxes, &announce, KeyOwner::Theme(theme.id)).await?;
    }
    Ok(())
}

/// The theme re-announces an activity it accepted from the fediverse, unchanged (FEP-1b12),
/// so that every follower sees the reply; a `Create` has its object announced too, for
/// Mastodon-family servers, which skip an `Announce` of an activity they cannot fetch. The
/// server the activity came from already has it and gets neither.
pub async fn announce_received(
    state: &AppState,
    theme_id: i64,
    slug: &str,
    activity: &Value,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let inboxes = store::follower_inboxes(conn.ex(), "theme", theme_id).await?;
    drop(conn);
    let origin = activity
        .get("actor")
        .and_then(super::objects::id_in)
        .and_then(super::actors::host_of);
    let inboxes: Vec<String> = inboxes
        .into_iter()
        .filter(|inbox| super::actors::host_of(inbox) != origin)
        .collect();
    if inboxes.is_empty() {
        return Ok(());
    }
    let urls = Urls::new(&state.config);
    let theme_actor = urls.theme(slug);
    let mut inner = activity.clone();
    if let Some(map) = inner.as_object_mut() {
        map.remove("@context");
        map.remove("signature");
    }
    let object = (inner.get("type").and_then(Value::as_str) == Some("Create"))
        .then(|| inner.get("object").filter(|o| o.is_object()).cloned())
        .flatten();
    let readers = readers(state, inboxes).await?;
    let announce = theme_announce(&theme_actor, inner);
    delivery::enqueue(
        state,
        &readers.activities,
        &announce,
        KeyOwner::Theme(theme_id),
    )
    .await?;
    if let Some(object) = object {
        let announce = theme_announce(&theme_actor, object);
        delivery::enqueue(
            state,
            &readers.objects,
            &announce,
            KeyOwner::Theme(theme_id),
        )
        .await?;
    }
    Ok(())
}

/// A resident's new comment reaches the theme's followers, announced by the theme; a reply
/// to a fediverse account's comment is also sent to that account.
pub async fn comment_created(
    state: &AppState,
    proposal: &ProposalView,
    comment: &CommentView,
    author_id: i64,
) -> Result<(), AppError> {
    let urls = Urls::new(&state.config);
    let mut conn = state.db.acquire().await?;
    let parent_row = match comment.parent_id {
        Some(parent) => crate::storage::comments::find(conn.ex(), parent).await?,
        None => None,
    };
    let parent_origin = parent_row.as_ref().and_then(|p| p.ap_id.clone());
    let Some(mut object) =
        note(&urls, proposal, comment, parent_origin).and_then(|n| serde_json::to_value(n).ok())
    else {
        return Ok(());
    };
    if let Some(map) = object.as_object_mut() {
        map.remove("@context");
    }
    let Some(theme) = theme_store::find_theme_by_slug(conn.ex(), &proposal.theme).await? else {
        return Ok(());
    };
    let inboxes = store::follower_inboxes(conn.ex(), "theme", theme.id).await?;
    drop(conn);
    let parent_author = answered_remote_author(state, proposal, comment).await?;
    if let Some(author) = &parent_author {
        mention_remote(&mut object, author);
    }
    let parent_inbox = parent_author.map(|a| (a.actor_id, a.inbox));
    let theme_actor = urls.theme(&proposal.theme);
    let followers = format!("{theme_actor}/followers");
    let mut cc = vec![json!(theme_actor), json!(followers)];
    if let Some((actor, _)) = &parent_inbox {
        cc.push(json!(actor));
    }
    let create = json!({
        "@context": super::objects::context(),
        "id": format!("{}/activities/create", urls.comment(comment.id)),
        "type": "Create",
        "actor": object["attributedTo"].clone(),
        "object": object,
        "to": [PUBLIC],
        "cc": cc,
        "audience": theme_actor,
        "published": comment.created_at,
    });
    if let Some((_, inbox)) = parent_inbox {
        delivery::enqueue(state, &[inbox], &create, KeyOwner::User(author_id)).await?;
    }
    if inboxes.is_empty() {
        return Ok(());
    }
    let mut inner_create = create.clone();
    if let Some(map) = inner_create.as_object_mut() {
        map.remove("@context");
    }
    let readers = readers(state, inboxes).await?;
    for (inner, inboxes) in [
        (inner_create, &readers.activities),
        (object, &readers.objects),
    ] {
        let announce = theme_announce(&theme_actor, inner);
        delivery::enqueue(state, inboxes, &announce, KeyOwner::Theme(theme.id)).await?;
    }
    Ok(())
}

/// The fediverse account a resident's comment answers, if any: the author of the comment
/// replied to, or of the proposal for a top-level comment on a proposal from elsewhere.
pub(super) async fn answered_remote_author(
    state: &AppState,
    proposal: &ProposalView,
    comment: &CommentView,
) -> Result<Option<crate::storage::federation::RemoteActorRow>, AppError> {
    let mut conn = state.db.acquire().await?;
    let actor = match comment.parent_id {
        Some(parent) => crate::storage::comments::find(conn.ex(), parent)
            .await?
            .and_then(|row| row.remote_actor),
        None if proposal.origin.is_some() => {
            crate::storage::proposals::find(conn.ex(), proposal.id)
                .await?
                .and_then(|row| row.remote_actor)
        }
        None => None,
    };
    Ok(match actor {
        Some(actor) => store::remote_actor(conn.ex(), &actor).await?,
        None => None,
    })
}

/// Mentions a remote actor in a post sent to it (see [`super::objects::mention`]).
pub(super) fn mention_remote(post: &mut Value, actor: &crate::storage::federation::RemoteActorRow) {
    let username = actor.preferred_username.clone().unwrap_or_else(|| {
        actor
            .actor_id
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string()
    });
    let profile = actor.url.as_deref().unwrap_or(&actor.actor_id);
    super::objects::mention(post, &actor.actor_id, &username, &actor.domain, profile);
}

/// The local actor that wrote a proposal or comment, with its key.
async fn author(
    state: &AppState,
    handle: Option<&str>,
    pseudonym: Option<&str>,
) -> Result<Option<(KeyOwner, String)>, AppError> {
    let urls = Urls::new(&state.config);
    let mut conn = state.db.acquire().await?;
    if let Some(name) = pseudonym {
        return Ok(store::find_pseudonym(conn.ex(), name)
            .await?
            .map(|(id, _, _)| (KeyOwner::Pseudonym(id), urls.pseudonym(name))));
    }
    let Some(handle) = handle else {
        return Ok(None);
    };
    Ok(store::find_user_by_handle(conn.ex(), handle)
        .await?
        .map(|(id, _, _)| (KeyOwner::User(id), urls.user(handle))))
}

/// Sends an activity of the author (`Update` or `Delete`) to the theme's followers, signed
/// by the author, for Mastodon-family software, and the theme's `Announce` of it for
/// group-aware software (see [`super::software`]).
async fn author_activity_to_followers(
    state: &AppState,
    theme_slug: &str,
    author: (KeyOwner, String),
    kind: &str,
    object: Value,
    object_id: &str,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(theme) = theme_store::find_theme_by_slug(conn.ex(), theme_slug).await? else {
        return Ok(());
    };
    let inboxes = store::follower_inboxes(conn.ex(), "theme", theme.id).await?;
    drop(conn);
    if inboxes.is_empty() {
        return Ok(());
    }
    let urls = Urls::new(&state.config);
    let theme_actor = urls.theme(theme_slug);
    let followers = format!("{theme_actor}/followers");
    let activity = json!({
        "id": fresh_id(object_id, &kind.to_lowercase()),
        "type": kind,
        "actor": author.1,
        "object": object,
        "to": [PUBLIC],
        "cc": [theme_actor.clone(), followers.clone()],
        "audience": theme_actor,
        "published": jiff::Timestamp::now().to_string(),
    });
    let readers = readers(state, inboxes).await?;
    let mut direct = activity.clone();
    direct["@context"] = super::objects::context();
    delivery::enqueue(state, &readers.objects, &direct, author.0).await?;
    let announce = theme_announce(&theme_actor, activity);
    delivery::enqueue(
        state,
        &readers.activities,
        &announce,
        KeyOwner::Theme(theme.id),
    )
    .await?;
    Ok(())
}

fn proposal_author(proposal: &ProposalView) -> (Option<&str>, Option<&str>) {
    if proposal.author.anonymous {
        (None, Some(proposal.author.display_name.as_str()))
    } else {
        (proposal.author.handle.as_deref(), None)
    }
}

/// An edited proposal: `Update` of the `Page`.
pub async fn proposal_updated(state: &AppState, proposal: &ProposalView) -> Result<(), AppError> {
    if proposal.origin.is_some() {
        return Ok(());
    }
    let (handle, pseudonym) = proposal_author(proposal);
    let Some(author) = author(state, handle, pseudonym).await? else {
        return Ok(());
    };
    let urls = Urls::new(&state.config);
    let mut object = super::routes::page_document(state, &urls, proposal).await?;
    if let Some(map) = object.as_object_mut() {
        map.remove("@context");
    }
    author_activity_to_followers(
        state,
        &proposal.theme,
        author,
        "Update",
        object,
        &urls.proposal(proposal.id),
    )
    .await
}

/// A withdrawn proposal, or one hidden by moderators: `Delete` by its author. This server
/// is the proposal's origin, so it may say so for its resident.
pub async fn proposal_removed(state: &AppState, proposal: &ProposalView) -> Result<(), AppError> {
    // Only the origin speaks for a proposal from elsewhere; hiding it is a local decision.
    if proposal.origin.is_some() {
        return Ok(());
    }
    let (handle, pseudonym) = proposal_author(proposal);
    let Some(author) = author(state, handle, pseudonym).await? else {
        return Ok(());
    };
    let urls = Urls::new(&state.config);
    let id = urls.proposal(proposal.id);
    let tombstone = json!({"id": id, "type": "Tombstone", "formerType": "Page"});
    author_activity_to_followers(state, &proposal.theme, author, "Delete", tombstone, &id).await
}

/// An edited comment (`Update`) or a deleted or hidden one (`Delete`).
pub async fn comment_changed(
    state: &AppState,
    proposal: &ProposalView,
    comment: &CommentView,
    removed: bool,
) -> Result<(), AppError> {
    if comment.origin.is_some() {
        return Ok(());
    }
    let mut conn = state.db.acquire().await?;
    let Some(row) = crate::storage::comments::find(conn.ex(), comment.id).await? else {
        return Ok(());
    };
    drop(conn);
    let Some(author) = author(state, row.author_handle.as_deref(), None).await? else {
        return Ok(());
    };
    let urls = Urls::new(&state.config);
    let id = urls.comment(comment.id);
    let object = if removed {
        json!({"id": id, "type": "Tombstone", "formerType": "Note"})
    } else {
        let mut object = serde_json::to_value(note(&urls, proposal, comment, None))
            .map_err(|e| AppError::Internal(e.into()))?;
        if let Some(map) = object.as_object_mut() {
            map.remove("@context");
        }
        object
    };
    author_activity_to_followers(
        state,
        &proposal.theme,
        author,
        if removed { "Delete" } else { "Update" },
        object,
        &id,
    )
    .await
}

/// A changed theme (its phase, dates or status): `Update` of the `Group` to its followers.
/// Returns the `Update`, and whether what followers learn of the phase changed since they
/// were last sent the `Group` (the municipality then tells its own followers too).
pub async fn theme_updated(
    state: &AppState,
    theme_id: i64,
) -> Result<Option<(Value, bool)>, AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(theme) = theme_store::find_theme(conn.ex(), theme_id).await? else {
        return Ok(None);
    };
    drop(conn);
    let Ok(group) = super::routes::group_json(state, &theme.slug).await else {
        return Ok(None);
    };
    let published = super::phase_watch::published_state(&group);
    let mut conn = state.db.acquire().await?;
    let before = theme_store::published_state(conn.ex(), theme_id).await?;
    theme_store::set_published_state(conn.ex(), theme.id, &published).await?;
    drop(conn);
    let update = group_update(state, &theme.slug, group);
    send_group(state, theme.id, &update).await?;
    // A theme that followers were never sent is announced as it opens, not as a change.
    let changed = before.is_some_and(|before| before != published);
    Ok(Some((update, changed)))
}

/// The theme's `Update` of its `Group` document.
pub fn group_update(state: &AppState, slug: &str, group: Value) -> Value {
    let actor = Urls::new(&state.config).theme(slug);
    json!({
        "@context": super::objects::context(),
        "id": fresh_id(&actor, "update"),
        "type": "Update",
        "actor": actor,
        "object": group,
        "to": [PUBLIC],
        "cc": [format!("{actor}/followers")],
        "published": jiff::Timestamp::now().to_string(),
    })
}

/// Sends the theme's `Update` of its `Group` to the theme's followers.
pub async fn send_group(state: &AppState, theme_id: i64, update: &Value) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let inboxes = store::follower_inboxes(conn.ex(), "theme", theme_id).await?;
    drop(conn);
    if inboxes.is_empty() {
        return Ok(());
    }
    delivery::enqueue(state, &inboxes, update, KeyOwner::Theme(theme_id)).await?;
    Ok(())
}
