//! Starting a theme from a method, ours or another municipality's: its phases dated one
//! after another from a chosen first day, with their guidance and what each allows; its
//! summary and when to use it as the description; its tags. The theme is a draft that
//! staff edit, and it records the method it is based on.

use crate::msg;
use serde::Deserialize;
use utoipa::ToSchema;

use super::Viewer;
use super::method_library::{self, LibraryMethodView};
use super::methods::{self, MethodDocument};
use super::themes::{self, BasedOn, PhaseInput, ThemeInput, ThemeView};
use crate::domain::parse_date;
use crate::error::{AppError, Invalid};
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartTheme {
    /// The new theme's URL name and fediverse handle.
    #[schema(pattern = r"^\s*[a-z0-9]+(-[a-z0-9]+)*\s*$", max_length = 64)]
    pub slug: String,
    /// The theme's title; the method's when absent.
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: Option<String>,
    /// The first day of the first phase (YYYY-MM-DD); the others follow it.
    #[schema(format = Date)]
    pub starts_on: String,
}

fn theme_input(document: &MethodDocument, input: &StartTheme) -> Result<ThemeInput, AppError> {
    let mut day =
        parse_date(&input.starts_on).map_err(|e| AppError::Validation(vec![e.at("starts_on")]))?;
    let too_late = || {
        AppError::Validation(vec![
            Invalid::new("out_of_range", msg!("error-phases-too-late")).at("starts_on"),
        ])
    };
    let mut phases = Vec::with_capacity(document.phases.len());
    for phase in &document.phases {
        let last = day
            .checked_add(jiff::Span::new().days(i64::from(phase.days.max(1)) - 1))
            .map_err(|_| too_late())?;
        phases.push(PhaseInput {
            name: phase.name.clone(),
            description: phase.resident_guidance.chars().take(2000).collect(),
            staff_guidance: phase.staff_guidance.clone(),
            starts_on: day.to_string(),
            ends_on: last.to_string(),
            allows: phase.allows,
        });
        day = last.tomorrow().map_err(|_| too_late())?;
    }
    let mut description = document.summary.clone();
    if !document.when_to_use.trim().is_empty() {
        description.push_str("\n\n");
        description.push_str(&document.when_to_use);
    }
    Ok(ThemeInput {
        slug: input.slug.clone(),
        title: input
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| document.title.clone()),
        description,
        tags: document.tags.clone(),
        status: None,
        phases,
    })
}

/// Staff start a theme from one of this municipality's methods.
pub async fn from_local(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: StartTheme,
) -> Result<ThemeView, AppError> {
    viewer.require_staff()?;
    let method = methods::get(state, id, None).await?;
    let based_on = BasedOn {
        id: method.url.clone(),
        title: method.document.title.clone(),
        municipality: super::instance::profile(state).await?.name_ja,
        actor: None,
    };
    let theme = theme_input(&method.document, &input)?;
    themes::create_based_on(state, viewer, theme, Some(&based_on)).await
}

/// Staff start a theme from a method of another municipality (from the library); its
/// municipality is told when the theme opens.
pub async fn from_library(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: StartTheme,
) -> Result<ThemeView, AppError> {
    viewer.require_staff()?;
    let method: LibraryMethodView = method_library::get(state, id).await?;
    let origin = method_library::origin_of(&method);
    let based_on = BasedOn {
        id: origin.id,
        title: origin.title,
        municipality: origin.municipality,
        actor: Some(method.origin.actor.clone()),
    };
    let theme = theme_input(&method.document, &input)?;
    themes::create_based_on(state, viewer, theme, Some(&based_on)).await
}
