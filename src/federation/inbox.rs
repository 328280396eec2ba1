//! Inboxes: every POST is signature-checked (401 when the signature cannot be verified),
//! deduplicated by activity id, refused from blocked actors and instances, then handled.
//! Anything not understood is accepted and ignored with a log line, never a 500.

use crate::msg;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

use super::Urls;
use super::actors::{self, host_of};
use super::keys::KeyOwner;
use super::wire::follow::ReceivedFollow;
use super::{following, interactions, outbox};
use crate::domain::ThemeStatus;
use crate::error::AppError;
use crate::error::problem::Problem;
use crate::state::AppState;
use crate::storage::{federation as store, now_millis, themes as theme_store};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", post(inbox))
        .route("/actor/inbox", post(inbox))
        .route("/themes/{slug}/inbox", post(inbox))
        .route("/users/{handle}/inbox", post(inbox))
        .route("/anonymous/{name}/inbox", post(inbox))
}

fn refuse(status: StatusCode, kind: &str, detail: String) -> Response {
    tracing::info!(status = status.as_u16(), %detail, "inbox refused an activity");
    Problem::new(status, kind, "Activity refused", Some(detail)).into_response()
}

/// That an activity was received, to be recorded once (the same reply often arrives at two
/// inboxes); a second arrival of a recorded id is ignored.
#[derive(Clone)]
pub struct Receipt {
    activity_id: String,
    at: i64,
}

impl Receipt {
    fn new(activity_id: &str) -> Receipt {
        Receipt {
            activity_id: activity_id.to_string(),
            at: now_millis(),
        }
    }

    /// Whether the id was already recorded.
    async fn seen(&self, state: &AppState) -> Result<bool, AppError> {
        let mut conn = state.db.acquire().await?;
        Ok(store::was_received(conn.ex(), &self.activity_id).await?)
    }

    /// Records the id in a write of its own; false when it was already recorded.
    pub async fn record_alone(&self, state: &AppState) -> Result<bool, AppError> {
        let receipt = self.clone();
        state
            .writes
            .write(move |ex| Box::pin(async move { receipt.record(ex).await }))
            .await
    }

    /// Records the id as part of a larger write; false when it was already recorded (the
    /// write should then change nothing else).
    pub async fn record(&self, ex: crate::storage::Ex<'_>) -> Result<bool, sqlx::Error> {
        store::mark_received(ex, &self.activity_id, self.at).await
    }
}

/// The id of a property that may be a string or an embedded object.
pub use super::objects::id_in as id_of;

async fn inbox(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    // A blocked instance or actor is refused before anything of it is fetched or stored; a
    // `Follow` from it is answered with a `Reject`, so that its server does not wait.
    let claimed: Option<Value> = serde_json::from_slice(&body).ok();
    match blocked_sender(&state, &headers, claimed.as_ref()).await {
        Ok(false) => {}
        Ok(true) => {
            return match claimed {
                Some(follow) if follow.get("type").and_then(Value::as_str) == Some("Follow") => {
                    reject_blocked_follow(&state, &method, path, &headers, &body, &follow).await
                }
                _ => refuse(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    msg!("error-blocked-sender").to_string(),
                ),
            };
        }
        Err(e) => return Problem::from(e).into_response(),
    }
    let key = match actors::verify_request(&state, &method, path, &headers, &body).await {
        Ok(key) => key,
        Err(why) => return refuse(StatusCode::UNAUTHORIZED, "signature", why),
    };
    let activity: Value = match serde_json::from_slice(&body) {
        Ok(Value::Object(map)) => Value::Object(map),
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "bad-activity",
                "the body is not a JSON object".into(),
            );
        }
    };
    let Some(actor_id) = activity.get("actor").and_then(id_of).map(str::to_string) else {
        return refuse(StatusCode::BAD_REQUEST, "bad-activity", "no actor".into());
    };
    if actor_id != key.owner {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "signature",
            "the actor is not the key's owner".into(),
        );
    }
    let Some(activity_id) = activity
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return refuse(StatusCode::BAD_REQUEST, "bad-activity", "no id".into());
    };
    if host_of(&activity_id) != host_of(&actor_id) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "bad-activity",
            "the activity id is on another host".into(),
        );
    }
    let kind = activity
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match handle(&state, &activity, &activity_id, &actor_id, &kind).await {
        Ok(status) => status.into_response(),
        Err(AppError::NotFound(what)) => refuse(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no such {what}"),
        ),
        Err(AppError::Forbidden(why)) => {
            refuse(StatusCode::FORBIDDEN, "forbidden", why.to_string())
        }
        Err(AppError::Validation(errors)) => refuse(
            StatusCode::BAD_REQUEST,
            "bad-activity",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(other) => Problem::from(other).into_response(),
    }
}

