//! `Block`: a followed local actor (a theme or the municipality) blocks a remote account a
//! moderator blocked. Mastodon-family servers end a follow that was already accepted only
//! on a `Block` (GoToSocial keeps it on a `Reject`), so they get both; `Undo(Block)` when
//! the block is lifted lets the account follow again.

use serde::{Deserialize, Serialize};

use super::now;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockType {
    Block,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: BlockType,
    pub actor: String,
    pub object: String,
    pub to: Vec<String>,
    pub published: String,
}

impl Block {
    /// `local_actor` blocks `blocked`. The id is the block's own (see
    /// [`block_id`]): its `Undo` must name it, since peers find the block by its id.
    pub fn of(id: String, local_actor: &str, blocked: &str) -> Block {
        Block {
            id,
            kind: BlockType::Block,
            actor: local_actor.to_string(),
            object: blocked.to_string(),
            to: vec![blocked.to_string()],
            published: now(),
        }
    }
}

/// The id of the `Block` that `local_actor` sends for one follow a moderators' block ended
/// (`notice` names both): the same for the block and its `Undo`, new for a later block.
pub fn block_id(local_actor: &str, notice: &str) -> String {
    format!("{local_actor}/blocks/{notice}")
}
