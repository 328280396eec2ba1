//! Parsed domain values: once a value of these types exists it is valid, so the services
//! and storage never re-check input.

use crate::msg;
use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;

use crate::error::Invalid;

pub mod answers;
pub mod drafts;
pub mod k_anonymity;
pub mod pseudonym_word;
pub mod receipt_key;
pub mod schemas;
pub mod surveys;
pub mod terms;
pub mod urls;
pub mod yen;

pub use answers::AnswerState;

/// NFKC-normalises and trims user text, so that full-width and half-width forms of the same
/// characters compare equal (ＡＢＣ and ABC, ｶﾀｶﾅ and カタカナ).
pub fn normalize_text(input: &str) -> String {
    input.nfkc().collect::<String>().trim().to_string()
}

/// An optional field as given: none when it is absent or blank (which clears it or takes its
/// default), else the value without the white space around it.
pub fn given(raw: Option<&str>) -> Option<&str> {
    let value = raw?.trim();
    (!value.is_empty()).then_some(value)
}

/// An optional text field: none when absent or blank, else the text checked as
/// [`parse_text`] does (at most `max` characters as sent, spaces around it included).
pub fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    if let Some(raw) = raw {
        too_long(raw, max)?;
    }
    given(raw).map(|v| parse_text(v, 1, max, false)).transpose()
}

fn too_long(value: &str, max: usize) -> Result<(), Invalid> {
    let len = char_len(value);
    if len > max {
        return Err(Invalid::new(
            "too_long",
            msg!("error-too-long", limit = max),
        ));
    }
    Ok(())
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

pub(crate) fn has_control_chars(s: &str, allow_newlines: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))
}

/// Checks a free-text value for length and stray control characters, and keeps it as
/// typed: only the white space around it goes (and a multi-line text's `\r\n` becomes
/// `\n`). Full-width brackets, digits, half-width katakana and 〜 stay what the person
/// wrote; folding (NFKC) serves only to compare and to find control characters that a
/// compatibility form hides.
pub fn parse_text(input: &str, min: usize, max: usize, multiline: bool) -> Result<String, Invalid> {
    let folded: String = input.nfkc().collect();
    if has_control_chars(input, multiline) || has_control_chars(&folded, multiline) {
        return Err(Invalid::new(
            "control_characters",
            msg!("error-control-characters"),
        ));
    }
    // As sent (a client's limit counts the spaces around it) and as kept.
    too_long(input, max)?;
    let value = if multiline {
        input.trim().replace("\r\n", "\n")
    } else {
        input.trim().to_string()
    };
    let len = char_len(&value);
    if len < min {
        return Err(if len == 0 {
            Invalid::new("required", msg!("error-required"))
        } else {
            Invalid::new("too_short", msg!("error-too-short", limit = min))
        });
    }
    too_long(&value, max)?;
    Ok(value)
}

/// The longest text kept from another server (characters).
pub const MAX_REMOTE_TEXT: usize = 20_000;

/// Text from another server as it is kept: at most [`MAX_REMOTE_TEXT`] characters
/// (sanitised when shown).
pub fn kept_text(text: &str) -> String {
    text.chars().take(MAX_REMOTE_TEXT).collect()
}

/// Names that no user handle or theme slug may take: they are routes or system actors.
const RESERVED_NAMES: &[&str] = &[
    "admin",
    "administrator",
    "api",
    "city",
    "health",
    "hiroba",
    "inbox",
    "instance",
    "login",
    "logout",
    "me",
    "media",
    "nodeinfo",
    "outbox",
    "root",
    "settings",
    "setup",
    "signup",
    "staff",
    "static",
    "support",
    "system",
    "themes",
    "users",
    "well-known",
];

/// A resident's handle: the local part of `acct:handle@host`, lower-case ASCII.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handle(String);

