//! The server-rendered web interface: Japanese first, works without JavaScript (every action
//! is a form post), accessible HTML from compile-checked templates.

pub mod account;
pub mod account_admin;
pub mod answers;
pub mod assets;
pub mod auth;
pub mod context;
pub mod csv_export;
pub mod documents;
pub mod draft_edit;
pub mod drafts;
pub mod error_page;
pub mod following;
pub mod forms;
pub mod method_form;
pub mod methods;
pub mod moderation_log;
pub mod municipalities;
pub mod notifications;
pub mod page_cache;
pub mod pages;
pub mod policies;
pub mod references;
pub mod result_admin;
pub mod result_forms;
pub mod results;
pub mod reviews;
pub mod staff;
pub mod statistics;
pub mod survey_admin;
pub mod survey_builder;
pub mod survey_exports;
pub mod survey_form;
pub mod survey_results;
pub mod surveys;
pub mod theme_removal;
pub mod thresholds;
pub mod word_cloud;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use context::{LANG_COOKIE, PageCtx};
use forms::CsrfForm;

/// Translates a message id of the catalogue in a template or handler: `t!(ctx, "id")`,
/// `t!(ctx, "id", count = 3)`. A misspelt id fails the build.
#[macro_export]
macro_rules! t {
    ($ctx:expr, $id:literal) => {
        i18n_embed_fl::fl!($ctx.l(), $id)
    };
    ($ctx:expr, $id:literal, $($args:tt)*) => {
        i18n_embed_fl::fl!($ctx.l(), $id, $($args)*)
    };
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/themes/{slug}", get(pages::theme))
        .route("/themes/{slug}/proposals", post(pages::post_idea))
        .route(
            "/themes/{slug}/results",
            get(results::page).post(results::publish),
        )
        .route("/themes/{slug}/summary", get(results::summary))
        .route(
            "/staff/results/{id}/edit",
            get(result_admin::edit_form).post(result_admin::edit),
        )
        .route("/staff/results/{id}/delete", post(result_admin::delete))
        .route(
            "/staff/results/{id}/progress/{progress_id}",
            post(result_admin::progress),
        )
        .route(
            "/themes/{slug}/results/{id}/progress",
            post(results::add_progress),
        )
        .route(
            "/themes/{slug}/results/{id}/documents",
            // Uploads have their own, larger limit (`refuse_declared_oversize`).
            post(documents::attach).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/themes/{slug}/documents/{id}/remove",
            post(documents::remove),
        )
        .route("/documents/{id}", get(documents::serve))
        .route(
            "/themes/{slug}/drafts",
            // A draft's text may be larger than the general limit (`carries_document`).
            get(drafts::list)
                .post(drafts::publish)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::http::MAX_DOCUMENT_BODY_BYTES,
                )),
        )
        .route("/themes/{slug}/words", get(word_cloud::cloud))
        .route("/themes/{slug}/words/live", get(word_cloud::projector))
        .route("/themes/{slug}/words/term/{term}", get(word_cloud::term))
        .route(
            "/staff/word-cloud",
            get(word_cloud::settings).post(word_cloud::save_stop_words),
        )
        .route("/staff/word-cloud/names", post(word_cloud::save_names))
        .route("/themes/{slug}/surveys", get(surveys::of_theme))
        .route("/statistics", get(statistics::instance))
        .route("/statistics.csv", get(statistics::instance_csv))
        .route(
            "/statistics/publication",
            post(statistics::publish_instance),
        )
        .route("/themes/{slug}/statistics", get(statistics::theme))
        .route("/themes/{slug}/statistics.csv", get(statistics::theme_csv))
        .route(
            "/themes/{slug}/statistics/publication",
            post(statistics::publish_theme),
        )
        .route(
            "/staff/themes/{slug}/surveys/new",
            get(survey_builder::new_survey).post(survey_builder::create_survey),
        )
        .route("/staff/surveys/{id}", get(survey_admin::manage))
        .route(
            "/staff/surveys/{id}/edit",
            get(survey_admin::edit_form).post(survey_admin::edit),
        )
        .route("/staff/surveys/{id}/actions", post(survey_admin::act))
        .route("/surveys/{id}", get(surveys::survey).post(surveys::answer))
        .route(
            "/surveys/{id}/change",
            get(surveys::change_form).post(surveys::change),
        )
        .route("/surveys/{id}/key", post(surveys::keep_key))
        .route("/surveys/{id}/forget", post(surveys::forget_key))
        .route(
            "/surveys/{id}/paper",
            get(surveys::paper_form).post(surveys::paper),
        )
        .route(
            "/surveys/{id}/links",
            get(survey_builder::links_form).post(survey_builder::make_links),
        )
        .route("/surveys/{id}/results", get(survey_results::results))
        .route(
            "/surveys/{id}/results.csv",
            get(survey_exports::results_csv),
        )
        .route("/surveys/{id}/breakdown", get(survey_exports::breakdown))
        .route(
            "/surveys/{id}/breakdown.csv",
            get(survey_exports::breakdown_csv),
        )
        .route(
            "/surveys/{id}/answers.csv",
            get(survey_exports::answers_csv),
        )
        .route(
            "/surveys/{id}/questions/{question}/poll",
            post(survey_results::publish_poll),
        )
        .route(
            "/surveys/{id}/texts/{question}/{response}",
            post(survey_results::hide_text),
        )
        .route("/drafts/{id}", get(drafts::draft))
        .route(
            "/staff/drafts/{id}/edit",
            get(draft_edit::edit_form).post(draft_edit::edit),
        )
        .route("/drafts/{id}/amendments", post(drafts::propose))
        .route("/drafts/{id}/versions", get(drafts::versions))
        .route("/drafts/{id}/compare", get(drafts::compare))
        .route("/amendments/{id}", get(drafts::amendment))
        .route("/amendments/{id}/support", post(drafts::support))
        .route("/amendments/{id}/comments", post(drafts::comment))
        .route("/amendments/{id}/decision", post(drafts::decide))
        .route("/themes/{slug}/remote-follow", post(pages::remote_follow))
        .route("/proposals/{id}", get(pages::idea))
        .route("/proposals/{id}/support", post(pages::support))
        .route("/proposals/{id}/answer", post(answers::answer))
        .route("/staff/answers", get(answers::awaiting))
        .route("/notifications", get(notifications::notifications_page))
        .route("/notifications/read", post(notifications::mark_all_read))
        .route("/proposals/{id}/comments", post(pages::post_comment))
        .route("/following", get(following::posts))
        .route("/methods", get(methods::list))
        .route("/municipalities", get(municipalities::directory))
        .route("/methods/library", get(methods::library))
        .route("/methods/library/{id}", get(methods::library_detail))
        .route(
            "/methods/library/{id}/themes",
            post(methods::start_theme_from_library),
        )
        .route(
            "/methods/library/{id}/fork",
            post(methods::fork_from_library),
        )
        .route("/methods/{id}", get(methods::detail))
        .route(
            "/methods/{id}/versions/{version}",
            get(methods::version_page),
        )
        .route("/methods/{id}/themes", post(methods::start_theme))
        .route(
            "/staff/methods/new",
            get(method_form::new_method).post(method_form::create_method),
        )
        .route(
            "/staff/methods/{id}/edit",
            get(method_form::edit_method).post(method_form::update_method),
        )
        .route(
            "/staff/methods/import",
            get(method_form::import_form).post(method_form::import),
        )
        .route("/methods/{id}/fork", post(methods::fork))
        .route(
            "/staff/themes/{slug}/method",
            get(method_form::from_theme_form).post(method_form::publish_from_theme),
        )
        .route(
            "/staff/themes/{slug}/references",
            get(references::theme_page).post(references::theme_add),
        )
        .route(
            "/staff/proposals/{id}/references",
            get(references::proposal_page).post(references::proposal_add),
        )
        .route("/staff/references/{id}/remove", post(references::remove))
        .route(
            "/staff/backlinks/{id}/visibility",
            post(references::set_backlink_visibility),
        )
        .route("/following/posts/{id}", get(following::post))
        .route("/following/posts/{id}/support", post(following::support))
        .route("/following/posts/{id}/replies", post(following::reply))
        .route("/signup", get(auth::signup_form).post(auth::signup))
        .route("/terms", get(policies::terms))
        .route("/privacy", get(policies::privacy))
        .route(
            "/terms/accept",
            get(policies::accept_form).post(policies::accept),
        )
        .route(
            "/staff/policies/{kind}",
            get(policies::edit_form).post(policies::save),
        )
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/setup", get(auth::setup_form).post(auth::setup))
        .route("/proposals/{id}/report", post(account::report_proposal))
        .route("/comments/{id}/report", post(account::report_comment))
        .route("/proposals/{id}/moderate", post(account::moderate_proposal))
        .route("/comments/{id}/moderate", post(account::moderate_comment))
        .route("/search", get(account::search))
        .route("/me", get(account::profile).post(account::save_profile))
        .route(
            "/me/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/staff", get(staff::home))
        .route(
            "/staff/themes/new",
            get(staff::new_theme).post(staff::create_theme),
        )
        .route(
            "/staff/themes/{slug}/edit",
            get(staff::edit_theme).post(staff::update_theme),
        )
        .route(
            "/staff/themes/{slug}/remove",
            get(theme_removal::confirm).post(theme_removal::remove),
        )
        .route("/staff/themes/{slug}/restore", post(theme_removal::restore))
        .route("/staff/themes/removed", get(theme_removal::list))
        .route(
            "/staff/themes/{slug}/threshold",
            get(thresholds::page).post(thresholds::save),
        )
        .route("/staff/moderation", get(staff::moderation_queue))
        .route("/staff/reports/{id}/resolve", post(staff::resolve_report))
        .route("/staff/blocks", post(staff::add_block))
        .route("/staff/blocks/{id}/remove", post(staff::remove_block))
        .route(
            "/staff/following",
            get(following::staff_follows).post(following::staff_follow),
        )
        .route(
            "/staff/following/{id}/remove",
            post(following::staff_unfollow),
        )
        .route("/staff/users", get(account_admin::users))
        .route("/staff/users/{id}/role", post(account_admin::set_role))
        .route(
            "/staff/users/{id}/suspension",
            post(account_admin::set_suspension),
        )
        .route("/staff/moderation/log", get(moderation_log::log))
        .route("/proposals/{id}/review", post(reviews::ask_for_proposal))
        .route("/comments/{id}/review", post(reviews::ask_for_comment))
        .route("/staff/reviews/{id}", post(reviews::decide))
        .route(
            "/staff/profile",
            get(staff::profile).post(staff::save_profile),
        )
        .route("/lang", post(switch_language))
        .route("/static/{hash}/{name}", get(assets::hashed))
        .route("/static/{name}", get(assets::plain))
        .route("/favicon.ico", get(assets::favicon))
        .layer(middleware::from_fn_with_state(state, pages_middleware))
}

