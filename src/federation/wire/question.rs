//! `Question`: a survey question published as a fediverse poll (FEP-9967), from its theme.
//! Its options and whether it takes one choice or several never change once published, nor
//! its `endTime`: Mastodon-family servers treat a change of options as a new poll (votes
//! reset), and GoToSocial a change of `endTime` too. A poll that closes earlier than its
//! `endTime` says so with `closed`; tallies change only `replies.totalItems` and
//! `votersCount`, never with an `updated` (which they would show as an edit).

use serde::{Deserialize, Serialize};

use super::create::Addressed;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuestionType {
    Question,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoteType {
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CollectionType {
    Collection,
}

/// How many fediverse votes an option has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoteCount {
    #[serde(rename = "type")]
    pub kind: CollectionType,
    pub total_items: i64,
}

/// One option, as Mastodon writes it: a `Note` with a `name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollOption {
    #[serde(rename = "type")]
    pub kind: NoteType,
    pub name: String,
    pub replies: VoteCount,
}

impl PollOption {
    pub fn new(name: &str, votes: i64) -> PollOption {
        PollOption {
            kind: NoteType::Note,
            name: name.to_string(),
            replies: VoteCount {
                kind: CollectionType::Collection,
                total_items: votes,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    pub attributed_to: String,
    pub content: String,
    pub media_type: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub audience: String,
    pub url: String,
    pub published: String,
    pub end_time: String,
    pub voters_count: i64,
    /// Single choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<PollOption>>,
    /// Several choices, as many as the voter likes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any_of: Option<Vec<PollOption>>,
    /// When it closed, once it has (at `endTime`, or earlier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
}

impl Addressed for Question {
    fn id(&self) -> &str {
        &self.id
    }
    fn author(&self) -> &str {
        &self.attributed_to
    }
    fn to(&self) -> &[String] {
        &self.to
    }
    fn cc(&self) -> &[String] {
        &self.cc
    }
    fn audience(&self) -> Option<&str> {
        Some(&self.audience)
    }
    fn published(&self) -> Option<&str> {
        Some(&self.published)
    }
    fn updated(&self) -> Option<&str> {
        None
    }
}