impl Handle {
    pub const MAX_LEN: usize = 30;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = normalize_text(input).to_lowercase();
        if value.is_empty() {
            return Err(Invalid::new("required", msg!("error-required")));
        }
        if value.len() > Self::MAX_LEN {
            return Err(Invalid::new(
                "too_long",
                msg!("error-too-long", limit = Self::MAX_LEN),
            ));
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(Invalid::new(
                "invalid_characters",
                msg!("error-handle-characters"),
            ));
        }
        if RESERVED_NAMES.contains(&value.as_str()) {
            return Err(Invalid::new("reserved", msg!("error-reserved")));
        }
        Ok(Self(value))
    }

    /// Derives a handle from the local part of an e-mail address, for residents who sign
    /// up with an e-mail address only.
    pub fn suggest_from_email(email: &Email) -> String {
        let local = email.as_str().split('@').next().unwrap_or_default();
        let mut handle: String = local
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(Self::MAX_LEN - 5)
            .collect();
        handle = handle.trim_matches('_').to_string();
        if handle.is_empty() || RESERVED_NAMES.contains(&handle.as_str()) {
            handle = "resident".to_string();
        }
        handle
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, lower-cased. Only its shape is checked; ownership is not verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = normalize_text(input).to_lowercase();
        if value.is_empty() {
            return Err(Invalid::new("required", msg!("error-required")));
        }
        if char_len(&value) > 254 {
            return Err(Invalid::new("too_long", msg!("error-email-too-long")));
        }
        let valid = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !valid {
            return Err(Invalid::new("invalid_email", msg!("error-invalid-email")));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `user@host` of an account on another server, from what a person typed: `@user@host`,
/// `user@host` or `acct:user@host`. The host is lower-cased and may carry a port.
pub fn parse_account_address(input: &str) -> Result<(String, String), Invalid> {
    let trimmed = input
        .trim()
        .trim_start_matches("acct:")
        .trim_start_matches('@');
    let invalid = || Invalid::new("not_a_handle", msg!("error-account-address"));
    let (user, host) = trimmed.split_once('@').ok_or_else(invalid)?;
    let user_valid = !user.is_empty()
        && !user
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/');
    let host_valid = !host.is_empty()
        && !host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "/@?#\\".contains(c))
        && url::Url::parse(&format!("https://{host}/")).is_ok_and(|u| u.host_str().is_some());
    if !user_valid || !host_valid {
        return Err(invalid());
    }
    Ok((user.to_string(), host.to_lowercase()))
}

/// A password as typed; never logged or serialised.
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 256;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let len = char_len(input);
        if len == 0 {
            return Err(Invalid::new("required", msg!("error-required")));
        }
        if len < Self::MIN_LEN {
            return Err(Invalid::new(
                "too_short",
                msg!("error-too-short", limit = Self::MIN_LEN),
            ));
        }
        if len > Self::MAX_LEN {
            return Err(Invalid::new(
                "too_long",
                msg!("error-too-long", limit = Self::MAX_LEN),
            ));
        }
        Ok(Self(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Resident,
    Moderator,
    Staff,
    Administrator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Moderator => "moderator",
            Role::Staff => "staff",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        match input {
            "resident" => Ok(Role::Resident),
            "moderator" => Ok(Role::Moderator),
            "staff" => Ok(Role::Staff),
            "administrator" => Ok(Role::Administrator),
            _ => Err(Invalid::new("unknown_role", msg!("error-unknown-role"))),
        }
    }

    /// Staff run themes; administrators can do everything staff can.
    pub fn can_manage_themes(self) -> bool {
        matches!(self, Role::Staff | Role::Administrator)
    }

    /// Moderators, staff and administrators can hide and restore content and see who is
    /// behind a pseudonym.
    pub fn can_moderate(self) -> bool {
        matches!(self, Role::Moderator | Role::Staff | Role::Administrator)
    }

    pub fn can_manage_users(self) -> bool {
        self == Role::Administrator
    }
}

/// Age bands for participation statistics; never shown publicly per person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum AgeBand {
    #[serde(rename = "under_20")]
    Under20,
    #[serde(rename = "20s")]
    Twenties,
    #[serde(rename = "30s")]
    Thirties,
    #[serde(rename = "40s")]
    Forties,
    #[serde(rename = "50s")]
    Fifties,
    #[serde(rename = "60s")]
    Sixties,
    #[serde(rename = "70s")]
    Seventies,
    #[serde(rename = "80_plus")]
    EightyPlus,
}

impl AgeBand {
    pub const ALL: [AgeBand; 8] = [
        AgeBand::Under20,
        AgeBand::Twenties,
        AgeBand::Thirties,
        AgeBand::Forties,
        AgeBand::Fifties,
        AgeBand::Sixties,
        AgeBand::Seventies,
        AgeBand::EightyPlus,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under20 => "under_20",
            AgeBand::Twenties => "20s",
            AgeBand::Thirties => "30s",
            AgeBand::Forties => "40s",
            AgeBand::Fifties => "50s",
            AgeBand::Sixties => "60s",
            AgeBand::Seventies => "70s",
            AgeBand::EightyPlus => "80_plus",
        }
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|band| band.as_str() == input)
            .ok_or_else(|| Invalid::new("unknown_age_band", msg!("error-unknown-age-band")))
    }
}

/// How a person relates to the municipality; a person may have several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Lives,
    Works,
    Studies,
    Visits,
}

impl Relation {
    pub const ALL: [Relation; 4] = [
        Relation::Lives,
        Relation::Works,
        Relation::Studies,
        Relation::Visits,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Lives => "lives",
            Relation::Works => "works",
            Relation::Studies => "studies",
            Relation::Visits => "visits",
        }
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == input)
            .ok_or_else(|| Invalid::new("unknown_relation", msg!("error-unknown-relation")))
    }

    /// Stored as a comma-separated list in one column.
    pub fn encode_set(set: &[Relation]) -> String {
        let mut items: Vec<Relation> = set.to_vec();
        items.sort();
        items.dedup();
        items
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn decode_set(stored: &str) -> Vec<Relation> {
        stored
            .split(',')
            .filter_map(|s| Relation::parse(s).ok())
            .collect()
    }
}