/// An error on a page: rendered as an HTML error page by [`pages_middleware`], in the
/// visitor's language.
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(err: AppError) -> Self {
        WebError(err)
    }
}

impl From<sqlx::Error> for WebError {
    fn from(err: sqlx::Error) -> Self {
        WebError(err.into())
    }
}

/// Carried from a failing handler to the middleware that renders the error page.
#[derive(Clone)]
struct PageFailure {
    status: StatusCode,
    detail: Option<String>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let problem = crate::http::problem::Problem::from(self.0);
        let status = problem.status();
        let detail = match status {
            StatusCode::INTERNAL_SERVER_ERROR | StatusCode::SERVICE_UNAVAILABLE => None,
            _ => problem.detail.clone(),
        };
        let mut response = status.into_response();
        response
            .extensions_mut()
            .insert(PageFailure { status, detail });
        response
    }
}

/// Serves visitors' pages kept a few seconds, sends people who must log in to the login
/// page, and renders errors as pages.
async fn pages_middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // A theme's or proposal's URL also answers ActivityStreams clients: hand them over before
    // any page work (sessions, CSRF cookie, profile).
    if request.method() == axum::http::Method::GET
        && crate::federation::wants_activity_json(request.headers())
    {
        let path = request.uri().path();
        let answer = if let Some(id) = path
            .strip_prefix("/proposals/")
            .and_then(|r| r.parse::<i64>().ok())
        {
            Some(crate::federation::routes::proposal_object(&state, id).await)
        } else if let Some(id) = path
            .strip_prefix("/methods/")
            .and_then(|r| r.parse::<i64>().ok())
        {
            Some(crate::federation::methods::method_object(&state, id).await)
        } else if let Some(id) = path
            .strip_prefix("/drafts/")
            .and_then(|r| r.parse::<i64>().ok())
        {
            Some(crate::federation::drafts::draft_object(&state, id).await)
        } else if let Some(slug) = path
            .strip_prefix("/themes/")
            .filter(|r| !r.is_empty() && !r.contains('/'))
        {
            Some(crate::federation::routes::theme_actor(&state, slug).await)
        } else {
            None
        };
        if let Some(answer) = answer {
            return answer.unwrap_or_else(IntoResponse::into_response);
        }
    }
    let page_key = page_cache::key_of(&state, &request);
    if let Some(key) = &page_key
        && let Some(kept) = page_cache::cached(&state, key).await
    {
        return kept;
    }
    let visitor = error_page::Visitor::of(&state, request.headers());
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let mut response = next.run(request).await;
    if let Some(failure) = response.extensions().get::<PageFailure>().cloned() {
        response = if failure.status == StatusCode::UNAUTHORIZED {
            Redirect::to(&format!("/login?next={}", encode_component(&path))).into_response()
        } else {
            error_page::error_page(&state, visitor, failure.status, failure.detail).await
        };
    }
    let headers = response.headers_mut();
    // Theme and proposal URLs also answer with ActivityStreams JSON.
    headers
        .entry(header::VARY)
        .or_insert(HeaderValue::from_static("Accept, Accept-Language, Cookie"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
             frame-ancestors 'none'; form-action 'self' https:",
        ));
    match page_key {
        Some(key) => page_cache::keep(&state, key, response).await,
        None => response,
    }
}

