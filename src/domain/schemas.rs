//! The OpenAPI schemas of what the parsers in `domain` accept, kept next to them so that the
//! API document states the rules the server keeps: a client (or a generator) that reads the
//! document finds no value the server refuses among those it allows, and none it accepts
//! among those it forbids.

use utoipa::openapi::schema::{
    AdditionalProperties, AnyOf, AnyOfBuilder, Array, ArrayBuilder, Object, ObjectBuilder, Schema,
    SchemaType, Type,
};

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use super::{Handle, Tag};

/// Characters the parsers refuse as control characters (`char::is_control`).
const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

fn string(pattern: String, max_length: Option<usize>, nullable: bool, about: &str) -> Object {
    let kind = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .pattern(Some(pattern))
        .max_length(max_length)
        .description(Some(about))
        .build()
}

/// A handle as [`Handle::parse`] takes it: letters (full-width ones become half-width),
/// digits and underscores, surrounding spaces trimmed.
fn handle_body() -> String {
    format!(r"[A-Za-z0-9_Ａ-Ｚａ-ｚ０-９＿]{{1,{}}}", Handle::MAX_LEN)
}

/// The characters, other than those `bad` names itself, whose compatibility form (the NFKC
/// that the parsers normalise text with) contains one that `bad` names: `¨` becomes a space
/// and a combining mark, `﹫` becomes `@`. Written as the inside of a regex character class,
/// computed once from the same normalisation tables the parsers use.
fn becoming(bad: fn(char) -> bool) -> String {
    let mut class = String::new();
    let mut run: Option<(char, char)> = None;
    let close = |run: Option<(char, char)>, class: &mut String| {
        if let Some((first, last)) = run {
            push_class_char(class, first);
            if last != first {
                class.push('-');
                push_class_char(class, last);
            }
        }
    };
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        // A character without a compatibility decomposition is its own NFKC: only the few
        // thousand with one need normalising.
        let mut decomposes = false;
        unicode_normalization::char::decompose_compatible(c, |d| decomposes |= d != c);
        let hit = decomposes && !bad(c) && std::iter::once(c).nfkc().any(bad);
        run = match (run, hit) {
            (Some((first, last)), true) if u32::from(last) + 1 == u32::from(c) => Some((first, c)),
            (previous, true) => {
                close(previous, &mut class);
                Some((c, c))
            }
            (previous, false) => {
                close(previous, &mut class);
                None
            }
        };
    }
    close(run, &mut class);
    class
}

fn push_class_char(class: &mut String, c: char) {
    if matches!(c, '\\' | ']' | '[' | '^' | '-') {
        class.push('\\');
    }
    class.push(c);
}

