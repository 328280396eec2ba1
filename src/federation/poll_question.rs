//! A survey question published as a fediverse poll (FEP-9967): a `Question` attributed to
//! the theme, with its options as `oneOf` (single choice) or `anyOf` (multiple choice), each
//! counting the fediverse votes in `replies.totalItems`. Sent with `Create` to the theme's
//! followers whose software reads polls, and with `Update` to them and to the voters'
//! servers as the tally changes and when it closes (see [`super::wire::question`] for what
//! may change). Served at `/surveys/{survey}/questions/{question}`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};

use super::keys::KeyOwner;
use super::objects::escape;
use super::software::readers;
use super::wire::create::{CreateOrUpdate, CreateOrUpdateType};
use super::wire::followers_of;
use super::wire::question::{PollOption, Question, QuestionType};
use super::{PUBLIC, Urls, delivery};
use crate::error::AppError;
use crate::error::problem::ApiPath;
use crate::services::Viewer;
use crate::services::polls::{self, PollState};
use crate::state::AppState;
use crate::storage::{federation as store, polls as poll_store};

/// The poll as a `Question`.
pub fn question(state: &AppState, poll: &PollState) -> Question {
    let urls = Urls::new(&state.config);
    let theme = urls.theme(&poll.theme_slug);
    let survey_url = format!("{}/surveys/{}", urls.base(), poll.survey.id);
    let content = format!(
        "<p>{}</p><p><a href=\"{survey_url}\">{}</a></p>",
        escape(&poll.question.prompt),
        escape(&poll.survey.title)
    );
    let options: Vec<PollOption> = poll
        .view
        .options
        .iter()
        .map(|o| PollOption::new(&o.label, o.votes))
        .collect();
    let (one_of, any_of) = if poll.multiple() {
        (None, Some(options))
    } else {
        (Some(options), None)
    };
    Question {
        id: poll.view.url.clone(),
        kind: QuestionType::Question,
        attributed_to: theme.clone(),
        content,
        media_type: "text/html".into(),
        to: vec![PUBLIC.to_string()],
        cc: vec![followers_of(&theme)],
        audience: theme,
        url: survey_url,
        published: poll.view.published_at.clone(),
        end_time: poll.view.ends_at.clone(),
        voters_count: poll.view.voters,
        one_of,
        any_of,
        closed: poll.view.closed.then(|| poll.view.closes_at.clone()),
    }
}

/// A poll was published (`Create`) or its tally changed (`Update`). Only software that
/// reads polls gets it: group software (Lemmy) has none and refuses a `Question`.
pub async fn poll_changed(
    state: &AppState,
    question_id: i64,
    kind: CreateOrUpdateType,
) -> Result<(), AppError> {
    let Some(poll) = polls::load(state, &Viewer::default(), question_id).await? else {
        return Ok(());
    };
    let mut conn = state.db.acquire().await?;
    let mut inboxes = store::follower_inboxes(conn.ex(), "theme", poll.row.theme_id).await?;
    if kind == CreateOrUpdateType::Update {
        inboxes.extend(poll_store::voter_inboxes(conn.ex(), question_id).await?);
        inboxes.sort();
        inboxes.dedup();
    }
    drop(conn);
    let inboxes = readers(state, inboxes).await?.objects;
    if inboxes.is_empty() {
        return Ok(());
    }
    let activity = CreateOrUpdate::fresh(kind, question(state, &poll));
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
    let object = question(&state, &poll);
    Ok(super::routes::activity_json(
        axum::http::StatusCode::OK,
        &super::wire::with_context(&object),
    ))
}
