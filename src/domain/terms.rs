//! The terms of a text for the word cloud: Japanese nouns found by morphological analysis
//! with the IPADIC dictionary compiled into the binary (a noun keeps the prefix and suffixes
//! the dictionary attaches to it, 新校舎, 駐輪場), and English words; without stop words.
//! Names in a user dictionary (places, facilities) stay whole.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};
use lindera::dictionary::Dictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;

mod embedded {
    lindera_dictionary::embedded_dictionary!("/lindera-ipadic", IpadicLoader);
}

/// The longest term kept (characters).
const MAX_TERM: usize = 40;

/// The terms left out unless staff include them again (the file says why each is there).
const DEFAULT_STOP_WORDS: &str = include_str!("word_cloud_stop_words.txt");

/// The terms of [`DEFAULT_STOP_WORDS`], one per line without the comments.
pub fn default_stop_words() -> impl Iterator<Item = &'static str> {
    DEFAULT_STOP_WORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Whether the cloud leaves a term out unless staff include it again: a term of one
/// character (日, 場, 客), a number, or a term of the default list.
pub fn left_out_by_default(term: &str) -> bool {
    let mut chars = term.chars();
    let one_character = chars.next().is_some() && chars.next().is_none();
    one_character
        || term
            .chars()
            .all(|c| c.is_numeric() || c.is_ascii_punctuation() || c.is_whitespace())
        || default_stop_words().any(|w| w == term)
}

/// Finds terms; shared by every request. The dictionary is loaded when the first text is
/// read, so a process that never counts terms (a test, a server without ideas yet) does not
/// hold it in memory.
#[derive(Default)]
pub struct TermFinder {
    segmenter: std::sync::OnceLock<Result<Segmenter, String>>,
    names: std::sync::RwLock<Arc<LocalNames>>,
}

impl TermFinder {
    /// The embedded dictionary, without local names yet.
    pub fn new() -> TermFinder {
        TermFinder::default()
    }

    /// The local names kept whole, as given.
    pub fn names(&self) -> Vec<String> {
        self.current_names().names.clone()
    }

    /// Keeps these names whole from the next text on; whether they differ from before.
    pub fn set_names(&self, names: Vec<String>) -> bool {
        let names = LocalNames::new(names);
        let Ok(mut current) = self.names.write() else {
            return false;
        };
        if current.names == names.names {
            return false;
        }
        *current = Arc::new(names);
        true
    }

    fn current_names(&self) -> Arc<LocalNames> {
        match self.names.read() {
            Ok(names) => names.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn segmenter(&self) -> Result<&Segmenter, &str> {
        self.segmenter
            .get_or_init(|| {
                let dictionary: Dictionary =
                    embedded::load().map_err(|e| format!("the embedded dictionary: {e}"))?;
                Ok(Segmenter::new(Mode::Normal, dictionary, None))
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// The distinct terms of a text, in order of first appearance: local names where they
    /// occur, and the terms the analysis finds in the text between them.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let segmenter = match self.segmenter() {
            Ok(segmenter) => segmenter,
            Err(why) => {
                tracing::error!(error = why, "the word cloud's dictionary cannot be loaded");
                return Vec::new();
            }
        };
        let normalized = crate::domain::normalize_text(text);
        let names = self.current_names();
        let mut found = Found::default();
        let mut read_to = 0;
        for (start, end, name) in names.find(&normalized) {
            analyse(segmenter, &normalized[read_to..start], &mut found);
            found.keep(Some(name.to_string()));
            read_to = end;
        }
        analyse(segmenter, &normalized[read_to..], &mut found);
        found.terms
    }
}

/// Names staff keep whole (places, facilities: 琴浦町民プール, Kotoura Park), found in a
/// text before the analysis so that it never splits them. Latin letters match without
/// regard to case and only as whole words.
#[derive(Default)]
struct LocalNames {
    names: Vec<String>,
    matcher: Option<AhoCorasick>,
}

impl LocalNames {
    fn new(given: Vec<String>) -> LocalNames {
        let mut names: Vec<String> = Vec::new();
        for name in given {
            let name = crate::domain::normalize_text(&name);
            if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                names.push(name);
            }
        }
        let matcher = if names.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(&names)
                .map_err(|e| tracing::error!(error = %e, "the local names cannot be searched for"))
                .ok()
        };
        LocalNames { names, matcher }
    }

    /// Where names occur in a text, in order and not overlapping: start, end, the name.
    fn find<'a>(&'a self, text: &str) -> Vec<(usize, usize, &'a str)> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let word_char = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        matcher
            .find_iter(text)
            .filter(|m| {
                let name = &self.names[m.pattern().as_usize()];
                let (first, last) = (name.chars().next(), name.chars().last());
                let before = text[..m.start()].chars().next_back();
                let after = text[m.end()..].chars().next();
                !(word_char(first) && word_char(before) || word_char(last) && word_char(after))
            })
            .map(|m| {
                (
                    m.start(),
                    m.end(),
                    self.names[m.pattern().as_usize()].as_str(),
                )
            })
            .collect()
    }
}

