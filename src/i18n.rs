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
    fn english_translates_every_japanese_message() {
        let ja = ids("ja");
        assert!(ja.len() > 20);
        assert_eq!(ja, ids("en"));
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
