//! The key of a survey receipt: what lets a respondent change an answer later without an
//! account. Short enough to copy by hand from a printed receipt (four groups of four), from
//! an alphabet without look-alikes (no 0/O, 1/I/L, U/V), and still 78 bits of chance: far
//! beyond guessing within the rate limits on trying keys.

use rand::Rng;
use unicode_normalization::UnicodeNormalization;

/// Digits and capitals that cannot be taken for one another when read aloud or copied.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";
const GROUPS: usize = 4;
const GROUP_LEN: usize = 4;

/// A new key, grouped for reading (`7KQM-RT4X-…`).
pub fn new_key() -> String {
    let mut rng = rand::rng();
    (0..GROUPS)
        .map(|_| {
            (0..GROUP_LEN)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The key as it is compared: as typed on any keyboard (full width, lower case, spaces or
/// dashes between groups) it is the same key.
pub fn canonical(typed: &str) -> String {
    typed
        .nfkc()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '‐' | '−' | 'ー' | '_'))
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{ALPHABET, canonical, new_key};

    #[test]
    fn keys_are_four_groups_without_look_alikes() {
        for _ in 0..200 {
            let key = new_key();
            let groups: Vec<&str> = key.split('-').collect();
            assert_eq!(groups.len(), 4, "{key}");
            assert!(groups.iter().all(|g| g.len() == 4), "{key}");
            assert!(
                key.bytes()
                    .filter(|b| *b != b'-')
                    .all(|b| ALPHABET.contains(&b)),
                "{key}"
            );
            for look_alike in ['0', 'O', '1', 'I', 'L', 'U', 'V'] {
                assert!(!key.contains(look_alike), "{key}");
            }
        }
        // 29 symbols, 16 of them: more than 77 bits.
        assert!((ALPHABET.len() as f64).log2() * 16.0 > 77.0);
    }

    #[test]
    fn a_key_typed_any_way_is_the_same_key() {
        assert_eq!(canonical("7kqm-rt4x-a2b3-c4d5"), "7KQMRT4XA2B3C4D5");
        assert_eq!(canonical(" 7KQM RT4X A2B3 C4D5 "), "7KQMRT4XA2B3C4D5");
        assert_eq!(
            canonical("７ＫＱＭ－ＲＴ４Ｘ－Ａ２Ｂ３－Ｃ４Ｄ５"),
            "7KQMRT4XA2B3C4D5"
        );
    }
}
