//! The small objects inside others: tags (a hashtag, a mention, a link to an object on
//! another server, FEP-e232), links with a title, and attached documents.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HashtagType {
    Hashtag,
}

/// `#name`, linking to where the tag's posts are listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hashtag {
    #[serde(rename = "type")]
    pub kind: HashtagType,
    pub href: String,
    pub name: String,
}

impl Hashtag {
    /// The tag `tag` (without `#`), listed at `list` with `?tag=` added.
    pub fn new(list: &str, tag: &str) -> Hashtag {
        let separator = if list.contains('?') { '&' } else { '?' };
        Hashtag {
            kind: HashtagType::Hashtag,
            href: format!(
                "{list}{separator}tag={}",
                url::form_urlencoded::byte_serialize(tag.as_bytes()).collect::<String>()
            ),
            name: format!("#{tag}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MentionType {
    Mention,
}

/// `@user@host`: the mentioned actor is notified (GoToSocial keeps a reply only from an
/// account it follows or one that mentions it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    #[serde(rename = "type")]
    pub kind: MentionType,
    pub href: String,
    pub name: String,
}

impl Mention {
    pub fn new(actor: &str, username: &str, domain: &str) -> Mention {
        Mention {
            kind: MentionType::Mention,
            href: actor.to_string(),
            name: format!("@{username}@{domain}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkType {
    Link,
}

/// A link with a title: a theme's or method's origin, where a method was used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    #[serde(rename = "type")]
    pub kind: LinkType,
    #[serde(rename = "mediaType", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    pub href: String,
    pub name: String,
    /// The municipality that published what the link points at.
    #[serde(
        rename = "hiroba:municipality",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub municipality: Option<String>,
}

impl Link {
    pub fn new(href: &str, name: &str) -> Link {
        Link {
            kind: LinkType::Link,
            media_type: None,
            href: href.to_string(),
            name: name.to_string(),
            municipality: None,
        }
    }

    /// A link to what `municipality` published.
    pub fn by(href: &str, name: &str, municipality: &str) -> Link {
        Link {
            municipality: Some(municipality.to_string()),
            ..Link::new(href, name)
        }
    }

    /// A link to an ActivityStreams object elsewhere (FEP-e232).
    pub fn to_object(href: &str, name: &str, media_type: &str) -> Link {
        Link {
            media_type: Some(media_type.to_string()),
            ..Link::new(href, name)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentType {
    Document,
    Image,
}

/// A file attached to a post: a document of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    #[serde(rename = "type")]
    pub kind: AttachmentType,
    pub media_type: String,
    pub url: String,
    pub name: String,
}
