//! Users, login sessions and API tokens.

use sqlx::FromRow;

use super::{Ex, on_conn};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub handle: String,
    pub email: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub age_band: Option<String>,
    pub area: Option<String>,
    pub relations: String,
    pub created_at: i64,
    /// When staff suspended the account (it cannot log in while set).
    pub suspended_at: Option<i64>,
    pub suspended_reason: Option<String>,
}

macro_rules! user_columns {
    () => {
        "u.id, u.handle, u.email, u.display_name, u.password_hash, u.role, u.age_band, u.area, \
         u.relations, u.created_at, u.suspended_at, u.suspended_reason"
    };
}

pub struct NewUser<'a> {
    pub handle: &'a str,
    pub email: Option<&'a str>,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
}

pub async fn insert_user(ex: Ex<'_>, user: &NewUser<'_>, now: i64) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_scalar(
        "INSERT INTO users (handle, email, display_name, password_hash, role, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
    )
    .bind(user.handle)
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(user.role)
    .bind(now)
    .fetch_one(c)
    .await
    })
}

pub async fn find_user(ex: Ex<'_>, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// Finds a user by handle or e-mail address (both stored lower-case).
pub async fn find_user_by_login(ex: Ex<'_>, login: &str) -> Result<Option<UserRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE u.handle = $1 OR u.email = $1 ORDER BY u.id LIMIT 1"
    ))
    .bind(login)
    .fetch_optional(c)
    .await)
}

/// Whether a name is used by a user handle or a theme slug: both are fediverse actor names
/// on this host and must not collide.
pub async fn actor_name_taken(ex: Ex<'_>, name: &str) -> Result<bool, sqlx::Error> {
    let count: i64 = on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM users WHERE handle = $1) \
              + (SELECT COUNT(*) FROM themes WHERE slug = $1)"
    )
    .bind(name)
    .fetch_one(c)
    .await)?;
    Ok(count > 0)
}

pub async fn count_administrators(ex: Ex<'_>) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'administrator'"
    )
    .fetch_one(c)
    .await)
}

pub struct ProfileUpdate<'a> {
    pub display_name: &'a str,
    pub age_band: Option<&'a str>,
    pub area: Option<&'a str>,
    pub relations: &'a str,
}

pub async fn update_profile(
    ex: Ex<'_>,
    id: i64,
    profile: &ProfileUpdate<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
        "UPDATE users SET display_name = $1, age_band = $2, area = $3, relations = $4, updated_at = $5 \
         WHERE id = $6"
    )
    .bind(profile.display_name)
    .bind(profile.age_band)
    .bind(profile.area)
    .bind(profile.relations)
    .bind(now)
    .bind(id)
    .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn update_password(ex: Ex<'_>, id: i64, hash: &str, now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(hash)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_role(ex: Ex<'_>, id: i64, role: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = on_conn!(ex, |c| sqlx::query(
        "UPDATE users SET role = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(role)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Accounts in the order they were made; with `search`, those whose handle, name or
/// e-mail address contains it (case folded by the caller).
pub async fn list_users(
    ex: Ex<'_>,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<UserRow>, sqlx::Error> {
    let pattern = search.map(super::like_pattern);
    on_conn!(ex, |c| sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE ($1 IS NULL OR LOWER(u.handle) LIKE $1 ESCAPE '\\' \
           OR LOWER(u.display_name) LIKE $1 ESCAPE '\\' \
           OR LOWER(COALESCE(u.email, '')) LIKE $1 ESCAPE '\\') \
         ORDER BY u.id LIMIT $2 OFFSET $3"
    ))
    .bind(pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(c)
    .await)
}

/// Suspends an account (`Some`) or lifts its suspension (`None`); whether it exists. Its
/// sessions end with a suspension.
pub async fn set_suspended(
    ex: Ex<'_>,
    user_id: i64,
    suspension: Option<(i64, &str)>,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| {
        let found =
            sqlx::query("UPDATE users SET suspended_at = $2, suspended_reason = $3 WHERE id = $1")
                .bind(user_id)
                .bind(suspension.map(|(at, _)| at))
                .bind(suspension.map(|(_, reason)| reason))
                .execute(&mut *c)
                .await?
                .rows_affected()
                > 0;
        if suspension.is_some() {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *c)
                .await?;
        }
        Ok(found)
    })
}

pub async fn insert_session(
    ex: Ex<'_>,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, FromRow)]
pub struct SessionRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub csrf_token: String,
}

/// The user behind an unexpired session.
pub async fn find_session(
    ex: Ex<'_>,
    token_hash: &str,
    now: i64,
) -> Result<Option<SessionRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        ", s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.suspended_at IS NULL"
    ))
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await)
}

pub async fn delete_session(ex: Ex<'_>, token_hash: &str) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of a user except one (after a password change).
pub async fn delete_other_sessions(
    ex: Ex<'_>,
    user_id: i64,
    keep_hash: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR token_hash <> $2)"
    )
    .bind(user_id)
    .bind(keep_hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub async fn insert_api_token(
    ex: Ex<'_>,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id"
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// The user owning an API token; records when the token was last used.
pub async fn find_user_by_api_token(
    ex: Ex<'_>,
    token_hash: &str,
    now: i64,
) -> Result<Option<UserRow>, sqlx::Error> {
    on_conn!(ex, |c| {
        let user: Option<UserRow> = sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 \
             AND u.suspended_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(&mut *c)
        .await?;
        if user.is_some() {
            sqlx::query(
                "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 \
                 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(now)
            .bind(token_hash)
            .bind(now - 60_000)
            .execute(&mut *c)
            .await?;
        }
        Ok(user)
    })
}

pub async fn list_api_tokens(ex: Ex<'_>, user_id: i64) -> Result<Vec<ApiTokenRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY id"
    )
    .bind(user_id)
    .fetch_all(c)
    .await)
}

pub async fn delete_api_token(ex: Ex<'_>, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let done = on_conn!(ex, |c| sqlx::query(
        "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Removes sessions past their expiry; returns how many.
pub async fn delete_expired_sessions(ex: Ex<'_>, now: i64) -> Result<u64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
}
