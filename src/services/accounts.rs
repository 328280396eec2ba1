//! Accounts: sign-up, login sessions, profiles, roles, API tokens and first-run setup.

use crate::msg;
use std::net::IpAddr;

use base64::Engine;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{CurrentUser, Page, Viewer, rfc3339};
use crate::domain::{AgeBand, Email, Handle, Password, Relation, Role, parse_text};
use crate::error::{AppError, Checker, Invalid, checker_invariant, is_unique_violation};
use crate::state::AppState;
use crate::storage::{accounts as store, now_millis, settings};

/// How long a login session lasts.
pub const SESSION_DAYS: i64 = 30;

/// A random secret, URL-safe; used for session cookies, CSRF tokens and API tokens.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(&mut buf[..]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Secrets are stored only as digests, so a copy of the database opens no session.
pub fn token_digest(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub handle: String,
    pub display_name: String,
    pub role: Role,
    /// Present only for the user themself and administrators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileView>,
    pub created_at: String,
    /// Whether staff have suspended the account (it cannot log in).
    pub suspended: bool,
    /// Why, for the account itself and staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended_reason: Option<String>,
}

/// Optional attributes used only for aggregate participation statistics.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProfileView {
    pub age_band: Option<AgeBand>,
    pub area: Option<String>,
    pub relations: Vec<Relation>,
}

impl UserView {
    fn public(row: &store::UserRow) -> Result<Self, AppError> {
        Ok(Self {
            id: row.id,
            handle: row.handle.clone(),
            display_name: row.display_name.clone(),
            role: CurrentUser::from_row(row)?.role,
            email: None,
            profile: None,
            created_at: rfc3339(row.created_at),
            suspended: row.suspended_at.is_some(),
            suspended_reason: None,
        })
    }

    pub(crate) fn private(row: &store::UserRow) -> Result<Self, AppError> {
        let mut view = Self::public(row)?;
        view.email = row.email.clone();
        view.suspended_reason = row.suspended_reason.clone();
        view.profile = Some(ProfileView {
            age_band: row.age_band.as_deref().and_then(|a| AgeBand::parse(a).ok()),
            area: row.area.clone(),
            relations: Relation::decode_set(&row.relations),
        });
        Ok(view)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignupInput {
    /// Your name on this site and on the fediverse (`@handle@host`). Derived from the
    /// e-mail address when omitted.
    #[serde(default)]
    pub handle: Option<String>,
    /// Optional when a handle is given.
    #[serde(default)]
    pub email: Option<String>,
    pub password: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// The version of the terms of use agreed to (the current one; required once staff
    /// have published terms).
    #[serde(default)]
    pub accepted_terms: Option<i32>,
}

impl utoipa::PartialSchema for SignupInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::Schema::AnyOf(crate::domain::schemas::new_account(false)).into()
    }
}

impl ToSchema for SignupInput {}

/// A parsed new account.
struct NewAccount {
    handle: Option<Handle>,
    email: Option<Email>,
    password: Password,
    display_name: String,
}

fn parse_new_account(input: &SignupInput) -> Result<NewAccount, AppError> {
    let mut check = Checker::new();
    let handle = match crate::domain::given(input.handle.as_deref()) {
        Some(h) => check.check("handle", Handle::parse(h)).map(Some),
        _ => Some(None),
    };
    let email = match crate::domain::given(input.email.as_deref()) {
        Some(e) => check.check("email", Email::parse(e)).map(Some),
        _ => Some(None),
    };
    if matches!((&handle, &email), (Some(None), Some(None))) {
        check.push(Invalid::new("required", msg!("error-email-or-handle")).at("email"));
    }
    let password = check.check("password", Password::parse(&input.password));
    let display_name = check.check(
        "display_name",
        parse_text(input.display_name.as_deref().unwrap_or(""), 0, 50, false),
    );
    check.finish()?;
    let (Some(handle), Some(email), Some(password), Some(display_name)) =
        (handle, email, password, display_name)
    else {
        return Err(checker_invariant());
    };
    Ok(NewAccount {
        handle,
        email,
        password,
        display_name,
    })
}

