//! The JSON API under `/api/v1/`, for staff tooling and future clients. Routes are
//! registered together with their OpenAPI description, so the served spec cannot drift
//! from what the router answers.

pub mod account_moderation;
pub mod accounts;
pub mod answers;
pub mod backlinks;
pub mod comments;
pub mod documents;
pub mod drafts;
pub mod following;
pub mod method_library;
pub mod methods;
pub mod moderation;
pub mod municipalities;
pub mod notifications;
pub mod policies;
pub mod proposals;
pub mod references;
pub mod results;
pub mod reviews;
pub mod statistics;
pub mod survey_editing;
pub mod surveys;
pub mod themes;
pub mod word_cloud;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::http::extract::ApiJson;
use crate::http::extract::{Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::instance;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hiroba API",
        description = "Participation server for municipalities: themes, proposals, comments, supports. \
            Errors are application/problem+json (RFC 9457): `type`, `title`, `field` and `code` are \
            stable English for programs; `detail` and each `message` are for people, in the language \
            of `Accept-Language` (Japanese unless English is preferred). Authenticate scripts with an API token \
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
        (name = "answers", description = "The municipality's official answers to proposals"),
        (name = "drafts", description = "Drafts (たたき台) residents improve with amendments (修正提案)"),
        (name = "surveys", description = "Surveys (アンケート) with anonymous answers, and their results"),
        (name = "statistics", description = "Participation statistics, k-anonymous"),
        (name = "results", description = "What became of a theme's input (反映) and its implementation"),
        (name = "methods", description = "Process templates the municipality publishes for others to reuse"),
        (name = "references", description = "Cards that point at other instances' themes, proposals and methods"),
        (name = "moderation", description = "Hiding and restoring content"),
        (name = "policies", description = "The terms of use and the privacy policy, and agreeing to the terms"),
        (name = "following", description = "Themes and municipalities followed on other servers, and their posts"),
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
async fn instance(State(state): State<AppState>) -> Result<Json<InstanceView>, AppError> {
    Ok(Json(instance_view(
        &state,
        instance::profile(&state).await?,
    )))
}

fn instance_view(state: &AppState, profile: instance::Profile) -> InstanceView {
    InstanceView {
        name_ja: profile.name_ja,
        name_en: profile.name_en,
        prefecture: profile.prefecture,
        local_government_code: profile.local_government_code,
        time_zone: profile.time_zone,
        domain: state.config.domain.clone(),
        url: state.config.public_url(),
        demo: state.config.demo,
        software: SoftwareView {
            name: "hiroba".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
    }
}

/// Change the municipality's names and prefecture (staff). The local government code and
/// time zone stay in the configuration.
#[utoipa::path(put, path = "/instance", tag = "instance", request_body = instance::ProfileUpdate,
    responses((status = 200, body = InstanceView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn update_instance(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiJson(input): ApiJson<instance::ProfileUpdate>,
) -> Result<Json<InstanceView>, AppError> {
    let profile = instance::update(&state, &viewer, input).await?;
    Ok(Json(instance_view(&state, profile)))
}

/// The API routes under `/api/v1` and their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", routes())
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(instance, update_instance))
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
        .routes(routes!(
            themes::get_theme,
            themes::update_theme,
            themes::remove_theme
        ))
        .routes(routes!(themes::restore_theme))
        .routes(routes!(themes::set_threshold))
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
        .routes(routes!(following::list_follows, following::follow))
        .routes(routes!(following::unfollow))
        .routes(routes!(methods::list_methods, methods::create_method))
        .routes(routes!(methods::get_method, methods::update_method))
        .routes(routes!(methods::list_versions))
        .routes(routes!(methods::get_version))
        .routes(routes!(methods::save_theme_as_method))
        .routes(routes!(methods::fork_method))
        .routes(routes!(methods::start_theme))
        .routes(routes!(methods::export_method))
        .routes(routes!(methods::import_method))
        .routes(routes!(method_library::list_library))
        .routes(routes!(method_library::get_library_method))
        .routes(routes!(method_library::fork_library_method))
        .routes(routes!(method_library::start_theme_from_library))
        .routes(routes!(
            references::list_theme_references,
            references::add_theme_reference
        ))
        .routes(routes!(
            references::list_proposal_references,
            references::add_proposal_reference
        ))
        .routes(routes!(references::remove_reference))
        .routes(routes!(results::list_results, results::publish_result))
        .routes(routes!(results::update_result, results::delete_result))
        .routes(routes!(results::add_progress))
        .routes(routes!(results::update_progress, results::delete_progress))
        .routes(routes!(results::idea_choices))
        .routes(routes!(results::theme_summary))
        .merge(
            // Uploads have their own, larger limit (`refuse_declared_oversize`).
            OpenApiRouter::new()
                .routes(routes!(documents::attach_document))
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .routes(routes!(documents::remove_document))
        .routes(routes!(word_cloud::theme_words))
        .routes(routes!(
            word_cloud::get_stop_words,
            word_cloud::set_stop_words
        ))
        .routes(routes!(
            word_cloud::get_local_names,
            word_cloud::set_local_names
        ))
        .merge(
            // A draft's text may be larger than the general limit (`carries_document`).
            OpenApiRouter::new()
                .routes(routes!(drafts::list_drafts, drafts::publish_draft))
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::http::MAX_DOCUMENT_BODY_BYTES,
                )),
        )
        .routes(routes!(drafts::get_draft, drafts::revise_draft))
        .routes(routes!(drafts::list_draft_versions))
        .routes(routes!(drafts::get_draft_version))
        .routes(routes!(drafts::compare_draft_versions))
        .routes(routes!(drafts::propose_amendment))
        .routes(routes!(drafts::get_amendment))
        .routes(routes!(
            drafts::support_amendment,
            drafts::unsupport_amendment
        ))
        .routes(routes!(drafts::comment_on_amendment))
        .routes(routes!(drafts::decide_amendment))
        .routes(routes!(surveys::list_surveys, surveys::create_survey))
        .routes(routes!(
            surveys::get_survey,
            survey_editing::update_survey,
            survey_editing::delete_survey
        ))
        .routes(routes!(survey_editing::duplicate_survey))
        .routes(routes!(survey_editing::publish_survey))
        .routes(routes!(survey_editing::archive_survey))
        .routes(routes!(survey_editing::unarchive_survey))
        .routes(routes!(survey_editing::survey_edits))
        .routes(routes!(surveys::close_survey))
        .routes(routes!(surveys::reopen_survey))
        .routes(routes!(surveys::respond, surveys::change_response))
        .routes(routes!(surveys::create_links))
        .routes(routes!(surveys::get_results))
        .routes(routes!(surveys::get_breakdown))
        .routes(routes!(surveys::publish_poll, surveys::get_poll))
        .routes(routes!(statistics::instance_statistics))
        .routes(routes!(statistics::theme_statistics))
        .routes(routes!(statistics::publish_instance_statistics))
        .routes(routes!(statistics::publish_theme_statistics))
        .routes(routes!(surveys::hide_text))
        .routes(routes!(answers::answer_proposal))
        .routes(routes!(answers::list_answers))
        .routes(routes!(answers::list_awaiting))
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(backlinks::list_theme_backlinks))
        .routes(routes!(backlinks::list_proposal_backlinks))
        .routes(routes!(backlinks::list_method_backlinks))
        .routes(routes!(backlinks::set_backlink_visibility))
        .routes(routes!(following::list_posts))
        .routes(routes!(following::list_themes))
        .routes(routes!(municipalities::list_municipalities))
        .routes(routes!(following::get_post))
        .routes(routes!(following::support_post, following::unsupport_post))
        .routes(routes!(following::reply_to_post))
        .routes(routes!(moderation::report_proposal))
        .routes(routes!(moderation::report_comment))
        .routes(routes!(moderation::open_reports))
        .routes(routes!(account_moderation::set_suspension))
        .routes(routes!(account_moderation::log))
        .routes(routes!(policies::current, policies::publish))
        .routes(routes!(policies::status, policies::accept))
        .routes(routes!(reviews::request_for_proposal))
        .routes(routes!(reviews::request_for_comment))
        .routes(routes!(reviews::open))
        .routes(routes!(reviews::decide))
        .routes(routes!(moderation::resolve_report))
        .routes(routes!(moderation::list_blocks, moderation::add_block))
        .routes(routes!(moderation::remove_block))
}

