//! Accounts API: first-run setup, sign-up, login sessions, profile, tokens, roles.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::extract::{Administrator, Authorized, Moderator, SignedIn};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, ClientIp, SessionToken, session_cookie};
use crate::http::problem::Problem;
use crate::services::accounts::{
    self, ApiTokenView, ProfileInput, SESSION_DAYS, SignupInput, UserView,
};
use crate::services::{Page, Viewer};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupInput {
    /// The token from the setup link logged at first start.
    pub token: String,
    #[serde(default)]
    pub handle: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    pub password: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

impl utoipa::PartialSchema for SetupInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::Schema::AnyOf(crate::domain::schemas::new_account(true)).into()
    }
}

impl ToSchema for SetupInput {}

/// Create the first administrator with the one-time setup token.
#[utoipa::path(post, path = "/setup", tag = "accounts", request_body = SetupInput,
    responses((status = 201, body = UserView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn setup(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SetupInput>,
) -> Result<(StatusCode, Json<UserView>), AppError> {
    let signup = SignupInput {
        handle: input.handle,
        email: input.email,
        password: input.password,
        display_name: input.display_name,
        accepted_terms: None,
    };
    let user = accounts::complete_setup(&state, &input.token, signup).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Sign up as a resident with an e-mail address or a handle, and a password.
#[utoipa::path(post, path = "/auth/signup", tag = "accounts", request_body = SignupInput,
    responses((status = 201, body = UserView), (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<SignupInput>,
) -> Result<(StatusCode, Json<UserView>), AppError> {
    let user = accounts::signup(&state, input, ip).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    /// Handle or e-mail address.
    #[schema(pattern = r"\S", min_length = 1)]
    pub login: String,
    #[schema(min_length = 1)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub user: UserView,
    /// Send this in the `X-CSRF-Token` header with every request that changes something
    /// while you use the session cookie.
    pub csrf_token: String,
}

/// Log in; sets the session cookie and returns the CSRF token.
#[utoipa::path(post, path = "/auth/login", tag = "accounts", request_body = LoginInput,
    responses((status = 200, body = SessionView), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<LoginInput>,
) -> Result<Response, AppError> {
    let session = accounts::login(&state, &input.login, &input.password, ip).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        session_cookie(&state, &session.token, SESSION_DAYS * 86_400),
    );
    let body = SessionView {
        user: session.user,
        csrf_token: session.csrf_token,
    };
    Ok((headers, Json(body)).into_response())
}

/// Log out: ends the session.
#[utoipa::path(post, path = "/auth/logout", tag = "accounts",
    responses((status = 204, description = "Logged out"), (status = 403, body = Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    _viewer: Viewer,
    SessionToken(token): SessionToken,
) -> Result<Response, AppError> {
    if let Some(token) = token {
        accounts::logout(&state, &token).await?;
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// The current session's user and CSRF token.
#[utoipa::path(get, path = "/auth/session", tag = "accounts",
    responses((status = 200, body = SessionView), (status = 401, body = Problem)))]
pub async fn session(
    State(state): State<AppState>,
    SessionToken(token): SessionToken,
) -> Result<Json<SessionView>, AppError> {
    let token = token.ok_or(AppError::Unauthenticated)?;
    let (user, csrf_token) = accounts::session_user(&state, &token)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let user = accounts::me(&state, &Viewer(Some(user))).await?;
    Ok(Json(SessionView { user, csrf_token }))
}

/// Your account, with e-mail address and statistics profile.
#[utoipa::path(get, path = "/me", tag = "accounts",
    responses((status = 200, body = UserView), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, viewer: Viewer) -> Result<Json<UserView>, AppError> {
    Ok(Json(accounts::me(&state, &viewer).await?))
}

/// Update your display name and the optional statistics attributes. They are used only
/// for aggregate participation statistics and never shown per person.
#[utoipa::path(patch, path = "/me", tag = "accounts", request_body = ProfileInput,
    responses((status = 200, body = UserView), (status = 422, body = Problem)))]
pub async fn update_me(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiJson(input): ApiJson<ProfileInput>,
) -> Result<Json<UserView>, AppError> {
    Ok(Json(
        accounts::update_profile(&state, &viewer, input).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(min_length = 1)]
    pub current_password: String,
    #[schema(min_length = 8, max_length = 256)]
    pub new_password: String,
}

/// Change your password; your other sessions are logged out.
#[utoipa::path(put, path = "/me/password", tag = "accounts", request_body = PasswordChange,
    responses((status = 204, description = "Changed"), (status = 422, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    SessionToken(token): SessionToken,
    ApiJson(input): ApiJson<PasswordChange>,
) -> Result<StatusCode, AppError> {
    accounts::change_password(
        &state,
        &viewer,
        &input.current_password,
        &input.new_password,
        token.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// What the token is for, e.g. "weekly export script".
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 100
    )]
    pub name: String,
}

/// Create an API token for scripts; the secret is shown only in this response.
#[utoipa::path(post, path = "/me/tokens", tag = "accounts", request_body = TokenInput,
    responses((status = 201, body = ApiTokenView), (status = 401, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiJson(input): ApiJson<TokenInput>,
) -> Result<(StatusCode, Json<ApiTokenView>), AppError> {
    let token = accounts::create_api_token(&state, &viewer, &input.name).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

/// Your API tokens (without their secrets).
#[utoipa::path(get, path = "/me/tokens", tag = "accounts",
    responses((status = 200, body = Vec<ApiTokenView>), (status = 401, body = Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<ApiTokenView>>, AppError> {
    Ok(Json(accounts::list_api_tokens(&state, &viewer).await?))
}

/// Revoke one of your API tokens.
#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    accounts::revoke_api_token(&state, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1 to 1,000,000.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
    /// Only accounts whose handle, name or e-mail address contains this.
    #[param(max_length = 200)]
    pub search: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserView>,
    pub page: u32,
    pub per_page: u32,
    pub has_more: bool,
}

/// All accounts, or those matching `search` (moderators and administrators).
#[utoipa::path(get, path = "/users", tag = "accounts", params(PageQuery),
    responses((status = 200, body = UserPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<UserPage>, AppError> {
    let page = Page::parse(query.page, query.per_page)?;
    let (items, has_more) =
        accounts::list_users(&state, &viewer, query.search.as_deref(), page).await?;
    Ok(Json(UserPage {
        items,
        page: page.number,
        per_page: page.per_page,
        has_more,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    /// resident, moderator, staff or administrator
    #[schema(value_type = crate::domain::Role)]
    pub role: String,
}

/// Change an account's role (administrators only).
#[utoipa::path(put, path = "/users/{id}/role", tag = "accounts", request_body = RoleInput,
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn set_role(
    State(state): State<AppState>,
    Authorized(viewer, _): Administrator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RoleInput>,
) -> Result<Json<UserView>, AppError> {
    Ok(Json(
        accounts::set_role(&state, &viewer, id, &input.role).await?,
    ))
}
