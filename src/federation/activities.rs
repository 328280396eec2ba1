//! The activities Hiroba published, served again at their ids for as long as their object
//! exists: peers that receive an `Announce` of an activity fetch it by its id (GoToSocial
//! does), and a 404 there loses the post for them.

use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use super::objects::PostObject;
use super::routes::{activity_json, comment_object, render_proposal_object};
use super::wire::create::{CreateOrUpdate, CreateOrUpdateType};
use crate::error::AppError;
use crate::error::problem::ApiPath;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/activities/create", get(proposal_create))
        .route(
            "/proposals/{id}/activities/update/{token}",
            get(proposal_update),
        )
        .route("/comments/{id}/activities/create", get(comment_create))
        .route(
            "/comments/{id}/activities/update/{token}",
            get(comment_update),
        )
}

/// The activity at `id` around the object's current document: the object's own answer
/// (410 with its `Tombstone`) when it is gone, 404 when it is not this server's.
async fn around(
    object: Response,
    id: &str,
    kind: CreateOrUpdateType,
) -> Result<Response, AppError> {
    match object.status() {
        StatusCode::OK => {
            let bytes = axum::body::to_bytes(object.into_body(), 1024 * 1024)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("render: {e}")))?;
            let document: Value = serde_json::from_slice(&bytes)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("render: {e}")))?;
            let object = PostObject::from_wire(document)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("render: {e}")))?
                .embedded();
            let activity = CreateOrUpdate::with_id(id.to_string(), kind, object);
            Ok(activity_json(
                StatusCode::OK,
                &super::wire::with_context(&activity),
            ))
        }
        StatusCode::GONE => Ok(object.into_response()),
        _ => Err(AppError::NotFound("activity")),
    }
}

fn requested(state: &AppState, uri: &axum::http::Uri) -> String {
    format!("{}{}", state.config.public_url(), uri.path())
}

async fn proposal_create(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let object = render_proposal_object(&state, id).await?;
    around(object, &requested(&state, &uri), CreateOrUpdateType::Create).await
}

async fn proposal_update(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    ApiPath((id, _token)): ApiPath<(i64, String)>,
) -> Result<Response, AppError> {
    let object = render_proposal_object(&state, id).await?;
    around(object, &requested(&state, &uri), CreateOrUpdateType::Update).await
}

async fn comment_create(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let object = comment_object(&state, id).await?;
    around(object, &requested(&state, &uri), CreateOrUpdateType::Create).await
}

async fn comment_update(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    ApiPath((id, _token)): ApiPath<(i64, String)>,
) -> Result<Response, AppError> {
    let object = comment_object(&state, id).await?;
    around(object, &requested(&state, &uri), CreateOrUpdateType::Update).await
}
