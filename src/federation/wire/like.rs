//! `Like`: a resident supports a post from a followed actor; sent to the post's origin
//! only, which counts it (supports are counted where the post lives, never re-announced).

use serde::{Deserialize, Serialize};

use super::now;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LikeType {
    Like,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Like {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: LikeType,
    pub actor: String,
    pub object: String,
    pub to: Vec<String>,
    pub published: String,
}

impl Like {
    /// `actor` likes `object` (of `origin`); `id` is kept for the `Undo`.
    pub fn new(id: &str, actor: &str, object: &str, origin: &str) -> Like {
        Like {
            id: id.to_string(),
            kind: LikeType::Like,
            actor: actor.to_string(),
            object: object.to_string(),
            to: vec![origin.to_string()],
            published: now(),
        }
    }
}
