//! `Follow`: the municipality follows a theme or municipality elsewhere; and a `Follow` that
//! a peer sent here, kept as it was received so that every later answer (`Accept`, `Reject`)
//! carries it exactly, its id first of all (GoToSocial and Lemmy refuse one without it).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::now;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FollowType {
    Follow,
}

/// A `Follow` this server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: FollowType,
    pub actor: String,
    pub object: String,
    pub to: Vec<String>,
    pub published: String,
}

impl Follow {
    /// `actor` follows `object`; `id` is kept with the follow, for its `Undo`.
    pub fn new(id: &str, actor: &str, object: &str) -> Follow {
        Follow {
            id: id.to_string(),
            kind: FollowType::Follow,
            actor: actor.to_string(),
            object: object.to_string(),
            to: vec![object.to_string()],
            published: now(),
        }
    }
}

/// The largest `Follow` kept as received; a larger one is kept as its four core properties.
const MOST_KEPT_BYTES: usize = 8 * 1024;

/// A `Follow` as a peer sent it: an object with an `id` and the type `Follow`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReceivedFollow(Value);

impl ReceivedFollow {
    /// The `Follow` of an incoming activity, without its `@context` (the answer has its
    /// own); `None` when it is not a `Follow` with an id.
    pub fn from_activity(activity: &Value) -> Option<ReceivedFollow> {
        let map = activity.as_object()?;
        map.get("id")?.as_str()?;
        let is_follow = match map.get("type")? {
            Value::String(kind) => kind == "Follow",
            Value::Array(kinds) => kinds.iter().any(|k| k.as_str() == Some("Follow")),
            _ => false,
        };
        if !is_follow {
            return None;
        }
        let mut kept = map.clone();
        kept.remove("@context");
        let follow = Value::Object(kept);
        if follow.to_string().len() <= MOST_KEPT_BYTES {
            return Some(ReceivedFollow(follow));
        }
        let core: serde_json::Map<String, Value> = ["id", "type", "actor", "object"]
            .into_iter()
            .filter_map(|key| map.get(key).map(|v| (key.to_string(), v.clone())))
            .collect();
        Some(ReceivedFollow(Value::Object(core)))
    }

    /// A `Follow` kept by this server earlier (its stored JSON).
    pub fn from_stored(stored: &str) -> Option<ReceivedFollow> {
        serde_json::from_str::<Value>(stored)
            .ok()
            .as_ref()
            .and_then(ReceivedFollow::from_activity)
    }

    /// A follow that predates keeping `Follow`s: rebuilt from who follows whom, with an id
    /// of its own under the followed actor (peers find the follow by its two actors).
    pub fn rebuilt(id: &str, follower: &str, followed: &str) -> ReceivedFollow {
        ReceivedFollow(super::to_value(&Follow {
            id: id.to_string(),
            kind: FollowType::Follow,
            actor: follower.to_string(),
            object: followed.to_string(),
            to: vec![followed.to_string()],
            published: now(),
        }))
    }

    /// The follower, as the `Follow` names it.
    pub fn actor(&self) -> Option<&str> {
        self.0.get("actor").and_then(super::super::objects::id_in)
    }

    /// The stored form.
    pub fn to_stored(&self) -> String {
        self.0.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_received_follow_is_kept_whole_without_its_context() {
        let received = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": "https://gts.example/users/a/follow/01J",
            "type": "Follow",
            "actor": "https://gts.example/users/a",
            "object": "https://city.example/themes/parks",
            "to": "https://city.example/themes/parks"
        });
        let kept = ReceivedFollow::from_activity(&received).unwrap();
        let mut expected = received.clone();
        expected.as_object_mut().unwrap().remove("@context");
        assert_eq!(super::super::to_value(&kept), expected);
        assert_eq!(ReceivedFollow::from_stored(&kept.to_stored()), Some(kept));
    }

    #[test]
    fn only_a_follow_with_an_id_is_kept() {
        assert!(ReceivedFollow::from_activity(&json!({"type": "Follow", "actor": "a"})).is_none());
        assert!(ReceivedFollow::from_activity(&json!({"id": "x", "type": "Like"})).is_none());
    }

    #[test]
    fn an_oversized_follow_keeps_its_core() {
        let received = json!({
            "id": "https://gts.example/follow/1", "type": "Follow",
            "actor": "https://gts.example/users/a", "object": "https://city.example/actor",
            "padding": "x".repeat(20_000)
        });
        let kept = super::super::to_value(&ReceivedFollow::from_activity(&received).unwrap());
        assert_eq!(kept.as_object().unwrap().len(), 4);
        assert_eq!(kept["id"], "https://gts.example/follow/1");
    }
}