async fn create_account(
    state: &AppState,
    account: NewAccount,
    role: Role,
) -> Result<store::UserRow, AppError> {
    let mut conn = state.db.acquire().await?;
    let handle = match &account.handle {
        Some(handle) => {
            if store::actor_name_taken(conn.ex(), handle.as_str()).await? {
                return Err(AppError::conflict("handle", msg!("error-taken")));
            }
            handle.as_str().to_string()
        }
        None => {
            let email = account.email.as_ref().ok_or_else(checker_invariant)?;
            let base = Handle::suggest_from_email(email);
            let mut candidate = base.clone();
            let mut attempts = 0;
            while store::actor_name_taken(conn.ex(), &candidate).await? {
                attempts += 1;
                if attempts > 20 {
                    return Err(AppError::conflict("handle", msg!("error-choose-handle")));
                }
                candidate = format!("{base}{}", rand::rng().random_range(10..10_000));
            }
            candidate
        }
    };
    let display_name = if account.display_name.is_empty() {
        handle.clone()
    } else {
        account.display_name.clone()
    };
    let password_hash = state.passwords.hash(account.password).await?;
    let new_user = store::NewUser {
        handle: &handle,
        email: account.email.as_ref().map(Email::as_str),
        display_name: &display_name,
        password_hash: &password_hash,
        role: role.as_str(),
    };
    let id = match store::insert_user(conn.ex(), &new_user, now_millis()).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            let taken_email = match &account.email {
                Some(email) => store::find_user_by_login(conn.ex(), email.as_str())
                    .await?
                    .is_some_and(|u| u.email.as_deref() == Some(email.as_str())),
                None => false,
            };
            return Err(if taken_email {
                AppError::conflict("email", msg!("error-email-taken"))
            } else {
                AppError::conflict("handle", msg!("error-taken"))
            });
        }
        Err(e) => return Err(e.into()),
    };
    store::find_user(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("user"))
}

pub async fn signup(
    state: &AppState,
    input: SignupInput,
    ip: IpAddr,
) -> Result<UserView, AppError> {
    // Every mistake at once: the account's fields and the agreement to the terms.
    let (account, agreed) = crate::error::both(
        parse_new_account(&input),
        super::policies::check_agreed(state, input.accepted_terms).await,
    )?;
    state.limits.check_signup(ip)?;
    let row = create_account(state, account, Role::Resident).await?;
    // Only a version that exists is recorded (none while there are no terms).
    if let Some(version) = agreed {
        super::policies::record_agreement(state, row.id, version).await?;
    }
    tracing::info!(user_id = row.id, handle = %row.handle, "resident signed up");
    UserView::private(&row)
}

/// Creates an account with any role, for `hiroba admin create-user` and the demo.
pub async fn create_user_with_role(
    state: &AppState,
    input: SignupInput,
    role: Role,
) -> Result<UserView, AppError> {
    let account = parse_new_account(&input)?;
    let row = create_account(state, account, role).await?;
    UserView::private(&row)
}

/// A new login session: the cookie value and the CSRF token that forms must echo.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: UserView,
}

pub async fn login(
    state: &AppState,
    login: &str,
    password: &str,
    ip: IpAddr,
) -> Result<NewSession, AppError> {
    let login = crate::domain::normalize_text(login).to_lowercase();
    if login.is_empty() {
        return Err(AppError::invalid(
            "login",
            "required",
            msg!("error-required"),
        ));
    }
    if password.is_empty() {
        return Err(AppError::invalid(
            "password",
            "required",
            msg!("error-required"),
        ));
    }
    state.limits.check_login(&login, ip)?;
    let mut conn = state.db.acquire().await?;
    let user = store::find_user_by_login(conn.ex(), &login).await?;
    // No connection is held while the hash runs: logins must not starve the pool.
    drop(conn);
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| super::passwords::DUMMY_HASH.to_string());
    let ok = state.passwords.verify(password.to_string(), hash).await?;
    let user = match (user, ok) {
        (Some(user), true) => user,
        _ => {
            tracing::info!(%ip, "failed login");
            return Err(AppError::InvalidCredentials);
        }
    };
    if user.suspended_at.is_some() {
        tracing::info!(%ip, user = user.id, "login of a suspended account refused");
        return Err(AppError::Forbidden(msg!("error-account-suspended")));
    }
    let token = random_token(32);
    let csrf_token = random_token(24);
    let now = now_millis();
    let mut conn = state.db.acquire().await?;
    store::insert_session(
        conn.ex(),
        &token_digest(&token),
        user.id,
        &csrf_token,
        now,
        now + SESSION_DAYS * 86_400_000,
    )
    .await?;
    Ok(NewSession {
        token,
        csrf_token,
        user: UserView::private(&user)?,
    })
}

/// Deletes expired sessions; run periodically.
pub async fn purge_expired_sessions(state: &AppState) -> Result<u64, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::delete_expired_sessions(conn.ex(), now_millis()).await?)
}

pub async fn logout(state: &AppState, session_token: &str) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    store::delete_session(conn.ex(), &token_digest(session_token)).await?;
    Ok(())
}

