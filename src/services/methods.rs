//! Methods (手法): process templates a municipality publishes so that others can reuse how
//! it ran a consultation: its phases with their length, what each allowed and the guidance
//! for staff and residents, suggested tags, lessons learned, the themes where it was used,
//! and a licence. Every edit makes a new version; earlier ones stay readable.

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::events::{self, EventKind};
use super::{Page, Viewer, rfc3339};
use crate::domain::urls::Urls;
use crate::domain::{PhaseActions, Tag, parse_text};
use crate::error::{AppError, Checker, Invalid, checker_invariant};
use crate::state::AppState;
use crate::storage::methods::{self as store, MethodRow, VersionRow};
use crate::storage::now_millis;

const MAX_PHASES: usize = 20;
pub(super) const MAX_PHASE_DAYS: u32 = 366;
/// The licences a method may carry (SPDX identifiers); the first is the default.
pub const LICENCES: [&str; 3] = ["CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0"];

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MethodPhaseInput {
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 40
    )]
    pub name: String,
    /// How long the phase ran, in days.
    #[schema(minimum = 1, maximum = 366)]
    pub days: u32,
    /// What residents may do during the phase.
    pub allows: PhaseActions,
    /// Markdown: how staff run the phase.
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        max_length = 5000
    )]
    pub staff_guidance: String,
    /// Markdown: what the phase asks of residents.
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        max_length = 5000
    )]
    pub resident_guidance: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MethodInput {
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    /// Plain text, shown in lists.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 1000
    )]
    pub summary: String,
    /// Markdown: when this method fits.
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        max_length = 10000
    )]
    pub when_to_use: String,
    #[schema(min_items = 1, max_items = 20)]
    pub phases: Vec<MethodPhaseInput>,
    #[serde(default)]
    #[schema(schema_with = crate::domain::schemas::tags)]
    pub tags: Vec<String>,
    /// Markdown: what the municipality learned.
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        max_length = 20000
    )]
    pub lessons: String,
    /// An SPDX identifier: CC-BY-4.0 (the default), CC-BY-SA-4.0 or CC0-1.0.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = r"^\s*(CC-BY-4\.0|CC-BY-SA-4\.0|CC0-1\.0)?\s*$")]
    pub licence: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MethodPhase {
    pub name: String,
    pub days: u32,
    pub allows: PhaseActions,
    pub staff_guidance: String,
    pub resident_guidance: String,
}

/// A theme where the method was used: the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MethodUse {
    /// The theme's id (its URL).
    pub theme: String,
    pub title: String,
}

/// A method this one was derived from, nearest first: the chain of attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MethodOrigin {
    /// The method's id (its URL).
    pub id: String,
    pub title: String,
    /// The municipality that published it.
    pub municipality: String,
}