/// Whether the server a request's key names, the key's actor or the actor the activity
/// claims is blocked here (read before any signature is checked: a claim can only get its
/// claimant refused).
async fn blocked_sender(
    state: &AppState,
    headers: &HeaderMap,
    claimed: Option<&Value>,
) -> Result<bool, AppError> {
    use crate::services::moderation::is_blocked;
    if let Some(key_id) = super::signatures::named_key_id(headers) {
        let key_actor = key_id.split('#').next().unwrap_or(&key_id);
        if is_blocked(state, key_actor).await? {
            return Ok(true);
        }
    }
    match claimed.and_then(|a| a.get("actor")).and_then(id_of) {
        Some(actor) => is_blocked(state, actor).await,
        None => Ok(false),
    }
}

/// A `Follow` from a blocked actor or instance: its signature is checked with a key kept
/// nowhere, and the followed actor answers with a `Reject` of it. Nothing is stored.
async fn reject_blocked_follow(
    state: &AppState,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    activity: &Value,
) -> Response {
    let key = match actors::verify_request_unstored(state, method, path, headers, body).await {
        Ok(key) => key,
        Err(why) => return refuse(StatusCode::UNAUTHORIZED, "signature", why),
    };
    if activity.get("actor").and_then(id_of) != Some(key.owner.as_str()) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "signature",
            "the actor is not the key's owner".into(),
        );
    }
    let Some(follow) = ReceivedFollow::from_activity(activity) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "bad-activity",
            msg!("error-wire-follow-id").to_string(),
        );
    };
    let Some(target) = activity.get("object").and_then(id_of) else {
        return refuse(StatusCode::BAD_REQUEST, "bad-activity", "no object".into());
    };
    let answered = async {
        let (owner, local_actor) = local_followable(state, target).await?;
        outbox::answer_follow(
            state,
            owner,
            &local_actor,
            follow,
            &key.owner,
            &key.inbox,
            false,
        )
        .await
    };
    match answered.await {
        Ok(()) => {
            tracing::info!(follower = %key.owner, followed = target, "a follow from a blocked actor or instance was rejected");
            StatusCode::ACCEPTED.into_response()
        }
        Err(AppError::NotFound(what)) => refuse(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no such {what}"),
        ),
        Err(other) => Problem::from(other).into_response(),
    }
}

/// The sender's stored actor (already fetched when its key was checked).
async fn sender(
    state: &AppState,
    actor_id: &str,
) -> Result<crate::storage::federation::RemoteActorRow, AppError> {
    actors::actor(state, actor_id, false)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("sender: {e}")))
}

/// Which local actor a URL names, for `Follow` and `Undo(Follow)`.
async fn local_followable(state: &AppState, target: &str) -> Result<(KeyOwner, String), AppError> {
    let urls = Urls::new(&state.config);
    if target == urls.instance_actor() {
        return Ok((KeyOwner::Instance, target.to_string()));
    }
    let slug = target
        .strip_prefix(&format!("{}/themes/", urls.base()))
        .filter(|s| !s.is_empty() && !s.contains('/'))
        .ok_or(AppError::NotFound("followable actor"))?;
    let mut conn = state.db.acquire().await?;
    let theme = theme_store::find_theme_by_slug(conn.ex(), slug)
        .await?
        .filter(|t| ThemeStatus::parse(&t.status).ok() != Some(ThemeStatus::Draft))
        .ok_or(AppError::NotFound("theme"))?;
    Ok((KeyOwner::Theme(theme.id), target.to_string()))
}

fn follow_parts(owner: KeyOwner) -> (&'static str, i64) {
    match owner {
        KeyOwner::Instance => ("instance", 0),
        other => other.parts(),
    }
}

async fn handle(
    state: &AppState,
    activity: &Value,
    activity_id: &str,
    actor_id: &str,
    kind: &str,
) -> Result<StatusCode, AppError> {
    // Checked again with the verified actor (the check before the signature read claims).
    if crate::services::moderation::is_blocked(state, actor_id).await? {
        return Err(AppError::Forbidden(msg!("error-blocked-sender")));
    }
    // An id is recorded only once its effect is stored, so an activity refused or failed
    // can come again. Replies and likes, the bulk of what arrives, record it in the same
    // commit as their effect (a reply by its Note's id). Follows and undos are decided by
    // the state they change, not by their ids: Misskey and its forks send the same Follow
    // id each time one account follows again, and `<follow id>/undo` for each undo.
    let receipt = Receipt::new(activity_id);
    let by_receipt = !matches!(kind, "Create" | "Like" | "Follow" | "Undo");
    if by_receipt && receipt.seen(state).await? {
        tracing::debug!(activity_id, "duplicate activity ignored");
        return Ok(StatusCode::ACCEPTED);
    }
    handle_kind(state, activity, activity_id, actor_id, kind, &receipt).await?;
    if by_receipt {
        receipt.record_alone(state).await?;
    }
    Ok(StatusCode::ACCEPTED)
}

