//! What Hiroba sends, as typed structs: one activity per file, one struct per object kind,
//! so that no field a peer needs can be left out. Each kind has its example in
//! `federation-spec/examples/` that the tests compare with what the server really sends.
//! Activities and objects carry no `@context` of their own: [`WithContext`] adds it to the
//! document that goes on the wire, never to what is embedded in it.

pub mod accept;
pub mod announce;
pub mod answer;
pub mod article;
pub mod block;
pub mod create;
pub mod delete;
pub mod follow;
pub mod like;
pub mod links;
pub mod question;
pub mod reject;
pub mod undo;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::Urls;
use crate::services::accounts::random_token;

/// A document at the top level: its `@context` first, then the document's own properties.
#[derive(Debug, Serialize)]
pub struct WithContext<'a, T: Serialize> {
    #[serde(rename = "@context")]
    pub context: Value,
    #[serde(flatten)]
    pub inner: &'a T,
}

/// `inner` with Hiroba's `@context` (see [`super::objects::context`]).
pub fn with_context<T: Serialize>(inner: &T) -> WithContext<'_, T> {
    WithContext {
        context: super::objects::context(),
        inner,
    }
}

/// A new id for an activity of `actor`. Every activity gets a fresh one: group software
/// refuses an id it has seen before, even for a new `Follow` after an `Undo`.
pub fn fresh_id(actor: &str, kind: &str) -> String {
    Urls::activity_id(actor, kind, &random_token(12))
}

/// Now, as the `published` of an activity.
pub fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// The followers collection of an actor this server publishes.
pub fn followers_of(actor: &str) -> String {
    format!("{actor}/followers")
}

/// Reads an optional value that other software may send in a shape this server does not
/// use: a value that does not parse is no value, so one odd property never loses a post.
pub fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Option::<Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// The JSON of a typed document, for the places that keep it as a value (the delivery
/// queue's body, a collection's items). Serialising these structs cannot fail: their maps
/// have string keys only.
pub fn to_value<T: Serialize>(document: &T) -> Value {
    serde_json::to_value(document).unwrap_or(Value::Null)
}
