//! The word cloud on the site, without a script: the terms by frequency in five sizes with
//! the count as text, each a link to the ideas that contain it, or the same as a table; a
//! projector view for workshops (full screen, large type, high contrast) that reloads
//! itself every few seconds; staff keep extra stop words.

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
use crate::services::word_cloud::{self, StopWords, WordCloud};
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
}

impl CloudQuery {
    fn phase(&self) -> Option<usize> {
        self.phase.trim().parse().ok()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "word_cloud.html")]
pub struct CloudPage {
    pub ctx: PageCtx,
    pub cloud: WordCloud,
    pub phases: Vec<String>,
    pub table: bool,
}

impl CloudPage {
    pub fn is_phase(&self, index: &usize) -> bool {
        self.cloud.phase == Some(*index)
    }

    /// The query that keeps the chosen phase.
    pub fn phase_query(&self) -> String {
        self.cloud
            .phase
            .map(|p| format!("?phase={p}"))
            .unwrap_or_default()
    }
}

pub async fn cloud(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    Query(query): Query<CloudQuery>,
) -> PageResult {
    let viewer = ctx.viewer();
    let cloud = word_cloud::of_theme(&state, &viewer, &slug, query.phase()).await?;
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
}

pub async fn projector(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    Query(query): Query<CloudQuery>,
) -> PageResult {
    let cloud = word_cloud::of_theme(&state, &ctx.viewer(), &slug, query.phase()).await?;
    let mut response = ProjectorPage {
        ctx,
        cloud,
        refresh: PROJECTOR_REFRESH_SECONDS,
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
}

pub async fn term(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((slug, term)): PagePath<(String, String)>,
) -> PageResult {
    let ideas = word_cloud::ideas_with(&state, &ctx.viewer(), &slug, &term).await?;
    Ok(TermPage {
        ctx,
        slug,
        term,
        ideas,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/word_cloud.html")]
pub struct StopWordsPage {
    pub ctx: PageCtx,
    pub text: String,
    pub errors: FormErrors,
    pub saved: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct StopWordsForm {
    #[serde(default)]
    pub terms: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    pub saved: Option<String>,
}

pub async fn stop_words(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let words = word_cloud::stop_words(&state, &ctx.viewer()).await?;
    Ok(StopWordsPage {
        ctx,
        text: words.terms.join("\n"),
        errors: FormErrors::default(),
        saved: query.saved.is_some(),
    }
    .into_response())
}

pub async fn save_stop_words(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<StopWordsForm>,
) -> PageResult {
    let input = StopWords {
        terms: form
            .terms
            .split(['\n', ',', '、'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
    };
    match word_cloud::set_stop_words(&state, &ctx.viewer(), &input).await {
        Ok(_) => ctx.see_other("/staff/word-cloud?saved=1"),
        Err(err) => {
            let (status, mut errors) = form_errors(&ctx, err)?;
            if let Some(why) = errors.with_prefix("terms[") {
                errors.set("terms", why);
            }
            if errors.get("terms").is_none() && !errors.is_empty() {
                errors.set("terms", t!(ctx, "form-has-errors"));
            }
            Ok((
                status,
                StopWordsPage {
                    ctx,
                    text: form.terms,
                    errors,
                    saved: false,
                },
            )
                .into_response())
        }
    }
}
