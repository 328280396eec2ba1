//! A method on the wire: an object of Hiroba's own type `hiroba:Method` that is also an
//! `Article`, so software that ignores the extension shows its readable HTML `content`
//! while another Hiroba reads every part of it. The same document is the export file for
//! cities that do not federate, so reading it names each wrong field.

use crate::msg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::PUBLIC;
use super::objects::{escape, values};
use super::wire::links::{Hashtag, Link};
use crate::domain::PhaseActions;
use crate::error::{FieldError, Invalid};
use crate::markdown;
use crate::services::methods::{MethodDocument, MethodOrigin, MethodPhase, MethodUse};

/// The extension type; the object is also an `Article`.
pub const METHOD_TYPE: &str = "hiroba:Method";
/// The same type as an expanded IRI, as some JSON-LD software writes it.
const METHOD_TYPE_IRI: &str = "https://w3id.org/hiroba/ns#Method";

/// A method as published: one version of its document and who published it.
#[derive(Debug, Clone, PartialEq)]
pub struct WireMethod {
    pub id: String,
    /// The municipality's actor.
    pub attributed_to: String,
    /// The municipality's name.
    pub municipality: String,
    /// The page for people (the id itself answers a browser too).
    pub url: String,
    pub version: i32,
    pub document: MethodDocument,
    /// Themes elsewhere that were started from it.
    pub used_by: Vec<MethodUse>,
    pub published: String,
    pub updated: String,
}

/// True when `object`'s `type` (one or many) names a method.
pub fn is_method(object: &Value) -> bool {
    let kinds: Vec<Value> = match object.get("type") {
        Some(Value::Array(kinds)) => kinds.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    kinds
        .iter()
        .filter_map(Value::as_str)
        .any(|k| k == METHOD_TYPE || k == METHOD_TYPE_IRI)
}

fn allowed(actions: PhaseActions) -> String {
    let mut parts = Vec::new();
    if actions.ideas {
        parts.push("ideas");
    }
    if actions.comments {
        parts.push("comments");
    }
    if actions.supports {
        parts.push("supports");
    }
    if actions.amendments {
        parts.push("amendments");
    }
    if parts.is_empty() {
        "—".to_string()
    } else {
        parts.join(", ")
    }
}

/// The readable HTML of a method for software that shows it as an `Article`: the summary,
/// when to use it, each phase with its length and guidance, the lessons, and the licence.
fn content_html(document: &MethodDocument) -> String {
    let mut html = format!("<p>{}</p>\n", escape(&document.summary));
    if !document.when_to_use.trim().is_empty() {
        html.push_str("<h2>When to use / いつ使うか</h2>\n");
        html.push_str(&markdown::render(&document.when_to_use));
    }
    html.push_str("<h2>Phases / 段階</h2>\n<ol>\n");
    for phase in &document.phases {
        html.push_str(&format!(
            "<li><strong>{}</strong> ({} days / {}日; {})",
            escape(&phase.name),
            phase.days,
            phase.days,
            allowed(phase.allows)
        ));
        for guidance in [&phase.resident_guidance, &phase.staff_guidance] {
            if !guidance.trim().is_empty() {
                html.push_str(&markdown::render(guidance));
            }
        }
        html.push_str("</li>\n");
    }
    html.push_str("</ol>\n");
    if !document.lessons.trim().is_empty() {
        html.push_str("<h2>Lessons / 学んだこと</h2>\n");
        html.push_str(&markdown::render(&document.lessons));
    }
    html.push_str(&format!(
        "<p>Licence / ライセンス: {}</p>\n",
        escape(&document.licence)
    ));
    html
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArticleType {
    Article,
    #[serde(rename = "hiroba:Method")]
    Method,
}

/// A phase of a method (`hiroba:methodPhases`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseObject {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(rename = "hiroba:days")]
    pub days: i64,
    #[serde(rename = "hiroba:allowsIdeas")]
    pub allows_ideas: bool,
    #[serde(rename = "hiroba:allowsComments")]
    pub allows_comments: bool,
    #[serde(rename = "hiroba:allowsSupports")]
    pub allows_supports: bool,
    #[serde(rename = "hiroba:allowsAmendments")]
    pub allows_amendments: bool,
    #[serde(rename = "hiroba:staffGuidance")]
    pub staff_guidance: String,
    #[serde(rename = "hiroba:residentGuidance")]
    pub resident_guidance: String,
}

/// A method as the document served at its id, embedded in `Create` and `Update` and
/// exported as a file: an `Article` for every reader, with the method's parts as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodArticle {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: [ArticleType; 2],
    pub attributed_to: String,
    #[serde(rename = "hiroba:municipality")]
    pub municipality: String,
    pub name: String,
    pub summary: String,
    pub content: String,
    pub media_type: String,
    pub url: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub tag: Vec<Hashtag>,
    pub published: String,
    /// Only once a later version exists: software treats any `updated` as an edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(rename = "hiroba:version")]
    pub version: i32,
    #[serde(rename = "hiroba:methodSummary")]
    pub method_summary: String,
    #[serde(rename = "hiroba:whenToUse")]
    pub when_to_use: String,
    #[serde(rename = "hiroba:methodPhases")]
    pub phases: Vec<PhaseObject>,
    #[serde(rename = "hiroba:lessons")]
    pub lessons: String,
    #[serde(rename = "hiroba:license")]
    pub license: String,
    #[serde(rename = "hiroba:usedIn")]
    pub used_in: Vec<Link>,
    #[serde(rename = "hiroba:usedBy")]
    pub used_by: Vec<Link>,
    #[serde(rename = "hiroba:derivedFrom")]
    pub derived_from: Vec<Link>,
}

