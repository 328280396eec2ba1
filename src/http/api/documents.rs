//! Documents API: staff attach a PDF or an image to a section of results, and remove one.
//! The file is a `multipart/form-data` part; it is served at the document's `url`.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::extract::{ApiPath, Authorized, Staff};
use crate::http::problem::Problem;
use crate::http::upload;
use crate::services::documents::{self, DocumentView};
use crate::state::AppState;

/// The upload form.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct DocumentUpload {
    /// Shown as the document's link; the file's name when left out. A form field is text or
    /// absent, never null.
    #[schema(max_length = 200, nullable = false)]
    title: Option<String>,
    /// A PDF, PNG, JPEG, GIF or WebP file, at most the configured size (20 MB unless set).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attach a document to a section of results (staff only). Its kind is told by its bytes;
/// anything but PDF, PNG, JPEG, GIF or WebP is refused at the `file` field, as is a file
/// over the limit, and nothing is stored.
#[utoipa::path(post, path = "/results/{id}/documents", tag = "results",
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "Result id", minimum = 1)),
    responses((status = 201, body = DocumentView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn attach_document(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    multipart: Multipart,
) -> Result<(StatusCode, Json<DocumentView>), AppError> {
    let form = upload::read(&state, &viewer, multipart, None).await?;
    let document = documents::attach(
        &state,
        &viewer,
        id,
        &form.title,
        &form.file_name,
        form.upload,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(document)))
}

/// Remove a document from its section (staff only).
#[utoipa::path(delete, path = "/documents/{id}", tag = "results",
    params(("id" = i64, Path, description = "Document id", minimum = 1)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_document(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    documents::remove(&state, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