/// One version of a method, as stored, served and exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MethodDocument {
    pub title: String,
    pub summary: String,
    pub when_to_use: String,
    pub phases: Vec<MethodPhase>,
    pub tags: Vec<String>,
    pub lessons: String,
    pub licence: String,
    #[serde(default)]
    pub used_in: Vec<MethodUse>,
    /// What it was derived from, nearest first.
    #[serde(default)]
    pub lineage: Vec<MethodOrigin>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodView {
    pub id: i64,
    /// The method's id on the fediverse.
    pub url: String,
    /// The version shown; `latest_version` is the newest.
    pub version: i32,
    pub latest_version: i32,
    #[serde(flatten)]
    pub document: MethodDocument,
    /// The method or theme this one was derived from.
    pub derived_from: Option<String>,
    /// Themes at other municipalities that were started from this method.
    pub used_by: Vec<MethodUse>,
    pub created_at: String,
    /// When this version was made.
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodVersionView {
    pub version: i32,
    pub title: String,
    pub created_at: String,
}

/// The list's filters.
#[derive(Debug, Clone, Default)]
pub struct MethodFilter {
    /// Words that the title or summary must contain.
    pub q: Option<String>,
    pub tag: Option<String>,
}

pub(super) fn parse_input(input: &MethodInput) -> Result<MethodDocument, AppError> {
    let mut check = Checker::new();
    let title = check.check("title", parse_text(&input.title, 1, 200, false));
    let summary = check.check("summary", parse_text(&input.summary, 1, 1000, true));
    let when_to_use = check.check(
        "when_to_use",
        parse_text(&input.when_to_use, 0, 10_000, true),
    );
    let lessons = check.check("lessons", parse_text(&input.lessons, 0, 20_000, true));
    let tags = match Tag::parse_list(&input.tags) {
        Ok(tags) => Some(tags.iter().map(|t| t.as_str().to_string()).collect()),
        Err((index, invalid)) => {
            check.push(invalid.at(index.map_or("tags".to_string(), |i| format!("tags[{i}]"))));
            None
        }
    };
    let licence = match crate::domain::given(input.licence.as_deref()) {
        None => Some(LICENCES[0].to_string()),
        Some(given) => check.check(
            "licence",
            LICENCES
                .iter()
                .find(|l| **l == given)
                .map(|l| l.to_string())
                .ok_or_else(|| {
                    Invalid::new(
                        "unknown_licence",
                        msg!("error-unknown-licence", licences = LICENCES.join(", ")),
                    )
                }),
        ),
    };
    if input.phases.is_empty() {
        check.push(Invalid::new("required", msg!("error-method-needs-phase")).at("phases"));
    }
    if input.phases.len() > MAX_PHASES {
        check.push(
            Invalid::new("too_many", msg!("error-too-many", limit = MAX_PHASES)).at("phases"),
        );
    }
    let mut phases = Vec::with_capacity(input.phases.len());
    for (i, phase) in input.phases.iter().enumerate() {
        let at = |field: &str| format!("phases[{i}].{field}");
        let name = check.check(at("name"), parse_text(&phase.name, 1, 40, false));
        let staff = check.check(
            at("staff_guidance"),
            parse_text(&phase.staff_guidance, 0, 5_000, true),
        );
        let residents = check.check(
            at("resident_guidance"),
            parse_text(&phase.resident_guidance, 0, 5_000, true),
        );
        if !(1..=MAX_PHASE_DAYS).contains(&phase.days) {
            check.push(
                Invalid::new(
                    "out_of_range",
                    msg!("error-days-range", limit = MAX_PHASE_DAYS),
                )
                .at(at("days")),
            );
        }
        if let (Some(name), Some(staff_guidance), Some(resident_guidance)) =
            (name, staff, residents)
        {
            phases.push(MethodPhase {
                name,
                days: phase.days,
                allows: phase.allows,
                staff_guidance,
                resident_guidance,
            });
        }
    }
    check.finish()?;
    match (title, summary, when_to_use, lessons, tags, licence) {
        (
            Some(title),
            Some(summary),
            Some(when_to_use),
            Some(lessons),
            Some(tags),
            Some(licence),
        ) => Ok(MethodDocument {
            title,
            summary,
            when_to_use,
            phases,
            tags,
            lessons,
            licence,
            used_in: Vec::new(),
            lineage: Vec::new(),
        }),
        _ => Err(checker_invariant()),
    }
}

fn read_document(row: &VersionRow) -> Result<MethodDocument, AppError> {
    serde_json::from_str(&row.document).map_err(|e| AppError::Internal(e.into()))
}

fn view(
    state: &AppState,
    method: &MethodRow,
    version: &VersionRow,
) -> Result<MethodView, AppError> {
    Ok(MethodView {
        id: method.id,
        url: Urls::new(&state.config).method(method.id),
        version: version.version,
        latest_version: method.current_version,
        document: read_document(version)?,
        derived_from: method.derived_from.clone(),
        used_by: Vec::new(),
        created_at: rfc3339(method.created_at),
        updated_at: rfc3339(version.created_at),
    })
}

pub(super) async fn store_new(
    state: &AppState,
    staff_id: i64,
    document: &MethodDocument,
    derived_from: Option<&str>,
) -> Result<i64, AppError> {
    let json = serde_json::to_string(document).map_err(|e| AppError::Internal(e.into()))?;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    let id = store::insert(
        tx.ex(),
        &document.title,
        &document.summary,
        derived_from,
        staff_id,
        now,
    )
    .await?;
    store::insert_version(tx.ex(), id, 1, &json, staff_id, now).await?;
    store::set_tags(tx.ex(), id, &document.tags).await?;
    events::record(tx.ex(), EventKind::MethodPublished, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    Ok(id)
}

/// Staff publish a new method.
pub async fn create(
    state: &AppState,
    viewer: &Viewer,
    input: MethodInput,
) -> Result<MethodView, AppError> {
    let staff = viewer.require_staff()?;
    let document = parse_input(&input)?;
    let id = store_new(state, staff.id, &document, None).await?;
    tracing::info!(method = id, by = staff.id, "method published");
    get(state, id, None).await
}

/// Staff edit a method: a new version, the earlier ones kept.
pub async fn update(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: MethodInput,
) -> Result<MethodView, AppError> {
    let staff = viewer.require_staff()?;
    let mut document = parse_input(&input)?;
    let mut conn = state.db.acquire().await?;
    let method = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("method"))?;
    let current = store::find_version(conn.ex(), id, method.current_version)
        .await?
        .ok_or(AppError::NotFound("method"))?;
    drop(conn);
    // Where it was used is not edited through the form: it carries over.
    document.used_in = read_document(&current)?.used_in;
    let json = serde_json::to_string(&document).map_err(|e| AppError::Internal(e.into()))?;
    let version = method.current_version + 1;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    if !store::advance(
        tx.ex(),
        id,
        version,
        &document.title,
        &document.summary,
        now,
    )
    .await?
    {
        return Err(AppError::conflict("version", msg!("error-method-changed")));
    }
    store::insert_version(tx.ex(), id, version, &json, staff.id, now).await?;
    store::set_tags(tx.ex(), id, &document.tags).await?;
    events::record(tx.ex(), EventKind::MethodUpdated, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(method = id, version, by = staff.id, "method updated");
    get(state, id, None).await
}

/// A method at `version`, or at its newest.
pub async fn get(state: &AppState, id: i64, version: Option<i32>) -> Result<MethodView, AppError> {
    let mut conn = state.db.acquire().await?;
    let method = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("method"))?;
    let row = store::find_version(conn.ex(), id, version.unwrap_or(method.current_version))
        .await?
        .ok_or(AppError::NotFound("method version"))?;
    let mut view = view(state, &method, &row)?;
    view.used_by = store::uses(conn.ex(), id)
        .await?
        .into_iter()
        .map(|(theme, title)| MethodUse { theme, title })
        .collect();
    Ok(view)
}

/// Every version of a method, newest first.
pub async fn versions(state: &AppState, id: i64) -> Result<Vec<MethodVersionView>, AppError> {
    let mut conn = state.db.acquire().await?;
    store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("method"))?;
    store::versions(conn.ex(), id)
        .await?
        .iter()
        .map(|row| {
            Ok(MethodVersionView {
                version: row.version,
                title: read_document(row)?.title,
                created_at: rfc3339(row.created_at),
            })
        })
        .collect()
}

