//! Wire types: the JSON that Hiroba sends and accepts, apart from storage types. Fields
//! that other software sends in several shapes (a string or a list) are read leniently.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::{AS_CONTEXT, HIROBA_NS, SECURITY_CONTEXT};

/// The inline part of Hiroba's `@context`: the extension namespace and the terms of other
/// software that its documents use.
#[derive(Serialize)]
struct InlineContext {
    hiroba: &'static str,
    toot: &'static str,
    featured: TypedTerm,
    discoverable: &'static str,
    #[serde(rename = "votersCount")]
    voters_count: &'static str,
    #[serde(rename = "manuallyApprovesFollowers")]
    manually_approves_followers: &'static str,
    sensitive: &'static str,
    lemmy: &'static str,
    #[serde(rename = "postingRestrictedToMods")]
    posting_restricted_to_mods: &'static str,
}

#[derive(Serialize)]
struct TypedTerm {
    #[serde(rename = "@id")]
    id: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
}

/// The `@context` of every document Hiroba publishes: ActivityStreams, the security
/// vocabulary, and an inline map of the extension terms (never fetched at run time).
pub fn context() -> Value {
    static CONTEXT: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
        let inline = InlineContext {
            hiroba: HIROBA_NS,
            toot: "http://joinmastodon.org/ns#",
            featured: TypedTerm {
                id: "toot:featured",
                kind: "@id",
            },
            discoverable: "toot:discoverable",
            voters_count: "toot:votersCount",
            manually_approves_followers: "as:manuallyApprovesFollowers",
            sensitive: "as:sensitive",
            lemmy: "https://join-lemmy.org/ns#",
            posting_restricted_to_mods: "lemmy:postingRestrictedToMods",
        };
        Value::Array(vec![
            Value::from(AS_CONTEXT),
            Value::from(SECURITY_CONTEXT),
            super::wire::to_value(&inline),
        ])
    });
    CONTEXT.clone()
}

/// Every value of a property that ActivityStreams lets carry one value or many: absent and
/// `null` are no value, a list is its items, anything else is one value. Every such property
/// of the wire types is read through this one reader.
pub fn values<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
    })
}

/// Every value of a one-or-many property already read as JSON (see [`values`]).
pub fn values_of(value: &Value) -> Vec<Value> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    }
}

/// The id of a value that may be a link (a string) or an embedded object with an `id`.
pub fn id_in(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        Value::Object(map) => map.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// The ids of a one-or-many property whose values are links or embedded objects
/// (addressees, for instance); values without an id are skipped.
pub fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(values(d)?
        .iter()
        .filter_map(id_in)
        .map(str::to_string)
        .collect())
}

/// The first id of a property that may be a link, an embedded object or a list of them.
pub fn id_or_object<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(values(d)?.iter().find_map(id_in).map(str::to_string))
}

/// A text property where `null` means absent.
pub fn text_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// The first public key of an actor (`publicKey` may be one key or a list of keys).
fn first_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PublicKey>, D::Error> {
    values(d)?
        .into_iter()
        .next()
        .map(|key| serde_json::from_value(key).map_err(serde::de::Error::custom))
        .transpose()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    pub id: String,
    pub owner: String,
    pub public_key_pem: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_inbox: Option<String>,
}

/// A phase of a theme, as published in the theme's `hiroba:phases`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseObject {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(rename = "hiroba:startDate")]
    pub start_date: String,
    #[serde(rename = "hiroba:endDate")]
    pub end_date: String,
    #[serde(rename = "hiroba:allowsIdeas")]
    pub allows_ideas: bool,
    #[serde(rename = "hiroba:allowsComments")]
    pub allows_comments: bool,
    #[serde(rename = "hiroba:allowsSupports")]
    pub allows_supports: bool,
    /// Absent from servers that predate amendments.
    #[serde(rename = "hiroba:allowsAmendments", default)]
    pub allows_amendments: bool,
}

