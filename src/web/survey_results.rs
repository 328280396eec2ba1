//! A survey's results on the site: per question a bar chart drawn on the server as SVG,
//! always beside the table of the same figures (the chart's text equivalent), mean and
//! median of scales, and the free texts, which staff can hide from the public results.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::CsrfForm;
use super::pages::PagePath;
use crate::domain::surveys::QuestionKind;
use crate::services::survey_results::{self, QuestionResult, SurveyResults};
use crate::state::AppState;
use crate::t;

/// Where the bars start and how long a bar of 100% is, in the chart's own units.
const LABEL_WIDTH: i64 = 220;
const BAR_SPAN: f64 = 300.0;
const ROW_HEIGHT: i64 = 28;
/// Longer labels are cut in the chart; the table beside it has them whole.
const CHART_LABEL_CHARS: usize = 14;

/// One bar: its label, figures, and where it is drawn.
pub struct Bar {
    pub label: String,
    pub count: i64,
    pub percent: f64,
    pub y: i64,
    pub width: f64,
}

pub struct Chart {
    pub bars: Vec<Bar>,
    pub height: i64,
}

impl Chart {
    fn of(rows: Vec<(String, i64, f64)>) -> Self {
        let bars: Vec<Bar> = rows
            .into_iter()
            .enumerate()
            .map(|(i, (label, count, percent))| {
                let short: String = if label.chars().count() > CHART_LABEL_CHARS {
                    let cut: String = label.chars().take(CHART_LABEL_CHARS - 1).collect();
                    format!("{cut}…")
                } else {
                    label
                };
                Bar {
                    label: short,
                    count,
                    percent,
                    y: i as i64 * ROW_HEIGHT,
                    width: (percent / 100.0 * BAR_SPAN).clamp(0.0, BAR_SPAN),
                }
            })
            .collect();
        let height = bars.len() as i64 * ROW_HEIGHT;
        Chart { bars, height }
    }

    pub fn bar_x(&self) -> i64 {
        LABEL_WIDTH
    }

    pub fn text_y(&self, bar: &Bar) -> i64 {
        bar.y + ROW_HEIGHT / 2 + 5
    }

    pub fn figure_x(&self, bar: &Bar) -> f64 {
        LABEL_WIDTH as f64 + bar.width + 6.0
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "survey_results.html")]
pub struct ResultsPage {
    pub ctx: PageCtx,
    pub results: SurveyResults,
}

impl ResultsPage {
    /// The chart of a question, when it has one (choices, rankings and scales).
    pub fn chart(&self, question: &QuestionResult) -> Option<Chart> {
        match question.kind {
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::Ranking => {
                Some(Chart::of(
                    question
                        .options
                        .iter()
                        .map(|o| (o.label.clone(), o.count, o.percent))
                        .collect(),
                ))
            }
            QuestionKind::Scale | QuestionKind::ZeroToTen => Some(Chart::of(
                question
                    .points
                    .iter()
                    .map(|p| (self.point_label(question, &p.value), p.count, p.percent))
                    .collect(),
            )),
            _ => None,
        }
    }

    /// A scale's point with the label of its end (`1（不満）`).
    pub fn point_label(&self, question: &QuestionResult, value: &i64) -> String {
        let first = question.points.first().map(|p| p.value);
        let last = question.points.last().map(|p| p.value);
        let end = if Some(*value) == first {
            question.low_label.as_str()
        } else if Some(*value) == last {
            question.high_label.as_str()
        } else {
            ""
        };
        if end.is_empty() {
            value.to_string()
        } else if self.ctx.is_ja() {
            format!("{value}（{end}）")
        } else {
            format!("{value} ({end})")
        }
    }

    /// A number with one decimal at most, in the page's style.
    pub fn figure(&self, value: &f64) -> String {
        let text = format!("{value:.1}");
        text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
    }

    pub fn is_ranking(&self, question: &QuestionResult) -> bool {
        question.kind == QuestionKind::Ranking
    }

    pub fn is_text(&self, question: &QuestionResult) -> bool {
        matches!(
            question.kind,
            QuestionKind::ShortText | QuestionKind::LongText | QuestionKind::Date
        )
    }

    /// Whether staff may publish this question as a fediverse poll now.
    pub fn can_publish_poll(&self, question: &QuestionResult) -> bool {
        self.ctx.is_staff()
            && self.results.open
            && self.results.theme_slug.is_some()
            && question.fediverse.is_none()
            && question.poll_expressible
    }

    /// Whether staff should be told why a choice question cannot be a fediverse poll.
    pub fn poll_limited(&self, question: &QuestionResult) -> bool {
        self.ctx.is_staff()
            && self.results.theme_slug.is_some()
            && question.fediverse.is_none()
            && question.kind == QuestionKind::MultipleChoice
            && !question.poll_expressible
    }

    /// Numbers answered to a number question, listed when they are few.
    pub fn lists_numbers(&self, question: &QuestionResult) -> bool {
        question.kind == QuestionKind::Number && question.points.len() <= 20
    }
}

pub async fn results(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let results = survey_results::of_survey(&state, &ctx.viewer(), id).await?;
    Ok(ResultsPage { ctx, results }.into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct HideForm {
    #[serde(default)]
    pub hidden: String,
}

/// Staff hide a free text from the public results, or show it again.
pub async fn hide_text(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((id, question, response)): PagePath<(i64, i64, i64)>,
    CsrfForm(form): CsrfForm<HideForm>,
) -> PageResult {
    let hidden = form.hidden == "1";
    survey_results::hide_text(&state, &ctx.viewer(), id, question, response, hidden).await?;
    ctx.see_other(&format!("/surveys/{id}/results#q{question}"))
}

/// Staff publish a choice question as a fediverse poll of the survey's theme.
pub async fn publish_poll(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((id, question)): PagePath<(i64, i64)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    crate::services::polls::publish(&state, &ctx.viewer(), id, question).await?;
    ctx.see_other(&format!("/surveys/{id}/results#q{question}"))
}
