//! Amounts of money as officials write them (「約1,200万円」, 「1.5億円」, 「¥300,000」):
//! the number of yen a text states, so that an answer's cost can be sorted without anyone
//! typing it twice. Text that states no single amount (「未定」, two figures) gives none.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// An amount: an optional qualifier, groups of digits each with an optional unit (兆, 億,
/// 万, 千) from the largest down, and 円 (or a leading ¥), with an optional qualifier after.
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:約|概算|概算で|およそ|総額|最大|最大で)?(¥)?((?:\d[\d,]*(?:\.\d+)?(?:兆|億|万|千)?)+)(円)?(?:程度|前後|ほど|規模|以内|見込み)?$",
    )
    .expect("the amount pattern is valid")
});

static GROUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d[\d,]*(?:\.\d+)?)(兆|億|万|千)?").expect("the group pattern is valid")
});

/// The number of yen `text` states, when it states exactly one amount in yen.
pub fn amount_in_text(text: &str) -> Option<i64> {
    // Compare on the folded form (full-width digits and commas, ￥): the text itself is kept.
    let folded: String = text
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '￥' { '¥' } else { c })
        .collect();
    let found = AMOUNT.captures(&folded)?;
    let (yen_sign, has_yen) = (found.get(1).is_some(), found.get(3).is_some());
    if yen_sign == has_yen {
        // 「¥…円」 or a bare number: not clearly an amount in yen.
        return None;
    }
    let mut total: f64 = 0.0;
    let mut last_unit = f64::INFINITY;
    for group in GROUP.captures_iter(&found[2]) {
        let number: f64 = group[1].replace(',', "").parse().ok()?;
        let unit = match group.get(2).map(|u| u.as_str()) {
            Some("兆") => 1e12,
            Some("億") => 1e8,
            Some("万") => 1e4,
            Some("千") => 1e3,
            _ => 1.0,
        };
        // Units run from the largest down (1億2,000万), each at most once.
        if unit >= last_unit {
            return None;
        }
        last_unit = unit;
        total += number * unit;
    }
    let yen = total.round();
    (yen.is_finite() && (0.0..9.0e15).contains(&yen)).then_some(yen as i64)
}

/// An amount with its thousands grouped by commas, as yen are written (1,200,000).
pub fn grouped(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    if amount < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{amount_in_text, grouped};

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_200_000), "1,200,000");
        assert_eq!(grouped(-45_000), "-45,000");
    }

    #[test]
    fn amounts_as_officials_write_them() {
        for (text, yen) in [
            ("約1,200万円", 12_000_000),
            ("１，２００万円", 12_000_000),
            ("1億2,000万円", 120_000_000),
            ("1.5億円", 150_000_000),
            ("3000000円", 3_000_000),
            ("¥300,000", 300_000),
            ("￥３００，０００", 300_000),
            ("概算 500万円程度", 5_000_000),
            ("2兆円", 2_000_000_000_000),
        ] {
            assert_eq!(amount_in_text(text), Some(yen), "{text}");
        }
    }

    #[test]
    fn text_without_one_amount_gives_none() {
        for text in [
            "未定",
            "",
            "1200",
            "年間300万円（5年で1,500万円）",
            "万円",
            "¥300円",
            "2万1億円",
            "300ドル",
        ] {
            assert_eq!(amount_in_text(text), None, "{text}");
        }
    }
}