/// An actor: a theme (`Group`), a resident or pseudonym (`Person`), the municipality
/// (`Application`), or a remote actor of any type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    #[serde(rename = "@context", default, skip_serializing_if = "Value::is_null")]
    pub context: Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(
        default,
        deserialize_with = "id_or_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
    pub inbox: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    #[serde(
        default,
        deserialize_with = "first_key",
        skip_serializing_if = "Option::is_none"
    )]
    pub public_key: Option<PublicKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When a theme last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// A theme's links to what it references (FEP-e232).
    #[serde(
        default,
        deserialize_with = "values",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tag: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manually_approves_followers: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discoverable: Option<bool>,
    /// Whether only the group's moderators may post in it (Lemmy's term): a theme sets it
    /// while its phase takes no ideas, so group software stops its users posting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posting_restricted_to_mods: Option<bool>,
    /// A theme's status: draft, open, closed, archived.
    #[serde(
        rename = "hiroba:status",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub theme_status: Option<String>,
    #[serde(
        rename = "hiroba:phases",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub phases: Vec<PhaseObject>,
    /// Index into `hiroba:phases` of the phase running today.
    #[serde(
        rename = "hiroba:currentPhase",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub current_phase: Option<usize>,
    /// How many ideas a theme has (published, not withdrawn or hidden).
    #[serde(
        rename = "hiroba:proposalCount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub proposal_count: Option<i64>,
    /// The method a theme was started from: a `Link` (`href` the method's id, `name` its
    /// title, `hiroba:municipality` who published it).
    #[serde(
        rename = "hiroba:basedOn",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub based_on: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub content: String,
    pub media_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hashtag {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    pub name: String,
}

/// A proposal (`Page`) or a comment (`Note`), and what other software sends as either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostObject {
    #[serde(rename = "@context", default, skip_serializing_if = "Value::is_null")]
    pub context: Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(deserialize_with = "id_or_object", default)]
    pub attributed_to: Option<String>,
    /// The title of a proposal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text_or_null")]
    pub content: String,
    /// The content by language, which some software sends instead of `content`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_map: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(
        default,
        deserialize_with = "id_or_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub in_reply_to: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub to: Vec<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cc: Vec<String>,
    #[serde(
        default,
        deserialize_with = "id_or_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub audience: Option<String>,
    /// The thread (FEP-7888): resolves to the collection of its items.
    #[serde(
        rename = "context",
        default,
        deserialize_with = "id_or_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub thread: Option<String>,
    #[serde(
        default,
        deserialize_with = "id_or_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(
        default,
        deserialize_with = "values",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tag: Vec<Value>,
    #[serde(
        default,
        deserialize_with = "values",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attachment: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    /// Supports from registered residents, counted by this instance.
    #[serde(
        rename = "hiroba:supportCount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub support_count: Option<i64>,
    /// Posted under a pseudonym.
    #[serde(
        rename = "hiroba:anonymous",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub anonymous: Option<bool>,
    /// The municipality's official answer to a proposal (`hiroba:Answer`); one that does
    /// not read is no answer.
    #[serde(
        rename = "hiroba:answer",
        default,
        deserialize_with = "super::wire::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub answer: Option<super::wire::answer::AnswerObject>,
}

/// Text made safe to put in HTML content or an attribute of what this server sends.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Mentions `actor` in a post sent to it: a `Mention` tag, the actor among the addressees,
/// and `@user` at the start of the content, as Mastodon writes it. GoToSocial keeps a reply
/// only from an account it follows or one that mentions it.
pub fn mention(post: &mut PostObject, actor: &str, username: &str, domain: &str, profile: &str) {
    let already = post
        .tag
        .iter()
        .any(|t| t.get("href").and_then(Value::as_str) == Some(actor));
    if !already {
        post.tag
            .push(super::wire::to_value(&super::wire::links::Mention::new(
                actor, username, domain,
            )));
    }
    if !post.cc.iter().any(|c| c == actor) {
        post.cc.push(actor.to_string());
    }
    let link = format!(
        "<span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span> ",
        escape(profile),
        escape(username)
    );
    post.content = match post.content.strip_prefix("<p>") {
        Some(rest) => format!("<p>{link}{rest}"),
        None => format!("<p>{link}</p>{}", post.content),
    };
}

pub use crate::domain::MAX_REMOTE_TEXT;

