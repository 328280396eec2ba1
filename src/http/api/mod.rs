//! The JSON API under `/api/v1/`, for staff tooling and future clients. Routes are
//! registered together with their OpenAPI description, so the served spec cannot drift
//! from what the router answers.

pub mod accounts;
pub mod comments;
pub mod proposals;
pub mod themes;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hiroba API",
        description = "Participation server for municipalities: themes, proposals, comments, supports. \
            Errors are application/problem+json (RFC 9457). Authenticate scripts with an API token \
            (`Authorization: Bearer ...`); browser sessions use the session cookie and must echo the \
            session's CSRF token in `X-CSRF-Token` on every request that changes something.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "instance", description = "The municipality running this instance"),
        (name = "accounts", description = "Setup, sign-up, sessions, profiles, tokens and roles"),
        (name = "themes", description = "Themes (テーマ) and their phases"),
        (name = "proposals", description = "Ideas / proposals and supports (共感)"),
        (name = "comments", description = "Threaded comments"),
        (name = "moderation", description = "Hiding and restoring content"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::http::extract::SESSION_COOKIE,
            ))),
        );
    }
}

/// The municipality running this instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceView {
    pub name_ja: String,
    pub name_en: String,
    pub prefecture: Option<String>,
    /// 全国地方公共団体コード (six digits with check digit).
    pub local_government_code: Option<String>,
    pub time_zone: String,
    pub domain: String,
    pub url: String,
    /// True for `hiroba serve --demo`: sample data, reset at every start.
    pub demo: bool,
    pub software: SoftwareView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SoftwareView {
    pub name: String,
    pub version: String,
}

/// The municipality's profile.
#[utoipa::path(get, path = "/instance", tag = "instance", responses((status = 200, body = InstanceView)))]
async fn instance(State(state): State<AppState>) -> Json<InstanceView> {
    let config = &state.config;
    let m = &config.municipality;
    Json(InstanceView {
        name_ja: m.name_ja.clone(),
        name_en: m.name_en.clone(),
        prefecture: m.prefecture.clone(),
        local_government_code: m
            .local_government_code
            .as_ref()
            .map(|c| c.as_str().to_string()),
        time_zone: m.time_zone_name.clone(),
        domain: config.domain.clone(),
        url: config.public_url(),
        demo: config.demo,
        software: SoftwareView {
            name: "hiroba".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
    })
}

/// The API routes under `/api/v1` and their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", routes())
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(instance))
        .routes(routes!(accounts::setup))
        .routes(routes!(accounts::signup))
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::logout))
        .routes(routes!(accounts::session))
        .routes(routes!(accounts::me, accounts::update_me))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::create_token, accounts::list_tokens))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(accounts::list_users))
        .routes(routes!(accounts::set_role))
        .routes(routes!(themes::list_themes, themes::create_theme))
        .routes(routes!(themes::get_theme, themes::update_theme))
        .routes(routes!(
            proposals::list_proposals,
            proposals::create_proposal
        ))
        .routes(routes!(proposals::get_proposal, proposals::edit_proposal))
        .routes(routes!(proposals::withdraw_proposal))
        .routes(routes!(proposals::hide_proposal))
        .routes(routes!(proposals::restore_proposal))
        .routes(routes!(proposals::support, proposals::unsupport))
        .routes(routes!(comments::list_comments, comments::create_comment))
        .routes(routes!(comments::edit_comment, comments::delete_comment))
        .routes(routes!(comments::hide_comment))
        .routes(routes!(comments::restore_comment))
}
