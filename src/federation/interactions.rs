//! What fediverse accounts do to local content: posts addressed to a theme become proposals
//! and replies become comments (and the theme announces both to its followers), `Like`s become supports counted apart, `Update` and
//! `Delete` are taken from the object's origin only, `Flag`s become reports.

use crate::msg;
use serde_json::Value;

use super::actors::{self, host_of};
use super::inbox::{Receipt, id_of};
use super::objects::PostObject;
use super::{Urls, following, outbox};
use crate::domain::Action;
use crate::error::AppError;
use crate::services::Viewer;
use crate::services::discussion::Topic;
use crate::services::events::{self, EventKind};
use crate::services::following as followed_posts;
use crate::services::proposals;
use crate::state::AppState;
use crate::storage::federation::RemoteActorRow;
use crate::storage::{comments as comment_store, federation as store, moderation, now_millis};

/// What a local URL points at.
enum LocalTarget {
    Proposal(i64),
    Comment(i64),
    Draft(i64),
    Result(i64),
}

fn local_target(urls: &Urls, url: &str) -> Option<LocalTarget> {
    let rest = url.strip_prefix(urls.base())?;
    if let Some(id) = rest
        .strip_prefix("/proposals/")
        .and_then(|r| r.parse().ok())
    {
        return Some(LocalTarget::Proposal(id));
    }
    let numbered = |prefix: &str| rest.strip_prefix(prefix).and_then(|r| r.parse().ok());
    if let Some(id) = numbered("/drafts/") {
        return Some(LocalTarget::Draft(id));
    }
    if let Some(id) = numbered("/results/") {
        return Some(LocalTarget::Result(id));
    }
    numbered("/comments/").map(LocalTarget::Comment)
}

/// The object of an activity: embedded when it shares the actor's origin, else fetched from
/// its own id (FEP-fe34).
pub(super) async fn trusted_object(
    state: &AppState,
    activity: &Value,
    actor: &str,
) -> Result<Value, AppError> {
    let object = activity.get("object").cloned().unwrap_or(Value::Null);
    let id = id_of(&object)
        .ok_or(AppError::invalid(
            "object",
            "required",
            msg!("error-wire-no-object"),
        ))?
        .to_string();
    if object.is_object() && host_of(&id) == host_of(actor) {
        return Ok(object);
    }
    let (final_url, fetched) = actors::signed_get(state, &id).await.map_err(|e| {
        tracing::info!(object = %id, error = %e, "an object could not be fetched");
        AppError::invalid(
            "object",
            "unreachable",
            msg!("error-wire-unreachable", id = id.as_str()),
        )
    })?;
    let fetched_id = fetched
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if host_of(fetched_id) != host_of(final_url.as_str()) {
        return Err(AppError::invalid(
            "object",
            "origin",
            msg!("error-wire-other-origin"),
        ));
    }
    Ok(fetched)
}

