//! The word cloud on the site, without a script: the terms by frequency in five sizes with
//! the count as text, each a link to the ideas that contain it, or the same as a table; a
//! projector view for workshops (full screen, large type, high contrast) that reloads
//! itself every few seconds; staff keep extra stop words and local names.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use crate::services::proposals::ProposalView;
use crate::services::word_cloud::{self, StopWords, TermView, WordCloud};
use crate::services::word_cloud_names::{self, LocalNames};
use crate::state::AppState;
use crate::t;

/// How often the projector view reloads itself, in seconds.
pub const PROJECTOR_REFRESH_SECONDS: u32 = 3;

#[derive(Debug, Default, Deserialize)]
pub struct CloudQuery {
    #[serde(default)]
    pub phase: String,
    #[serde(default)]
    pub view: String,
    /// `1` when the ideas' comments count too.
    #[serde(default)]
    pub comments: String,
}

impl CloudQuery {
    fn phase(&self) -> Option<usize> {
        self.phase.trim().parse().ok()
    }

    fn with_comments(&self) -> bool {
        matches!(self.comments.trim(), "1" | "true" | "on")
    }
}

/// `?comments=1` when comments count, for the links that keep the choice.
fn comments_query(with_comments: bool) -> &'static str {
    if with_comments { "?comments=1" } else { "" }
}

#[derive(Template, WebTemplate)]
#[template(path = "word_cloud.html")]
pub struct CloudPage {
    pub ctx: PageCtx,
    pub cloud: WordCloud,
    pub phases: Vec<String>,
    pub table: bool,
}

/// The terms in the order the cloud shows them: the most frequent in the middle, the
/// others alternately after and before it, so that large and small terms mix on every line
/// and the largest sit near the centre. The page's order is the order shown, so a screen
/// reader reads the cloud as it looks.
pub fn cloud_order(terms: &[TermView]) -> Vec<&TermView> {
    let mut before: Vec<&TermView> = Vec::with_capacity(terms.len() / 2);
    let mut after: Vec<&TermView> = Vec::with_capacity(terms.len() / 2 + 1);
    for (rank, term) in terms.iter().enumerate() {
        if rank % 2 == 0 {
            after.push(term);
        } else {
            before.push(term);
        }
    }
    before.reverse();
    before.extend(after);
    before
}

impl CloudPage {
    /// The terms as the cloud shows them.
    pub fn laid_out(&self) -> Vec<&TermView> {
        cloud_order(&self.cloud.terms)
    }

    pub fn is_phase(&self, index: &usize) -> bool {
        self.cloud.phase == Some(*index)
    }

    /// The query that keeps the chosen phase and comments, for the cloud or the table.
    pub fn query_for(&self, table: bool) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.cloud.phase {
            parts.push(format!("phase={p}"));
        }
        if self.cloud.with_comments {
            parts.push("comments=1".to_string());
        }
        if table {
            parts.push("view=table".to_string());
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// The query a term's link carries.
    pub fn term_query(&self) -> &'static str {
        comments_query(self.cloud.with_comments)
    }
}

pub async fn cloud(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    Query(query): Query<CloudQuery>,
) -> PageResult {
    let viewer = ctx.viewer();
    let cloud =
        word_cloud::of_theme(&state, &viewer, &slug, query.phase(), query.with_comments()).await?;
    let phases = crate::services::themes::get(&state, &viewer, &slug)
        .await?
        .phases
        .into_iter()
        .map(|p| p.name)
        .collect();
    Ok(CloudPage {
        ctx,
        cloud,
        phases,
        table: query.view == "table",
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "word_cloud_live.html")]
pub struct ProjectorPage {
    pub ctx: PageCtx,
    pub cloud: WordCloud,
    pub refresh: u32,
    /// The theme's address, for people in the room to take part.
    pub theme_url: String,
    /// The address as a QR code (an SVG image), when it fits one.
    pub qr_svg: Option<String>,
}

impl ProjectorPage {
    /// The terms as the cloud shows them.
    pub fn laid_out(&self) -> Vec<&TermView> {
        cloud_order(&self.cloud.terms)
    }
}

/// An address as a QR code, an SVG image to put in a page (dark modules on white, with the
/// quiet zone readers need).
fn qr_svg(address: &str) -> Option<String> {
    let code = qrcode::QrCode::new(address.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .quiet_zone(true)
        .build();
    // The image goes inside the page: without the XML declaration of a file.
    let start = svg.find("<svg")?;
    Some(svg[start..].to_string())
}

pub async fn projector(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    Query(query): Query<CloudQuery>,
) -> PageResult {
    let cloud = word_cloud::of_theme(
        &state,
        &ctx.viewer(),
        &slug,
        query.phase(),
        query.with_comments(),
    )
    .await?;
    let theme_url = crate::domain::urls::Urls::new(&state.config).theme(&cloud.theme_slug);
    let qr_svg = qr_svg(&theme_url);
    let mut response = ProjectorPage {
        ctx,
        cloud,
        refresh: PROJECTOR_REFRESH_SECONDS,
        theme_url,
        qr_svg,
    }
    .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Template, WebTemplate)]
#[template(path = "word_cloud_term.html")]
pub struct TermPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub term: String,
    pub ideas: Vec<ProposalView>,
    pub with_comments: bool,
}

