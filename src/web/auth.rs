//! Sign-up, login, logout and the first-run setup page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::{PageResult, local_path};
use crate::http::extract::{ClientIp, SessionToken, session_cookie};
use crate::services::accounts::{self, SESSION_DAYS, SignupInput};
use crate::services::policies;
use crate::state::AppState;
use crate::t;

#[derive(Debug, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub handle: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub next: String,
    /// The version of the terms the checkbox agrees to, when ticked.
    #[serde(default)]
    pub accepted_terms: Option<String>,
}

impl AccountForm {
    fn signup_input(&self) -> SignupInput {
        SignupInput {
            handle: Some(self.handle.clone()),
            email: Some(self.email.clone()),
            password: self.password.clone(),
            display_name: Some(self.display_name.clone()),
            accepted_terms: self
                .accepted_terms
                .as_deref()
                .and_then(|v| v.trim().parse().ok()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "signup.html")]
pub struct SignupPage {
    pub ctx: PageCtx,
    pub form: AccountForm,
    pub errors: FormErrors,
    /// The version of the terms a new account agrees to, once staff published terms.
    pub terms_version: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub ctx: PageCtx,
    pub form: AccountForm,
    pub errors: FormErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
pub struct SetupPage {
    pub ctx: PageCtx,
    pub form: AccountForm,
    pub errors: FormErrors,
    pub valid: bool,
}

/// Logs in and redirects; used after sign-up and setup too.
async fn start_session(
    state: &AppState,
    login: &str,
    password: &str,
    ip: std::net::IpAddr,
    next: &str,
) -> Result<Response, crate::error::AppError> {
    let session = accounts::login(state, login, password, ip).await?;
    let to = super::policies::after_login(state, session.user.id, next).await?;
    let mut response = Redirect::to(&to).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(state, &session.token, SESSION_DAYS * 86_400),
    );
    Ok(response)
}

pub async fn signup_form(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    Ok(SignupPage {
        ctx,
        form: AccountForm::default(),
        errors: FormErrors::default(),
        terms_version: policies::terms_version(&state).await?,
    }
    .into_response())
}

pub async fn signup(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> PageResult {
    let result = match accounts::signup(&state, form.signup_input(), ip).await {
        Ok(user) => start_session(&state, &user.handle, &form.password, ip, "/").await,
        Err(e) => Err(e),
    };
    match result {
        Ok(response) => Ok(response),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let form = AccountForm {
                password: String::new(),
                ..form
            };
            let terms_version = policies::terms_version(&state).await?;
            Ok((
                status,
                SignupPage {
                    ctx,
                    form,
                    errors,
                    terms_version,
                },
            )
                .into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
    pub token: Option<String>,
}

pub async fn login_form(ctx: PageCtx, Query(query): Query<NextQuery>) -> PageResult {
    Ok(LoginPage {
        ctx,
        form: AccountForm {
            next: local_path(query.next.as_deref()),
            ..AccountForm::default()
        },
        errors: FormErrors::default(),
    }
    .into_response())
}

pub async fn login(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> PageResult {
    // The login field is named "handle" in the form; it takes an e-mail address too.
    match start_session(&state, &form.handle, &form.password, ip, &form.next).await {
        Ok(response) => Ok(response),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let form = AccountForm {
                password: String::new(),
                ..form
            };
            Ok((status, LoginPage { ctx, form, errors }).into_response())
        }
    }
}

/// Ends the session and forgets the survey answer keys this browser kept (a shared tablet
/// must not let the next person open them).
pub async fn logout(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    SessionToken(token): SessionToken,
    CsrfForm(_): CsrfForm<AccountForm>,
) -> PageResult {
    if let Some(token) = token {
        accounts::logout(&state, &token).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    for name in super::surveys::key_cookie_names(&headers) {
        response.headers_mut().append(
            header::SET_COOKIE,
            super::surveys::key_cookie(&state, &name, ""),
        );
    }
    Ok(response)
}

pub async fn setup_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<NextQuery>,
) -> PageResult {
    let token = query.token.unwrap_or_default();
    let pending = accounts::pending_setup_token(&state).await?;
    let valid = pending.is_some_and(|p| p == token);
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::FORBIDDEN
    };
    let page = SetupPage {
        ctx,
        form: AccountForm {
            token,
            ..AccountForm::default()
        },
        errors: FormErrors::default(),
        valid,
    };
    Ok((status, page).into_response())
}

pub async fn setup(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> PageResult {
    let result = match accounts::complete_setup(&state, &form.token, form.signup_input()).await {
        Ok(user) => start_session(&state, &user.handle, &form.password, ip, "/").await,
        Err(e) => Err(e),
    };
    match result {
        Ok(response) => Ok(response),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let form = AccountForm {
                password: String::new(),
                ..form
            };
            Ok((
                status,
                SetupPage {
                    ctx,
                    form,
                    errors,
                    valid: true,
                },
            )
                .into_response())
        }
    }
}