/// A `Create`: a reply to a local proposal or comment becomes a comment.
///
/// Nothing here needs the activity's receipt: every effect is stored once by the object's
/// id (a comment, a proposal, a kept post), so a `Create` that comes again changes nothing.
pub async fn create(
    state: &AppState,
    activity: &Value,
    actor: &RemoteActorRow,
) -> Result<(), AppError> {
    // Several objects in one `Create` (the votes of a multiple-choice poll): one by one.
    if let Some(items) = activity.get("object").and_then(Value::as_array) {
        for item in items.iter().filter(|item| !item.is_array()) {
            let mut one = activity.clone();
            one["object"] = item.clone();
            Box::pin(create(state, &one, actor)).await?;
        }
        return Ok(());
    }
    let object = trusted_object(state, activity, &actor.actor_id).await?;
    if super::method_object::is_method(&object) {
        return super::methods::received(state, actor, &object).await;
    }
    if let Some(question) = super::poll_votes::voted_poll(&Urls::new(&state.config), &object) {
        return super::poll_votes::received(state, actor, &object, question).await;
    }
    let post = PostObject::from_wire(object).map_err(|e| {
        AppError::invalid(
            "object",
            "unreadable",
            msg!("error-wire-unreadable", detail = format!("object.{e}")),
        )
    })?;
    if post.attributed_to.as_deref() != Some(actor.actor_id.as_str()) {
        return Err(AppError::invalid(
            "object",
            "attribution",
            msg!("error-wire-attribution"),
        ));
    }
    let urls = Urls::new(&state.config);
    let Some(reply_to) = post.in_reply_to.clone() else {
        return new_proposal(state, &urls, activity, actor, &post).await;
    };
    let (proposal_id, parent_id) = match local_target(&urls, &reply_to) {
        Some(LocalTarget::Proposal(id)) => (id, None),
        Some(LocalTarget::Draft(id)) => {
            return super::discussion::reply(state, actor, &post, Topic::Draft(id)).await;
        }
        Some(LocalTarget::Result(id)) => {
            return super::discussion::reply(state, actor, &post, Topic::Result(id)).await;
        }
        target => {
            let mut conn = state.db.acquire().await?;
            let parent = match target {
                Some(LocalTarget::Comment(id)) => comment_store::find(conn.ex(), id)
                    .await?
                    .ok_or(AppError::NotFound("comment"))?,
                _ => match comment_store::find_by_ap_id(conn.ex(), &reply_to).await? {
                    Some(parent) => parent,
                    None => {
                        drop(conn);
                        if !following::received_directly(state, actor, &post).await? {
                            tracing::info!(object = %post.id, in_reply_to = %reply_to, "ignored a reply to something not here");
                        }
                        return Ok(());
                    }
                },
            };
            (parent.proposal_id, Some(parent.id))
        }
    };
    let Some(theme) = proposals::public_theme_of(state, proposal_id).await? else {
        tracing::info!(object = %post.id, "ignored a reply under a theme that is not public");
        return Ok(());
    };
    if let Err(e) = theme.require(Action::Comment, state.config.municipality.today()) {
        tracing::info!(object = %post.id, reason = %e, "ignored a reply while the phase does not take comments");
        return Ok(());
    }
    let body = post.kept_content();
    if body.trim().is_empty() {
        return Err(AppError::invalid(
            "content",
            "required",
            msg!("error-wire-empty-reply"),
        ));
    }
    let (remote_actor_id, ap_id) = (actor.id, post.id.clone());
    let published = post.published_millis();
    // The stored comment, unique by the Note's id, is the receipt: a reply that arrives
    // twice (at two inboxes, or in a second Create) is stored and announced once.
    let stored = state
        .writes
        .write_one(move |mut ex| {
            Box::pin(async move {
                let stored = comment_store::insert_remote(
                    ex.reborrow(),
                    proposal_id,
                    parent_id,
                    remote_actor_id,
                    &ap_id,
                    &body,
                    published,
                )
                .await?;
                if let Some(id) = stored {
                    events::record_in_batch(ex, EventKind::RemoteCommentChanged, id).await?;
                }
                Ok(stored)
            })
        })
        .await?;
    match stored {
        Some(comment_id) => {
            state.event_signal.written();
            tracing::info!(comment = comment_id, from = %actor.actor_id, "reply from the fediverse stored as a comment");
            outbox::announce_received(state, theme.row.id, &theme.row.slug, activity).await?;
        }
        None => {
            tracing::info!(object = %post.id, "ignored a reply already stored or to a proposal that is no longer open");
        }
    }
    Ok(())
}

/// The slug of the local theme a post is addressed to: its `audience`, a recipient in `to`
/// or `cc`, or a `Mention` (Mastodon-family software addresses a group by mentioning it).
fn addressed_theme(urls: &Urls, post: &PostObject) -> Option<String> {
    let prefix = format!("{}/themes/", urls.base());
    let mentions = post.tag.iter().filter_map(|tag| {
        (tag.get("type").and_then(Value::as_str) == Some("Mention"))
            .then(|| tag.get("href").and_then(Value::as_str))
            .flatten()
    });
    post.audience
        .iter()
        .map(String::as_str)
        .chain(post.to.iter().map(String::as_str))
        .chain(post.cc.iter().map(String::as_str))
        .chain(mentions)
        .find_map(|url| {
            url.strip_prefix(&prefix)
                .filter(|slug| !slug.is_empty() && !slug.contains(['/', '?', '#']))
                .map(str::to_string)
        })
}

