//! What a referenced object of another instance shows, read from its ActivityStreams
//! document: a theme's `Group` (its phase, status, ideas, last change), a proposal's
//! `Page`, or a method; and the hooks that keep references fresh when an origin sends an
//! `Update` or a `Delete`.

use serde_json::Value;

use super::actors::{host_of, signed_get};
use super::client::FetchError;
use crate::error::AppError;
use crate::services::directory::{Snapshot, SnapshotError};
use crate::services::references;
use crate::state::AppState;

fn text(object: &Value, key: &str) -> Option<String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .map(|s| crate::domain::kept_text(s.trim()))
        .filter(|s| !s.is_empty())
}

/// Reads a snapshot from a document (without the municipality's name).
pub fn read(object: &Value) -> Result<Snapshot, SnapshotError> {
    let kind = object.get("type").and_then(Value::as_str).unwrap_or("");
    if kind == "Tombstone" {
        return Err(SnapshotError::Removed);
    }
    let id = text(object, "id").ok_or(SnapshotError::NotActivityPub)?;
    let kind = if super::method_object::is_method(object) {
        "Method"
    } else {
        match kind {
            "Group" => "Group",
            "Page" | "Article" | "Note" | "Question" => "Page",
            _ => return Err(SnapshotError::NotActivityPub),
        }
    };
    let title = text(object, "name")
        .or_else(|| text(object, "preferredUsername"))
        .map(|t| crate::markdown::plain_text(&t))
        .ok_or(SnapshotError::NotActivityPub)?;
    let phase = object
        .get("hiroba:currentPhase")
        .and_then(Value::as_u64)
        .and_then(|i| object.get("hiroba:phases")?.get(usize::try_from(i).ok()?))
        .and_then(|phase| text(phase, "name"));
    let url = match object.get("url") {
        Some(Value::Array(urls)) => urls.iter().find_map(super::objects::id_in),
        Some(one) => super::objects::id_in(one).or_else(|| one.get("href")?.as_str()),
        None => None,
    }
    .map(str::to_string);
    let actor = if kind == "Group" {
        Some(id.clone())
    } else {
        speaker(object)
    };
    Ok(Snapshot {
        actor,
        id,
        kind: kind.to_string(),
        title,
        municipality: None,
        phase,
        status: text(object, "hiroba:status"),
        idea_count: object.get("hiroba:proposalCount").and_then(Value::as_i64),
        changed_at: text(object, "updated").or_else(|| text(object, "published")),
        url,
    })
}

/// The actor an object is attributed to (one or many, by id or embedded): a group among
/// them speaks for it, else the first.
fn speaker(object: &Value) -> Option<String> {
    let values: Vec<&Value> = match object.get("attributedTo")? {
        Value::Array(all) => all.iter().collect(),
        one => vec![one],
    };
    values
        .iter()
        .find(|v| v.get("type").and_then(Value::as_str) == Some("Group"))
        .or_else(|| values.first())
        .and_then(|v| super::objects::id_in(v))
        .map(str::to_string)
}

/// Fetches `url` (signed, size- and time-limited, no private addresses) and reads it.
pub async fn fetch(state: &AppState, url: &str) -> Result<Snapshot, SnapshotError> {
    let (final_url, document) = signed_get(state, url).await.map_err(|e| match e {
        FetchError::Refused(_) => SnapshotError::Refused,
        FetchError::Scheme(scheme) => SnapshotError::Scheme(scheme),
        FetchError::TooLarge => SnapshotError::TooLarge,
        FetchError::NotJson(_) => SnapshotError::NotActivityPub,
        FetchError::Status(410) => SnapshotError::Removed,
        FetchError::Status(status) => SnapshotError::Unreachable(Some(status)),
        FetchError::Network(why) => {
            tracing::info!(url, %why, "a referenced document could not be fetched");
            SnapshotError::Unreachable(None)
        }
    })?;
    let mut snapshot = read(&document)?;
    // A document speaks only for its own server.
    if host_of(&snapshot.id) != host_of(final_url.as_str()) {
        return Err(SnapshotError::NotActivityPub);
    }
    snapshot.municipality = super::software::municipality(state, &snapshot.id).await.0;
    Ok(snapshot)
}

/// An origin sent a new version of an object (trusted: signed by its origin): references
/// to it show that at once.
pub async fn observed(state: &AppState, object: &Value) -> Result<(), AppError> {
    if let Ok(snapshot) = read(object) {
        references::origin_updated(state, &snapshot).await?;
    }
    Ok(())
}