async fn handle_kind(
    state: &AppState,
    activity: &Value,
    activity_id: &str,
    actor_id: &str,
    kind: &str,
    receipt: &Receipt,
) -> Result<(), AppError> {
    match kind {
        "Follow" => {
            let target = activity
                .get("object")
                .and_then(id_of)
                .ok_or(AppError::NotFound("object"))?;
            let follow = ReceivedFollow::from_activity(activity)
                .ok_or_else(|| AppError::invalid("id", "required", msg!("error-wire-follow-id")))?;
            let (owner, local_actor) = local_followable(state, target).await?;
            let remote = actors::actor(state, actor_id, false)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("follower: {e}")))?;
            let (local_kind, local_id) = follow_parts(owner);
            let mut conn = state.db.acquire().await?;
            store::add_follower(
                conn.ex(),
                local_kind,
                local_id,
                actor_id,
                &remote.inbox,
                remote.shared_inbox.as_deref(),
                Some(&follow.to_stored()),
                now_millis(),
            )
            .await?;
            drop(conn);
            tracing::info!(follower = actor_id, followed = %local_actor, "new follower");
            outbox::answer_follow(
                state,
                owner,
                &local_actor,
                follow,
                actor_id,
                &remote.inbox,
                true,
            )
            .await?;
            // What the follower's software reads decides the form of what it is sent.
            super::software::learn(state, &remote.inbox).await;
        }
        "Create" => {
            let remote = sender(state, actor_id).await?;
            interactions::create(state, activity, &remote).await?;
        }
        "Like" => {
            let remote = sender(state, actor_id).await?;
            interactions::like(state, activity, &remote, receipt).await?;
        }
        "Dislike" => {
            let remote = sender(state, actor_id).await?;
            interactions::dislike(state, activity, &remote).await?;
        }
        "Update" => {
            let remote = sender(state, actor_id).await?;
            interactions::update(state, activity, &remote).await?;
        }
        "Accept" | "Reject" => {
            following::answered(state, activity, actor_id, kind == "Accept").await?;
            // A followed server's NodeInfo says whether it is a municipality (directory).
            if kind == "Accept" {
                super::software::learn(state, actor_id).await;
            }
        }
        "Announce" => {
            let remote = sender(state, actor_id).await?;
            following::announced(state, activity, &remote).await?;
        }
        "Flag" => {
            let remote = sender(state, actor_id).await?;
            interactions::flag(state, activity, &remote).await?;
        }
        "Undo" => {
            let object = activity.get("object").cloned().unwrap_or(Value::Null);
            let inner_kind = object.get("type").and_then(Value::as_str).unwrap_or("");
            if inner_kind == "Like" || (inner_kind.is_empty() && object.is_string()) {
                let remote = sender(state, actor_id).await?;
                interactions::undo_like(state, &object, &remote).await?;
            } else if inner_kind == "Follow" {
                let target = object
                    .get("object")
                    .and_then(id_of)
                    .ok_or(AppError::NotFound("object"))?;
                let (owner, _) = local_followable(state, target).await?;
                let (local_kind, local_id) = follow_parts(owner);
                let mut conn = state.db.acquire().await?;
                store::remove_follower(conn.ex(), local_kind, local_id, actor_id).await?;
                tracing::info!(follower = actor_id, "follow undone");
            } else {
                tracing::info!(
                    activity_id,
                    inner_kind,
                    "ignored Undo of an unsupported activity"
                );
            }
        }
        "Delete" if activity.get("object").and_then(id_of) == Some(actor_id) => {
            let mut conn = state.db.acquire().await?;
            store::remove_follower_everywhere(conn.ex(), actor_id).await?;
            drop(conn);
            // What referenced it, or what it referenced, says so too.
            crate::services::references::origin_removed(state, actor_id).await?;
            crate::services::backlinks::source_removed(state, actor_id).await?;
            crate::services::followed_themes::removed(state, actor_id).await?;
            tracing::info!(actor = actor_id, "remote actor deleted");
        }
        "Delete" => {
            let remote = sender(state, actor_id).await?;
            interactions::delete(state, activity, &remote).await?;
        }
        other => {
            tracing::info!(
                activity_id,
                kind = other,
                "ignored an activity this server does not handle yet"
            );
        }
    }
    Ok(())
}
