//! Pages for methods: this municipality's methods and the library of other municipalities'
//! ones (search, tag, prefecture), a method's page with its phases, evidence, uses and
//! chain of attribution, and the staff actions that reuse one: start a theme, fork, save a
//! theme as a method.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use crate::markdown;
use crate::services::Page;
use crate::services::method_library::{self, LibraryFilter, LibraryMethodView};
use crate::services::methods::{
    self, MethodDocument, MethodFilter, MethodOrigin, MethodUse, MethodVersionView, MethodView,
};
use crate::services::theme_from_method::{self, StartTheme};
use crate::state::AppState;
use crate::t;

/// One entry of a list of methods, ours or the library's.
pub struct MethodItem {
    pub href: String,
    pub title: String,
    pub summary: String,
    pub tags: Vec<String>,
    /// The publishing municipality and its prefecture, for the library's entries.
    pub origin: Option<(String, Option<String>)>,
    pub updated_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "methods.html")]
pub struct MethodsPage {
    pub ctx: PageCtx,
    /// True for the library of other municipalities' methods.
    pub library: bool,
    pub items: Vec<MethodItem>,
    pub q: String,
    pub tag: String,
    pub prefecture: String,
    pub prefectures: Vec<String>,
    pub page: u32,
    pub has_more: bool,
    pub errors: FormErrors,
}

impl MethodsPage {
    /// The query of the next page, keeping the filters.
    pub fn next_query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("q", &self.q),
            ("tag", &self.tag),
            ("prefecture", &self.prefecture),
        ] {
            if !value.is_empty() {
                query.append_pair(key, value);
            }
        }
        query.append_pair("page", &(self.page + 1).to_string());
        query.finish()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub prefecture: String,
    pub page: Option<u32>,
}

