//! The token in the forms of visitors who are not logged in (sign-up, login, following a
//! theme from another server, a survey opened by link): signed by the instance and valid for
//! a day, the same for every visitor in the same hour, so that pages for visitors set no
//! cookie and may be cached. The face checks, besides the token, that the browser sent the
//! form from this site (its fetch metadata or origin).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::AppError;
use crate::state::AppState;
use crate::storage::settings;

/// The setting that holds the signing key (hex).
const KEY_SETTING: &str = "form_token_key";
/// How long a page's form stays usable, in hours.
const VALID_HOURS: i64 = 24;

async fn key(state: &AppState) -> Result<&[u8], AppError> {
    if let Some(key) = state.caches.form_key.get() {
        return Ok(key);
    }
    let fresh = crate::services::accounts::random_token(32);
    let mut conn = state.db.acquire().await?;
    let stored = settings::get_or_insert(conn.ex(), KEY_SETTING, &fresh).await?;
    Ok(state.caches.form_key.get_or_init(|| stored.into_bytes()))
}

fn signature(key: &[u8], hour: i64) -> Result<String, AppError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("form token key: {e}")))?;
    mac.update(format!("hiroba-form:{hour}").as_bytes());
    Ok(mac
        .finalize()
        .into_bytes()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn hour_of(now_secs: i64) -> i64 {
    now_secs.div_euclid(3600)
}

fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The token this hour's pages carry.
pub async fn current(state: &AppState) -> Result<String, AppError> {
    let hour = hour_of(now_secs());
    Ok(format!("{hour}.{}", signature(key(state).await?, hour)?))
}

/// Whether a sent token is one of the instance's from the last day.
pub async fn is_valid(state: &AppState, token: &str) -> Result<bool, AppError> {
    let Some((hour, sent)) = token.split_once('.') else {
        return Ok(false);
    };
    let Ok(hour) = hour.parse::<i64>() else {
        return Ok(false);
    };
    let now = hour_of(now_secs());
    if !(now - VALID_HOURS..=now + 1).contains(&hour) {
        return Ok(false);
    }
    let expected = signature(key(state).await?, hour)?;
    // Compared in constant time: the difference says nothing of where it lies.
    let same = expected.len() == sent.len()
        && expected
            .bytes()
            .zip(sent.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    Ok(same)
}