/// The words of a search (at most eight), normalised as stored text is.
pub fn search_terms(q: Option<&str>) -> Result<Vec<String>, AppError> {
    if q.is_some_and(|q| q.chars().count() > 200) {
        return Err(AppError::invalid(
            "q",
            "too_long",
            msg!("error-search-too-long"),
        ));
    }
    Ok(q.unwrap_or_default()
        .split_whitespace()
        .map(crate::domain::normalize_text)
        .take(8)
        .collect())
}

/// A list's tag filter, normalised as stored tags are; none when empty.
pub fn tag_filter(tag: Option<&str>) -> Result<Option<String>, AppError> {
    match crate::domain::given(tag) {
        None => Ok(None),
        Some(tag) => Ok(Some(
            Tag::parse(tag)
                .map_err(|e| AppError::Validation(vec![e.at("tag")]))?
                .as_str()
                .to_string(),
        )),
    }
}

/// This municipality's methods, newest change first, by words and tag.
pub async fn list(
    state: &AppState,
    filter: &MethodFilter,
    page: Page,
) -> Result<(Vec<MethodView>, bool), AppError> {
    let terms = search_terms(filter.q.as_deref())?;
    let tag = tag_filter(filter.tag.as_deref())?;
    let mut conn = state.db.acquire().await?;
    let mut rows = store::list(
        conn.ex(),
        &terms,
        tag.as_deref(),
        page.probe_limit(),
        page.offset(),
    )
    .await?;
    let more = rows.len() as i64 > i64::from(page.per_page);
    rows.truncate(page.per_page as usize);
    let mut views = Vec::with_capacity(rows.len());
    for method in &rows {
        let version = store::find_version(conn.ex(), method.id, method.current_version)
            .await?
            .ok_or(AppError::NotFound("method version"))?;
        views.push(view(state, method, &version)?);
    }
    Ok((views, more))
}

/// `limit` of this municipality's methods from `offset`, newest change first (its outbox),
/// and whether more follow.
pub async fn list_published(
    state: &AppState,
    offset: i64,
    limit: i64,
) -> Result<(Vec<MethodView>, bool), AppError> {
    if limit <= 0 {
        let mut conn = state.db.acquire().await?;
        let more = store::count(conn.ex()).await? > offset;
        return Ok((Vec::new(), more));
    }
    let mut conn = state.db.acquire().await?;
    let mut rows = store::list(conn.ex(), &[], None, limit + 1, offset).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let mut views = Vec::with_capacity(rows.len());
    for method in &rows {
        let version = store::find_version(conn.ex(), method.id, method.current_version)
            .await?
            .ok_or(AppError::NotFound("method version"))?;
        views.push(view(state, method, &version)?);
    }
    Ok((views, more))
}

/// How many methods this municipality has.
pub async fn count_published(state: &AppState) -> Result<i64, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::count(conn.ex()).await?)
}