/// A post addressed to a theme that replies to nothing: a proposal, while the theme's phase
/// takes ideas; the theme then announces it to its followers.
async fn new_proposal(
    state: &AppState,
    urls: &Urls,
    activity: &Value,
    actor: &RemoteActorRow,
    post: &PostObject,
) -> Result<(), AppError> {
    let Some(slug) = addressed_theme(urls, post) else {
        if !following::received_directly(state, actor, post).await? {
            tracing::info!(object = %post.id, "ignored a post addressed to no theme here");
        }
        return Ok(());
    };
    let theme = crate::services::themes::load(state, &Viewer::default(), &slug).await?;
    let tags = post
        .tag
        .iter()
        .filter(|tag| tag.get("type").and_then(Value::as_str) == Some("Hashtag"))
        .filter_map(|tag| tag.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    let input = proposals::RemoteProposalInput {
        remote_actor_id: actor.id,
        ap_id: post.id.clone(),
        name: post.name.clone(),
        content: post.content.clone(),
        tags,
        published: post.published_millis(),
    };
    match proposals::create_from_fediverse(state, &theme, input).await {
        Ok(Some(_)) => {
            outbox::announce_received(state, theme.row.id, &theme.row.slug, activity).await?;
        }
        Ok(None) => tracing::debug!(object = %post.id, "proposal already stored"),
        // Refused aloud: the post stays visible on its server, so its author must learn
        // that the theme did not take it (the Group says so too: postingRestrictedToMods).
        Err(AppError::NotAllowedNow(why)) => {
            tracing::info!(object = %post.id, reason = %why, "refused a proposal while the phase does not take ideas");
            return Err(AppError::NotAllowedNow(why));
        }
        Err(other) => return Err(other),
    }
    Ok(())
}

/// The local proposal a vote (`Like`, `Dislike`) names, if it names one.
fn voted_proposal(state: &AppState, vote: &Value) -> Option<i64> {
    let object = vote.get("object").and_then(id_of)?;
    match local_target(&Urls::new(&state.config), object) {
        Some(LocalTarget::Proposal(id)) => Some(id),
        _ => None,
    }
}

/// A `Like` of a local proposal: a support signal, counted apart from residents'.
pub async fn like(
    state: &AppState,
    activity: &Value,
    actor: &RemoteActorRow,
    receipt: &Receipt,
) -> Result<(), AppError> {
    let Some(id) = voted_proposal(state, activity) else {
        tracing::info!(
            object = activity.get("object").and_then(id_of),
            "ignored a Like of something that is not a proposal here"
        );
        return Ok(());
    };
    let Some(theme) = proposals::public_theme_of(state, id).await? else {
        return Ok(());
    };
    if theme
        .require(Action::Support, state.config.municipality.today())
        .is_err()
    {
        tracing::info!(
            proposal = id,
            "ignored a Like while the phase does not take supports"
        );
        return Ok(());
    }
    let like_id = activity
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (like_id, remote_actor_id, now) = (like_id.to_string(), actor.id, now_millis());
    let receipt = receipt.clone();
    state
        .writes
        .write(move |mut ex| {
            Box::pin(async move {
                if !receipt.record(ex.reborrow()).await? {
                    return Ok(false);
                }
                store::add_remote_support(ex, id, remote_actor_id, &like_id, now).await
            })
        })
        .await?;
    // Remote supports count toward the threshold only where the theme says so.
    if theme.row.support_threshold.is_some()
        && theme.row.threshold_counts == "residents_and_fediverse"
    {
        crate::services::thresholds::supported(state, id).await?;
    }
    Ok(())
}

/// A `Dislike` of a local proposal withdraws that actor's support of it: Lemmy sends only
/// the new vote when a user switches from up to down. It never counts as support, and an
/// `Undo(Dislike)` restores nothing.
pub async fn dislike(
    state: &AppState,
    activity: &Value,
    actor: &RemoteActorRow,
) -> Result<(), AppError> {
    let Some(id) = voted_proposal(state, activity) else {
        tracing::info!(
            object = activity.get("object").and_then(id_of),
            "ignored a Dislike of something that is not a proposal here"
        );
        return Ok(());
    };
    let mut conn = state.db.acquire().await?;
    if store::remove_remote_support(conn.ex(), actor.id, "", Some(id)).await? {
        tracing::info!(proposal = id, from = %actor.actor_id, "a Dislike withdrew a remote support");
    }
    Ok(())
}

pub async fn undo_like(
    state: &AppState,
    like: &Value,
    actor: &RemoteActorRow,
) -> Result<(), AppError> {
    let like_id = id_of(like).unwrap_or_default();
    let proposal = voted_proposal(state, like);
    let mut conn = state.db.acquire().await?;
    store::remove_remote_support(conn.ex(), actor.id, like_id, proposal).await?;
    Ok(())
}

/// Only the origin of an object may change it (FEP-fe34): an `Update` or `Delete` of an
/// object on another server than the sender's (one of this server's, say) is refused.
fn require_same_origin(activity: &Value, actor: &RemoteActorRow) -> Result<(), AppError> {
    let object = activity.get("object").and_then(id_of).unwrap_or_default();
    if host_of(object) == host_of(&actor.actor_id) {
        return Ok(());
    }
    tracing::info!(object, actor = %actor.actor_id, "refused a change of an object from another origin");
    Err(AppError::Forbidden(msg!("error-wire-not-origin")))
}

/// An `Update` of a proposal or comment from the fediverse, taken only from its author.
pub async fn update(
    state: &AppState,
    activity: &Value,
    actor: &RemoteActorRow,
) -> Result<(), AppError> {
    require_same_origin(activity, actor)?;
    let object = trusted_object(state, activity, &actor.actor_id).await?;
    super::references::observed(state, &object).await?;
    super::backlinks::observed(state, actor, &object).await?;
    if super::method_object::is_method(&object) {
        return super::methods::received(state, actor, &object).await;
    }
    let is_post = matches!(
        object.get("type").and_then(Value::as_str),
        Some("Note" | "Page" | "Article" | "Question")
    );
    let post = match PostObject::from_wire(object) {
        Ok(post) => post,
        Err(e) if is_post => {
            return Err(AppError::invalid(
                "object",
                "unreadable",
                msg!("error-wire-unreadable", detail = format!("object.{e}")),
            ));
        }
        Err(_) => {
            tracing::info!("ignored an Update of something that is not a post");
            return Ok(());
        }
    };
    // Another actor of the same server (a theme telling what its idea now references) is
    // read for its links above, but only the author edits.
    if post
        .attributed_to
        .as_deref()
        .is_some_and(|author| author != actor.actor_id)
    {
        tracing::info!(object = %post.id, "an Update from another actor than the author: read for its links only");
        return Ok(());
    }
    let edit = proposals::RemoteChange::Edit {
        name: post.name.clone(),
        content: post.content.clone(),
    };
    if let Some(theme) =
        proposals::change_from_fediverse(state, &post.id, &actor.actor_id, edit).await?
    {
        return reannounce(state, theme, activity).await;
    }
    let mut conn = state.db.acquire().await?;
    match comment_store::find_by_ap_id(conn.ex(), &post.id).await? {
        Some(comment) if comment.remote_actor.as_deref() == Some(actor.actor_id.as_str()) => {
            let body = post.kept_content();
            comment_store::update_remote(conn.ex(), &post.id, &body, now_millis()).await?;
            events::record(conn.ex(), EventKind::RemoteCommentChanged, comment.id).await?;
            drop(conn);
            state.event_signal.written();
            reannounce_in_theme_of(state, comment.proposal_id, activity).await?;
        }
        Some(_) => {
            return Err(AppError::Forbidden(msg!("error-wire-not-origin")));
        }
        None => {
            drop(conn);
            if !followed_posts::post_edited(state, &post.incoming(), &actor.actor_id).await? {
                tracing::info!(object = %post.id, "ignored an Update of an unknown object");
            }
        }
    }
    Ok(())
}

/// The theme re-announces an accepted change from the fediverse to its followers, as it
/// announces the `Create` (FEP-1b12): followers on third servers see the edit or removal.
async fn reannounce(
    state: &AppState,
    theme: proposals::ChangedIn,
    activity: &Value,
) -> Result<(), AppError> {
    outbox::announce_received(state, theme.theme_id, &theme.theme_slug, activity).await
}

/// [`reannounce`] for a change of a comment, in the theme of its proposal.
async fn reannounce_in_theme_of(
    state: &AppState,
    proposal_id: i64,
    activity: &Value,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(proposal) = crate::storage::proposals::find(conn.ex(), proposal_id).await? else {
        return Ok(());
    };
    drop(conn);
    let theme = proposals::ChangedIn {
        theme_id: proposal.theme_id,
        theme_slug: proposal.theme_slug,
    };
    reannounce(state, theme, activity).await
}

/// A `Delete` of a proposal or comment from the fediverse, taken only from its author.
pub async fn delete(
    state: &AppState,
    activity: &Value,
    actor: &RemoteActorRow,
) -> Result<(), AppError> {
    require_same_origin(activity, actor)?;
    let object = activity
        .get("object")
        .and_then(id_of)
        .unwrap_or_default()
        .to_string();
    crate::services::references::origin_removed(state, &object).await?;
    crate::services::backlinks::source_removed(state, &object).await?;
    if crate::services::followed_themes::removed(state, &object).await? {
        return Ok(());
    }
    if crate::services::method_library::removed(state, &object, &actor.actor_id).await? {
        tracing::info!(method = %object, "a method left the library: its municipality deleted it");
        return Ok(());
    }
    let removal = proposals::RemoteChange::Delete;
    if let Some(theme) =
        proposals::change_from_fediverse(state, &object, &actor.actor_id, removal).await?
    {
        return reannounce(state, theme, activity).await;
    }
    let mut conn = state.db.acquire().await?;
    match comment_store::find_by_ap_id(conn.ex(), &object).await? {
        Some(comment) if comment.remote_actor.as_deref() == Some(actor.actor_id.as_str()) => {
            comment_store::set_deleted(conn.ex(), comment.id, now_millis()).await?;
            events::record(conn.ex(), EventKind::RemoteCommentChanged, comment.id).await?;
            state.event_signal.written();
            tracing::info!(
                comment = comment.id,
                "comment deleted by its fediverse author"
            );
            drop(conn);
            reannounce_in_theme_of(state, comment.proposal_id, activity).await?;
        }
        Some(_) => {
            return Err(AppError::Forbidden(msg!("error-wire-not-origin")));
        }
        None => {
            drop(conn);
            if crate::services::discussion::deleted_on_fediverse(state, &object, actor.id).await? {
                tracing::info!(
                    object,
                    "a reply to a draft or result was deleted by its author"
                );
            } else if !followed_posts::post_deleted(state, &object, &actor.actor_id).await? {
                tracing::info!(object, "ignored a Delete of an unknown object");
            }
        }
    }
    Ok(())
}

/// A `Flag`: each local proposal or comment it names becomes a report for moderators.
pub async fn flag(
    state: &AppState,
    activity: &Value,
    actor: &RemoteActorRow,
) -> Result<(), AppError> {
    let urls = Urls::new(&state.config);
    let objects: Vec<String> = match activity.get("object") {
        Some(Value::Array(items)) => items.iter().filter_map(id_of).map(str::to_string).collect(),
        Some(other) => id_of(other).map(str::to_string).into_iter().collect(),
        None => Vec::new(),
    };
    let reason = activity
        .get("content")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.chars().take(1_000).collect::<String>())
        .unwrap_or_else(|| format!("reported from {}", actor.domain));
    let mut conn = state.db.acquire().await?;
    for object in objects {
        let target = match local_target(&urls, &object) {
            Some(LocalTarget::Proposal(id)) => ("proposal", id),
            Some(LocalTarget::Comment(id)) => ("comment", id),
            // Staff publish drafts and results; there is nothing of a stranger's to report.
            Some(LocalTarget::Draft(_) | LocalTarget::Result(_)) | None => continue,
        };
        moderation::insert_remote_report(conn.ex(), target.0, target.1, &reason, now_millis())
            .await?;
        tracing::info!(kind = target.0, id = target.1, from = %actor.domain, "report from the fediverse");
    }
    Ok(())
}
