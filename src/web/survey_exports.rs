//! A survey's results by group on the site (tables, with `X` where a count is held back)
//! and its CSV files: the aggregates and the breakdowns as open data, and for staff the
//! anonymous answers.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::context::PageCtx;
use super::csv_export::{Cell, CsvQuery, Table, column, yes_no};
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

/// A group as a cell: its code (empty when not given) and its name in the page's language.
pub fn group_cell(ctx: &PageCtx, by: Dimension, group: &Group, k: i64) -> Cell {
    let code = match group {
        Group::Value(v) => v.clone(),
        Group::NotGiven => String::new(),
        Group::OtherAreas => format!("other (< {k})"),
    };
    Cell::coded(code, group_label(ctx, by, group, k))
}

/// An attribute of an answer line as a cell (codes joined by commas for several).
fn attribute_cell(ctx: &PageCtx, by: Dimension, codes: &Option<String>) -> Cell {
    let codes = codes.clone().unwrap_or_default();
    let labels: Vec<String> = codes
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| group_label(ctx, by, &Group::Value(c.to_string()), 0))
        .collect();
    Cell::coded(codes, labels.join("・"))
}

/// Every question's counts and shares (the results page as a table).
pub async fn results_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(form): Query<CsvQuery>,
) -> PageResult {
    let results = survey_results::of_survey(&state, &ctx.viewer(), id).await?;
    let mut table = Table::new(
        &form,
        vec![
            column("question_id", t!(ctx, "csv-question-id")),
            column("question", t!(ctx, "csv-question")),
            column("answer", t!(ctx, "csv-answer")),
            column("count", t!(ctx, "csv-count")),
            column("percent", t!(ctx, "csv-percent")),
            column("mean_rank", t!(ctx, "csv-mean-rank")),
        ],
    );
    for q in &results.questions {
        for o in &q.options {
            table.push(vec![
                Cell::same(q.id.to_string()),
                Cell::same(q.prompt.clone()),
                Cell::same(o.label.clone()),
                Cell::same(o.count.to_string()),
                Cell::same(o.percent.to_string()),
                Cell::same(o.mean_rank.map(|r| r.to_string()).unwrap_or_default()),
            ]);
        }
        for p in &q.points {
            table.push(vec![
                Cell::same(q.id.to_string()),
                Cell::same(q.prompt.clone()),
                Cell::same(p.value.to_string()),
                Cell::same(p.count.to_string()),
                Cell::same(p.percent.to_string()),
                Cell::same(String::new()),
            ]);
        }
    }
    table.file(&format!("survey-{id}-results"))
}

/// One attribute's breakdown: a line per question, group and answer.
pub async fn breakdown_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(query): Query<ByQuery>,
    Query(form): Query<CsvQuery>,
) -> PageResult {
    let by = query.dimension()?;
    let breakdown = survey_breakdowns::of_survey(&state, &ctx.viewer(), id, by).await?;
    let k = breakdown.min_group;
    let count =
        |c: &Option<i64>| Cell::same(c.map_or_else(|| HELD_BACK.to_string(), |n| n.to_string()));
    let mut table = Table::new(
        &form,
        vec![
            column("question_id", t!(ctx, "csv-question-id")),
            column("question", t!(ctx, "csv-question")),
            column(by.as_str(), dimension_label(&ctx, by)),
            column("answered", t!(ctx, "breakdown-answered")),
            column("answer", t!(ctx, "csv-answer")),
            column("count", t!(ctx, "csv-count")),
        ],
    );
    for q in &breakdown.questions {
        for r in &q.rows {
            for (answer, c) in q.columns.iter().zip(&r.counts) {
                table.push(vec![
                    Cell::same(q.id.to_string()),
                    Cell::same(q.prompt.clone()),
                    group_cell(&ctx, by, &r.group, k),
                    count(&r.answered),
                    Cell::same(answer.clone()),
                    count(c),
                ]);
            }
        }
    }
    table.file(&format!("survey-{id}-by-{}", by.as_str()))
}

/// The name of an attribute as a column.
pub fn dimension_label(ctx: &PageCtx, by: Dimension) -> String {
    match by {
        Dimension::AgeBand => t!(ctx, "csv-age-band"),
        Dimension::Area => t!(ctx, "csv-area"),
        Dimension::Relation => t!(ctx, "csv-relations"),
    }
}

/// Staff: the anonymous answers, one line per response, in no order that says when.
pub async fn answers_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(form): Query<CsvQuery>,
) -> PageResult {
    let export = survey_breakdowns::anonymous_answers(&state, &ctx.viewer(), id).await?;
    let mut columns = vec![
        column("response", t!(ctx, "csv-response")),
        column("paper", t!(ctx, "csv-paper")),
        column("age_band", t!(ctx, "csv-age-band")),
        column("area", t!(ctx, "csv-area")),
        column("relations", t!(ctx, "csv-relations")),
    ];
    // A question's column is named by its wording for people and its number for programs.
    columns.extend(
        export
            .questions
            .iter()
            .map(|q| (format!("q{}", q.id), q.prompt.clone())),
    );
    let mut table = Table::new(&form, columns);
    for (n, response) in export.responses.iter().enumerate() {
        let mut line = vec![
            Cell::same((n + 1).to_string()),
            yes_no(&ctx, response.proxy),
            attribute_cell(&ctx, Dimension::AgeBand, &response.age_band),
            Cell::same(response.area.clone().unwrap_or_default()),
            attribute_cell(&ctx, Dimension::Relation, &response.relations),
        ];
        line.extend(response.answers.iter().cloned().map(Cell::same));
        table.push(line);
    }
    table.file(&format!("survey-{id}-answers"))
}
