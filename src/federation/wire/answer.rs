//! The municipality's official answer to a proposal (`hiroba:Answer`), the structured form
//! that a proposal's `Page` and the answer's `Note` carry for software that knows it. What
//! every other follower must see is in their `content` too.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerObject {
    /// `hiroba:Answer`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `accepted`, `rejected`, `evaluating`, …
    #[serde(rename = "hiroba:state")]
    pub state: String,
    pub content: String,
    #[serde(rename = "mediaType")]
    pub media_type: String,
    #[serde(rename = "hiroba:department")]
    pub department: String,
    #[serde(rename = "hiroba:version")]
    pub version: i32,
    pub published: String,
    #[serde(
        rename = "hiroba:costEstimateYen",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cost_estimate_yen: Option<i64>,
    /// The cost as the municipality wrote it (「約1,200万円」, 「未定」).
    #[serde(
        rename = "hiroba:cost",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cost: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}
