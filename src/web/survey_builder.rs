//! The staff survey builder, without a script: a survey's settings and numbered question
//! rows (blank rows to add more; consecutive rows with one section heading form a section),
//! each refusal shown at its row; and the page that makes one-time links.

use crate::msg;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors, row_fields};
use super::pages::PagePath;
use crate::domain::surveys::{MAX_QUESTIONS, QuestionKind};
use crate::error::{AppError, FieldError, Invalid};
use crate::services::surveys::{self, Audience, QuestionInput, SectionInput, SurveyInput};
use crate::services::themes::{self, ThemeView};
use crate::state::AppState;
use crate::t;

const BLANK_ROWS: usize = 3;

/// One question row as typed.
#[derive(Debug, Default, Clone)]
pub struct QuestionRow {
    pub index: usize,
    /// Where the question goes (1, 2, …); rows are put in this order when saved.
    pub order: String,
    pub section: String,
    pub kind: String,
    pub prompt: String,
    pub help: String,
    pub required: bool,
    /// One option per line.
    pub options: String,
    pub max_choices: String,
    pub points: String,
    pub min: String,
    pub max: String,
    pub low_label: String,
    pub high_label: String,
    pub error: Option<String>,
}

impl QuestionRow {
    fn blank(index: usize) -> Self {
        QuestionRow {
            index,
            ..QuestionRow::default()
        }
    }

    /// A row without a prompt is not a question (the kind alone is a select's default).
    fn is_blank(&self) -> bool {
        self.prompt.trim().is_empty()
            && self.help.trim().is_empty()
            && self.options.trim().is_empty()
    }
}

#[derive(Debug, Default)]
pub struct SurveyForm {
    /// Saved as a draft only staff see.
    pub draft: bool,
    pub title: String,
    pub description: String,
    pub audience: String,
    pub opens_on: String,
    pub closes_on: String,
    pub phase: String,
    pub rows: Vec<QuestionRow>,
}

/// A number field: blank is none; anything else that is not a number is refused at the row.
fn number(raw: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(Invalid::new("not_a_number", msg!("error-not-a-number")).at(field));
            None
        }
    }
}

