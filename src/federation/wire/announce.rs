//! `Announce`: a theme shares with its followers what it accepted (FEP-1b12: the author's
//! activity for group software, the object itself for Mastodon-family software), and the
//! municipality shares its themes and their changes with the municipalities that follow it.

use serde::{Deserialize, Serialize};

use super::{followers_of, fresh_id, now};
use crate::federation::PUBLIC;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnnounceType {
    Announce,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Announce<O> {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    pub actor: String,
    pub object: O,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    pub published: String,
}

impl<O> Announce<O> {
    /// The group `group` announces `object` to its followers.
    pub fn by_group(group: &str, object: O) -> Announce<O> {
        Announce {
            id: fresh_id(group, "announce"),
            kind: AnnounceType::Announce,
            actor: group.to_string(),
            object,
            to: vec![PUBLIC.to_string()],
            cc: vec![followers_of(group)],
            audience: Some(group.to_string()),
            published: now(),
        }
    }

    /// The group's announcement of `object` as its outbox lists it: a stable id under the
    /// item and the time the item was published.
    pub fn listed(group: &str, id: String, object: O, published: &str) -> Announce<O> {
        Announce {
            id,
            published: published.to_string(),
            ..Announce::by_group(group, object)
        }
    }

    /// The municipality `city` announces `object` to its followers and to `also` (an actor
    /// told even if it does not follow).
    pub fn by_municipality(city: &str, object: O, also: Option<&str>) -> Announce<O> {
        let mut to = vec![PUBLIC.to_string()];
        to.extend(also.map(str::to_string));
        Announce {
            id: fresh_id(city, "announce"),
            kind: AnnounceType::Announce,
            actor: city.to_string(),
            object,
            to,
            cc: vec![followers_of(city)],
            audience: None,
            published: now(),
        }
    }
}