/// Adds the terms the morphological analysis finds in a text.
fn analyse(segmenter: &Segmenter, text: &str, found: &mut Found) {
    if text.trim().is_empty() {
        return;
    }
    let Ok(mut tokens) = segmenter.segment(Cow::Borrowed(text)) else {
        return;
    };
    let mut noun = Noun::default();
    for token in tokens.iter_mut() {
        let surface = token.surface.to_string();
        let details = token.details();
        let pos = details.first().copied().unwrap_or_default();
        let detail = details.get(1).copied().unwrap_or_default();
        if let Some(word) = english_word(&surface) {
            found.keep(noun.finish());
            found.keep(Some(word));
            continue;
        }
        // Loanwords run on as one term (シェアサイクル, パークアンドライド, パーク・アンド・
        // ライド), whatever the analysis makes of their parts.
        if noun.has_head && noun.in_katakana() && is_katakana(&surface) {
            noun.text.push_str(&surface);
            continue;
        }
        match (pos, detail) {
            // A prefix that attaches to nouns (新, 旧, 各...) starts one.
            ("接頭詞", "名詞接続") => {
                found.keep(noun.finish());
                noun.text.push_str(&surface);
            }
            // A suffix (場, 化, 者...) belongs to the noun before it.
            ("名詞", "接尾") if noun.has_head => noun.text.push_str(&surface),
            ("名詞", "一般" | "固有名詞" | "サ変接続") => {
                if noun.has_head {
                    found.keep(noun.finish());
                }
                noun.text.push_str(&surface);
                noun.has_head = true;
            }
            _ => found.keep(noun.finish()),
        }
    }
    found.keep(noun.finish());
}

/// A noun being read: its text so far, and whether it has its head noun yet.
#[derive(Default)]
struct Noun {
    text: String,
    has_head: bool,
}

/// Katakana (with the long-vowel mark and the middle dot), as loanwords are written.
fn is_katakana(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| ('\u{30a1}'..='\u{30fa}').contains(&c) || c == 'ー' || c == '・')
}

impl Noun {
    /// Whether the noun so far ends in a loanword.
    fn in_katakana(&self) -> bool {
        self.text
            .chars()
            .next_back()
            .is_some_and(|c| is_katakana(&c.to_string()))
    }

    /// The noun read so far, if it is one worth keeping; starts the next.
    fn finish(&mut self) -> Option<String> {
        let text = std::mem::take(&mut self.text);
        let text = text.trim_end_matches('・').to_string();
        let had_head = std::mem::take(&mut self.has_head);
        (had_head && is_worth_keeping(&text)).then_some(text)
    }
}

/// The terms found so far, each once.
#[derive(Default)]
struct Found {
    terms: Vec<String>,
    seen: BTreeSet<String>,
}

impl Found {
    fn keep(&mut self, term: Option<String>) {
        if let Some(term) = term
            && term.chars().count() <= MAX_TERM
            && self.seen.insert(term.clone())
        {
            self.terms.push(term);
        }
    }
}

/// A word of Latin letters (and digits), lower-cased, of two letters or more.
fn english_word(surface: &str) -> Option<String> {
    let word = surface.trim();
    (word.chars().count() >= 2
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '\'')
        && word.chars().any(|c| c.is_ascii_alphabetic()))
    .then(|| word.to_ascii_lowercase())
}

