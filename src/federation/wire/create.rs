//! `Create` and `Update`: the author of an object publishes it or a new version of it. The
//! activity is addressed as its object is; an `Update` is dated by the object's `updated`
//! (now, for an object that changes without being edited: a poll's tally).

use serde::{Deserialize, Serialize};

use super::{fresh_id, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreateOrUpdateType {
    Create,
    Update,
}

impl CreateOrUpdateType {
    fn lower(self) -> &'static str {
        match self {
            CreateOrUpdateType::Create => "create",
            CreateOrUpdateType::Update => "update",
        }
    }
}

/// What an object says of its author and addressees, which its activity repeats.
pub trait Addressed {
    fn id(&self) -> &str;
    fn author(&self) -> &str;
    fn to(&self) -> &[String];
    fn cc(&self) -> &[String];
    fn audience(&self) -> Option<&str>;
    fn published(&self) -> Option<&str>;
    /// When it last changed; none before its first change.
    fn updated(&self) -> Option<&str>;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrUpdate<O> {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: CreateOrUpdateType,
    pub actor: String,
    pub object: O,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    pub published: String,
}

impl<O: Addressed> CreateOrUpdate<O> {
    /// The author's activity about `object`, with `id` (a fixed id where the activity is
    /// served again, else see [`CreateOrUpdate::fresh`]).
    pub fn with_id(id: String, kind: CreateOrUpdateType, object: O) -> CreateOrUpdate<O> {
        let published = match kind {
            CreateOrUpdateType::Update => object.updated(),
            CreateOrUpdateType::Create => object.published(),
        }
        .map(str::to_string)
        .unwrap_or_else(now);
        CreateOrUpdate {
            id,
            kind,
            actor: object.author().to_string(),
            to: object.to().to_vec(),
            cc: object.cc().to_vec(),
            audience: object.audience().map(str::to_string),
            published,
            object,
        }
    }

    /// The author's activity about `object`, with a new id under the object's (where this
    /// server serves it again for proposals and comments: GoToSocial skips an `Announce` of
    /// an activity it cannot fetch).
    pub fn fresh(kind: CreateOrUpdateType, object: O) -> CreateOrUpdate<O> {
        let id = fresh_id(object.id(), kind.lower());
        CreateOrUpdate::with_id(id, kind, object)
    }
}

impl<O> CreateOrUpdate<O> {
    /// `actor`'s activity about an object that does not say how it is addressed (a theme's
    /// `Group`), with a new id.
    pub fn by(
        actor: &str,
        kind: CreateOrUpdateType,
        object: O,
        to: Vec<String>,
        cc: Vec<String>,
        audience: Option<String>,
    ) -> CreateOrUpdate<O> {
        CreateOrUpdate {
            id: fresh_id(actor, kind.lower()),
            kind,
            actor: actor.to_string(),
            object,
            to,
            cc,
            audience,
            published: now(),
        }
    }
}
