//! Drafts (たたき台) as numbered paragraphs, and what changed between two versions of one:
//! the text split where a blank line falls, and a paragraph's old and new text compared
//! character by character for Japanese (which has no spaces between words) and word by
//! word otherwise.

use crate::msg;
use serde::Serialize;
use similar::{ChangeTag, TextDiff};
use utoipa::ToSchema;

use super::{Invalid, has_control_chars};

/// The most paragraphs a draft may have.
pub const MAX_PARAGRAPHS: usize = 300;
/// The longest paragraph (characters).
pub const MAX_PARAGRAPH: usize = 5_000;

/// A draft's text as paragraphs: split at blank lines, each trimmed, empty ones dropped.
pub fn paragraphs(text: &str) -> Result<Vec<String>, Invalid> {
    if has_control_chars(text, true) {
        return Err(Invalid::new(
            "control_characters",
            msg!("error-control-characters"),
        ));
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut all = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                all.push(current.join("\n").trim().to_string());
                current.clear();
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        all.push(current.join("\n").trim().to_string());
    }
    if all.is_empty() {
        return Err(Invalid::new("required", msg!("error-required")));
    }
    if all.len() > MAX_PARAGRAPHS {
        return Err(Invalid::new(
            "too_many_paragraphs",
            msg!("error-too-many-paragraphs"),
        ));
    }
    if let Some((i, _)) = all
        .iter()
        .enumerate()
        .find(|(_, p)| p.chars().count() > MAX_PARAGRAPH)
    {
        return Err(Invalid::new(
            "paragraph_too_long",
            msg!("error-paragraph-too-long", number = i + 1),
        ));
    }
    Ok(all)
}

/// A run of text that both versions share, or that one of them alone has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DiffPiece {
    /// `same`, `inserted` or `deleted`.
    pub change: &'static str,
    pub text: String,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef)
}

/// What changed from `old` to `new`, as runs in reading order (a deletion before the
/// insertion that replaces it).
pub fn compare(old: &str, new: &str) -> Vec<DiffPiece> {
    let japanese = old.chars().chain(new.chars()).any(is_cjk);
    let diff = if japanese {
        TextDiff::from_chars(old, new)
    } else {
        TextDiff::from_words(old, new)
    };
    let mut pieces: Vec<DiffPiece> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => "same",
            ChangeTag::Insert => "inserted",
            ChangeTag::Delete => "deleted",
        };
        match pieces.last_mut() {
            Some(last) if last.change == kind => last.text.push_str(change.value()),
            _ => pieces.push(DiffPiece {
                change: kind,
                text: change.value().to_string(),
            }),
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_split_at_blank_lines() {
        let text = "第1条 目的\r\nこの計画は…\r\n\r\n\r\n  第2条 範囲  \n\n \n第3条";
        assert_eq!(
            paragraphs(text).unwrap(),
            ["第1条 目的\nこの計画は…", "第2条 範囲", "第3条"]
        );
        assert_eq!(paragraphs(" \n\n ").unwrap_err().code, "required");
        assert_eq!(
            paragraphs("第1条\u{1e}目的").unwrap_err().code,
            "control_characters"
        );
        assert_eq!(paragraphs("第1条\t目的").unwrap(), ["第1条\t目的"]);
    }

    #[test]
    fn japanese_is_compared_by_character_and_english_by_word() {
        let pieces = compare(
            "駅前に駐輪場を整備する。",
            "駅前に屋根付きの駐輪場を整備する。",
        );
        assert_eq!(
            pieces,
            [
                DiffPiece {
                    change: "same",
                    text: "駅前に".into()
                },
                DiffPiece {
                    change: "inserted",
                    text: "屋根付きの".into()
                },
                DiffPiece {
                    change: "same",
                    text: "駐輪場を整備する。".into()
                },
            ]
        );
        let words = compare("build a small park", "build a large park");
        assert!(
            words.contains(&DiffPiece {
                change: "deleted",
                text: "small".into()
            }),
            "{words:?}"
        );
        assert!(
            words.contains(&DiffPiece {
                change: "inserted",
                text: "large".into()
            }),
            "{words:?}"
        );
    }
}