/// Percent-encodes a string for a query parameter.
pub fn encode_component(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Only local paths are followed after a form, never another site.
pub fn local_path(candidate: Option<&str>) -> String {
    match candidate {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/".to_string(),
    }
}

#[derive(serde::Deserialize)]
struct LanguageChoice {
    lang: String,
    back: Option<String>,
}

/// The language switch: remembered in a cookie for a year.
async fn switch_language(
    State(state): State<AppState>,
    CsrfForm(choice): CsrfForm<LanguageChoice>,
) -> Response {
    let lang = Lang::parse(&choice.lang).unwrap_or(Lang::Ja);
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        lang.code(),
        crate::http::extract::secure_attribute(&state)
    );
    let mut response = Redirect::to(&local_path(choice.back.as_deref())).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Kept for handlers that need the page context of a failed request.
pub type PageResult = Result<Response, WebError>;

impl PageCtx {
    /// The URL of one of the site's static files, with its content's hash.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    /// A catalogue message chosen at run time (an answer state's label), in the visitor's
    /// language.
    pub fn label(&self, key: &str) -> String {
        self.l().get(key)
    }

    /// An amount of yen, with thousands separators.
    pub fn yen(&self, amount: &i64) -> String {
        crate::domain::yen::grouped(*amount)
    }

    /// A 303 redirect after a successful form post.
    pub fn see_other(&self, to: &str) -> PageResult {
        Ok(Redirect::to(to).into_response())
    }
}