/// A theme's URL name and fediverse handle: lower-case ASCII letters, digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 64;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim().to_string();
        if value.is_empty() {
            return Err(Invalid::new("required", msg!("error-required")));
        }
        if value.len() > Self::MAX_LEN {
            return Err(Invalid::new(
                "too_long",
                msg!("error-too-long", limit = Self::MAX_LEN),
            ));
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || value.starts_with('-')
            || value.ends_with('-')
            || value.contains("--")
        {
            return Err(Invalid::new("invalid_slug", msg!("error-invalid-slug")));
        }
        if RESERVED_NAMES.contains(&value.as_str()) || value.starts_with("anon-") {
            return Err(Invalid::new("reserved", msg!("error-reserved")));
        }
        Ok(Self(value))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tag on a theme or idea: NFKC-normalised, lower-cased, no spaces or `#`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(String);

impl Tag {
    pub const MAX_LEN: usize = 32;
    pub const MAX_PER_ITEM: usize = 10;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = normalize_text(input).trim_start_matches('#').to_lowercase();
        if value.is_empty() {
            return Err(Invalid::new("required", msg!("error-required")));
        }
        if char_len(&value) > Self::MAX_LEN {
            return Err(Invalid::new(
                "too_long",
                msg!("error-tag-too-long", limit = Self::MAX_LEN),
            ));
        }
        if value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#' || c == ',')
        {
            return Err(Invalid::new("invalid_tag", msg!("error-tags")));
        }
        Ok(Self(value))
    }

    /// Parses a list of tags, removing duplicates; reports the index of a bad tag.
    pub fn parse_list(inputs: &[String]) -> Result<Vec<Tag>, (Option<usize>, Invalid)> {
        if inputs.len() > Self::MAX_PER_ITEM {
            return Err((
                None,
                Invalid::new(
                    "too_many",
                    msg!("error-too-many", limit = Self::MAX_PER_ITEM),
                ),
            ));
        }
        let mut tags = Vec::with_capacity(inputs.len());
        for (index, raw) in inputs.iter().enumerate() {
            let tag = Tag::parse(raw).map_err(|e| (Some(index), e))?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        Ok(tags)
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ThemeStatus {
    Draft,
    Open,
    Closed,
    Archived,
}

impl ThemeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeStatus::Draft => "draft",
            ThemeStatus::Open => "open",
            ThemeStatus::Closed => "closed",
            ThemeStatus::Archived => "archived",
        }
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        match input {
            "draft" => Ok(ThemeStatus::Draft),
            "open" => Ok(ThemeStatus::Open),
            "closed" => Ok(ThemeStatus::Closed),
            "archived" => Ok(ThemeStatus::Archived),
            _ => Err(Invalid::new(
                "unknown_status",
                msg!("error-unknown-theme-status"),
            )),
        }
    }
}

/// A calendar date (`YYYY-MM-DD`) in the municipality's time zone.
pub fn parse_date(input: &str) -> Result<jiff::civil::Date, Invalid> {
    let trimmed = input.trim();
    if trimmed.len() != 10 {
        return Err(Invalid::new("invalid_date", msg!("error-invalid-date")));
    }
    trimmed
        .parse::<jiff::civil::Date>()
        .map_err(|_| Invalid::new("invalid_date", msg!("error-invalid-date")))
}

/// What a phase lets residents do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct PhaseActions {
    pub ideas: bool,
    pub comments: bool,
    pub supports: bool,
    /// Proposing amendments (修正提案) to a draft, and supporting and discussing them.
    #[serde(default)]
    pub amendments: bool,
}

impl PhaseActions {
    pub const ALL: PhaseActions = PhaseActions {
        ideas: true,
        comments: true,
        supports: true,
        amendments: true,
    };
    pub const NONE: PhaseActions = PhaseActions {
        ideas: false,
        comments: false,
        supports: false,
        amendments: false,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PostIdea,
    Comment,
    Support,
    Amend,
}

impl Action {
    pub fn allowed_by(self, actions: PhaseActions) -> bool {
        match self {
            Action::PostIdea => actions.ideas,
            Action::Comment => actions.comments,
            Action::Support => actions.supports,
            Action::Amend => actions.amendments,
        }
    }

