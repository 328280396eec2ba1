//! `Article`: a section of a theme's results (with its latest progress) and a draft
//! (たたき台, with its numbered paragraphs). Written by the municipality, addressed to the
//! theme and announced by it (FEP-1b12), so group software shows it as a post of the
//! community; the readable `content` carries what followers must see, and the extension
//! properties the structure for software that knows them.

use serde::{Deserialize, Serialize};

use super::create::Addressed;
use super::links::Attachment;
use crate::federation::objects::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArticleType {
    Article,
}

/// A progress record of a result, the latest one (`hiroba:progress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "hiroba:progressStatus")]
    pub status: String,
    #[serde(rename = "hiroba:percentDone")]
    pub percent_done: Option<i32>,
    pub content: String,
    pub published: String,
}

/// A numbered paragraph of a draft (`hiroba:paragraphs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paragraph {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "hiroba:number")]
    pub number: i32,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ArticleType,
    pub attributed_to: String,
    pub name: String,
    pub content: String,
    pub media_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub audience: String,
    pub url: String,
    pub published: String,
    /// Only after a real change: software treats any `updated` as an edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<Attachment>,
    /// The proposals a section of results takes up.
    #[serde(
        rename = "hiroba:reflects",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reflects: Option<Vec<String>>,
    #[serde(
        rename = "hiroba:progress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub progress: Option<Progress>,
    /// A draft's version number.
    #[serde(
        rename = "hiroba:version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<i32>,
    #[serde(
        rename = "hiroba:openForAmendments",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub open_for_amendments: Option<bool>,
    #[serde(
        rename = "hiroba:paragraphs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub paragraphs: Option<Vec<Paragraph>>,
}

impl Addressed for Article {
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
        self.updated.as_deref()
    }
}

/// `updated` as it goes on the wire: only when it is later than `published`.
pub fn changed_since(published: &str, updated: &str) -> Option<String> {
    let parse = |t: &str| t.parse::<jiff::Timestamp>().ok();
    match (parse(published), parse(updated)) {
        (Some(p), Some(u)) if u > p => Some(updated.to_string()),
        (None, _) | (_, None) if published != updated => Some(updated.to_string()),
        _ => None,
    }
}

/// The later of two instants (RFC 3339); the first when either does not read.
pub fn later_of(a: &str, b: &str) -> String {
    match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
        (Ok(x), Ok(y)) if y > x => b.to_string(),
        _ => a.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{changed_since, later_of};

    #[test]
    fn the_later_instant_whatever_its_digits() {
        assert_eq!(
            later_of("2026-12-01T10:00:00Z", "2026-12-01T10:00:00.5Z"),
            "2026-12-01T10:00:00.5Z"
        );
        assert_eq!(
            later_of("2026-12-02T00:00:00Z", "2026-12-01T00:00:00Z"),
            "2026-12-02T00:00:00Z"
        );
    }

    #[test]
    fn updated_only_after_a_change() {
        let t = "2026-12-01T10:00:00Z";
        assert_eq!(changed_since(t, t), None);
        assert_eq!(changed_since(t, "2026-12-01T10:00:00.000Z"), None);
        assert_eq!(
            changed_since(t, "2026-12-02T09:00:00Z").as_deref(),
            Some("2026-12-02T09:00:00Z")
        );
        assert_eq!(changed_since(t, "2026-11-30T09:00:00Z"), None);
    }
}