fn blank(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// The list's result as a page: what was found, or the filter's errors at their fields.
fn listed<T>(
    ctx: &PageCtx,
    found: Result<(Vec<T>, bool), crate::error::AppError>,
    item: impl Fn(T) -> MethodItem,
) -> Result<(Vec<MethodItem>, bool, FormErrors, StatusCode), super::WebError> {
    match found {
        Ok((views, has_more)) => Ok((
            views.into_iter().map(item).collect(),
            has_more,
            FormErrors::default(),
            StatusCode::OK,
        )),
        Err(err) => {
            let (status, errors) = form_errors(ctx, err)?;
            Ok((Vec::new(), false, errors, status))
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let page = Page::parse(query.page, Some(30))?;
    let filter = MethodFilter {
        q: blank(&query.q),
        tag: blank(&query.tag),
    };
    let found = methods::list(&state, &filter, page).await;
    let (items, has_more, errors, status) = listed(&ctx, found, |m| MethodItem {
        href: format!("/methods/{}", m.id),
        title: m.document.title,
        summary: m.document.summary,
        tags: m.document.tags,
        origin: None,
        updated_at: m.updated_at,
    })?;
    Ok((
        status,
        MethodsPage {
            ctx,
            library: false,
            items,
            q: query.q,
            tag: query.tag,
            prefecture: String::new(),
            prefectures: Vec::new(),
            page: page.number,
            has_more,
            errors,
        },
    )
        .into_response())
}

pub async fn library(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let page = Page::parse(query.page, Some(30))?;
    let filter = LibraryFilter {
        q: blank(&query.q),
        tag: blank(&query.tag),
        prefecture: blank(&query.prefecture),
    };
    let found = method_library::list(&state, &filter, page).await;
    let (items, has_more, errors, status) = listed(&ctx, found, |m| MethodItem {
        href: format!("/methods/library/{}", m.id),
        title: m.document.title,
        summary: m.document.summary,
        tags: m.document.tags,
        origin: Some((m.origin.name, m.origin.prefecture)),
        updated_at: m.updated_at,
    })?;
    Ok((
        status,
        MethodsPage {
            ctx,
            library: true,
            items,
            q: query.q,
            tag: query.tag,
            prefecture: query.prefecture,
            prefectures: method_library::prefectures(&state).await?,
            page: page.number,
            has_more,
            errors,
        },
    )
        .into_response())
}

/// A phase as the method page shows it.
pub struct PhaseItem {
    pub name: String,
    pub days: u32,
    pub ideas: bool,
    pub comments: bool,
    pub supports: bool,
    pub amendments: bool,
    pub resident_html: String,
    pub staff_html: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "method.html")]
pub struct MethodPage {
    pub ctx: PageCtx,
    /// Where the page is (`/methods/3` or `/methods/library/3`): the actions post below it.
    pub base: String,
    pub title: String,
    pub summary: String,
    pub when_to_use_html: String,
    pub lessons_html: String,
    pub phases: Vec<PhaseItem>,
    pub tags: Vec<String>,
    pub licence: String,
    pub used_in: Vec<MethodUse>,
    pub used_by: Vec<MethodUse>,
    pub lineage: Vec<MethodOrigin>,
    /// For the library's methods: the municipality, its prefecture, the page there.
    pub origin: Option<(String, Option<String>, String)>,
    pub version: i32,
    pub latest_version: i32,
    pub versions: Vec<MethodVersionView>,
    pub export_href: Option<String>,
    pub start_form: StartForm,
    pub errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub starts_on: String,
}

struct Shown {
    base: String,
    document: MethodDocument,
    used_by: Vec<MethodUse>,
    origin: Option<(String, Option<String>, String)>,
    version: i32,
    latest_version: i32,
    versions: Vec<MethodVersionView>,
    export_href: Option<String>,
}

fn page(ctx: PageCtx, shown: Shown, start_form: StartForm, errors: FormErrors) -> MethodPage {
    let d = shown.document;
    MethodPage {
        ctx,
        base: shown.base,
        title: d.title,
        summary: d.summary,
        when_to_use_html: markdown::render(&d.when_to_use),
        lessons_html: markdown::render(&d.lessons),
        phases: d
            .phases
            .iter()
            .map(|p| PhaseItem {
                name: p.name.clone(),
                days: p.days,
                ideas: p.allows.ideas,
                comments: p.allows.comments,
                supports: p.allows.supports,
                amendments: p.allows.amendments,
                resident_html: markdown::render(&p.resident_guidance),
                staff_html: markdown::render(&p.staff_guidance),
            })
            .collect(),
        tags: d.tags,
        licence: d.licence,
        used_in: d.used_in,
        used_by: shown.used_by,
        lineage: d.lineage,
        origin: shown.origin,
        version: shown.version,
        latest_version: shown.latest_version,
        versions: shown.versions,
        export_href: shown.export_href,
        start_form,
        errors,
    }
}

async fn local(
    state: &AppState,
    id: i64,
    version: Option<i32>,
) -> Result<Shown, crate::error::AppError> {
    let view: MethodView = methods::get(state, id, version).await?;
    Ok(Shown {
        base: format!("/methods/{id}"),
        used_by: view.used_by,
        origin: None,
        version: view.version,
        latest_version: view.latest_version,
        versions: methods::versions(state, id).await?,
        export_href: Some(format!("/api/v1/methods/{id}/export")),
        document: view.document,
    })
}

async fn remote(state: &AppState, id: i64) -> Result<Shown, crate::error::AppError> {
    let view: LibraryMethodView = method_library::get(state, id).await?;
    Ok(Shown {
        base: format!("/methods/library/{id}"),
        used_by: Vec::new(),
        origin: Some((view.origin.name, view.origin.prefecture, view.url)),
        version: view.version,
        latest_version: view.version,
        versions: Vec::new(),
        export_href: None,
        document: view.document,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let shown = local(&state, id, None).await?;
    Ok(page(ctx, shown, StartForm::default(), FormErrors::default()).into_response())
}

pub async fn version_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((id, version)): PagePath<(i64, i32)>,
) -> PageResult {
    let shown = local(&state, id, Some(version)).await?;
    Ok(page(ctx, shown, StartForm::default(), FormErrors::default()).into_response())
}

pub async fn library_detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let shown = remote(&state, id).await?;
    Ok(page(ctx, shown, StartForm::default(), FormErrors::default()).into_response())
}

fn start_input(form: &StartForm) -> StartTheme {
    StartTheme {
        slug: form.slug.clone(),
        title: blank(&form.title),
        starts_on: form.starts_on.clone(),
    }
}

pub async fn start_theme(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<StartForm>,
) -> PageResult {
    match theme_from_method::from_local(&state, &ctx.viewer(), id, start_input(&form)).await {
        Ok(theme) => ctx.see_other(&format!("/staff/themes/{}/edit", theme.slug)),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let shown = local(&state, id, None).await?;
            Ok((status, page(ctx, shown, form, errors)).into_response())
        }
    }
}

pub async fn start_theme_from_library(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<StartForm>,
) -> PageResult {
    match theme_from_method::from_library(&state, &ctx.viewer(), id, start_input(&form)).await {
        Ok(theme) => ctx.see_other(&format!("/staff/themes/{}/edit", theme.slug)),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let shown = remote(&state, id).await?;
            Ok((status, page(ctx, shown, form, errors)).into_response())
        }
    }
}

pub async fn fork(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let method = crate::services::method_reuse::fork(&state, &ctx.viewer(), id).await?;
    ctx.see_other(&format!("/methods/{}", method.id))
}

pub async fn fork_from_library(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let method = method_library::fork(&state, &ctx.viewer(), id).await?;
    ctx.see_other(&format!("/methods/{}", method.id))
}