pub use crate::domain::kept_text;

impl super::wire::create::Addressed for PostObject {
    fn id(&self) -> &str {
        &self.id
    }
    fn author(&self) -> &str {
        self.attributed_to.as_deref().unwrap_or_default()
    }
    fn to(&self) -> &[String] {
        &self.to
    }
    fn cc(&self) -> &[String] {
        &self.cc
    }
    fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }
    fn published(&self) -> Option<&str> {
        self.published.as_deref()
    }
    fn updated(&self) -> Option<&str> {
        self.updated.as_deref()
    }
}

impl PostObject {
    /// The post to embed in an activity: without its own `@context`.
    pub fn embedded(mut self) -> PostObject {
        self.context = Value::Null;
        self
    }

    /// Reads a post from another server. An error names the property that was wrong
    /// (`tag[0].href: invalid type …`). Text given only by language (`contentMap`) becomes
    /// the content: Japanese first, then English, then any language.
    pub fn from_wire(value: Value) -> Result<PostObject, String> {
        let mut post: PostObject =
            serde_path_to_error::deserialize(value).map_err(|e| match e.path().to_string() {
                path if path == "." => e.inner().to_string(),
                path => format!("{path}: {}", e.inner()),
            })?;
        if post.content.trim().is_empty()
            && let Some(map) = &post.content_map
        {
            let by_language = ["ja", "en", "und"]
                .iter()
                .find_map(|lang| map.get(*lang))
                .or_else(|| map.values().next());
            post.content = by_language.cloned().unwrap_or_default();
        }
        Ok(post)
    }

    /// The content as kept from another server (see [`kept_text`]).
    pub fn kept_content(&self) -> String {
        kept_text(&self.content)
    }

    /// The post as the service that keeps followed actors' posts takes it.
    pub fn incoming(&self) -> crate::services::following::IncomingPost {
        crate::services::following::IncomingPost {
            ap_id: self.id.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            content: self.kept_content(),
            url: self.url.clone(),
            in_reply_to: self.in_reply_to.clone(),
            author: self.attributed_to.clone(),
            published_at: self.published_millis(),
        }
    }

    /// `published` in milliseconds; now when it is missing, unreadable or in the future.
    pub fn published_millis(&self) -> i64 {
        let now = jiff::Timestamp::now().as_millisecond();
        self.published
            .as_deref()
            .and_then(|p| p.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_millisecond())
            .filter(|t| *t <= now)
            .unwrap_or(now)
    }
}

/// A collection; Hiroba publishes counts, and the items where they are public.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    #[serde(rename = "@context", default, skip_serializing_if = "Value::is_null")]
    pub context: Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub total_items: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_items: Option<Vec<Value>>,
    #[serde(
        default,
        deserialize_with = "id_or_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub attributed_to: Option<String>,
    /// A paged collection's first page.
    #[serde(
        default,
        deserialize_with = "id_or_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub first: Option<String>,
    /// A page's collection.
    #[serde(
        default,
        deserialize_with = "id_or_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub part_of: Option<String>,
    /// The page after this one.
    #[serde(
        default,
        deserialize_with = "id_or_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub next: Option<String>,
}

impl Collection {
    /// An ordered collection with `@context`: counted, its items listed or not.
    pub fn ordered(id: String, total_items: i64, ordered_items: Option<Vec<Value>>) -> Collection {
        Collection {
            context: context(),
            id,
            kind: "OrderedCollection".into(),
            total_items,
            ordered_items,
            attributed_to: None,
            first: None,
            part_of: None,
            next: None,
        }
    }
}

/// What a deleted or removed object leaves behind (served with 410 Gone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    #[serde(rename = "@context", default, skip_serializing_if = "Value::is_null")]
    pub context: Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub former_type: String,
}

impl Tombstone {
    /// What is left of `id`, which was a `former_type`, to embed in a `Delete`.
    pub fn of(id: &str, former_type: &str) -> Tombstone {
        Tombstone {
            context: Value::Null,
            id: id.to_string(),
            kind: "Tombstone".into(),
            former_type: former_type.to_string(),
        }
    }
}