fn breaks_text(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// What may not appear inside a tag, before or after normalisation.
fn breaks_tag(c: char) -> bool {
    breaks_text(c) || c == '#' || c == ','
}

fn breaks_address(c: char) -> bool {
    breaks_text(c) || c == '@'
}

fn breaks_address_edge(c: char) -> bool {
    breaks_address(c) || c == '.'
}

fn cached(cell: &'static OnceLock<String>, bad: fn(char) -> bool) -> &'static str {
    cell.get_or_init(|| becoming(bad))
}

static TAG_BREAKERS: OnceLock<String> = OnceLock::new();
static ADDRESS_BREAKERS: OnceLock<String> = OnceLock::new();
static ADDRESS_EDGE_BREAKERS: OnceLock<String> = OnceLock::new();

/// An e-mail address as [`super::Email::parse`] takes it.
fn email_body() -> String {
    let plain = format!(
        r"[^@\s{CONTROL}{}]",
        cached(&ADDRESS_BREAKERS, breaks_address)
    );
    let edge = format!(
        r"[^@.\s{CONTROL}{}]",
        cached(&ADDRESS_EDGE_BREAKERS, breaks_address_edge)
    );
    format!(r"{plain}+[@＠]{edge}{plain}*[.．]{plain}*{edge}")
}

/// A handle that must be given.
pub fn handle_required() -> Object {
    string(
        format!(r"^\s*{}\s*$", handle_body()),
        None,
        false,
        "Your name on this site and on the fediverse (`@handle@host`): letters a-z, digits and \
         underscores.",
    )
}

/// A handle that may be left out (null or empty).
pub fn handle_optional() -> Object {
    string(
        format!(r"^\s*({})?\s*$", handle_body()),
        None,
        true,
        "Your name on this site and on the fediverse (`@handle@host`): letters a-z, digits and \
         underscores. Derived from the e-mail address when empty.",
    )
}

pub fn email_required() -> Object {
    string(
        format!(r"^\s*{}\s*$", email_body()),
        Some(254),
        false,
        "An e-mail address such as name@example.jp.",
    )
}

pub fn email_optional() -> Object {
    string(
        format!(r"^\s*({})?\s*$", email_body()),
        Some(254),
        true,
        "An e-mail address such as name@example.jp; optional when a handle is given.",
    )
}

pub fn password() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .min_length(Some(super::Password::MIN_LEN))
        .max_length(Some(super::Password::MAX_LEN))
        .build()
}

/// A list of tags as [`Tag::parse_list`] takes it: a leading `#` is dropped, and a tag has no
/// spaces, commas or `#` inside.
pub fn tags() -> Array {
    tag_array(false)
}

/// Tags that may be left out (null keeps the ones there are).
pub fn tags_optional() -> Array {
    tag_array(true)
}

fn tag_body() -> String {
    format!(
        r"[#＃]*[^\s#,{CONTROL}{}]{{1,{}}}",
        cached(&TAG_BREAKERS, breaks_tag),
        Tag::MAX_LEN
    )
}

/// A tag to filter by; empty means no filter.
pub fn tag_filter() -> Object {
    string(
        format!(r"^\s*({})?\s*$", tag_body()),
        None,
        false,
        "A tag; a leading # is dropped. Empty lists every proposal.",
    )
}

fn tag_array(nullable: bool) -> Array {
    let tag = string(
        format!(r"^\s*{}\s*$", tag_body()),
        None,
        false,
        "A tag; a leading # is dropped.",
    );
    let kind = if nullable {
        SchemaType::from_iter([Type::Array, Type::Null])
    } else {
        SchemaType::new(Type::Array)
    };
    ArrayBuilder::new()
        .schema_type(kind)
        .items(tag)
        .max_items(Some(Tag::MAX_PER_ITEM))
        .build()
}

/// An age band, or empty to clear it.
pub fn age_band_optional() -> Object {
    let bands: Vec<&str> = super::AgeBand::ALL.iter().map(|b| b.as_str()).collect();
    string(
        format!(r"^\s*({})?\s*$", bands.join("|")),
        None,
        true,
        "One of the age bands; empty or null clears it.",
    )
}

/// A host name with at least one dot, whose last label does not start with a digit (a
/// numeric one would be read as an IPv4 address).
const HOST: &str = r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.[A-Za-z_-][A-Za-z0-9_-]*";
const PORT: &str = r"(:[0-9]{1,5})?";

/// A fediverse account or actor: `@user@host`, `user@host` or an `https://` URL.
pub fn actor_address() -> Object {
    let user = format!(r"[^@\s/{CONTROL}]+");
    string(
        format!(r"^\s*(https?://{HOST}{PORT}([/?#]\S*)?|(acct:)?@?{user}@{HOST}{PORT})\s*$"),
        None,
        false,
        "`@user@host`, `user@host` or the actor's `https://` URL.",
    )
}

/// A host name to block, with or without `https://` and a path.
pub fn domain() -> Object {
    string(
        format!(r"^\s*(https?://)?{HOST}(/.*)?\s*$"),
        None,
        false,
        "A host name such as mastodon.example.",
    )
}

/// Free text of one line that must not be empty.
pub fn reason(max: usize) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .pattern(Some(format!(
            r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s{CONTROL}][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
        )))
        .min_length(Some(1))
        .max_length(Some(max))
        .build()
}

