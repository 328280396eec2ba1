//! Surveys on the site, without a script: a theme's surveys; the answer form of a resident,
//! of a link holder and of help-desk staff entering a paper answer; and changing an answer
//! with the key this browser keeps for it (a cookie per survey, cleared at logout).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use super::survey_form::Typed;
use crate::domain::surveys::QuestionKind;
use crate::error::AppError;
use crate::http::extract::cookie;
use crate::services::survey_responses::{self, ResponseInput};
use crate::services::surveys::{self, Audience, QuestionView, SurveyState, SurveyView};
use crate::services::themes::{self, ThemeView};
use crate::state::AppState;
use crate::t;

/// Each survey's edit key is kept in a cookie of this prefix and the survey's id.
pub const SURVEY_COOKIE_PREFIX: &str = "hiroba_survey_";

fn cookie_name(id: i64) -> String {
    format!("{SURVEY_COOKIE_PREFIX}{id}")
}

/// The `Set-Cookie` value that keeps (or, with an empty key, forgets) a survey's edit key.
/// It lives for the browser session, on the whole site so that logging out can forget it.
pub fn key_cookie(state: &AppState, name: &str, key: &str) -> HeaderValue {
    let age = if key.is_empty() { "; Max-Age=0" } else { "" };
    let cookie = format!(
        "{name}={key}; Path=/; HttpOnly; SameSite=Lax{age}{}",
        crate::http::extract::secure_attribute(state)
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The names of every survey key cookie the browser sent (to forget them at logout).
pub fn key_cookie_names(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(name, _)| name)
        .filter(|name| name.starts_with(SURVEY_COOKIE_PREFIX))
        .map(str::to_string)
        .collect()
}

fn kept_key(headers: &HeaderMap, id: i64) -> Option<String> {
    cookie(headers, &cookie_name(id)).filter(|k| !k.is_empty())
}

/// What the survey page offers this visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// The answer form.
    Answer,
    /// The form filled with the kept answer, to change it.
    Change,
    /// A paper answer entered by staff.
    Paper,
    /// Answered from this browser: the key is shown, with a way to change the answer.
    Answered,
    /// Answered with this account, but this browser does not keep the key.
    AnsweredElsewhere,
    /// A resident's survey: sign in first.
    SignIn,
    /// A link survey opened without a link.
    NeedsLink,
    /// Not open yet, or closed.
    NotOpen,
}

#[derive(Template, WebTemplate)]
#[template(path = "survey.html")]
pub struct SurveyPage {
    pub ctx: PageCtx,
    pub survey: SurveyView,
    pub offer: Offer,
    pub typed: Typed,
    pub errors: FormErrors,
    /// The one-time link's secret the page was opened with.
    pub link: String,
    /// The key of the answer this browser keeps.
    pub key: Option<String>,
    /// A paper answer was just stored.
    pub entered: bool,
}

impl SurveyPage {
    /// The page offering `offer`, with an empty form.
    fn new(ctx: PageCtx, survey: SurveyView, offer: Offer) -> Self {
        SurveyPage {
            ctx,
            survey,
            offer,
            typed: Typed::default(),
            errors: FormErrors::default(),
            link: String::new(),
            key: None,
            entered: false,
        }
    }

    /// Choices, rankings and scales are a group of controls under one legend.
    pub fn is_grouped(&self, question: &QuestionView) -> bool {
        !matches!(
            question.kind,
            QuestionKind::ShortText
                | QuestionKind::LongText
                | QuestionKind::Number
                | QuestionKind::Date
        )
    }

    pub fn section_label(&self, number: &usize) -> String {
        t!(self.ctx, "survey-section", number = number.to_string())
    }

    pub fn field_name(&self, question: &QuestionView) -> String {
        format!("answers.{}", question.id)
    }

    /// The hint and, when there is one, the error that describe a question's controls.
    pub fn described_by(&self, question: &QuestionView) -> String {
        match self.error_of(question) {
            Some(_) => format!("q{0}-hint error-answers-{0}", question.id),
            None => format!("q{}-hint", question.id),
        }
    }