/// Makes the document the server's exact contract where the handlers' annotations cannot
/// say it one by one: every error body is `application/problem+json`, any status an
/// operation does not list is a problem too (`default`), and ids in paths are positive
/// 64-bit integers.
/// Applied to the whole document, once the router has added every path.
pub struct ExactContract;

impl Modify for ExactContract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        use utoipa::openapi::schema::{Object, Schema, Type};
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

        const PROBLEM: &str = "application/problem+json";
        let problem_ref = || Ref::from_schema_name("Problem");
        let is_problem = |content: &utoipa::openapi::Content| matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"));
        let fix = |operation: &mut Operation| {
            for response in operation.responses.responses.values_mut() {
                if let RefOr::T(response) = response
                    && let Some(content) = response.content.get("application/json")
                    && is_problem(content)
                    && let Some(content) = response.content.shift_remove("application/json")
                {
                    response.content.insert(PROBLEM.to_string(), content);
                }
            }
            let default = ResponseBuilder::new()
                .description("Any other outcome: a problem (RFC 9457)")
                .content(
                    PROBLEM,
                    ContentBuilder::new().schema(Some(problem_ref())).build(),
                )
                .build();
            operation
                .responses
                .responses
                .insert("default".to_string(), RefOr::T(default));
            for parameter in operation.parameters.iter_mut().flatten() {
                if parameter.parameter_in == ParameterIn::Path
                    && let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut()
                    && object.schema_type == Type::Integer.into()
                {
                    let mut id: Object = object.clone();
                    id.minimum = Some(1.into());
                    id.maximum = Some(i64::MAX.into());
                    *object = id;
                }
            }
        };
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                fix(operation);
            }
        }
    }
}