impl super::wire::create::Addressed for MethodArticle {
    fn id(&self) -> &str {
        &self.id
    }
    fn author(&self) -> &str {
        &self.attributed_to
    }
    fn to(&self) -> &[String] {
        &self.to
    }
    fn cc(&self) -> &[String] {
        &self.cc
    }
    fn audience(&self) -> Option<&str> {
        None
    }
    fn published(&self) -> Option<&str> {
        Some(&self.published)
    }
    fn updated(&self) -> Option<&str> {
        self.updated.as_deref()
    }
}

impl WireMethod {
    /// The document served at the method's id and embedded in `Create` and `Update`.
    pub fn to_article(&self) -> MethodArticle {
        let d = &self.document;
        // Tags link to the origin's list of methods with that tag.
        let origin = url::Url::parse(&self.id)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let methods = format!("{origin}/methods");
        MethodArticle {
            id: self.id.clone(),
            kind: [ArticleType::Article, ArticleType::Method],
            attributed_to: self.attributed_to.clone(),
            municipality: self.municipality.clone(),
            name: d.title.clone(),
            summary: format!("<p>{}</p>", escape(&d.summary)),
            content: content_html(d),
            media_type: "text/html".into(),
            url: self.url.clone(),
            to: vec![PUBLIC.to_string()],
            cc: vec![super::wire::followers_of(&self.attributed_to)],
            tag: d.tags.iter().map(|t| Hashtag::new(&methods, t)).collect(),
            published: self.published.clone(),
            updated: super::wire::article::changed_since(&self.published, &self.updated),
            version: self.version,
            method_summary: d.summary.clone(),
            when_to_use: d.when_to_use.clone(),
            phases: d
                .phases
                .iter()
                .map(|p| PhaseObject {
                    kind: "hiroba:MethodPhase".into(),
                    name: p.name.clone(),
                    days: i64::from(p.days),
                    allows_ideas: p.allows.ideas,
                    allows_comments: p.allows.comments,
                    allows_supports: p.allows.supports,
                    allows_amendments: p.allows.amendments,
                    staff_guidance: p.staff_guidance.clone(),
                    resident_guidance: p.resident_guidance.clone(),
                })
                .collect(),
            lessons: d.lessons.clone(),
            license: d.licence.clone(),
            used_in: d
                .used_in
                .iter()
                .map(|u| Link::new(&u.theme, &u.title))
                .collect(),
            used_by: self
                .used_by
                .iter()
                .map(|u| Link::new(&u.theme, &u.title))
                .collect(),
            derived_from: d
                .lineage
                .iter()
                .map(|o| Link::by(&o.id, &o.title, &o.municipality))
                .collect(),
        }
    }

    /// The document with its `@context`, as served and exported.
    pub fn to_json(&self) -> Value {
        super::wire::to_value(&super::wire::with_context(&self.to_article()))
    }