    pub fn is_form(&self) -> bool {
        matches!(self.offer, Offer::Answer | Offer::Change | Offer::Paper)
    }

    pub fn form_action(&self) -> String {
        let id = self.survey.id;
        match self.offer {
            Offer::Change => format!("/surveys/{id}/change"),
            Offer::Paper => format!("/surveys/{id}/paper"),
            _ => format!("/surveys/{id}"),
        }
    }

    pub fn error_of(&self, question: &QuestionView) -> Option<&str> {
        self.errors.get(&format!("answers.{}", question.id))
    }

    pub fn value_of(&self, question: &QuestionView) -> String {
        self.typed.first(&format!("answers.{}", question.id))
    }

    pub fn is_chosen(&self, question: &QuestionView, number: &i32) -> bool {
        self.typed
            .all(&format!("answers.{}", question.id))
            .iter()
            .any(|v| v.trim() == number.to_string())
    }

    pub fn is_point(&self, question: &QuestionView, point: &i64) -> bool {
        self.value_of(question).trim() == point.to_string()
    }

    pub fn rank_of(&self, question: &QuestionView, number: &i32) -> String {
        self.typed
            .first(&format!("answers.{}.{number}", question.id))
            .trim()
            .to_string()
    }

    /// The points of a scale question, low to high.
    pub fn points(&self, question: &QuestionView) -> Vec<i64> {
        match (question.low, question.high) {
            (Some(low), Some(high)) if high >= low && high - low <= 20 => (low..=high).collect(),
            _ => Vec::new(),
        }
    }

