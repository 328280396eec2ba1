//! References on the wire (FEP-e232): a theme's `Group` and a proposal's `Page` carry a
//! `Link` tag to each object they reference; when staff add or remove a reference, the
//! referenced object's actor is sent the new version; and a version received from another
//! instance that links to objects here is recorded as their backlinks.

use serde_json::Value;

use super::keys::KeyOwner;
use super::wire::create::{CreateOrUpdate, CreateOrUpdateType};
use super::wire::links::Link;
use super::{PUBLIC, Urls, delivery};
use crate::error::AppError;
use crate::services::backlinks::{self, LinkingObject};
use crate::services::proposals::{self, ContentStatus};
use crate::services::references::{self, Local, ReferenceChange};
use crate::state::AppState;
use crate::storage::federation::RemoteActorRow;
use crate::storage::themes as theme_store;

/// The media type FEP-e232 gives a link to an ActivityStreams object.
pub const OBJECT_LINK_MEDIA_TYPE: &str =
    "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// Whether a `Link`'s media type says it names an ActivityStreams object.
fn names_an_object(media_type: &str) -> bool {
    let media_type = media_type.to_ascii_lowercase();
    media_type.starts_with("application/activity+json")
        || (media_type.starts_with("application/ld+json")
            && media_type.contains("https://www.w3.org/ns/activitystreams"))
}

/// The object links among an object's tags (one tag or many), at most
/// [`backlinks::MAX_LINKS`].
pub fn links_in(object: &Value) -> Vec<String> {
    let tags: Vec<&Value> = match object.get("tag") {
        Some(Value::Array(all)) => all.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    tags.into_iter()
        .filter(|tag| tag.get("type").and_then(Value::as_str) == Some("Link"))
        .filter(|tag| {
            tag.get("mediaType")
                .and_then(Value::as_str)
                .is_some_and(names_an_object)
        })
        .filter_map(|tag| tag.get("href").and_then(Value::as_str))
        .take(backlinks::MAX_LINKS)
        .map(str::to_string)
        .collect()
}

/// The `Link` tags of what a theme or proposal here references.
pub async fn reference_tags(state: &AppState, local: Local) -> Result<Vec<Value>, AppError> {
    Ok(references::live_links(state, local)
        .await?
        .into_iter()
        .map(|r| {
            super::wire::to_value(&Link::to_object(
                &r.target,
                &r.title,
                OBJECT_LINK_MEDIA_TYPE,
            ))
        })
        .collect())
}

/// An origin sent a version of its object (already checked to be its own): the objects
/// here it links to list it as referencing them.
pub async fn observed(
    state: &AppState,
    actor: &RemoteActorRow,
    object: &Value,
) -> Result<(), AppError> {
    let links = links_in(object);
    let base = Urls::new(&state.config).base().to_string();
    let Ok(snapshot) = super::references::read(object) else {
        return Ok(());
    };
    let links_here = links.iter().any(|l| l.starts_with(&base));
    if !links_here && !backlinks::knows_source(state, &snapshot.id).await? {
        return Ok(());
    }
    let municipality = if links_here {
        super::software::municipality(state, &snapshot.id).await.0
    } else {
        None
    };
    let linking = LinkingObject {
        id: snapshot.id,
        actor: actor.actor_id.clone(),
        kind: snapshot.kind,
        title: snapshot.title,
        municipality,
        url: snapshot.url,
        links,
    };
    backlinks::received(state, &linking).await?;
    Ok(())
}

/// Staff added or removed a reference: the referenced object's actor is sent the theme's
/// `Group` or the proposal's `Page` as it is now (with or without the link), by the theme.
/// A theme's followers get the new `Group` too.
pub async fn tell(state: &AppState, change: &ReferenceChange) -> Result<(), AppError> {
    let Some(actor_id) = change.actor.as_deref() else {
        return Ok(());
    };
    let inbox = match super::actors::actor(state, actor_id, false).await {
        Ok(actor) => actor.delivery_inbox(),
        Err(e) => {
            tracing::warn!(actor = actor_id, error = %e, "the referenced object's actor cannot be told");
            return Ok(());
        }
    };
    let urls = Urls::new(&state.config);
    match change.local {
        Local::Theme(id) => {
            let mut conn = state.db.acquire().await?;
            let Some(theme) = theme_store::find_theme(conn.ex(), id).await? else {
                return Ok(());
            };
            drop(conn);
            let group = match super::routes::group_json(state, &theme.slug).await {
                Ok(group) => group,
                Err(AppError::NotFound(_)) => return Ok(()),
                Err(e) => return Err(e),
            };
            let update = super::outbox::group_update(state, &theme.slug, group, Some(actor_id));
            super::outbox::send_group(state, theme.id, &update).await?;
            delivery::enqueue(state, &[inbox], &update, KeyOwner::Theme(theme.id)).await?;
        }
        Local::Proposal(id) => {
            let Some(proposal) = proposals::as_published(state, id)
                .await?
                .filter(|p| p.status == ContentStatus::Published && p.origin.is_none())
            else {
                return Ok(());
            };
            let mut conn = state.db.acquire().await?;
            let Some(theme) = theme_store::find_theme_by_slug(conn.ex(), &proposal.theme).await?
            else {
                return Ok(());
            };
            drop(conn);
            let page = super::routes::page_document(state, &urls, &proposal)
                .await?
                .embedded();
            let theme_actor = urls.theme(&theme.slug);
            let update = CreateOrUpdate::by(
                &theme_actor,
                CreateOrUpdateType::Update,
                page,
                vec![PUBLIC.to_string(), actor_id.to_string()],
                Vec::new(),
                None,
            );
            delivery::enqueue(state, &[inbox], &update, KeyOwner::Theme(theme.id)).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn object_links_are_read_from_every_shape_of_tag() {
        let ours: Value = serde_json::from_str(include_str!(
            "../../federation-spec/examples/hiroba-group-references.json"
        ))
        .expect("the example is JSON");
        assert_eq!(
            links_in(&ours),
            [
                "https://sanka.chofu.example/themes/shinchosha",
                "https://sanka.chofu.example/proposals/17"
            ]
        );
        // One tag as an object, the short media type, mixed with other tags.
        let one = json!({"tag": {"type": "Link", "mediaType": "application/activity+json",
                                  "href": "https://a.example/themes/x"}});
        assert_eq!(links_in(&one), ["https://a.example/themes/x"]);
        let mixed = json!({"tag": [
            {"type": "Hashtag", "href": "https://a.example/tags/x", "name": "#x"},
            {"type": "Mention", "href": "https://a.example/users/y", "name": "@y"},
            {"type": "Link", "href": "https://a.example/page.html"},
            {"type": "Link", "mediaType": "text/html", "href": "https://a.example/other.html"},
            {"type": "Link", "mediaType": "Application/LD+JSON; profile=\"https://www.w3.org/ns/activitystreams\"",
             "href": "https://a.example/proposals/3"}
        ]});
        assert_eq!(links_in(&mixed), ["https://a.example/proposals/3"]);
        assert!(links_in(&json!({"tag": null})).is_empty());
        assert!(links_in(&json!({})).is_empty());
        let many: Vec<Value> = (0..200)
            .map(|i| {
                json!({"type": "Link", "mediaType": "application/activity+json",
                            "href": format!("https://a.example/proposals/{i}")})
            })
            .collect();
        assert_eq!(
            links_in(&json!({ "tag": many })).len(),
            backlinks::MAX_LINKS
        );
    }
}
