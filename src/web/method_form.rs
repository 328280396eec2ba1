//! The staff forms of a method: write one from scratch, edit one (each save is a new
//! version), and import one from a file's text; every error is shown at its field or phase
//! row, and what was typed stays.

use crate::msg;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use crate::domain::PhaseActions;
use crate::services::method_from_theme::{self, ThemeRecord};
use crate::services::methods::{self, MethodDocument, MethodInput, MethodPhaseInput};
use crate::state::AppState;
use crate::t;

/// The licences a method may carry (SPDX identifiers).
pub const LICENCES: [&str; 3] = ["CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0"];

const BLANK_PHASE_ROWS: usize = 2;

/// One phase row, as typed.
#[derive(Debug, Default, Clone)]
pub struct MethodPhaseRow {
    pub index: usize,
    pub name: String,
    pub days: String,
    pub ideas: bool,
    pub comments: bool,
    pub supports: bool,
    pub amendments: bool,
    pub staff_guidance: String,
    pub resident_guidance: String,
    pub error: Option<String>,
}

impl MethodPhaseRow {
    fn blank(index: usize) -> Self {
        MethodPhaseRow {
            index,
            ideas: true,
            comments: true,
            supports: true,
            ..MethodPhaseRow::default()
        }
    }

    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.days.trim().is_empty()
            && self.staff_guidance.trim().is_empty()
            && self.resident_guidance.trim().is_empty()
    }
}

#[derive(Debug, Default)]
pub struct MethodForm {
    pub title: String,
    pub summary: String,
    pub when_to_use: String,
    pub tags: String,
    pub lessons: String,
    pub licence: String,
    pub phases: Vec<MethodPhaseRow>,
}