impl TermPage {
    /// The query back to the cloud this term was chosen in.
    pub fn back_query(&self) -> &'static str {
        comments_query(self.with_comments)
    }
}

pub async fn term(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((slug, term)): PagePath<(String, String)>,
    Query(query): Query<CloudQuery>,
) -> PageResult {
    let with_comments = query.with_comments();
    let ideas = word_cloud::ideas_with(&state, &ctx.viewer(), &slug, &term, with_comments).await?;
    Ok(TermPage {
        ctx,
        slug,
        term,
        ideas,
        with_comments,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/word_cloud.html")]
pub struct WordCloudSettingsPage {
    pub ctx: PageCtx,
    /// The stop words, one a line, as stored or as last typed.
    pub stop_words: String,
    /// The terms of the default list shown again, one a line, as stored or as last typed.
    pub included: String,
    /// The cloud's default list.
    pub defaults: Vec<String>,
    /// The local names, one a line, as stored or as last typed.
    pub names: String,
    pub errors: FormErrors,
    pub saved: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct StopWordsForm {
    #[serde(default)]
    pub terms: String,
    #[serde(default)]
    pub included: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct LocalNamesForm {
    #[serde(default)]
    pub names: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    pub saved: Option<String>,
}

/// The entries of a list typed one a line (or separated by commas).
fn entries(text: &str, separators: &[char]) -> Vec<String> {
    text.split(separators)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The page as stored, with what was typed in place of one of its lists.
async fn settings_page(
    state: &AppState,
    ctx: PageCtx,
    typed_stop_words: Option<&StopWordsForm>,
    typed_names: Option<String>,
    errors: FormErrors,
    saved: bool,
) -> Result<WordCloudSettingsPage, crate::error::AppError> {
    let stored = word_cloud::stop_words(state, &ctx.viewer()).await?;
    let (stop_words, included) = match typed_stop_words {
        Some(typed) => (typed.terms.clone(), typed.included.clone()),
        None => (stored.terms.join("\n"), stored.included.join("\n")),
    };
    let names = match typed_names {
        Some(typed) => typed,
        None => word_cloud_names::names(state, &ctx.viewer())
            .await?
            .names
            .join("\n"),
    };
    Ok(WordCloudSettingsPage {
        ctx,
        stop_words,
        included,
        defaults: stored.defaults,
        names,
        errors,
        saved,
    })
}

pub async fn settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let saved = query.saved.is_some();
    Ok(
        settings_page(&state, ctx, None, None, FormErrors::default(), saved)
            .await?
            .into_response(),
    )
}

/// A refused list's errors gathered at its field: the first entry's reason, or a general one.
fn at_field(ctx: &PageCtx, errors: &mut FormErrors, field: &str) {
    if let Some(why) = errors.with_prefix(&format!("{field}[")) {
        errors.set(field, why);
    }
    if errors.get(field).is_none() && !errors.is_empty() {
        errors.set(field, t!(ctx, "form-has-errors"));
    }
}

pub async fn save_stop_words(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<StopWordsForm>,
) -> PageResult {
    let input = StopWords {
        terms: entries(&form.terms, &['\n', ',', '、']),
        included: entries(&form.included, &['\n', ',', '、']),
        defaults: Vec::new(),
    };
    match word_cloud::set_stop_words(&state, &ctx.viewer(), &input).await {
        Ok(_) => ctx.see_other("/staff/word-cloud?saved=1"),
        Err(err) => {
            let (status, mut errors) = form_errors(&ctx, err)?;
            at_field(&ctx, &mut errors, "terms");
            at_field(&ctx, &mut errors, "included");
            let page = settings_page(&state, ctx, Some(&form), None, errors, false).await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn save_names(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<LocalNamesForm>,
) -> PageResult {
    // A name may hold a comma (a facility's full name), so only lines separate them.
    let input = LocalNames {
        names: entries(&form.names, &['\n']),
    };
    match word_cloud_names::set_names(&state, &ctx.viewer(), &input).await {
        Ok(_) => ctx.see_other("/staff/word-cloud?saved=1"),
        Err(err) => {
            let (status, mut errors) = form_errors(&ctx, err)?;
            at_field(&ctx, &mut errors, "names");
            let page = settings_page(&state, ctx, None, Some(form.names), errors, false).await?;
            Ok((status, page).into_response())
        }
    }
}