/// Whether a noun says something: not a lone kana, not only digits or symbols. (Which of
/// the terms a cloud shows is decided when it is read: [`left_out_by_default`].)
fn is_worth_keeping(term: &str) -> bool {
    let chars: Vec<char> = term.chars().collect();
    let kana = |c: &char| ('\u{3040}'..='\u{30ff}').contains(c);
    if chars.len() == 1 && kana(&chars[0]) {
        return false;
    }
    chars.iter().any(|c| c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_dictionary_finds_the_nouns_of_a_proposal() {
        let finder = TermFinder::new();
        let terms = finder
            .terms("子育て世代が気軽に集まれる公園の整備と、駅前の駐輪場不足の解消を提案します。");
        for expected in [
            "子育て",
            "世代",
            "公園",
            "整備",
            "駅前",
            "駐輪場",
            "不足",
            "解消",
            "提案",
        ] {
            assert!(
                terms.iter().any(|t| t == expected),
                "{expected} in {terms:?}"
            );
        }
        assert!(
            !terms.iter().any(|t| t == "気軽"),
            "adjectival nouns are left out: {terms:?}"
        );
        let english: Vec<String> = finder
            .terms("More benches in the park, and the park needs shade.")
            .into_iter()
            .filter(|t| !left_out_by_default(t))
            .collect();
        assert_eq!(english, ["benches", "park", "needs", "shade"]);
    }

    #[test]
    fn loanword_compounds_stay_whole() {
        let finder = TermFinder::new();
        for (text, whole) in [
            ("駅前にシェアサイクルを置いてほしい", "シェアサイクル"),
            ("パークアンドライドで渋滞を減らす", "パークアンドライド"),
            ("パーク・アンド・ライドの駐車場", "パーク・アンド・ライド"),
            ("コミュニティバスの本数", "コミュニティバス"),
        ] {
            let terms = finder.terms(text);
            assert!(terms.iter().any(|t| t == whole), "{whole} in {terms:?}");
        }
    }

    /// The default list: one term per line as the cloud counts it, each once, none that the
    /// rules leave out anyway; the platform's own words are in it.
    #[test]
    fn the_default_list_reads_and_holds_the_platforms_words() {
        let words: Vec<&str> = default_stop_words().collect();
        assert!(words.len() > 50, "{}", words.len());
        for (i, word) in words.iter().enumerate() {
            assert_eq!(
                crate::domain::normalize_text(word).to_lowercase(),
                *word,
                "{word} is not written as the cloud counts it"
            );
            assert!(!words[i + 1..].contains(word), "{word} twice");
            assert!(
                word.chars().count() > 1,
                "{word}: one character goes by rule"
            );
        }
        for platform in ["提案", "アイデア", "意見", "idea"] {
            assert!(left_out_by_default(platform), "{platform}");
        }
        for rule in ["日", "場", "客", "2024", "３"] {
            assert!(left_out_by_default(rule), "{rule}");
        }
        for kept in ["公園", "シェアサイクル", "benches", "駐輪場"] {
            assert!(!left_out_by_default(kept), "{kept}");
        }
    }

    #[test]
    fn local_names_stay_whole() {
        let finder = TermFinder::new();
        let before = finder.terms("琴浦町民プールの駐車場を広げてください。");
        assert!(
            !before.iter().any(|t| t == "琴浦町民プール"),
            "without the name the analysis splits it: {before:?}"
        );
        assert!(finder.set_names(vec!["琴浦町民プール".into(), "Kotoura Park".into()]));
        assert!(!finder.set_names(vec!["琴浦町民プール".into(), "Kotoura Park".into()]));
        let after = finder.terms("琴浦町民プールの駐車場を広げてください。");
        assert_eq!(after.first().map(String::as_str), Some("琴浦町民プール"));
        assert!(after.iter().any(|t| t == "駐車場"), "{after:?}");
        let english = finder.terms("Shade at KOTOURA PARK, not at Kotoura Parkside.");
        assert!(english.iter().any(|t| t == "Kotoura Park"), "{english:?}");
        assert!(
            english.iter().any(|t| t == "parkside"),
            "whole words only: {english:?}"
        );
        assert_eq!(
            english
                .iter()
                .filter(|t| t.as_str() == "Kotoura Park")
                .count(),
            1
        );
    }
}