    pub fn describe(self) -> crate::error::Msg {
        match self {
            Action::PostIdea => msg!("action-post-idea"),
            Action::Comment => msg!("action-comment"),
            Action::Support => msg!("action-support"),
            Action::Amend => msg!("action-amend"),
        }
    }
}

/// Checks a 全国地方公共団体コード: five digits and a check digit (JIS X 0401/0402).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalGovernmentCode(String);

impl LocalGovernmentCode {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim();
        if value.len() != 6 || !value.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid::new(
                "invalid_local_government_code",
                msg!("error-government-code"),
            ));
        }
        let digits: Vec<u32> = value.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = digits[..5]
            .iter()
            .zip([6, 5, 4, 3, 2])
            .map(|(d, w)| d * w)
            .sum();
        let check = (11 - sum % 11) % 10;
        if digits[5] != check {
            return Err(Invalid::new(
                "invalid_check_digit",
                msg!("error-government-code-check", code = value, check = check),
            ));
        }
        let prefecture: usize = value[..2].parse().unwrap_or(0);
        if !(1..=47).contains(&prefecture) {
            return Err(Invalid::new(
                "invalid_local_government_code",
                msg!("error-government-code-prefecture"),
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The prefecture the code belongs to, in Japanese and English.
    pub fn prefecture(&self) -> (&'static str, &'static str) {
        let index: usize = self.0[..2].parse().unwrap_or(1);
        PREFECTURES[index.clamp(1, 47) - 1]
    }
}

const PREFECTURES: [(&str, &str); 47] = [
    ("北海道", "Hokkaido"),
    ("青森県", "Aomori"),
    ("岩手県", "Iwate"),
    ("宮城県", "Miyagi"),
    ("秋田県", "Akita"),
    ("山形県", "Yamagata"),
    ("福島県", "Fukushima"),
    ("茨城県", "Ibaraki"),
    ("栃木県", "Tochigi"),
    ("群馬県", "Gunma"),
    ("埼玉県", "Saitama"),
    ("千葉県", "Chiba"),
    ("東京都", "Tokyo"),
    ("神奈川県", "Kanagawa"),
    ("新潟県", "Niigata"),
    ("富山県", "Toyama"),
    ("石川県", "Ishikawa"),
    ("福井県", "Fukui"),
    ("山梨県", "Yamanashi"),
    ("長野県", "Nagano"),
    ("岐阜県", "Gifu"),
    ("静岡県", "Shizuoka"),
    ("愛知県", "Aichi"),
    ("三重県", "Mie"),
    ("滋賀県", "Shiga"),
    ("京都府", "Kyoto"),
    ("大阪府", "Osaka"),
    ("兵庫県", "Hyogo"),
    ("奈良県", "Nara"),
    ("和歌山県", "Wakayama"),
    ("鳥取県", "Tottori"),
    ("島根県", "Shimane"),
    ("岡山県", "Okayama"),
    ("広島県", "Hiroshima"),
    ("山口県", "Yamaguchi"),
    ("徳島県", "Tokushima"),
    ("香川県", "Kagawa"),
    ("愛媛県", "Ehime"),
    ("高知県", "Kochi"),
    ("福岡県", "Fukuoka"),
    ("佐賀県", "Saga"),
    ("長崎県", "Nagasaki"),
    ("熊本県", "Kumamoto"),
    ("大分県", "Oita"),
    ("宮崎県", "Miyazaki"),
    ("鹿児島県", "Kagoshima"),
    ("沖縄県", "Okinawa"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_government_codes_of_real_municipalities_pass_their_check_digit() {
        for code in ["142042", "132080", "131016", "401005", "014257"] {
            assert!(LocalGovernmentCode::parse(code).is_ok(), "{code}");
        }
        assert_eq!(
            LocalGovernmentCode::parse("142043").unwrap_err().code,
            "invalid_check_digit"
        );
        let kamakura = LocalGovernmentCode::parse("142042").unwrap();
        assert_eq!(kamakura.prefecture(), ("神奈川県", "Kanagawa"));
    }

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        let tags = Tag::parse_list(&["＃子育て".into(), "#子育て".into(), "Park".into()]).unwrap();
        assert_eq!(
            tags.iter().map(Tag::as_str).collect::<Vec<_>>(),
            ["子育て", "park"]
        );
        assert_eq!(Tag::parse("a b").unwrap_err().code, "invalid_tag");
    }

    #[test]
    fn slugs_and_handles_refuse_reserved_and_odd_names() {
        assert!(Slug::parse("new-city-hall").is_ok());
        assert_eq!(Slug::parse("api").unwrap_err().code, "reserved");
        assert_eq!(Slug::parse("anon-x").unwrap_err().code, "reserved");
        assert_eq!(Slug::parse("Bad Slug").unwrap_err().code, "invalid_slug");
        assert_eq!(Handle::parse("ＴＡＲＯ").unwrap().as_str(), "taro");
        assert_eq!(
            Handle::parse("ta-ro").unwrap_err().code,
            "invalid_characters"
        );
    }
}
