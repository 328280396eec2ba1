//! The word that tells a theme's anonymous authors apart (匿名さん（さくら）): short, easy to
//! say and remember, different for each anonymous author within one theme, and carrying
//! nothing of the person.

/// Words of nature and the seasons, each in kana and in Latin letters; a word's key is its
/// Latin form. When a theme has more anonymous authors than words, a number follows the
/// word (`sakura2`).
const WORDS: &[(&str, &str)] = &[
    ("sakura", "さくら"),
    ("kaede", "かえで"),
    ("sumire", "すみれ"),
    ("tsubaki", "つばき"),
    ("momiji", "もみじ"),
    ("himawari", "ひまわり"),
    ("asagao", "あさがお"),
    ("tanpopo", "たんぽぽ"),
    ("suzuran", "すずらん"),
    ("nadeshiko", "なでしこ"),
    ("kikyou", "ききょう"),
    ("ajisai", "あじさい"),
    ("renge", "れんげ"),
    ("yuri", "ゆり"),
    ("ume", "うめ"),
    ("momo", "もも"),
    ("fuji", "ふじ"),
    ("hagi", "はぎ"),
    ("susuki", "すすき"),
    ("matsu", "まつ"),
    ("hinoki", "ひのき"),
    ("kusunoki", "くすのき"),
    ("keyaki", "けやき"),
    ("ichou", "いちょう"),
    ("kuri", "くり"),
    ("mikan", "みかん"),
    ("yuzu", "ゆず"),
    ("sudachi", "すだち"),
    ("tsubame", "つばめ"),
    ("suzume", "すずめ"),
    ("uguisu", "うぐいす"),
    ("hibari", "ひばり"),
    ("kamome", "かもめ"),
    ("tsuru", "つる"),
    ("mejiro", "めじろ"),
    ("hotaru", "ほたる"),
    ("tonbo", "とんぼ"),
    ("nami", "なみ"),
    ("sora", "そら"),
    ("kumo", "くも"),
    ("kaze", "かぜ"),
    ("niji", "にじ"),
    ("hoshi", "ほし"),
    ("tsuki", "つき"),
    ("yama", "やま"),
    ("kawa", "かわ"),
    ("mori", "もり"),
    ("umi", "うみ"),
];

/// A word no anonymous author of the theme has yet (`taken` are the theme's words), chosen
/// at random among the free ones so that the word says nothing of when someone joined;
/// with every word taken, a word and the first number it does not have yet.
pub fn pick(taken: &[String], random: impl FnOnce(usize) -> usize) -> String {
    let free: Vec<&str> = WORDS
        .iter()
        .map(|(key, _)| *key)
        .filter(|key| !taken.iter().any(|t| t == key))
        .collect();
    if !free.is_empty() {
        return free[random(free.len()) % free.len()].to_string();
    }
    let (key, _) = WORDS[random(WORDS.len()) % WORDS.len()];
    (2..)
        .map(|n| format!("{key}{n}"))
        .find(|candidate| !taken.iter().any(|t| t == candidate))
        .unwrap_or_else(|| key.to_string())
}

/// The word as a Japanese page shows it (`さくら`, `さくら2`); a key of no word (an author
/// from before words, stored as a number) is shown as it is.
pub fn in_kana(key: &str) -> String {
    match split(key) {
        Some((kana, _, number)) => format!("{kana}{number}"),
        None => key.to_string(),
    }
}

/// The word as an English page shows it (`Sakura`, `Sakura 2`).
pub fn in_latin(key: &str) -> String {
    match split(key) {
        Some((_, latin, number)) => {
            let mut letters = latin.chars();
            let capital: String = letters
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(letters)
                .collect();
            if number.is_empty() {
                capital
            } else {
                format!("{capital} {number}")
            }
        }
        None => key.to_string(),
    }
}

fn split(key: &str) -> Option<(&'static str, &'static str, &str)> {
    let digits = key.trim_start_matches(|c: char| c.is_ascii_lowercase());
    let word = &key[..key.len() - digits.len()];
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    WORDS
        .iter()
        .find(|(latin, _)| *latin == word)
        .map(|(latin, kana)| (*kana, *latin, digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_author_of_a_theme_gets_a_word_of_their_own() {
        let mut taken: Vec<String> = Vec::new();
        for round in 0..WORDS.len() + 5 {
            let word = pick(&taken, |n| (round * 7) % n);
            assert!(!taken.contains(&word), "{word} given twice");
            taken.push(word);
        }
        assert!(taken.iter().any(|w| w.ends_with('2')), "{taken:?}");
    }

    #[test]
    fn words_read_in_both_languages() {
        assert_eq!(in_kana("sakura"), "さくら");
        assert_eq!(in_kana("sakura2"), "さくら2");
        assert_eq!(in_latin("sakura"), "Sakura");
        assert_eq!(in_latin("tsubame12"), "Tsubame 12");
        assert_eq!(in_kana("17"), "17");
        assert_eq!(in_latin("17"), "17");
        assert_eq!(in_kana("nosuchword"), "nosuchword");
    }

    #[test]
    fn the_words_are_distinct_and_short() {
        for (i, (latin, kana)) in WORDS.iter().enumerate() {
            assert!(kana.chars().count() <= 4, "{kana}");
            assert!(latin.chars().all(|c| c.is_ascii_lowercase()), "{latin}");
            assert!(
                WORDS[i + 1..].iter().all(|(l, k)| l != latin && k != kana),
                "{latin} twice"
            );
        }
    }
}
