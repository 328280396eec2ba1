//! What local events send to the fediverse: answers to follows, the theme's `Announce`s of
//! what is posted in it (FEP-1b12), and the authors' edits and deletions. Every activity
//! gets a fresh id, but for the `Create`s served again at their ids.

use serde::Serialize;
use serde_json::Value;

use super::keys::KeyOwner;
use super::objects::{PostObject, Tombstone};
use super::routes::{note, page};
use super::software::readers;
use super::wire::announce::Announce;
use super::wire::create::{Addressed, CreateOrUpdate, CreateOrUpdateType};
use super::wire::delete::Delete;
use super::wire::follow::ReceivedFollow;
use super::wire::{accept::Accept, followers_of, reject::Reject};
use super::{PUBLIC, Urls, delivery};
use crate::error::AppError;
use crate::services::comments::CommentView;
use crate::services::proposals::ProposalView;
use crate::state::AppState;
use crate::storage::{federation as store, themes as theme_store};

/// Answers a `Follow` with `Accept` or `Reject`, signed by the followed actor; the `Follow`
/// goes back as it was received.
pub async fn answer_follow(
    state: &AppState,
    owner: KeyOwner,
    local_actor: &str,
    follow: ReceivedFollow,
    follower: &str,
    inbox: &str,
    accept: bool,
) -> Result<(), AppError> {
    let inboxes = [inbox.to_string()];
    if accept {
        let activity = Accept::of(local_actor, follower, follow);
        delivery::enqueue(state, &inboxes, &activity, owner).await?;
    } else {
        let activity = Reject::of(local_actor, follower, follow);
        delivery::enqueue_to_blocked(state, inbox, &activity, owner).await?;
    }
    Ok(())
}

