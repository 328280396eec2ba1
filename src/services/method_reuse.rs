//! Reusing methods: a document from a file or another municipality checked by the rules of
//! the form, forks and imports that keep the chain of attribution, and the themes elsewhere
//! that were started from one of this municipality's methods ("used by").

use super::Viewer;
use super::methods::{
    MethodDocument, MethodInput, MethodOrigin, MethodPhaseInput, MethodView, get, parse_input,
    store_new,
};
use crate::domain::parse_text;
use crate::domain::urls::Urls;
use crate::error::{AppError, Checker, Invalid};
use crate::msg;
use crate::state::AppState;
use crate::storage::methods as store;
use crate::storage::now_millis;

/// At most this many themes of use and links of attribution are kept of a document.
const MAX_LINKS: usize = 50;

impl From<&MethodDocument> for MethodInput {
    fn from(document: &MethodDocument) -> Self {
        MethodInput {
            title: document.title.clone(),
            summary: document.summary.clone(),
            when_to_use: document.when_to_use.clone(),
            phases: document
                .phases
                .iter()
                .map(|p| MethodPhaseInput {
                    name: p.name.clone(),
                    days: p.days,
                    allows: p.allows,
                    staff_guidance: p.staff_guidance.clone(),
                    resident_guidance: p.resident_guidance.clone(),
                })
                .collect(),
            tags: document.tags.clone(),
            lessons: document.lessons.clone(),
            licence: Some(document.licence.clone()),
        }
    }
}

fn web_link(url: &str) -> Result<(), Invalid> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => Ok(()),
        _ => Err(Invalid::new("invalid_url", msg!("error-invalid-url"))),
    }
}

/// Checks a whole document that came from a file or another municipality by the rules of
/// the form, and its links (where it was used, what it derives from) as links.
pub fn check_document(document: &MethodDocument) -> Result<MethodDocument, AppError> {
    let parsed = parse_input(&MethodInput::from(document));
    let mut check = Checker::new();
    if let Err(AppError::Validation(errors)) = &parsed {
        for error in errors {
            check.push(error.clone());
        }
    } else if let Err(other) = parsed {
        return Err(other);
    }
    if document.used_in.len() > MAX_LINKS {
        check.push(
            Invalid::new("too_many", msg!("error-too-many", limit = MAX_LINKS)).at("used_in"),
        );
    }
    if document.lineage.len() > MAX_LINKS {
        check.push(
            Invalid::new("too_many", msg!("error-too-many", limit = MAX_LINKS)).at("lineage"),
        );
    }
    for (i, used) in document.used_in.iter().enumerate() {
        check.check(format!("used_in[{i}].theme"), web_link(&used.theme));
        check.check(
            format!("used_in[{i}].title"),
            parse_text(&used.title, 1, 200, false),
        );
    }
    for (i, origin) in document.lineage.iter().enumerate() {
        check.check(format!("lineage[{i}].id"), web_link(&origin.id));
        check.check(
            format!("lineage[{i}].title"),
            parse_text(&origin.title, 1, 200, false),
        );
        check.check(
            format!("lineage[{i}].municipality"),
            parse_text(&origin.municipality, 0, 200, false),
        );
    }
    check.finish()?;
    let mut checked = parsed?;
    checked.used_in = document.used_in.clone();
    checked.lineage = document.lineage.clone();
    Ok(checked)
}

/// Another municipality told that its theme `theme_ap_id` was started from the method at
/// `method_url` (one of ours); false when no such method is here.
pub async fn used_elsewhere(
    state: &AppState,
    method_url: &str,
    theme_ap_id: &str,
    title: &str,
    actor_id: &str,
) -> Result<bool, AppError> {
    let prefix = format!("{}/methods/", Urls::new(&state.config).base());
    let Some(id) = method_url
        .strip_prefix(&prefix)
        .and_then(|rest| rest.parse::<i64>().ok())
    else {
        return Ok(false);
    };
    let mut conn = state.db.acquire().await?;
    if store::find(conn.ex(), id).await?.is_none() {
        return Ok(false);
    }
    let title = crate::domain::kept_text(title);
    store::add_use(conn.ex(), id, theme_ap_id, &title, actor_id, now_millis()).await?;
    tracing::info!(
        method = id,
        theme = theme_ap_id,
        "a method was used elsewhere"
    );
    Ok(true)
}

/// Staff make a new method of this municipality from another one (a fork, an imported
/// file, or a method of another municipality): its content copied, where it was used left
/// with the origin, and the origin put first in the chain of attribution.
pub async fn derive(
    state: &AppState,
    viewer: &Viewer,
    document: &MethodDocument,
    origin: Option<MethodOrigin>,
) -> Result<MethodView, AppError> {
    let staff = viewer.require_staff()?;
    let mut document = check_document(document)?;
    document.used_in.clear();
    if let Some(origin) = &origin {
        document.lineage.insert(0, origin.clone());
        document.lineage.truncate(MAX_LINKS);
    }
    let derived_from = origin.as_ref().map(|o| o.id.as_str());
    let id = store_new(state, staff.id, &document, derived_from).await?;
    tracing::info!(method = id, from = ?derived_from, by = staff.id, "method derived");
    get(state, id, None).await
}

/// Staff fork one of this municipality's methods.
pub async fn fork(state: &AppState, viewer: &Viewer, id: i64) -> Result<MethodView, AppError> {
    viewer.require_staff()?;
    let source = get(state, id, None).await?;
    let municipality = super::instance::profile(state).await?.name_ja;
    let origin = MethodOrigin {
        id: source.url.clone(),
        title: source.document.title.clone(),
        municipality,
    };
    derive(state, viewer, &source.document, Some(origin)).await
}