impl SurveyForm {
    pub(super) fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut rows: Vec<QuestionRow> = Vec::new();
        for (index, field, value) in row_fields(pairs, "q_", MAX_QUESTIONS + BLANK_ROWS) {
            while rows.len() <= index {
                rows.push(QuestionRow::blank(rows.len()));
            }
            let row = &mut rows[index];
            let value = value.to_string();
            match field {
                "order" => row.order = value,
                "section" => row.section = value,
                "kind" => row.kind = value,
                "prompt" => row.prompt = value,
                "help" => row.help = value,
                "required" => row.required = true,
                "options" => row.options = value,
                "max_choices" => row.max_choices = value,
                "points" => row.points = value,
                "min" => row.min = value,
                "max" => row.max = value,
                "low_label" => row.low_label = value,
                "high_label" => row.high_label = value,
                _ => {}
            }
        }
        SurveyForm {
            draft: pairs.iter().any(|(k, _)| k == "draft"),
            title: get("title"),
            description: get("description"),
            audience: get("audience"),
            opens_on: get("opens_on"),
            closes_on: get("closes_on"),
            phase: get("phase"),
            rows,
        }
    }

    /// A survey as it stands, to edit.
    pub fn from_view(survey: &surveys::SurveyView) -> Self {
        let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let mut rows = Vec::new();
        for section in &survey.sections {
            for q in &section.questions {
                let scale = matches!(q.kind, QuestionKind::Scale);
                rows.push(QuestionRow {
                    index: rows.len(),
                    order: (rows.len() + 1).to_string(),
                    section: section.title.clone(),
                    kind: q.kind.as_str().to_string(),
                    prompt: q.prompt.clone(),
                    help: q.help.clone(),
                    required: q.required,
                    options: q
                        .options
                        .iter()
                        .map(|o| o.label.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    max_choices: text(q.max_choices),
                    points: if scale { text(q.high) } else { String::new() },
                    min: if matches!(q.kind, QuestionKind::Number) {
                        text(q.low)
                    } else {
                        String::new()
                    },
                    max: if matches!(q.kind, QuestionKind::Number) {
                        text(q.high)
                    } else {
                        String::new()
                    },
                    low_label: q.low_label.clone(),
                    high_label: q.high_label.clone(),
                    error: None,
                });
            }
        }
        SurveyForm {
            draft: survey.state == surveys::SurveyState::Draft,
            title: survey.title.clone(),
            description: survey.description.clone(),
            audience: survey.audience.as_str().to_string(),
            opens_on: survey.opens_on.clone().unwrap_or_default(),
            closes_on: survey.closes_on.clone().unwrap_or_default(),
            phase: survey.phase.map(|p| p.to_string()).unwrap_or_default(),
            rows,
        }
    }

    fn with_blank_rows(mut self) -> Self {
        self.rows.retain(|r| !r.is_blank() || r.error.is_some());
        for (i, row) in self.rows.iter_mut().enumerate() {
            row.index = i;
            if row.order.trim().is_empty() {
                row.order = (i + 1).to_string();
            }
        }
        for _ in 0..BLANK_ROWS {
            let index = self.rows.len();
            let mut row = QuestionRow::blank(index);
            row.order = (index + 1).to_string();
            self.rows.push(row);
        }
        self
    }

    /// The service's input, and for each question in it (section by section) the row it
    /// came from; what the form itself cannot read is refused by field.
    pub(super) fn input(&self) -> Result<(SurveyInput, Vec<Vec<usize>>), AppError> {
        let mut errors = Vec::new();
        let audience = match self.audience.as_str() {
            "link" => Audience::Link,
            _ => Audience::Residents,
        };
        let phase = match self.phase.trim() {
            "" => None,
            raw => raw.parse::<i64>().ok().or_else(|| {
                errors.push(Invalid::new("unknown_phase", msg!("error-choose-phase")).at("phase"));
                None
            }),
        };
        let mut sections: Vec<SectionInput> = Vec::new();
        let mut rows_of: Vec<Vec<usize>> = Vec::new();
        let mut current: Option<String> = None;
        // Rows go where their order number says; rows without one keep their place.
        let mut ordered: Vec<&QuestionRow> = self.rows.iter().filter(|r| !r.is_blank()).collect();
        ordered.sort_by_key(|r| {
            let place = r.order.trim().parse::<usize>().unwrap_or(r.index + 1);
            (place, r.index)
        });
        for row in ordered {
            let at = |field: &str| format!("q_{field}_{}", row.index);
            let kind = match QuestionKind::parse(row.kind.trim()) {
                Ok(kind) => kind,
                Err(e) => {
                    errors.push(e.at(at("kind")));
                    continue;
                }
            };
            let heading = row.section.trim().to_string();
            if current.as_deref() != Some(heading.as_str()) {
                sections.push(SectionInput {
                    title: heading.clone(),
                    description: String::new(),
                    questions: Vec::new(),
                });
                rows_of.push(Vec::new());
                current = Some(heading);
            }
            let question = QuestionInput {
                kind,
                prompt: row.prompt.clone(),
                help: row.help.clone(),
                required: row.required,
                options: row
                    .options
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
                max_choices: number(&row.max_choices, &at("max_choices"), &mut errors),
                points: number(&row.points, &at("points"), &mut errors),
                min: number(&row.min, &at("min"), &mut errors),
                max: number(&row.max, &at("max"), &mut errors),
                low_label: row.low_label.clone(),
                high_label: row.high_label.clone(),
            };
            if let (Some(section), Some(rows)) = (sections.last_mut(), rows_of.last_mut()) {
                section.questions.push(question);
                rows.push(row.index);
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let date = |raw: &str| Some(raw.trim().to_string()).filter(|d| !d.is_empty());
        let input = SurveyInput {
            title: self.title.clone(),
            description: self.description.clone(),
            audience,
            opens_on: date(&self.opens_on),
            closes_on: date(&self.closes_on),
            phase,
            sections,
            draft: self.draft,
        };
        Ok((input, rows_of))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/survey_form.html")]
pub struct SurveyFormPage {
    pub ctx: PageCtx,
    pub theme: ThemeView,
    pub form: SurveyForm,
    pub errors: FormErrors,
    /// The survey being edited, when it is not a new one.
    pub editing: Option<surveys::SurveyView>,
}

impl SurveyFormPage {
    pub fn action(&self) -> String {
        match &self.editing {
            Some(survey) => format!("/staff/surveys/{}/edit", survey.id),
            None => format!("/staff/themes/{}/surveys/new", self.theme.slug),
        }
    }

    /// Whether answers exist, so that only the wording may change.
    pub fn wording_only(&self) -> bool {
        self.editing.as_ref().is_some_and(|s| s.response_count > 0)
    }
}

impl SurveyFormPage {
    pub fn kinds(&self) -> Vec<(&'static str, String)> {
        QuestionKind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str(),
                    self.ctx.label(&format!("survey-kind-{}", k.as_str())),
                )
            })
            .collect()
    }

    /// The theme's phases as (number, name), to open the survey while one runs.
    pub fn phases(&self) -> Vec<(String, String)> {
        self.theme
            .phases
            .iter()
            .enumerate()
            .map(|(i, p)| ((i + 1).to_string(), p.name.clone()))
            .collect()
    }
}

pub(super) fn page(
    ctx: PageCtx,
    theme: ThemeView,
    form: SurveyForm,
    errors: FormErrors,
    status: StatusCode,
    editing: Option<surveys::SurveyView>,
) -> PageResult {
    let page = SurveyFormPage {
        ctx,
        theme,
        form: form.with_blank_rows(),
        errors,
        editing,
    };
    Ok((status, page).into_response())
}

pub async fn new_survey(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let theme = themes::get(&state, &viewer, &slug).await?;
    let form = SurveyForm {
        audience: "residents".into(),
        ..SurveyForm::default()
    };
    page(
        ctx,
        theme,
        form,
        FormErrors::default(),
        StatusCode::OK,
        None,
    )
}

pub async fn create_survey(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let theme = themes::get(&state, &viewer, &slug).await?;
    let mut form = SurveyForm::from_pairs(&pairs);
    // "More rows": show the form again with blank rows, nothing saved.
    if pairs.iter().any(|(k, _)| k == "more") {
        return page(
            ctx,
            theme,
            form,
            FormErrors::default(),
            StatusCode::OK,
            None,
        );
    }
    let outcome = match form.input() {
        Ok((input, rows_of)) => surveys::create(&state, &viewer, &slug, &input)
            .await
            .map_err(|e| (e, rows_of)),
        Err(e) => Err((e, Vec::new())),
    };
    match outcome {
        Ok(survey) => ctx.see_other(&format!("/surveys/{}", survey.id)),
        Err((err, rows_of)) => {
            let errors = refusal_at_rows(&ctx, &mut form, err, &rows_of)?;
            page(ctx, theme, form, errors.1, errors.0, None)
        }
    }
}

/// Places a refusal at the rows it is about: the form's own refusals name the row's field;
/// the service's name the question by its section and place, which `rows_of` turns back
/// into a row.
pub(super) fn refusal_at_rows(
    ctx: &PageCtx,
    form: &mut SurveyForm,
    err: AppError,
    rows_of: &[Vec<usize>],
) -> Result<(StatusCode, FormErrors), super::WebError> {
    let (status, errors) = form_errors(ctx, err)?;
    for row in form.rows.iter_mut() {
        row.error = ["kind", "max_choices", "points", "min", "max"]
            .iter()
            .find_map(|field| {
                let message = errors.get(&format!("q_{field}_{}", row.index))?;
                Some(field_message(ctx, field, message))
            });
    }
    for (s, rows) in rows_of.iter().enumerate() {
        for (q, index) in rows.iter().enumerate() {
            let prefix = format!("sections[{s}].questions[{q}]");
            let found = errors.first_with_prefix(&format!("{prefix}.")).or_else(|| {
                // A question refused whole (its shape is locked by answers).
                errors.get(&prefix).map(|m| (String::new(), m.to_string()))
            });
            if let Some((field, message)) = found
                && let Some(row) = form.rows.iter_mut().find(|r| r.index == *index)
            {
                row.error = Some(field_message(ctx, &field, &message));
            }
        }
    }
    Ok((status, errors))
}

/// A row's refusal with the name of the field it is about (`選択肢: 2つ以上…`).
fn field_message(ctx: &PageCtx, field: &str, message: &str) -> String {
    let label = match field.split('[').next().unwrap_or(field) {
        "kind" => crate::t!(ctx, "survey-form-kind"),
        "prompt" => crate::t!(ctx, "survey-form-prompt"),
        "help" => crate::t!(ctx, "survey-form-help"),
        "options" => crate::t!(ctx, "survey-form-options"),
        "max_choices" => crate::t!(ctx, "survey-form-max-choices"),
        "points" => crate::t!(ctx, "survey-form-points"),
        "min" => crate::t!(ctx, "survey-form-min"),
        "max" => crate::t!(ctx, "survey-form-max"),
        "low_label" => crate::t!(ctx, "survey-form-low-label"),
        "high_label" => crate::t!(ctx, "survey-form-high-label"),
        _ => return message.to_string(),
    };
    if ctx.is_ja() {
        format!("{label}：{message}")
    } else {
        format!("{label}: {message}")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/survey_links.html")]
pub struct LinksPage {
    pub ctx: PageCtx,
    pub survey: surveys::SurveyView,
    pub links: Vec<String>,
    pub count: String,
    pub errors: FormErrors,
}

pub async fn links_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let survey = surveys::get(&state, &viewer, id).await?;
    Ok(LinksPage {
        ctx,
        survey,
        links: Vec::new(),
        count: "10".into(),
        errors: FormErrors::default(),
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct LinksForm {
    #[serde(default)]
    pub count: String,
}

pub async fn make_links(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<LinksForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let survey = surveys::get(&state, &viewer, id).await?;
    let made = match form.count.trim().parse::<i64>() {
        Ok(count) => surveys::create_links(&state, &viewer, id, count).await,
        Err(_) => Err(AppError::invalid(
            "count",
            "out_of_range",
            msg!("error-link-count"),
        )),
    };
    let (status, links, errors) = match made {
        Ok(links) => (StatusCode::OK, links, FormErrors::default()),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            (status, Vec::new(), errors)
        }
    };
    let page = LinksPage {
        ctx,
        survey,
        links,
        count: form.count,
        errors,
    };
    Ok((status, page).into_response())
}
