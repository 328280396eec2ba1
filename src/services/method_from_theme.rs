//! Staff keep a theme's way of working as a method: everything the theme has (its phases
//! with their length, what each allowed and the guidance given, its tags, its description,
//! the theme as where the method was used) and the theme's record to write the lessons
//! from; staff complete "when to use" and the lessons before it is published.

use serde::Serialize;

use super::Viewer;
use super::methods::{
    LICENCES, MAX_PHASE_DAYS, MethodDocument, MethodInput, MethodPhase, MethodUse, MethodView, get,
    parse_input, store_new,
};
use crate::domain::urls::Urls;
use crate::domain::{PhaseActions, parse_date};
use crate::error::AppError;
use crate::msg;
use crate::state::AppState;

/// What the theme achieved, for staff to write the method's lessons from.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ThemeRecord {
    pub ideas: i64,
    pub answered: i64,
    pub drafts: i64,
    pub results: i64,
}

/// The method a theme makes, unsaved: what the theme has, with "when to use" and the
/// lessons left for staff; and the theme's record.
pub async fn prepare(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<(MethodDocument, ThemeRecord), AppError> {
    viewer.require_staff()?;
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut phases = Vec::with_capacity(theme.phases.len());
    for phase in &theme.phases {
        let (Ok(start), Ok(end)) = (parse_date(&phase.starts_on), parse_date(&phase.ends_on))
        else {
            continue;
        };
        let days = (end - start).get_days().unsigned_abs() + 1;
        phases.push(MethodPhase {
            name: phase.name.clone(),
            days: days.min(MAX_PHASE_DAYS),
            allows: PhaseActions {
                ideas: phase.allow_ideas,
                comments: phase.allow_comments,
                supports: phase.allow_supports,
                amendments: phase.allow_amendments,
            },
            staff_guidance: phase.staff_guidance.clone(),
            resident_guidance: phase.description.clone(),
        });
    }
    if phases.is_empty() {
        return Err(AppError::invalid(
            "phases",
            "required",
            msg!("error-theme-no-phases"),
        ));
    }
    let summary: String =
        crate::markdown::plain_text(&crate::markdown::render(&theme.row.description))
            .chars()
            .take(1000)
            .collect();
    let document = MethodDocument {
        title: theme.row.title.clone(),
        summary: if summary.trim().is_empty() {
            theme.row.title.clone()
        } else {
            summary.trim().to_string()
        },
        when_to_use: String::new(),
        phases,
        tags: theme.tags.clone(),
        lessons: String::new(),
        licence: LICENCES[0].to_string(),
        used_in: vec![used_in(state, &theme.row.slug, &theme.row.title)],
        lineage: Vec::new(),
    };
    let overview = super::theme_overview::of_theme(state, viewer, slug).await?;
    let record = ThemeRecord {
        ideas: overview.ideas,
        answered: overview.ideas - overview.awaiting_answer,
        drafts: overview.drafts,
        results: overview.results,
    };
    Ok((document, record))
}

fn used_in(state: &AppState, slug: &str, title: &str) -> MethodUse {
    MethodUse {
        theme: Urls::new(&state.config).theme(slug),
        title: title.to_string(),
    }
}

/// Staff publish the method a theme makes, as they completed it: the theme is recorded as
/// where it was used.
pub async fn publish(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    input: &MethodInput,
) -> Result<MethodView, AppError> {
    let staff = viewer.require_staff()?;
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut document = parse_input(input)?;
    document.used_in = vec![used_in(state, &theme.row.slug, &theme.row.title)];
    keep(state, staff.id, slug, &document).await
}

/// Staff save a theme as a method at once, as the theme has it (the API's one step; staff
/// complete it by editing, each edit a new version).
pub async fn save_as_is(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<MethodView, AppError> {
    let staff = viewer.require_staff()?;
    let (document, _) = prepare(state, viewer, slug).await?;
    keep(state, staff.id, slug, &document).await
}

/// Stores the method a theme made, published.
async fn keep(
    state: &AppState,
    staff_id: i64,
    slug: &str,
    document: &MethodDocument,
) -> Result<MethodView, AppError> {
    let id = store_new(state, staff_id, document, None).await?;
    tracing::info!(
        method = id,
        theme = slug,
        by = staff_id,
        "theme saved as a method"
    );
    get(state, id, None).await
}