impl MethodForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut phases: Vec<MethodPhaseRow> = Vec::new();
        for (index, field, value) in super::forms::row_fields(pairs, "phase_", 40) {
            let value = value.to_string();
            while phases.len() <= index {
                let i = phases.len();
                phases.push(MethodPhaseRow {
                    index: i,
                    ..MethodPhaseRow::default()
                });
            }
            let row = &mut phases[index];
            match field {
                "name" => row.name = value,
                "days" => row.days = value,
                "ideas" => row.ideas = true,
                "comments" => row.comments = true,
                "supports" => row.supports = true,
                "amendments" => row.amendments = true,
                "staff" => row.staff_guidance = value,
                "residents" => row.resident_guidance = value,
                _ => {}
            }
        }
        MethodForm {
            title: get("title"),
            summary: get("summary"),
            when_to_use: get("when_to_use"),
            tags: get("tags"),
            lessons: get("lessons"),
            licence: get("licence"),
            phases,
        }
    }

    fn from_document(d: &MethodDocument) -> Self {
        MethodForm {
            title: d.title.clone(),
            summary: d.summary.clone(),
            when_to_use: d.when_to_use.clone(),
            tags: d.tags.join("、"),
            lessons: d.lessons.clone(),
            licence: d.licence.clone(),
            phases: d
                .phases
                .iter()
                .enumerate()
                .map(|(index, p)| MethodPhaseRow {
                    index,
                    name: p.name.clone(),
                    days: p.days.to_string(),
                    ideas: p.allows.ideas,
                    comments: p.allows.comments,
                    supports: p.allows.supports,
                    amendments: p.allows.amendments,
                    staff_guidance: p.staff_guidance.clone(),
                    resident_guidance: p.resident_guidance.clone(),
                    error: None,
                })
                .collect(),
        }
    }

    /// Blank rows let staff add phases without a script.
    fn with_blank_rows(mut self) -> Self {
        self.phases.retain(|p| !p.is_blank() || p.error.is_some());
        for (i, row) in self.phases.iter_mut().enumerate() {
            row.index = i;
        }
        for _ in 0..BLANK_PHASE_ROWS {
            let index = self.phases.len();
            self.phases.push(MethodPhaseRow::blank(index));
        }
        self
    }

    /// The input for the service, and the row number of each phase in it.
    fn input(&self) -> (MethodInput, Vec<usize>) {
        let filled: Vec<&MethodPhaseRow> = self.phases.iter().filter(|p| !p.is_blank()).collect();
        let rows = filled.iter().map(|p| p.index).collect();
        let phases = filled
            .iter()
            .map(|p| MethodPhaseInput {
                name: p.name.clone(),
                // Not a number: refused by the service as out of range, at the row.
                days: p.days.trim().parse().unwrap_or(0),
                allows: PhaseActions {
                    ideas: p.ideas,
                    comments: p.comments,
                    supports: p.supports,
                    amendments: p.amendments,
                },
                staff_guidance: p.staff_guidance.clone(),
                resident_guidance: p.resident_guidance.clone(),
            })
            .collect();
        let input = MethodInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            when_to_use: self.when_to_use.clone(),
            phases,
            tags: self
                .tags
                .split([',', '、', ' ', '　'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            lessons: self.lessons.clone(),
            licence: Some(self.licence.clone()).filter(|l| !l.trim().is_empty()),
        };
        (input, rows)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/method_form.html")]
pub struct MethodFormPage {
    pub ctx: PageCtx,
    pub form: MethodForm,
    pub errors: FormErrors,
    /// The method being edited; `None` for a new one.
    pub editing: Option<i64>,
    /// The theme a new method is made from, with the theme's record.
    pub from_theme: Option<FromTheme>,
    pub licences: [&'static str; 3],
}

/// A theme being kept as a method.
pub struct FromTheme {
    pub slug: String,
    pub title: String,
    pub record: ThemeRecord,
}

impl MethodFormPage {
    /// Where the form is sent.
    pub fn action(&self) -> String {
        match (&self.editing, &self.from_theme) {
            (Some(id), _) => format!("/staff/methods/{id}/edit"),
            (None, Some(theme)) => format!("/staff/themes/{}/method", theme.slug),
            (None, None) => "/staff/methods/new".to_string(),
        }
    }
}

/// Which method the form is about: a new one, one being edited, or one made from a theme.
enum Subject {
    New,
    Editing(i64),
    Theme(FromTheme),
}

fn page(
    ctx: PageCtx,
    form: MethodForm,
    errors: FormErrors,
    subject: Subject,
    status: StatusCode,
) -> PageResult {
    let (editing, from_theme) = match subject {
        Subject::New => (None, None),
        Subject::Editing(id) => (Some(id), None),
        Subject::Theme(theme) => (None, Some(theme)),
    };
    Ok((
        status,
        MethodFormPage {
            ctx,
            form: form.with_blank_rows(),
            errors,
            editing,
            from_theme,
            licences: LICENCES,
        },
    )
        .into_response())
}

pub async fn new_method(ctx: PageCtx) -> PageResult {
    ctx.viewer().require_staff()?;
    let form = MethodForm {
        licence: LICENCES[0].into(),
        ..MethodForm::default()
    };
    page(
        ctx,
        form,
        FormErrors::default(),
        Subject::New,
        StatusCode::OK,
    )
}

pub async fn edit_method(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    ctx.viewer().require_staff()?;
    let method = methods::get(&state, id, None).await?;
    let form = MethodForm::from_document(&method.document);
    page(
        ctx,
        form,
        FormErrors::default(),
        Subject::Editing(id),
        StatusCode::OK,
    )
}

/// The theme being kept as a method, with its record.
async fn theme_subject(
    state: &AppState,
    ctx: &PageCtx,
    slug: &str,
) -> Result<(MethodDocument, Subject), super::WebError> {
    let (document, record) = method_from_theme::prepare(state, &ctx.viewer(), slug).await?;
    let title = document
        .used_in
        .first()
        .map(|u| u.title.clone())
        .unwrap_or_default();
    let subject = Subject::Theme(FromTheme {
        slug: slug.to_string(),
        title,
        record,
    });
    Ok((document, subject))
}

/// Staff see the method a theme makes, filled in with what the theme has, and complete it
/// before anything is published.
pub async fn from_theme_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    let (document, subject) = theme_subject(&state, &ctx, &slug).await?;
    let form = MethodForm::from_document(&document);
    page(ctx, form, FormErrors::default(), subject, StatusCode::OK)
}

pub async fn publish_from_theme(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let (_, subject) = theme_subject(&state, &ctx, &slug).await?;
    save(&state, ctx, subject, pairs).await
}

async fn save(
    state: &AppState,
    ctx: PageCtx,
    subject: Subject,
    pairs: Vec<(String, String)>,
) -> PageResult {
    let viewer = ctx.viewer();
    let mut form = MethodForm::from_pairs(&pairs);
    let (input, rows) = form.input();
    let result = match &subject {
        Subject::New => methods::create(state, &viewer, input).await,
        Subject::Editing(id) => methods::update(state, &viewer, *id, input).await,
        Subject::Theme(theme) => {
            method_from_theme::publish(state, &viewer, &theme.slug, &input).await
        }
    };
    match result {
        Ok(method) => ctx.see_other(&format!("/methods/{}", method.id)),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            for (position, row) in rows.iter().enumerate() {
                if let Some(message) = errors.with_prefix(&format!("phases[{position}]."))
                    && let Some(typed) = form.phases.iter_mut().find(|p| p.index == *row)
                {
                    typed.error = Some(message);
                }
            }
            page(ctx, form, errors, subject, status)
        }
    }
}

pub async fn create_method(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    save(&state, ctx, Subject::New, pairs).await
}

pub async fn update_method(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    save(&state, ctx, Subject::Editing(id), pairs).await
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/method_import.html")]
pub struct ImportPage {
    pub ctx: PageCtx,
    pub file: String,
    /// Each refusal, with the field of the file it names.
    pub problems: Vec<(String, String)>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    pub file: String,
}

pub async fn import_form(ctx: PageCtx) -> PageResult {
    ctx.viewer().require_staff()?;
    Ok(ImportPage {
        ctx,
        file: String::new(),
        problems: Vec::new(),
    }
    .into_response())
}

/// Staff paste an exported method file: nothing is stored unless all of it reads.
pub async fn import(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<ImportForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let result = match serde_json::from_str::<serde_json::Value>(&form.file) {
        Ok(file) => crate::federation::methods::import(&state, &viewer, &file).await,
        Err(e) => {
            tracing::info!(error = %e, "an imported method is not JSON");
            Err(crate::error::AppError::invalid(
                "file",
                "not_json",
                msg!("error-not-json"),
            ))
        }
    };
    match result {
        Ok(method) => ctx.see_other(&format!("/methods/{}", method.id)),
        Err(crate::error::AppError::Validation(fields)) => {
            let problems = fields
                .into_iter()
                .map(|f| {
                    let why = f.message.render(ctx.lang);
                    (f.field, why)
                })
                .collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                ImportPage {
                    ctx,
                    file: form.file,
                    problems,
                },
            )
                .into_response())
        }
        Err(err) => Err(err.into()),
    }
}
