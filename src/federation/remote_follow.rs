//! "Follow from your own account": finds the visitor's server by WebFinger and the page
//! where it lets its users confirm a follow (the OStatus subscribe template that Mastodon,
//! Misskey, GoToSocial and others publish).

use serde_json::Value;

use super::client::FetchError;
use crate::state::AppState;

pub const SUBSCRIBE_REL: &str = "http://ostatus.org/schema/1.0/subscribe";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RemoteFollowError {
    #[error("not an account handle")]
    NotAHandle,
    #[error("the account's server could not be reached")]
    Unreachable,
    #[error("the account's server does not offer remote follows")]
    NoTemplate,
    #[error("the account's server names no ActivityPub actor for it")]
    NoActor,
}

/// `user@host` from what a person typed: `@user@host`, `user@host` or `acct:user@host`.
pub fn parse_handle(input: &str) -> Result<(String, String), RemoteFollowError> {
    crate::domain::parse_account_address(input).map_err(|_| RemoteFollowError::NotAHandle)
}

/// The URL to send the visitor to, where their server asks them to confirm following
/// `target` (an actor URL).
pub async fn subscribe_url(
    state: &AppState,
    account: &str,
    target: &str,
) -> Result<String, RemoteFollowError> {
    let document = webfinger(state, account).await?;
    let template = document["links"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["rel"] == SUBSCRIBE_REL)
        .and_then(|l| l["template"].as_str())
        .ok_or(RemoteFollowError::NoTemplate)?;
    let encoded: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
    let url = template.replace("{uri}", &encoded);
    match url::Url::parse(&url) {
        Ok(parsed) if matches!(parsed.scheme(), "https" | "http") => Ok(url),
        _ => Err(RemoteFollowError::NoTemplate),
    }
}

/// The actor id that an account handle (`user@host`) names, from its WebFinger `self` link.
pub async fn actor_of_handle(state: &AppState, account: &str) -> Result<String, RemoteFollowError> {
    let document = webfinger(state, account).await?;
    document["links"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| {
            l["rel"] == "self"
                && l["type"].as_str().is_some_and(|t| {
                    t.starts_with("application/activity+json")
                        || t.starts_with("application/ld+json")
                })
        })
        .and_then(|l| l["href"].as_str())
        .map(str::to_string)
        .ok_or(RemoteFollowError::NoActor)
}

/// The WebFinger document of an account handle, over https (or http too when insecure).
async fn webfinger(state: &AppState, account: &str) -> Result<Value, RemoteFollowError> {
    let (user, host) = parse_handle(account)?;
    let schemes: &[&str] = if state.federation.client.insecure {
        &["https", "http"]
    } else {
        &["https"]
    };
    let mut document: Option<Value> = None;
    for scheme in schemes {
        let Ok(mut url) = url::Url::parse(&format!("{scheme}://{host}/.well-known/webfinger"))
        else {
            continue;
        };
        url.query_pairs_mut()
            .append_pair("resource", &format!("acct:{user}@{host}"));
        match state.federation.client.get_jrd(&url).await {
            Ok((_, value)) => {
                document = Some(value);
                break;
            }
            Err(FetchError::Refused(_) | FetchError::Scheme(_)) => {
                return Err(RemoteFollowError::Unreachable);
            }
            Err(_) => continue,
        }
    }
    document.ok_or(RemoteFollowError::Unreachable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_read_in_every_usual_form() {
        for input in [
            "@chofu_resident@mastodon.example",
            "chofu_resident@Mastodon.Example",
            " acct:chofu_resident@mastodon.example ",
        ] {
            assert_eq!(
                parse_handle(input).unwrap(),
                ("chofu_resident".into(), "mastodon.example".into()),
                "{input}"
            );
        }
        for bad in [
            "",
            "chofu_resident",
            "@x@",
            "a b@host.example",
            "x@host/path",
            "a@b@host.example",
            "a@host.example?x",
        ] {
            assert_eq!(
                parse_handle(bad),
                Err(RemoteFollowError::NotAHandle),
                "{bad}"
            );
        }
    }
}
