//! The translation catalogue: Fluent files embedded in the binary, Japanese by default and
//! English on request. Message ids are checked at build time by `fl!`.

use std::sync::Arc;

use i18n_embed::LanguageLoader;
use i18n_embed::fluent::{FluentLanguageLoader, fluent_language_loader};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "i18n/"]
struct Localizations;

/// The languages of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language in an `Accept-Language` header, by preference.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut offers: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let quality = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                (quality > 0.0).then_some((quality, lang))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0));
        offers.first().map(|(_, lang)| *lang)
    }
}

tokio::task_local! {
    /// The language of the request being answered, for messages worded as a response is
    /// made (an API problem's `detail`, an error page).
    static REQUEST_LANG: Lang;
}

/// Runs `work` as the answer to a request in `lang`.
pub async fn in_lang<F: std::future::Future>(lang: Lang, work: F) -> F::Output {
    REQUEST_LANG.scope(lang, work).await
}

/// The language of the request being answered; Japanese outside of one.
pub fn current() -> Lang {
    REQUEST_LANG.try_with(|lang| *lang).unwrap_or(Lang::Ja)
}

/// The catalogue compiled into the binary, loaded once.
pub fn catalogue() -> &'static Arc<Catalogue> {
    static CATALOGUE: std::sync::LazyLock<Arc<Catalogue>> = std::sync::LazyLock::new(|| {
        // The files are embedded and parsed by the tests of this module: a failure here is a
        // build that never passed them.
        Catalogue::load().expect("the embedded catalogue parses")
    });
    &CATALOGUE
}

/// One loaded Fluent bundle per language.
pub struct Catalogue {
    ja: FluentLanguageLoader,
    en: FluentLanguageLoader,
}

impl Catalogue {
    pub fn load() -> anyhow::Result<Arc<Catalogue>> {
        let make = |code: &str| -> anyhow::Result<FluentLanguageLoader> {
            let loader = fluent_language_loader!();
            let id: unic_langid::LanguageIdentifier = code.parse()?;
            loader.load_languages(&Localizations, &[id])?;
            // Unicode isolation marks would show up inside HTML attributes and text.
            loader.set_use_isolating(false);
            Ok(loader)
        };
        Ok(Arc::new(Catalogue {
            ja: make("ja")?,
            en: make("en")?,
        }))
    }

    pub fn loader(&self, lang: Lang) -> &FluentLanguageLoader {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(lang: &str) -> Vec<String> {
        let file = Localizations::get(&format!("{lang}/hiroba.ftl")).expect("catalogue file");
        let text = String::from_utf8_lossy(&file.data).into_owned();
        let mut ids: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '-', '*', '[']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next().map(|s| s.trim().to_string()))
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn no_message_is_defined_twice() {
        for lang in ["ja", "en"] {
            let all = ids(lang);
            let mut unique = all.clone();
            unique.dedup();
            let twice: Vec<&String> = all
                .windows(2)
                .filter(|w| w[0] == w[1])
                .map(|w| &w[0])
                .collect();
            assert!(twice.is_empty(), "{lang}: defined twice: {twice:?}");
            assert_eq!(all.len(), unique.len());
        }
    }

    #[test]
    fn english_translates_every_japanese_message() {
        let ja = ids("ja");
        assert!(ja.len() > 20);
        assert_eq!(ja, ids("en"));
    }

    /// Each message with its text (continuation lines joined).
    fn messages(lang: &str) -> std::collections::BTreeMap<String, String> {
        let file = Localizations::get(&format!("{lang}/hiroba.ftl")).expect("catalogue file");
        let text = String::from_utf8_lossy(&file.data).into_owned();
        let mut messages = std::collections::BTreeMap::new();
        let mut current: Option<String> = None;
        for line in text.lines() {
            if line.starts_with(' ') {
                if let Some(id) = &current {
                    let entry: &mut String = messages.entry(id.clone()).or_default();
                    entry.push('\n');
                    entry.push_str(line.trim());
                }
            } else if let Some((id, value)) = line
                .split_once(" =")
                .filter(|_| !line.starts_with(['#', '-']))
            {
                current = Some(id.trim().to_string());
                messages.insert(id.trim().to_string(), value.trim().to_string());
            } else {
                current = None;
            }
        }
        messages
    }

    fn variables(text: &str) -> std::collections::BTreeSet<String> {
        text.split("{ $")
            .skip(1)
            .filter_map(|rest| rest.split([' ', '}', ')', ',']).next())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn both_languages_show_the_same_values_in_each_message() {
        let ja = messages("ja");
        let en = messages("en");
        for (id, text) in &ja {
            let english = en.get(id).map(String::as_str).unwrap_or_default();
            assert_eq!(
                variables(text),
                variables(english),
                "{id}: ja {text:?} / en {english:?}"
            );
        }
    }

    #[test]
    fn english_keeps_a_space_between_a_value_and_the_words_around_it() {
        for (id, text) in messages("en") {
            for (before, after) in text.match_indices("{ $").map(|(at, _)| {
                let end = text[at..]
                    .find('}')
                    .map(|e| at + e + 1)
                    .unwrap_or(text.len());
                (text[..at].chars().last(), text[end..].chars().next())
            }) {
                assert!(
                    !before.is_some_and(char::is_alphanumeric),
                    "{id}: a word runs into a value: {text:?}"
                );
                assert!(
                    !after.is_some_and(char::is_alphanumeric),
                    "{id}: a value runs into a word: {text:?}"
                );
            }
        }
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,ja;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr, ja;q=0.5, en;q=0.4"),
            Some(Lang::Ja)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        let catalogue = Catalogue::load().unwrap();
        assert_ne!(
            catalogue.loader(Lang::Ja).get("nav-home"),
            catalogue.loader(Lang::En).get("nav-home")
        );
    }
}
