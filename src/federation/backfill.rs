//! What a followed actor published before the follow: when staff follow another
//! municipality or one of its themes, and again when the follow is accepted, its outbox is
//! read (the collection's own items, then its pages) and each item goes the way a delivered
//! activity does, with the same checks: a municipality's open themes and methods fill the
//! directory and the methods library, a theme's ideas the posts from other municipalities.
//! Reading is bounded in pages, items and time, and reading again changes nothing.

use std::time::Duration;

use serde_json::Value;

use super::actors::{self, host_of};
use super::inbox::id_of;
use crate::error::AppError;
use crate::services::events::{Event, EventConsumer, EventKind, Progress};
use crate::state::AppState;
use crate::storage::federation::RemoteActorRow;
use crate::storage::following as store;

/// The most pages of an outbox read at a follow (the collection counts as one).
pub const MOST_PAGES: usize = 5;
/// The most items taken from them.
pub const MOST_ITEMS: usize = 200;
/// How long one backfill may take.
const MOST_TIME: Duration = Duration::from_secs(30);

/// The event consumer that backfills follows.
pub struct Backfill;

impl EventConsumer for Backfill {
    const NAME: &'static str = "federation_backfill";

    async fn handle(
        &self,
        state: &AppState,
        event: &Event,
        _progress: &Progress,
    ) -> Result<(), AppError> {
        if matches!(
            event.kind,
            EventKind::FollowRequested | EventKind::FollowAccepted
        ) {
            // A server that does not answer in time loses only the backfill, not the follow.
            match tokio::time::timeout(MOST_TIME, from_outbox(state, event.subject_id)).await {
                Ok(result) => result?,
                Err(_) => tracing::info!(
                    follow = event.subject_id,
                    "the outbox of a followed actor took too long; what it listed so far is kept"
                ),
            }
        }
        Ok(())
    }
}

/// Reads the outbox of the actor that the follow `follow_row` is of, if the follow holds.
pub async fn from_outbox(state: &AppState, follow_row: i64) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(follow) = store::find_follow(conn.ex(), follow_row).await? else {
        return Ok(());
    };
    drop(conn);
    if follow.state == "rejected" {
        return Ok(());
    }
    let actor = match actors::actor(state, &follow.actor_id, false).await {
        Ok(actor) => actor,
        Err(e) => {
            tracing::info!(actor = %follow.actor_id, error = %e, "no backfill: the followed actor cannot be read");
            return Ok(());
        }
    };
    let items = match outbox_items(state, &actor).await {
        Ok(items) => items,
        Err(why) => {
            tracing::info!(actor = %actor.actor_id, %why, "no backfill: the outbox cannot be read");
            return Ok(());
        }
    };
    let mut kept = 0;
    for item in &items {
        match item_from_outbox(state, &actor, item).await {
            Ok(()) => kept += 1,
            Err(e) => {
                tracing::info!(actor = %actor.actor_id, item = id_of(item), error = %e, "an item of an outbox was not taken")
            }
        }
    }
    tracing::info!(actor = %actor.actor_id, items = items.len(), kept, "outbox of a followed actor read");
    Ok(())
}

/// The items of an actor's outbox, newest first: those the collection lists itself, then
/// those of its pages (a first page embedded or linked, then each `next`), at most
/// [`MOST_PAGES`] documents and [`MOST_ITEMS`] items, each once. Every page must be on the
/// actor's server.
async fn outbox_items(state: &AppState, actor: &RemoteActorRow) -> Result<Vec<Value>, String> {
    let (_, document) = actors::signed_get(state, &actor.actor_id)
        .await
        .map_err(|e| e.to_string())?;
    let outbox = document
        .get("outbox")
        .and_then(id_of)
        .ok_or("the actor has no outbox")?
        .to_string();
    let listed = |page: &Value| -> Vec<Value> {
        page.get("orderedItems")
            .or_else(|| page.get("items"))
            .map(super::objects::values_of)
            .unwrap_or_default()
    };
    let mut items: Vec<Value> = Vec::new();
    let mut read: Vec<String> = Vec::new();
    let mut next = Some(outbox);
    while let Some(url) = next.take() {
        if read.len() >= MOST_PAGES
            || items.len() >= MOST_ITEMS
            || host_of(&url) != host_of(&actor.actor_id)
            || read.contains(&url)
        {
            break;
        }
        let (_, page) = actors::signed_get(state, &url)
            .await
            .map_err(|e| e.to_string())?;
        read.push(url);
        items.extend(listed(&page));
        next = page.get("next").and_then(id_of).map(str::to_string);
        if read.len() == 1
            && let Some(first) = page.get("first")
        {
            // A collection's first page, embedded (with its items) or linked.
            items.extend(listed(first));
            next = match first {
                Value::Object(_) => first.get("next").and_then(id_of).map(str::to_string),
                link => id_of(link).map(str::to_string),
            };
        }
    }
    let mut seen = std::collections::HashSet::new();
    items.retain(|item| match id_of(item) {
        Some(id) => seen.insert(id.to_string()),
        None => false,
    });
    items.truncate(MOST_ITEMS);
    Ok(items)
}

/// One item of a followed actor's outbox, as if it had been delivered: an `Announce` by
/// the actor (a theme's idea, a municipality's theme) or the actor's own `Create` (a
/// method). Anything else, or anything by another actor, is passed over.
async fn item_from_outbox(
    state: &AppState,
    actor: &RemoteActorRow,
    item: &Value,
) -> Result<(), AppError> {
    let by_actor = item.get("actor").and_then(id_of) == Some(actor.actor_id.as_str());
    if !by_actor {
        return Ok(());
    }
    match item.get("type").and_then(Value::as_str) {
        Some("Announce") => super::following::announced(state, item, actor).await,
        Some("Create" | "Update") => {
            let object = super::interactions::trusted_object(state, item, &actor.actor_id).await?;
            if super::method_object::is_method(&object) {
                super::methods::received(state, actor, &object).await
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}
