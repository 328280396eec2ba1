//! `Undo`: the municipality stops following (`Undo(Follow)`), a resident withdraws a support
//! of a post elsewhere (`Undo(Like)`), a moderator lifts a block (`Undo(Block)`). The undone
//! activity is embedded with the id it was sent with.

use serde::{Deserialize, Serialize};

use super::{fresh_id, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UndoType {
    Undo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Undo<O> {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub actor: String,
    pub object: O,
    pub to: Vec<String>,
    pub published: String,
}

impl<O> Undo<O> {
    /// `actor` undoes `object`, telling `to`.
    pub fn of(actor: &str, object: O, to: &str) -> Undo<O> {
        Undo {
            id: fresh_id(actor, "undo"),
            kind: UndoType::Undo,
            actor: actor.to_string(),
            object,
            to: vec![to.to_string()],
            published: now(),
        }
    }
}