/// The user and CSRF token behind a session cookie, if the session is still valid.
pub async fn session_user(
    state: &AppState,
    session_token: &str,
) -> Result<Option<(CurrentUser, String)>, AppError> {
    let mut conn = state.db.acquire().await?;
    match store::find_session(conn.ex(), &token_digest(session_token), now_millis()).await? {
        Some(row) => Ok(Some((CurrentUser::from_row(&row.user)?, row.csrf_token))),
        None => Ok(None),
    }
}

pub async fn token_user(
    state: &AppState,
    api_token: &str,
) -> Result<Option<CurrentUser>, AppError> {
    let mut conn = state.db.acquire().await?;
    match store::find_user_by_api_token(conn.ex(), &token_digest(api_token), now_millis()).await? {
        Some(row) => Ok(Some(CurrentUser::from_row(&row)?)),
        None => Ok(None),
    }
}

pub async fn me(state: &AppState, viewer: &Viewer) -> Result<UserView, AppError> {
    let user = viewer.user()?;
    let mut conn = state.db.acquire().await?;
    let row = store::find_user(conn.ex(), user.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    UserView::private(&row)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 50
    )]
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::domain::schemas::age_band_optional)]
    pub age_band: Option<String>,
    /// Empty (or only white space) clears it.
    #[serde(default)]
    #[schema(pattern = r"^\s*[^\x00-\x1f\x7f-\x9f]*\s*$", max_length = 100)]
    pub area: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<crate::domain::Relation>)]
    pub relations: Vec<String>,
}

pub async fn update_profile(
    state: &AppState,
    viewer: &Viewer,
    input: ProfileInput,
) -> Result<UserView, AppError> {
    let user = viewer.user()?;
    let mut check = Checker::new();
    let display_name = match input.display_name.as_deref() {
        Some(name) => check.check("display_name", parse_text(name, 1, 50, false)),
        None => Some(user.display_name.clone()),
    };
    let age_band = match crate::domain::given(input.age_band.as_deref()) {
        None => Some(None),
        Some(band) => check.check("age_band", AgeBand::parse(band)).map(Some),
    };
    let area = check.check(
        "area",
        crate::domain::optional_text(input.area.as_deref(), 100),
    );
    let mut relations = Vec::new();
    for (i, raw) in input.relations.iter().enumerate() {
        if let Some(r) = check.check(format!("relations[{i}]"), Relation::parse(raw)) {
            relations.push(r);
        }
    }
    check.finish()?;
    let (Some(display_name), Some(age_band), Some(area)) = (display_name, age_band, area) else {
        return Err(checker_invariant());
    };
    let encoded = Relation::encode_set(&relations);
    let mut conn = state.db.acquire().await?;
    store::update_profile(
        conn.ex(),
        user.id,
        &store::ProfileUpdate {
            display_name: &display_name,
            age_band: age_band.map(AgeBand::as_str),
            area: area.as_deref(),
            relations: &encoded,
        },
        now_millis(),
    )
    .await?;
    me(state, viewer).await
}