    /// The classes that lay a scale's points out: all in one row where there is room, and
    /// on a phone in at most two rows of equal points (up to seven stay in one row).
    /// A receipt key spelled out for screen readers, a character at a time, a pause
    /// between groups.
    pub fn key_spelled(&self, key: &str) -> String {
        key.split('-')
            .map(|group| {
                group
                    .chars()
                    .map(String::from)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn scale_layout(&self, question: &QuestionView) -> String {
        let count = self.points(question).len().max(1);
        let narrow = if count <= 7 { count } else { count.div_ceil(2) };
        format!("per-row-{count} per-row-narrow-{narrow}")
    }

    pub fn ranks(&self, question: &QuestionView) -> Vec<usize> {
        let most = question
            .max_choices
            .map_or(question.options.len(), |m| m.max(0) as usize);
        (1..=most.min(question.options.len())).collect()
    }

    pub fn proxy_value(&self, field: &str) -> String {
        self.typed.first(field)
    }

    pub fn proxy_has_relation(&self, relation: &&str) -> bool {
        self.typed
            .all("proxy_relations")
            .iter()
            .any(|r| r == relation)
    }

    /// What the ends of a labelled scale mean, in words (`1 = 不満 … 5 = 満足`).
    pub fn scale_ends(&self, question: &QuestionView) -> String {
        match (question.low, question.high) {
            (Some(low), Some(high))
                if !question.low_label.is_empty() || !question.high_label.is_empty() =>
            {
                crate::t!(
                    self.ctx,
                    "survey-scale-ends",
                    low = low.to_string(),
                    low_label = question.low_label.clone(),
                    high = high.to_string(),
                    high_label = question.high_label.clone()
                )
            }
            _ => String::new(),
        }
    }

    pub fn kind_hint(&self, question: &QuestionView) -> String {
        match question.kind {
            QuestionKind::MultipleChoice => match question.max_choices {
                Some(n) => crate::t!(self.ctx, "survey-choose-up-to", count = n),
                None => crate::t!(self.ctx, "survey-choose-any"),
            },
            QuestionKind::Ranking => crate::t!(self.ctx, "survey-rank-hint"),
            QuestionKind::Number => match (question.low, question.high) {
                (Some(low), Some(high)) => crate::t!(
                    self.ctx,
                    "survey-number-between",
                    low = low.to_string(),
                    high = high.to_string()
                ),
                _ => String::new(),
            },
            _ => String::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SurveyQuery {
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub entered: Option<String>,
}

fn offer_for(ctx: &PageCtx, survey: &SurveyView, key: &Option<String>, link: &str) -> Offer {
    if key.is_some() {
        return Offer::Answered;
    }
    if !survey.open {
        return Offer::NotOpen;
    }
    match survey.audience {
        Audience::Residents if ctx.user.is_none() => Offer::SignIn,
        Audience::Residents if survey.answered => Offer::AnsweredElsewhere,
        Audience::Residents => Offer::Answer,
        Audience::Link if link.is_empty() => Offer::NeedsLink,
        Audience::Link => Offer::Answer,
    }
}

fn render(page: SurveyPage, status: StatusCode) -> PageResult {
    Ok((status, page).into_response())
}

pub async fn survey(
    State(state): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    PagePath(id): PagePath<i64>,
    Query(query): Query<SurveyQuery>,
) -> PageResult {
    let survey = surveys::get(&state, &ctx.viewer(), id).await?;
    let key = kept_key(&headers, id);
    let link = query.link.unwrap_or_default();
    let offer = offer_for(&ctx, &survey, &key, link.trim());
    render(
        SurveyPage {
            link,
            key,
            entered: query.entered.is_some(),
            ..SurveyPage::new(ctx, survey, offer)
        },
        StatusCode::OK,
    )
}

fn with_cookie(mut response: Response, value: HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, value);
    response
}

/// A resident's or a link holder's answer; the key is kept by this browser.
pub async fn answer(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let viewer = ctx.viewer();
    let survey = surveys::get(&state, &viewer, id).await?;
    let typed = Typed::from_pairs(&pairs);
    let link = pairs
        .iter()
        .find(|(k, _)| k == "link")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let outcome = match typed.answers(&survey) {
        Ok(answers) => {
            let input = ResponseInput {
                answers,
                link: Some(link.clone()).filter(|l| !l.trim().is_empty()),
                proxy: None,
            };
            survey_responses::respond(&state, &viewer, id, &input).await
        }
        Err(err) => Err(err),
    };
    match outcome {
        Ok(receipt) => {
            let response = ctx.see_other(&format!("/surveys/{id}"))?;
            let value = key_cookie(&state, &cookie_name(id), &receipt.edit_key);
            Ok(with_cookie(response, value))
        }
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            // Refused answers are shown again to be corrected, unless answering is not
            // possible at all (closed, answered already, signed out).
            let offer = match offer_for(&ctx, &survey, &None, link.trim()) {
                Offer::NeedsLink => Offer::Answer,
                other => other,
            };
            render(
                SurveyPage {
                    typed,
                    errors,
                    link,
                    ..SurveyPage::new(ctx, survey, offer)
                },
                status,
            )
        }
    }
}

/// The form filled with the answer this browser keeps the key of.
pub async fn change_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let viewer = ctx.viewer();
    let survey = surveys::get(&state, &viewer, id).await?;
    let Some(key) = kept_key(&headers, id) else {
        return ctx.see_other(&format!("/surveys/{id}"));
    };
    let answers = match survey_responses::answers_for_key(&state, &viewer, id, &key).await {
        Ok(answers) => answers,
        // A key that opens nothing (the answer is gone): forget it.
        Err(AppError::Validation(_)) => {
            let response = ctx.see_other(&format!("/surveys/{id}"))?;
            return Ok(with_cookie(
                response,
                key_cookie(&state, &cookie_name(id), ""),
            ));
        }
        Err(err) => return Err(err.into()),
    };
    let offer = if survey.open {
        Offer::Change
    } else {
        Offer::NotOpen
    };
    let typed = Typed::from_answers(&survey, &answers);
    render(
        SurveyPage {
            typed,
            key: Some(key),
            ..SurveyPage::new(ctx, survey, offer)
        },
        StatusCode::OK,
    )
}

pub async fn change(
    State(state): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    PagePath(id): PagePath<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let viewer = ctx.viewer();
    let survey = surveys::get(&state, &viewer, id).await?;
    let Some(key) = kept_key(&headers, id) else {
        return ctx.see_other(&format!("/surveys/{id}"));
    };
    let typed = Typed::from_pairs(&pairs);
    let outcome = match typed.answers(&survey) {
        Ok(answers) => survey_responses::change_response(&state, &viewer, id, &key, &answers).await,
        Err(err) => Err(err),
    };
    match outcome {
        Ok(()) => ctx.see_other(&format!("/surveys/{id}")),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render(
                SurveyPage {
                    typed,
                    errors,
                    key: Some(key),
                    ..SurveyPage::new(ctx, survey, Offer::Change)
                },
                status,
            )
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    pub edit_key: String,
}

/// A respondent gives the key they noted, to change the answer from this browser.
pub async fn keep_key(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<KeyForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    let key = form.edit_key.trim().to_string();
    let opens = !key.is_empty()
        && key.len() <= 100
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && survey_responses::answers_for_key(&state, &viewer, id, &key)
            .await
            .is_ok();
    if opens {
        let response = ctx.see_other(&format!("/surveys/{id}/change"))?;
        return Ok(with_cookie(
            response,
            key_cookie(&state, &cookie_name(id), &key),
        ));
    }
    let survey = surveys::get(&state, &viewer, id).await?;
    let mut errors = FormErrors::default();
    errors.set("edit_key", crate::t!(ctx, "survey-key-unknown"));
    let offer = offer_for(&ctx, &survey, &None, "");
    render(
        SurveyPage {
            errors,
            ..SurveyPage::new(ctx, survey, offer)
        },
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// This browser forgets the key (a shared tablet, before handing it on).
pub async fn forget_key(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(_): CsrfForm<KeyForm>,
) -> PageResult {
    let response = ctx.see_other(&format!("/surveys/{id}"))?;
    Ok(with_cookie(
        response,
        key_cookie(&state, &cookie_name(id), ""),
    ))
}

/// Help-desk staff enter a paper answer, with the attributes the paper gives.
pub async fn paper_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(query): Query<SurveyQuery>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let survey = surveys::get(&state, &viewer, id).await?;
    let offer = if survey.open {
        Offer::Paper
    } else {
        Offer::NotOpen
    };
    render(
        SurveyPage {
            entered: query.entered.is_some(),
            ..SurveyPage::new(ctx, survey, offer)
        },
        StatusCode::OK,
    )
}

pub async fn paper(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let survey = surveys::get(&state, &viewer, id).await?;
    let typed = Typed::from_pairs(&pairs);
    let outcome = match typed.answers(&survey) {
        Ok(answers) => {
            let input = ResponseInput {
                answers,
                link: None,
                proxy: Some(typed.proxy()),
            };
            survey_responses::respond(&state, &viewer, id, &input).await
        }
        Err(err) => Err(err),
    };
    match outcome {
        Ok(_) => ctx.see_other(&format!("/surveys/{id}/paper?entered=1")),
        Err(err) => {
            let (status, mut errors) = form_errors(&ctx, err)?;
            for field in ["proxy.age_band", "proxy.area"] {
                if let Some(text) = errors.get(field).map(str::to_string) {
                    errors.set(&field.replace('.', "_"), text);
                }
            }
            if let Some(text) = errors.with_prefix("proxy.relations") {
                errors.set("proxy_relations", text);
            }
            render(
                SurveyPage {
                    typed,
                    errors,
                    ..SurveyPage::new(ctx, survey, Offer::Paper)
                },
                status,
            )
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys.html")]
pub struct SurveysPage {
    pub ctx: PageCtx,
    pub theme: ThemeView,
    pub surveys: Vec<SurveyView>,
}

pub async fn of_theme(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    let viewer = ctx.viewer();
    let theme = themes::get(&state, &viewer, &slug).await?;
    let surveys = surveys::of_theme(&state, &viewer, &slug).await?;
    Ok(SurveysPage {
        ctx,
        theme,
        surveys,
    }
    .into_response())
}
