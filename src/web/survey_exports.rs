//! A survey's results by group on the site (tables, with `X` where a count is held back)
//! and its CSV files: the aggregates and the breakdowns as open data, and for staff the
//! anonymous answers. Files are UTF-8 with a byte order mark, so spreadsheets read Japanese.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::context::PageCtx;
use super::pages::PagePath;
use super::{PageResult, WebError};
use crate::error::AppError;
use crate::services::survey_breakdowns::{self, Breakdown, Dimension, Group};
use crate::services::survey_results;
use crate::state::AppState;
use crate::t;

#[derive(Debug, Default, Deserialize)]
pub struct ByQuery {
    #[serde(default)]
    pub by: String,
}

impl ByQuery {
    fn dimension(&self) -> Result<Dimension, WebError> {
        Dimension::ALL
            .into_iter()
            .find(|d| d.as_str() == self.by)
            .ok_or(WebError(AppError::NotFound("page")))
    }
}

/// A group's name in the page's language.
pub fn group_label(ctx: &PageCtx, by: Dimension, group: &Group, k: i64) -> String {
    match group {
        Group::NotGiven => t!(ctx, "breakdown-not-given"),
        Group::OtherAreas => t!(ctx, "breakdown-other-areas", k = k.to_string()),
        Group::Value(value) => {
            let labels = match by {
                Dimension::AgeBand => ctx.age_bands(),
                Dimension::Relation => ctx.relations(),
                Dimension::Area => Vec::new(),
            };
            labels
                .into_iter()
                .find(|(code, _)| code == value)
                .map(|(_, label)| label)
                .unwrap_or_else(|| value.clone())
        }
    }
}

/// The mark of a held-back count. One mark for every such count: telling the small counts
/// from the ones held back to protect them would narrow down what they are.
pub const HELD_BACK: &str = "X";

#[derive(Template, WebTemplate)]
#[template(path = "survey_breakdown.html")]
pub struct BreakdownPage {
    pub ctx: PageCtx,
    pub breakdown: Breakdown,
}

impl BreakdownPage {
    pub fn group(&self, group: &Group) -> String {
        group_label(
            &self.ctx,
            self.breakdown.by,
            group,
            self.breakdown.min_group,
        )
    }

    pub fn count(&self, count: &Option<i64>) -> String {
        count.map_or_else(|| HELD_BACK.to_string(), |n| n.to_string())
    }

    pub fn dimensions(&self) -> Vec<(&'static str, String, bool)> {
        Dimension::ALL
            .iter()
            .map(|d| {
                let label = match d {
                    Dimension::AgeBand => t!(self.ctx, "breakdown-by-age-band"),
                    Dimension::Area => t!(self.ctx, "breakdown-by-area"),
                    Dimension::Relation => t!(self.ctx, "breakdown-by-relation"),
                };
                (d.as_str(), label, *d == self.breakdown.by)
            })
            .collect()
    }
}

pub async fn breakdown(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(query): Query<ByQuery>,
) -> PageResult {
    let by = query.dimension()?;
    let breakdown = survey_breakdowns::of_survey(&state, &ctx.viewer(), id, by).await?;
    Ok(BreakdownPage { ctx, breakdown }.into_response())
}

pub fn csv_file(name: &str, rows: Vec<Vec<String>>) -> PageResult {
    let mut writer = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    for row in rows {
        writer
            .write_record(&row)
            .map_err(|e| WebError(AppError::Internal(e.into())))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| WebError(AppError::Internal(anyhow::anyhow!("csv: {e}"))))?;
    let mut response: Response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

fn row(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// Every question's counts and shares (the results page as a table).
pub async fn results_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let results = survey_results::of_survey(&state, &ctx.viewer(), id).await?;
    let mut rows = vec![row(&[
        "question_id",
        "question",
        "answer",
        "count",
        "percent",
        "mean_rank",
    ])];
    for q in &results.questions {
        let base = [q.id.to_string(), q.prompt.clone()];
        for o in &q.options {
            let mut line = base.to_vec();
            line.extend([
                o.label.clone(),
                o.count.to_string(),
                o.percent.to_string(),
                o.mean_rank.map(|r| r.to_string()).unwrap_or_default(),
            ]);
            rows.push(line);
        }
        for p in &q.points {
            let mut line = base.to_vec();
            line.extend([
                p.value.to_string(),
                p.count.to_string(),
                p.percent.to_string(),
                String::new(),
            ]);
            rows.push(line);
        }
    }
    csv_file(&format!("survey-{id}-results.csv"), rows)
}

/// One attribute's breakdown: a line per question, group and answer.
pub async fn breakdown_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(query): Query<ByQuery>,
) -> PageResult {
    let by = query.dimension()?;
    let breakdown = survey_breakdowns::of_survey(&state, &ctx.viewer(), id, by).await?;
    let k = breakdown.min_group;
    let count = |c: &Option<i64>| c.map_or_else(|| HELD_BACK.to_string(), |n| n.to_string());
    let mut rows = vec![row(&[
        "question_id",
        "question",
        by.as_str(),
        "answered",
        "answer",
        "count",
    ])];
    for q in &breakdown.questions {
        for r in &q.rows {
            let group = match &r.group {
                Group::Value(v) => v.clone(),
                Group::NotGiven => String::new(),
                Group::OtherAreas => format!("other (< {k})"),
            };
            for (column, c) in q.columns.iter().zip(&r.counts) {
                rows.push(vec![
                    q.id.to_string(),
                    q.prompt.clone(),
                    group.clone(),
                    count(&r.answered),
                    column.clone(),
                    count(c),
                ]);
            }
        }
    }
    csv_file(&format!("survey-{id}-by-{}.csv", by.as_str()), rows)
}

/// Staff: the anonymous answers, one line per response, in no order that says when.
pub async fn answers_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let export = survey_breakdowns::anonymous_answers(&state, &ctx.viewer(), id).await?;
    let mut header = row(&["response", "paper", "age_band", "area", "relations"]);
    header.extend(export.questions.iter().map(|q| q.prompt.clone()));
    let mut rows = vec![header];
    for (n, response) in export.responses.iter().enumerate() {
        let mut line = vec![
            (n + 1).to_string(),
            if response.proxy { "yes" } else { "no" }.to_string(),
            response.age_band.clone().unwrap_or_default(),
            response.area.clone().unwrap_or_default(),
            response.relations.clone().unwrap_or_default(),
        ];
        line.extend(response.answers.iter().cloned());
        rows.push(line);
    }
    csv_file(&format!("survey-{id}-answers.csv"), rows)
}