/// The author's `Create` of a local proposal. It happens once per proposal, so its id is
/// fixed, and it is served there (see `activities`).
pub fn proposal_create(urls: &Urls, proposal: &ProposalView) -> CreateOrUpdate<PostObject> {
    CreateOrUpdate::with_id(
        format!("{}/activities/create", urls.proposal(proposal.id)),
        CreateOrUpdateType::Create,
        page(urls, proposal).embedded(),
    )
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
    let readers = readers(state, inboxes).await?;
    let owner = KeyOwner::Theme(theme.id);
    let object = create.object.clone();
    let announce = Announce::by_group(&theme_actor, create);
    delivery::enqueue(state, &readers.activities, &announce, owner).await?;
    let announce = Announce::by_group(&theme_actor, object);
    delivery::enqueue(state, &readers.objects, &announce, owner).await?;
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
    let theme_actor = Urls::new(&state.config).theme(slug);
    let mut inner = activity.clone();
    if let Some(map) = inner.as_object_mut() {
        map.remove("@context");
        map.remove("signature");
    }
    let object = (inner.get("type").and_then(Value::as_str) == Some("Create"))
        .then(|| inner.get("object").filter(|o| o.is_object()).cloned())
        .flatten();
    let readers = readers(state, inboxes).await?;
    let owner = KeyOwner::Theme(theme_id);
    let announce = Announce::by_group(&theme_actor, inner);
    delivery::enqueue(state, &readers.activities, &announce, owner).await?;
    if let Some(object) = object {
        let announce = Announce::by_group(&theme_actor, object);
        delivery::enqueue(state, &readers.objects, &announce, owner).await?;
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
    let Some(object) = note(&urls, proposal, comment, parent_origin) else {
        return Ok(());
    };
    let mut object = object.embedded();
    let Some(theme) = theme_store::find_theme_by_slug(conn.ex(), &proposal.theme).await? else {
        return Ok(());
    };
    let inboxes = store::follower_inboxes(conn.ex(), "theme", theme.id).await?;
    drop(conn);
    let parent_author = answered_remote_author(state, proposal, comment).await?;
    if let Some(author) = &parent_author {
        mention_remote(&mut object, author);
    }
    let theme_actor = urls.theme(&proposal.theme);
    let create = CreateOrUpdate::with_id(
        format!("{}/activities/create", urls.comment(comment.id)),
        CreateOrUpdateType::Create,
        object,
    );
    if let Some(author) = parent_author {
        let inbox = [author.inbox];
        delivery::enqueue(state, &inbox, &create, KeyOwner::User(author_id)).await?;
    }
    if inboxes.is_empty() {
        return Ok(());
    }
    let readers = readers(state, inboxes).await?;
    let owner = KeyOwner::Theme(theme.id);
    let object = create.object.clone();
    let announce = Announce::by_group(&theme_actor, create);
    delivery::enqueue(state, &readers.activities, &announce, owner).await?;
    let announce = Announce::by_group(&theme_actor, object);
    delivery::enqueue(state, &readers.objects, &announce, owner).await?;
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
pub(super) fn mention_remote(
    post: &mut PostObject,
    actor: &crate::storage::federation::RemoteActorRow,
) {
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

/// Sends an author's activity (`Update` or `Delete`) about something posted in a theme to
/// the theme's followers: signed by the author for Mastodon-family software, announced by
/// the theme for group-aware software (see [`super::software`]).
pub(super) async fn author_activity_to_followers<A: Serialize>(
    state: &AppState,
    theme_slug: &str,
    author: KeyOwner,
    activity: A,
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
    let theme_actor = Urls::new(&state.config).theme(theme_slug);
    let readers = readers(state, inboxes).await?;
    delivery::enqueue(state, &readers.objects, &activity, author).await?;
    let announce = Announce::by_group(&theme_actor, activity);
    delivery::enqueue(
        state,
        &readers.activities,
        &announce,
        KeyOwner::Theme(theme.id),
    )
    .await?;
    Ok(())
}

/// The `Delete` of a post in a theme, by its author.
pub(super) fn deletion(author: &str, theme_actor: &str, object: Tombstone) -> Delete {
    Delete::of(
        author,
        object,
        vec![PUBLIC.to_string()],
        vec![theme_actor.to_string(), followers_of(theme_actor)],
        Some(theme_actor.to_string()),
    )
}

fn proposal_author(proposal: &ProposalView) -> (Option<&str>, Option<&str>) {
    if proposal.author.anonymous {
        (None, Some(proposal.author.display_name.as_str()))
    } else {
        (proposal.author.handle.as_deref(), None)
    }
}

/// An edited proposal (or one whose answer changed): `Update` of the `Page`.
pub async fn proposal_updated(state: &AppState, proposal: &ProposalView) -> Result<(), AppError> {
    if proposal.origin.is_some() {
        return Ok(());
    }
    let (handle, pseudonym) = proposal_author(proposal);
    let Some((owner, _)) = author(state, handle, pseudonym).await? else {
        return Ok(());
    };
    let urls = Urls::new(&state.config);
    let mut object = super::routes::page_document(state, &urls, proposal)
        .await?
        .embedded();
    // Followers' software shows an edit only when `updated` says when it happened.
    object.updated.get_or_insert_with(super::wire::now);
    let update = CreateOrUpdate::fresh(CreateOrUpdateType::Update, object);
    author_activity_to_followers(state, &proposal.theme, owner, update).await
}

/// A withdrawn proposal, or one hidden by moderators: `Delete` by its author. This server
/// is the proposal's origin, so it may say so for its resident.
pub async fn proposal_removed(state: &AppState, proposal: &ProposalView) -> Result<(), AppError> {
    // Only the origin speaks for a proposal from elsewhere; hiding it is a local decision.
    if proposal.origin.is_some() {
        return Ok(());
    }
    let (handle, pseudonym) = proposal_author(proposal);
    let Some((owner, author_actor)) = author(state, handle, pseudonym).await? else {
        return Ok(());
    };
    let urls = Urls::new(&state.config);
    let id = urls.proposal(proposal.id);
    let theme_actor = urls.theme(&proposal.theme);
    let delete = deletion(&author_actor, &theme_actor, Tombstone::of(&id, "Page"));
    author_activity_to_followers(state, &proposal.theme, owner, delete).await
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
    let Some((owner, author_actor)) = author(state, row.author_handle.as_deref(), None).await?
    else {
        return Ok(());
    };
    let urls = Urls::new(&state.config);
    if removed {
        let id = urls.comment(comment.id);
        let theme_actor = urls.theme(&proposal.theme);
        let delete = deletion(&author_actor, &theme_actor, Tombstone::of(&id, "Note"));
        return author_activity_to_followers(state, &proposal.theme, owner, delete).await;
    }
    let Some(object) = note(&urls, proposal, comment, None) else {
        return Ok(());
    };
    let mut object = object.embedded();
    object.updated.get_or_insert_with(super::wire::now);
    let update = CreateOrUpdate::fresh(CreateOrUpdateType::Update, object);
    author_activity_to_followers(state, &proposal.theme, owner, update).await
}

/// Something the municipality wrote in a theme (an answer, a section of results, a draft):
/// its `Create` or `Update` by the municipality's actor (an author every group software
/// accepts), announced by the theme to its followers in the form each one's software reads
/// (FEP-1b12), and sent by the municipality to `also` (accounts mentioned in it that do not
/// follow the theme).
pub async fn municipality_post_in_theme<O: Addressed + Serialize + Clone>(
    state: &AppState,
    theme_id: i64,
    theme_actor: &str,
    create: CreateOrUpdate<O>,
    also: Vec<String>,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let followers = store::follower_inboxes(conn.ex(), "theme", theme_id).await?;
    drop(conn);
    let also: Vec<String> = also
        .into_iter()
        .filter(|inbox| !followers.contains(inbox))
        .collect();
    delivery::enqueue(state, &also, &create, KeyOwner::Instance).await?;
    if followers.is_empty() {
        return Ok(());
    }
    let readers = readers(state, followers).await?;
    let owner = KeyOwner::Theme(theme_id);
    // A new object is shared by its group (Mastodon-family software shows the share); a
    // change comes from its author (they apply an `Update` only from the object's author).
    if create.kind == CreateOrUpdateType::Create {
        let announce = Announce::by_group(theme_actor, create.object.clone());
        delivery::enqueue(state, &readers.objects, &announce, owner).await?;
    } else {
        delivery::enqueue(state, &readers.objects, &create, KeyOwner::Instance).await?;
    }
    let announce = Announce::by_group(theme_actor, create);
    delivery::enqueue(state, &readers.activities, &announce, owner).await?;
    Ok(())
}

/// A changed theme (its phase, dates or status): `Update` of the `Group` to its followers.
/// Returns the `Update`, and whether what followers learn of the phase changed since they
/// were last sent the `Group` (the municipality then tells its own followers too).
pub async fn theme_updated(
    state: &AppState,
    theme_id: i64,
) -> Result<Option<(GroupUpdate, bool)>, AppError> {
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
    let update = group_update(state, &theme.slug, group, None);
    send_group(state, theme.id, &update).await?;
    // A theme that followers were never sent is announced as it opens, not as a change.
    let changed = before.is_some_and(|before| before != published);
    Ok(Some((update, changed)))
}

/// A theme's `Update` of its `Group`.
pub type GroupUpdate = CreateOrUpdate<super::objects::Actor>;

/// The theme's `Update` of its `Group` document, to its followers and to `also`.
pub fn group_update(
    state: &AppState,
    slug: &str,
    group: super::objects::Actor,
    also: Option<&str>,
) -> GroupUpdate {
    let actor = Urls::new(&state.config).theme(slug);
    let mut to = vec![PUBLIC.to_string()];
    to.extend(also.map(str::to_string));
    let followers = followers_of(&actor);
    CreateOrUpdate::by(
        &actor,
        CreateOrUpdateType::Update,
        group,
        to,
        vec![followers],
        None,
    )
}

/// Sends the theme's `Update` of its `Group` to the theme's followers.
pub async fn send_group(
    state: &AppState,
    theme_id: i64,
    update: &GroupUpdate,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let inboxes = store::follower_inboxes(conn.ex(), "theme", theme_id).await?;
    drop(conn);
    if inboxes.is_empty() {
        return Ok(());
    }
    delivery::enqueue(state, &inboxes, update, KeyOwner::Theme(theme_id)).await?;
    Ok(())
}
