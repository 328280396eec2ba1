//! `Accept`: a local actor (a theme or the municipality) takes a `Follow`. The `Follow` is
//! embedded exactly as it was received.

use serde::{Deserialize, Serialize};

use super::follow::ReceivedFollow;
use super::{fresh_id, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AcceptType {
    Accept,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accept {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: AcceptType,
    pub actor: String,
    pub object: ReceivedFollow,
    pub to: Vec<String>,
    pub published: String,
}

impl Accept {
    /// `local_actor` accepts `follow` from `follower`.
    pub fn of(local_actor: &str, follower: &str, follow: ReceivedFollow) -> Accept {
        Accept {
            id: fresh_id(local_actor, "accept"),
            kind: AcceptType::Accept,
            actor: local_actor.to_string(),
            object: follow,
            to: vec![follower.to_string()],
            published: now(),
        }
    }
}