    /// Reads a method from another municipality or from an export file. Every field that is
    /// missing or of the wrong kind is reported, named as in the document; the content is
    /// then checked by the rules of the form (`services::method_reuse::check_document`).
    pub fn from_json(object: &Value) -> Result<WireMethod, Vec<FieldError>> {
        let mut reader = Reader { errors: Vec::new() };
        let Some(map) = object.as_object() else {
            return Err(vec![
                Invalid::new("invalid_type", msg!("error-method-not-object")).at("$"),
            ]);
        };
        if !is_method(object) {
            reader.fail("type", "not_a_method", msg!("error-method-type"));
        }
        let id = reader.link("id", map.get("id"));
        let attributed_to = reader.link("attributedTo", map.get("attributedTo"));
        let municipality = reader.text(map, "hiroba:municipality", false);
        let url = match map.get("url") {
            None | Some(Value::Null) => id.clone(),
            Some(value) => reader.link("url", Some(value)),
        };
        let version = match map.get("hiroba:version") {
            None | Some(Value::Null) => 1,
            Some(value) => match value.as_u64().and_then(|v| i32::try_from(v).ok()) {
                Some(v) if v >= 1 => v,
                _ => {
                    reader.fail("hiroba:version", "invalid_type", msg!("error-at-least-one"));
                    1
                }
            },
        };
        let title = reader.text(map, "name", true);
        let summary = match map.get("hiroba:methodSummary") {
            Some(Value::String(s)) => s.clone(),
            _ => markdown::plain_text(&reader.text(map, "summary", true)),
        };
        let when_to_use = reader.text(map, "hiroba:whenToUse", false);
        let lessons = reader.text(map, "hiroba:lessons", false);
        let licence = reader.text(map, "hiroba:license", false);
        let phases = reader.phases(map);
        let tags = reader.tags(map);
        let used_in = reader
            .links(map, "hiroba:usedIn")
            .into_iter()
            .map(|(theme, title, _)| MethodUse { theme, title })
            .collect();
        let used_by = reader
            .links(map, "hiroba:usedBy")
            .into_iter()
            .map(|(theme, title, _)| MethodUse { theme, title })
            .collect();
        let lineage = reader
            .links(map, "hiroba:derivedFrom")
            .into_iter()
            .map(|(id, title, municipality)| MethodOrigin {
                id,
                title,
                municipality,
            })
            .collect();
        let published = reader.text(map, "published", false);
        let updated = match reader.text(map, "updated", false) {
            u if u.is_empty() => published.clone(),
            u => u,
        };
        if !reader.errors.is_empty() {
            return Err(reader.errors);
        }
        Ok(WireMethod {
            id,
            attributed_to,
            municipality,
            url,
            version,
            document: MethodDocument {
                title,
                summary,
                when_to_use,
                phases,
                tags,
                lessons,
                licence,
                used_in,
                lineage,
            },
            used_by,
            published,
            updated,
        })
    }
}

/// Renames the fields of the form's errors (`phases[0].days`) to the document's
/// (`hiroba:methodPhases[0].hiroba:days`), for errors in an imported or received method.
pub fn wire_field(form_field: &str) -> String {
    let mut parent = "";
    let mut renamed = Vec::new();
    for part in form_field.split('.') {
        let (name, index) = part.find('[').map_or((part, ""), |i| part.split_at(i));
        let wire = match (parent, name) {
            ("", "title") => "name",
            ("", "summary") => "hiroba:methodSummary",
            ("", "when_to_use") => "hiroba:whenToUse",
            ("", "lessons") => "hiroba:lessons",
            ("", "licence") => "hiroba:license",
            ("", "tags") => "tag",
            ("", "phases") => "hiroba:methodPhases",
            ("", "used_in") => "hiroba:usedIn",
            ("", "lineage") => "hiroba:derivedFrom",
            ("phases", "days") => "hiroba:days",
            ("phases", "staff_guidance") => "hiroba:staffGuidance",
            ("phases", "resident_guidance") => "hiroba:residentGuidance",
            ("used_in", "theme") | ("lineage", "id") => "href",
            ("used_in" | "lineage", "title") => "name",
            ("lineage", "municipality") => "hiroba:municipality",
            (_, other) => other,
        };
        renamed.push(format!("{wire}{index}"));
        parent = name;
    }
    renamed.join(".")
}

/// Collects the errors of one document as it is read.
struct Reader {
    errors: Vec<FieldError>,
}

impl Reader {
    fn fail(&mut self, field: &str, code: &'static str, message: crate::error::Msg) {
        self.errors.push(Invalid::new(code, message).at(field));
    }

    /// A URL, given as a string or as an object with an `id` or `href`.
    fn link(&mut self, field: &str, value: Option<&Value>) -> String {
        let found = match value {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(Value::Object(m)) => m
                .get("id")
                .or_else(|| m.get("href"))
                .and_then(Value::as_str),
            _ => None,
        };
        match found.map(url::Url::parse) {
            Some(Ok(u)) if matches!(u.scheme(), "https" | "http") => u.to_string(),
            Some(_) => {
                self.fail(field, "invalid_url", msg!("error-invalid-url"));
                String::new()
            }
            None => {
                self.fail(field, "required", msg!("error-required"));
                String::new()
            }
        }
    }

