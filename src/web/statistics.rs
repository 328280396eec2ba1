//! Participation statistics on the site: a theme's or the instance's figures as tables (held-
//! back counts marked `X`), the form staff publish them with, and the same tables as CSV.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::csv_export::{Cell, CsvQuery, Table, column};
use super::forms::CsrfForm;
use super::pages::PagePath;
use super::survey_exports::{HELD_BACK, dimension_label, group_cell, group_label};
use crate::services::statistics::{self, AttributeTable, Statistics};
use crate::services::survey_breakdowns::{Dimension, Group};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "statistics.html")]
pub struct StatisticsPage {
    pub ctx: PageCtx,
    pub stats: Statistics,
}

impl StatisticsPage {
    pub fn count(&self, count: &Option<i64>) -> String {
        count.map_or_else(|| HELD_BACK.to_string(), |n| n.to_string())
    }

    pub fn group(&self, table: &AttributeTable, group: &Group) -> String {
        group_label(&self.ctx, table.by, group, self.stats.min_group)
    }

    pub fn heading(&self, table: &AttributeTable) -> String {
        match table.by {
            Dimension::AgeBand => t!(self.ctx, "breakdown-by-age-band"),
            Dimension::Area => t!(self.ctx, "breakdown-by-area"),
            Dimension::Relation => t!(self.ctx, "breakdown-by-relation"),
        }
    }

    /// Where this page's forms and files are.
    pub fn base(&self) -> String {
        match &self.stats.theme_slug {
            Some(slug) => format!("/themes/{slug}/statistics"),
            None => "/statistics".into(),
        }
    }

    pub fn share(&self) -> String {
        self.stats
            .fediverse_share
            .map_or_else(|| HELD_BACK.to_string(), |s| format!("{s}%"))
    }
}

async fn render(state: &AppState, ctx: PageCtx, slug: Option<&str>) -> PageResult {
    let stats = statistics::of_scope(state, &ctx.viewer(), slug).await?;
    Ok(StatisticsPage { ctx, stats }.into_response())
}

pub async fn instance(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    render(&state, ctx, None).await
}

pub async fn theme(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    render(&state, ctx, Some(&slug)).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    pub public: String,
}

async fn publish(
    state: &AppState,
    ctx: PageCtx,
    slug: Option<&str>,
    form: PublishForm,
) -> PageResult {
    statistics::set_public(state, &ctx.viewer(), slug, form.public == "1").await?;
    let back = match slug {
        Some(slug) => format!("/themes/{slug}/statistics"),
        None => "/statistics".into(),
    };
    ctx.see_other(&back)
}

pub async fn publish_instance(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> PageResult {
    publish(&state, ctx, None, form).await
}

pub async fn publish_theme(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> PageResult {
    publish(&state, ctx, Some(&slug), form).await
}

fn table_of(ctx: &PageCtx, form: &CsvQuery, stats: &Statistics) -> Table {
    let count =
        |c: &Option<i64>| Cell::same(c.map_or_else(|| HELD_BACK.to_string(), |n| n.to_string()));
    let mut table = Table::new(
        form,
        vec![
            column("table", t!(ctx, "csv-table")),
            column("group", t!(ctx, "csv-group")),
            column("residents", t!(ctx, "statistics-residents")),
            column("fediverse_accounts", t!(ctx, "statistics-fediverse")),
        ],
    );
    table.push(vec![
        Cell::coded("participants", t!(ctx, "statistics-participants")),
        Cell::same(String::new()),
        count(&stats.residents),
        count(&stats.fediverse_accounts),
    ]);
    table.push(vec![
        Cell::coded("monthly_active", t!(ctx, "statistics-monthly-active")),
        Cell::same(String::new()),
        count(&stats.monthly_active),
        Cell::same(String::new()),
    ]);
    for by_attribute in &stats.by_attribute {
        for row in &by_attribute.rows {
            table.push(vec![
                Cell::coded(
                    by_attribute.by.as_str(),
                    dimension_label(ctx, by_attribute.by),
                ),
                group_cell(ctx, by_attribute.by, &row.group, stats.min_group),
                count(&row.count),
                Cell::same(String::new()),
            ]);
        }
    }
    for week in &stats.weeks {
        table.push(vec![
            Cell::coded("week", t!(ctx, "statistics-week-of")),
            Cell::same(week.week_of.clone()),
            count(&week.residents),
            count(&week.fediverse_accounts),
        ]);
    }
    table
}

pub async fn instance_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(form): Query<CsvQuery>,
) -> PageResult {
    let stats = statistics::of_scope(&state, &ctx.viewer(), None).await?;
    table_of(&ctx, &form, &stats).file("statistics")
}

pub async fn theme_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    Query(form): Query<CsvQuery>,
) -> PageResult {
    let stats = statistics::of_scope(&state, &ctx.viewer(), Some(&slug)).await?;
    table_of(&ctx, &form, &stats).file(&format!("statistics-{slug}"))
}
