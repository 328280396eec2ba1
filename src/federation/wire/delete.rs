//! `Delete`: the author of a proposal or comment withdrew it, or moderators hid it; the
//! municipality removed a theme. The object is its `Tombstone`.

use serde::{Deserialize, Serialize};

use super::{fresh_id, now};
use crate::federation::objects::Tombstone;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeleteType {
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delete {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: DeleteType,
    pub actor: String,
    pub object: Tombstone,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    pub published: String,
}

impl Delete {
    /// `actor` deletes what `object` stood for, telling `to` and `cc`.
    pub fn of(
        actor: &str,
        object: Tombstone,
        to: Vec<String>,
        cc: Vec<String>,
        audience: Option<String>,
    ) -> Delete {
        Delete {
            id: fresh_id(&object.id, "delete"),
            kind: DeleteType::Delete,
            actor: actor.to_string(),
            object,
            to,
            cc,
            audience,
            published: now(),
        }
    }
}
