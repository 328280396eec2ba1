//! `Reject`: a local actor ends or refuses a `Follow` (a moderator blocked the follower or
//! its instance). The `Follow` is embedded exactly as it was received, so that the
//! follower's server finds the follow it ends.

use serde::{Deserialize, Serialize};

use super::follow::ReceivedFollow;
use super::{fresh_id, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RejectType {
    Reject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reject {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: RejectType,
    pub actor: String,
    pub object: ReceivedFollow,
    pub to: Vec<String>,
    pub published: String,
}

impl Reject {
    /// `local_actor` rejects `follow` from `follower`.
    pub fn of(local_actor: &str, follower: &str, follow: ReceivedFollow) -> Reject {
        Reject {
            id: fresh_id(local_actor, "reject"),
            kind: RejectType::Reject,
            actor: local_actor.to_string(),
            object: follow,
            to: vec![follower.to_string()],
            published: now(),
        }
    }
}