    /// A text; `null` is absent. A required one must be present.
    fn text(&mut self, map: &Map<String, Value>, field: &str, required: bool) -> String {
        match map.get(field) {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) if !required => String::new(),
            None | Some(Value::Null) => {
                self.fail(field, "required", msg!("error-required"));
                String::new()
            }
            Some(_) => {
                self.fail(field, "invalid_type", msg!("error-must-be-text"));
                String::new()
            }
        }
    }

    fn flag(&mut self, map: &Map<String, Value>, field: &str, at: &str) -> bool {
        match map.get(field) {
            Some(Value::Bool(b)) => *b,
            None | Some(Value::Null) => false,
            Some(_) => {
                self.fail(
                    &format!("{at}.{field}"),
                    "invalid_type",
                    msg!("error-must-be-boolean"),
                );
                false
            }
        }
    }

    fn phases(&mut self, map: &Map<String, Value>) -> Vec<MethodPhase> {
        const FIELD: &str = "hiroba:methodPhases";
        let items = match map.get(FIELD) {
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Object(one)) => vec![Value::Object(one.clone())],
            None | Some(Value::Null) => {
                self.fail(FIELD, "required", msg!("error-method-needs-phase"));
                return Vec::new();
            }
            Some(_) => {
                self.fail(FIELD, "invalid_type", msg!("error-must-be-list"));
                return Vec::new();
            }
        };
        let mut phases = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("{FIELD}[{i}]");
            let Some(phase) = item.as_object() else {
                self.fail(&at, "invalid_type", msg!("error-must-be-object"));
                continue;
            };
            let name = match phase.get("name") {
                Some(Value::String(s)) => s.clone(),
                _ => {
                    self.fail(&format!("{at}.name"), "required", msg!("error-required"));
                    String::new()
                }
            };
            let days = match phase.get("hiroba:days").and_then(Value::as_u64) {
                Some(d) => u32::try_from(d).unwrap_or(u32::MAX),
                None => {
                    self.fail(
                        &format!("{at}.hiroba:days"),
                        "required",
                        msg!("error-phase-days"),
                    );
                    0
                }
            };
            let guidance = |reader: &mut Reader, field: &str| match phase.get(field) {
                Some(Value::String(s)) => s.clone(),
                None | Some(Value::Null) => String::new(),
                Some(_) => {
                    reader.fail(
                        &format!("{at}.{field}"),
                        "invalid_type",
                        msg!("error-must-be-text"),
                    );
                    String::new()
                }
            };
            let staff_guidance = guidance(self, "hiroba:staffGuidance");
            let resident_guidance = guidance(self, "hiroba:residentGuidance");
            let allows = PhaseActions {
                ideas: self.flag(phase, "hiroba:allowsIdeas", &at),
                comments: self.flag(phase, "hiroba:allowsComments", &at),
                supports: self.flag(phase, "hiroba:allowsSupports", &at),
                amendments: self.flag(phase, "hiroba:allowsAmendments", &at),
            };
            phases.push(MethodPhase {
                name,
                days,
                allows,
                staff_guidance,
                resident_guidance,
            });
        }
        phases
    }

    /// Hashtags (`tag` entries of type `Hashtag`), without their `#`; other tags are skipped.
    fn tags(&mut self, map: &Map<String, Value>) -> Vec<String> {
        let items = values(map.get("tag").cloned().unwrap_or(Value::Null)).unwrap_or_default();
        items
            .iter()
            .filter(|t| t.get("type").and_then(Value::as_str) == Some("Hashtag"))
            .filter_map(|t| t.get("name").and_then(Value::as_str))
            .map(|n| n.trim_start_matches('#').to_string())
            .collect()
    }

    /// `Link`s (or bare URLs) of a list: (href, name, hiroba:municipality).
    fn links(&mut self, map: &Map<String, Value>, field: &str) -> Vec<(String, String, String)> {
        let items = values(map.get(field).cloned().unwrap_or(Value::Null)).unwrap_or_default();
        let mut links = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("{field}[{i}]");
            let href = self.link(&format!("{at}.href"), Some(item));
            let text = |key: &str| {
                item.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let name = text("name");
            let name = if name.is_empty() { href.clone() } else { name };
            links.push((href, name, text("hiroba:municipality")));
        }
        links
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_fields_are_named_as_in_the_document() {
        assert_eq!(wire_field("title"), "name");
        assert_eq!(
            wire_field("phases[2].days"),
            "hiroba:methodPhases[2].hiroba:days"
        );
        assert_eq!(wire_field("tags[1]"), "tag[1]");
        assert_eq!(wire_field("lineage[0].id"), "hiroba:derivedFrom[0].href");
        assert_eq!(wire_field("used_in[0].theme"), "hiroba:usedIn[0].href");
        assert_eq!(wire_field("used_in[0].title"), "hiroba:usedIn[0].name");
    }

    #[test]
    fn a_document_with_wrong_fields_names_each() {
        let errors = WireMethod::from_json(&json!({
            "type": "Article",
            "id": "ftp://x",
            "name": 3,
            "hiroba:methodPhases": [{"name": "a"}, 7],
        }))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "type",
            "id",
            "attributedTo",
            "name",
            "summary",
            "hiroba:methodPhases[0].hiroba:days",
            "hiroba:methodPhases[1]",
        ] {
            assert!(fields.contains(&expected), "{expected} in {fields:?}");
        }
    }
}