pub async fn change_password(
    state: &AppState,
    viewer: &Viewer,
    current: &str,
    new: &str,
    keep_session: Option<&str>,
) -> Result<(), AppError> {
    let user = viewer.user()?;
    let new = Password::parse(new).map_err(|e| AppError::Validation(vec![e.at("new_password")]))?;
    let mut conn = state.db.acquire().await?;
    let row = store::find_user(conn.ex(), user.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !state
        .passwords
        .verify(current.to_string(), row.password_hash)
        .await?
    {
        return Err(AppError::invalid(
            "current_password",
            "wrong_password",
            msg!("error-wrong-password"),
        ));
    }
    let hash = state.passwords.hash(new).await?;
    let mut tx = state.db.begin().await?;
    store::update_password(tx.ex(), user.id, &hash, now_millis()).await?;
    let keep = keep_session.map(token_digest);
    store::delete_other_sessions(tx.ex(), user.id, keep.as_deref()).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// The secret, shown only once when the token is created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

pub async fn create_api_token(
    state: &AppState,
    viewer: &Viewer,
    name: &str,
) -> Result<ApiTokenView, AppError> {
    let user = viewer.user()?;
    let name =
        parse_text(name, 1, 100, false).map_err(|e| AppError::Validation(vec![e.at("name")]))?;
    let token = format!("hrb_{}", random_token(32));
    let now = now_millis();
    let mut conn = state.db.acquire().await?;
    let id = store::insert_api_token(conn.ex(), user.id, &name, &token_digest(&token), now).await?;
    Ok(ApiTokenView {
        id,
        name,
        created_at: rfc3339(now),
        last_used_at: None,
        token: Some(token),
    })
}

pub async fn list_api_tokens(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<ApiTokenView>, AppError> {
    let user = viewer.user()?;
    let mut conn = state.db.acquire().await?;
    Ok(store::list_api_tokens(conn.ex(), user.id)
        .await?
        .into_iter()
        .map(|t| ApiTokenView {
            id: t.id,
            name: t.name,
            created_at: rfc3339(t.created_at),
            last_used_at: t.last_used_at.map(rfc3339),
            token: None,
        })
        .collect())
}

pub async fn revoke_api_token(state: &AppState, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    let user = viewer.user()?;
    let mut conn = state.db.acquire().await?;
    if store::delete_api_token(conn.ex(), user.id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("token"))
    }
}

pub async fn list_users(
    state: &AppState,
    viewer: &Viewer,
    search: Option<&str>,
    page: Page,
) -> Result<(Vec<UserView>, bool), AppError> {
    viewer.require_moderator()?;
    if search.is_some_and(|s| s.chars().count() > 200) {
        return Err(AppError::invalid(
            "search",
            "too_long",
            msg!("error-search-too-long"),
        ));
    }
    let search = search
        .map(|s| crate::domain::normalize_text(s).to_lowercase())
        .filter(|s| !s.is_empty());
    let mut conn = state.db.acquire().await?;
    let mut rows = store::list_users(
        conn.ex(),
        search.as_deref(),
        page.probe_limit(),
        page.offset(),
    )
    .await?;
    let more = rows.len() as i64 > i64::from(page.per_page);
    rows.truncate(page.per_page as usize);
    let users = rows
        .iter()
        .map(UserView::private)
        .collect::<Result<_, _>>()?;
    Ok((users, more))
}

pub async fn set_role(
    state: &AppState,
    viewer: &Viewer,
    user_id: i64,
    role: &str,
) -> Result<UserView, AppError> {
    let admin = viewer.require_administrator()?;
    let role = Role::parse(role.trim()).map_err(|e| AppError::Validation(vec![e.at("role")]))?;
    let mut tx = state.db.begin().await?;
    if admin.id == user_id
        && role != Role::Administrator
        && store::count_administrators(tx.ex()).await? <= 1
    {
        return Err(AppError::conflict("role", msg!("error-last-administrator")));
    }
    if !store::set_role(tx.ex(), user_id, role.as_str(), now_millis()).await? {
        return Err(AppError::NotFound("user"));
    }
    let row = store::find_user(tx.ex(), user_id)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    super::moderation_log::record(
        tx.ex(),
        admin.id,
        (
            "user",
            user_id,
            &format!("@{} → {}", row.handle, role.as_str()),
        ),
        "role",
        "",
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        admin = admin.id,
        user_id,
        role = role.as_str(),
        "role changed"
    );
    UserView::private(&row)
}

/// While there is no administrator, returns the one-time setup token (creating it once;
/// every process sharing the database gets the same one).
pub async fn pending_setup_token(state: &AppState) -> Result<Option<String>, AppError> {
    let mut conn = state.db.acquire().await?;
    if store::count_administrators(conn.ex()).await? > 0 {
        settings::delete(conn.ex(), settings::SETUP_TOKEN).await?;
        return Ok(None);
    }
    let token =
        settings::get_or_insert(conn.ex(), settings::SETUP_TOKEN, &random_token(24)).await?;
    Ok(Some(token))
}

/// Creates the first administrator with the one-time setup token, which is then spent.
pub async fn complete_setup(
    state: &AppState,
    token: &str,
    input: SignupInput,
) -> Result<UserView, AppError> {
    let account = parse_new_account(&input)?;
    let mut conn = state.db.acquire().await?;
    let stored = settings::get(conn.ex(), settings::SETUP_TOKEN).await?;
    let valid = stored
        .as_deref()
        .is_some_and(|s| constant_time_eq(s, token));
    if !valid || store::count_administrators(conn.ex()).await? > 0 {
        return Err(AppError::Forbidden(msg!("error-setup-link-invalid")));
    }
    // Spend the token first, so two people racing with the same link cannot both win.
    if !settings::delete_if(conn.ex(), settings::SETUP_TOKEN, token).await? {
        return Err(AppError::Forbidden(msg!("error-setup-link-used")));
    }
    drop(conn);
    let row = create_account(state, account, Role::Administrator).await?;
    tracing::info!(user_id = row.id, "first administrator created");
    UserView::private(&row)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
