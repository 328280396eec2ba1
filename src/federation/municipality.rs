//! What the municipality's own actor publishes to the servers that follow it, for other
//! cities to learn from: each theme when it opens (an `Announce` of its `Group`, which a
//! follower can follow in one step), each change of a theme's running phase (an
//! `Announce` of the theme's `Update`), and a theme's removal (a `Delete` of it, to its
//! followers, the municipality's, and the servers whose objects reference it).

use serde::Serialize;

use super::keys::KeyOwner;
use super::objects::Tombstone;
use super::wire::announce::Announce;
use super::wire::delete::Delete;
use super::wire::followers_of;
use super::{PUBLIC, Urls, delivery};
use crate::error::AppError;
use crate::services::themes::BasedOn;
use crate::state::AppState;
use crate::storage::federation as store;
use crate::storage::themes as theme_store;

/// The municipality announces `object` (a `Group`, or a theme's activity) to its followers,
/// and to `also` (an actor that must be told even if it does not follow).
pub(super) async fn announce<O: Serialize>(
    state: &AppState,
    object: O,
    also: Option<&str>,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let mut inboxes = store::follower_inboxes(conn.ex(), "instance", 0).await?;
    drop(conn);
    let mut told = None;
    if let Some(actor_id) = also {
        match super::actors::actor(state, actor_id, false).await {
            Ok(actor) => {
                let inbox = actor.delivery_inbox();
                if !inboxes.contains(&inbox) {
                    inboxes.push(inbox);
                }
                told = Some(actor_id);
            }
            Err(e) => {
                tracing::warn!(actor = actor_id, error = %e, "the origin of a method cannot be told of its use")
            }
        }
    }
    if inboxes.is_empty() {
        return Ok(());
    }
    let city = Urls::new(&state.config).instance_actor();
    let activity = Announce::by_municipality(&city, object, told);
    delivery::enqueue(state, &inboxes, &activity, KeyOwner::Instance).await?;
    Ok(())
}

/// A theme opened: its `Group` (as served at its id) goes to the municipality's followers.
pub async fn theme_opened(state: &AppState, theme_id: i64) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let theme = theme_store::find_theme(conn.ex(), theme_id).await?;
    drop(conn);
    let Some(theme) = theme.filter(|t| t.status == "open") else {
        // Closed or back to draft before it was published: nothing to announce.
        return Ok(());
    };
    let group = match super::routes::group_json(state, &theme.slug).await {
        Ok(group) => group,
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    // What followers now know of its phase: later changes are told as changes.
    let published = super::phase_watch::published_state(&group);
    let mut conn = state.db.acquire().await?;
    theme_store::set_published_state(conn.ex(), theme.id, &published).await?;
    drop(conn);
    // A theme started from another municipality's method tells that municipality, which
    // lists it where its method was used.
    let origin = theme
        .based_on
        .as_deref()
        .and_then(|json| serde_json::from_str::<BasedOn>(json).ok())
        .and_then(|b| b.actor);
    announce(state, group, origin.as_deref()).await
}

/// A theme's phase changed: its `Update` goes to the municipality's followers too.
pub async fn theme_phase_changed(
    state: &AppState,
    update: super::outbox::GroupUpdate,
) -> Result<(), AppError> {
    announce(state, update, None).await
}

/// Staff removed a theme: `Delete` of it, signed by the municipality (the theme's own key
/// is no longer served), to the theme's followers, the municipality's, and the actors of
/// objects that reference it, whose cards then say it was removed.
pub async fn theme_removed(state: &AppState, theme_id: i64) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(theme) = theme_store::find_removed_theme(conn.ex(), None, Some(theme_id)).await?
    else {
        // Restored before this was published.
        return Ok(());
    };
    let mut inboxes = store::follower_inboxes(conn.ex(), "theme", theme_id).await?;
    inboxes.extend(store::follower_inboxes(conn.ex(), "instance", 0).await?);
    drop(conn);
    let linked = crate::services::backlinks::Linked::Theme(theme_id);
    for actor_id in crate::services::backlinks::linking_actors(state, linked).await? {
        match super::actors::actor(state, &actor_id, false).await {
            Ok(actor) => inboxes.push(actor.delivery_inbox()),
            Err(e) => {
                tracing::info!(actor = %actor_id, error = %e, "a referencing server cannot be told of a removal")
            }
        }
    }
    inboxes.sort();
    inboxes.dedup();
    if inboxes.is_empty() {
        return Ok(());
    }
    let urls = Urls::new(&state.config);
    let city = urls.instance_actor();
    let theme_actor = urls.theme(&theme.slug);
    let activity = Delete::of(
        &city,
        Tombstone::of(&theme_actor, "Group"),
        vec![PUBLIC.to_string()],
        vec![followers_of(&theme_actor), followers_of(&city)],
        None,
    );
    delivery::enqueue(state, &inboxes, &activity, KeyOwner::Instance).await?;
    Ok(())
}