/// A display name that may be left out.
pub fn display_name_optional() -> Object {
    string(
        format!(r"^[^{CONTROL}]*$"),
        Some(50),
        true,
        "The name shown with your posts; the handle when empty.",
    )
}

/// A new account: a handle, an e-mail address or both, a password, and an optional display
/// name; `with_token` adds the one-time setup token of the first administrator.
pub fn new_account(with_token: bool) -> AnyOf {
    let variant = |handle: Object, email: Object, given: &str| {
        let mut object = ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Object))
            .property("handle", handle)
            .property("email", email)
            .property("password", password())
            .property("display_name", display_name_optional())
            .property(
                "accepted_terms",
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::Integer))
                    .minimum(Some(1))
                    .maximum(Some(i32::MAX))
                    .description(Some(
                        "The version of the terms of use agreed to: the current one, required \
                         once the municipality has published terms.",
                    )),
            )
            .required(given)
            .required("password")
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
        if with_token {
            object = object
                .property(
                    "token",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::new(Type::String))
                        .description(Some("The token from the setup link logged at first start.")),
                )
                .required("token");
        }
        object.build()
    };
    AnyOfBuilder::new()
        .item(variant(handle_required(), email_optional(), "handle"))
        .item(variant(handle_optional(), email_required(), "email"))
        .description(Some(
            "A handle, an e-mail address or both, and a password of 8 to 256 characters.",
        ))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, Tag};

    fn pattern_of(object: &Object) -> regex::Regex {
        let json = serde_json::to_value(object).unwrap();
        regex::Regex::new(json["pattern"].as_str().unwrap()).unwrap()
    }

    /// Every character of the basic plane and of the astral blocks with compatibility forms
    /// (mathematical letters, enclosed alphanumerics, compatibility ideographs), in the middle
    /// of a tag and of each part of an e-mail address: the document's pattern and the parser
    /// agree on each.
    #[test]
    fn the_patterns_judge_every_character_as_the_parsers_do() {
        let tags = serde_json::to_value(tags()).unwrap();
        let tag = regex::Regex::new(tags["items"]["pattern"].as_str().unwrap()).unwrap();
        let email = pattern_of(&email_required());
        let mut disagreements = Vec::new();
        let planes = [
            0..0x1_0000,
            0x1_D400..0x1_D800,
            0x1_F100..0x1_F200,
            0x2_F800..0x2_FA20,
        ];
        for c in planes.into_iter().flatten().filter_map(char::from_u32) {
            let text = format!("a{c}b");
            if tag.is_match(&text) != Tag::parse(&text).is_ok() {
                disagreements.push(format!("tag {text:?}"));
            }
            for text in [
                format!("a{c}b@example.jp"),
                format!("ab@ex{c}ample.jp"),
                format!("ab@example.j{c}p"),
            ] {
                // The pattern is stricter only where NFKC makes a forbidden character
                // allowed again (a full-width @ or dot where one belongs).
                if email.is_match(&text) && Email::parse(&text).is_err() {
                    disagreements.push(format!("e-mail {text:?}"));
                }
            }
        }
        assert!(
            disagreements.is_empty(),
            "{:?}",
            &disagreements[..disagreements.len().min(20)]
        );
    }

    #[test]
    fn handles_and_addresses_follow_their_parsers() {
        let handle = pattern_of(&handle_optional());
        for (text, accepted) in [
            ("", true),
            (" hanako ", true),
            ("ＨＡＮＡＫＯ", true),
            ("a-b", false),
        ] {
            assert_eq!(handle.is_match(text), accepted, "{text:?}");
        }
        let actor = pattern_of(&actor_address());
        for (text, accepted) in [
            ("@someone@mastodon.example", true),
            ("https://gts.example/users/dana", true),
            ("a@b@mastodon.example", false),
            ("", false),
        ] {
            assert_eq!(actor.is_match(text), accepted, "{text:?}");
            if accepted {
                let parsed = crate::domain::parse_account_address(text).is_ok()
                    || text.starts_with("https://");
                assert!(parsed, "{text:?}");
            }
        }
    }
}
