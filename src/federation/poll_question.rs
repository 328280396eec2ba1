//! A survey question published as a fediverse poll (FEP-9967): a `Question` attributed to
//! the theme, with its options as `oneOf` (single choice) or `anyOf` (multiple choice), each
//! counting the fediverse votes in `replies.totalItems`. Sent with `Create` to the theme's
//! followers, and with `Update` to them and to the voters' servers as the tally changes and
//! when it closes. Served at `/surveys/{survey}/questions/{question}`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::keys::KeyOwner;
use super::objects::escape;
use super::{PUBLIC, Urls, delivery};
use crate::error::AppError;
use crate::error::problem::ApiPath;
use crate::services::Viewer;
use crate::services::accounts::random_token;
use crate::services::polls::{self, PollState};
use crate::state::AppState;
use crate::storage::{federation as store, polls as poll_store};

/// The poll as a `Question`, without `@context`.
pub fn question(state: &AppState, poll: &PollState) -> Value {
    let urls = Urls::new(&state.config);
    let theme = urls.theme(&poll.theme_slug);
    let survey_url = format!("{}/surveys/{}", urls.base(), poll.survey.id);
    let content = format!(
        "<p>{}</p><p><a href=\"{survey_url}\">{}</a></p>",
        escape(&poll.question.prompt),
        escape(&poll.survey.title)
    );
    let options: Vec<Value> = poll
        .view
        .options
        .iter()
        .map(|o| {
            json!({
                "type": "Note",
                "name": o.label,
                "replies": {"type": "Collection", "totalItems": o.votes},
            })
        })
        .collect();
    let mut object = json!({
        "id": poll.view.url,
        "type": "Question",
        "attributedTo": theme,
        "content": content,
        "mediaType": "text/html",
        "to": [PUBLIC],
        "cc": [format!("{theme}/followers")],
        "audience": theme,
        "url": survey_url,
        "published": poll.view.published_at,
        "endTime": poll.view.closes_at,
        "votersCount": poll.view.voters,
    });
    object[if poll.multiple() { "anyOf" } else { "oneOf" }] = Value::Array(options);
    if poll.view.closed {
        object["closed"] = json!(poll.view.closes_at);
    }
    object
}

/// A poll was published (`Create`) or its tally changed (`Update`).
pub async fn poll_changed(state: &AppState, question_id: i64, kind: &str) -> Result<(), AppError> {
    let Some(poll) = polls::load(state, &Viewer::default(), question_id).await? else {
        return Ok(());
    };
    let mut conn = state.db.acquire().await?;
    let mut inboxes = store::follower_inboxes(conn.ex(), "theme", poll.row.theme_id).await?;
    if kind == "Update" {
        inboxes.extend(poll_store::voter_inboxes(conn.ex(), question_id).await?);
        inboxes.sort();
        inboxes.dedup();
    }
    drop(conn);
    if inboxes.is_empty() {
        return Ok(());
    }
    let theme_actor = Urls::new(&state.config).theme(&poll.theme_slug);
    let activity = json!({
        "@context": super::objects::context(),
        "id": Urls::activity_id(&theme_actor, &kind.to_lowercase(), &random_token(12)),
        "type": kind,
        "actor": theme_actor,
        "object": question(state, &poll),
        "to": [PUBLIC],
        "cc": [format!("{theme_actor}/followers")],
        "published": jiff::Timestamp::now().to_string(),
    });
    delivery::enqueue(
        state,
        &inboxes,
        &activity,
        KeyOwner::Theme(poll.row.theme_id),
    )
    .await?;
    Ok(())
}

/// The routes of polls as ActivityStreams.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route(
        "/surveys/{survey}/questions/{question}",
        axum::routing::get(question_at_its_id),
    )
}

/// The `Question` for ActivityPub clients; a browser is sent to the survey.
async fn question_at_its_id(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath((survey_id, question_id)): ApiPath<(i64, i64)>,
) -> Result<Response, AppError> {
    let poll = polls::load(&state, &Viewer::default(), question_id)
        .await?
        .filter(|p| p.row.survey_id == survey_id)
        .ok_or(AppError::NotFound("poll"))?;
    if !super::wants_activity_json(&headers) {
        return Ok(Redirect::to(&format!("/surveys/{survey_id}")).into_response());
    }
    let mut object = question(&state, &poll);
    object["@context"] = super::objects::context();
    Ok(super::routes::activity_json(
        axum::http::StatusCode::OK,
        &object,
    ))
}
