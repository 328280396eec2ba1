//! Reading an upload form (`multipart/form-data`): its text fields and one file, streamed
//! into the media folder as it arrives. Shared by the API and the staff pages; a page's
//! CSRF token must come before the file, so a forged form never gets a byte written.

use crate::msg;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;

use crate::error::AppError;
use crate::services::Viewer;
use crate::services::documents::Upload;
use crate::state::AppState;

/// The longest text field of an upload form.
const MAX_TEXT_FIELD: usize = 8 * 1024;

#[derive(Default)]
pub struct UploadForm {
    pub title: String,
    /// The file's name as the client sent it.
    pub file_name: String,
    pub upload: Option<Upload>,
}

fn unreadable(e: MultipartError, state: &AppState) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        crate::services::documents::too_large(state.config.limits.upload_max_bytes)
    } else {
        tracing::info!(error = %e, "an upload could not be read");
        AppError::invalid("file", "unreadable", msg!("error-unreadable-upload"))
    }
}

/// Reads the form. With `csrf`, a `csrf` field equal to it must precede the file.
pub async fn read(
    state: &AppState,
    viewer: &Viewer,
    mut multipart: Multipart,
    csrf: Option<&str>,
) -> Result<UploadForm, AppError> {
    let mut form = UploadForm::default();
    let mut csrf_seen = csrf.is_none();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| unreadable(e, state))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            if !csrf_seen {
                return Err(AppError::CsrfMismatch);
            }
            let sent_name = field.file_name().unwrap_or_default().to_string();
            let mut upload = Upload::start(state, viewer).await?;
            let mut any = false;
            while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(e, state))? {
                any |= !chunk.is_empty();
                upload.write(&chunk).await?;
            }
            // A form sent without choosing a file has an empty, nameless part.
            if any || !sent_name.is_empty() {
                form.file_name = sent_name;
                form.upload = Some(upload);
            }
            continue;
        }
        let mut text = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(e, state))? {
            if text.len() + chunk.len() > MAX_TEXT_FIELD {
                return Err(AppError::invalid(
                    &name,
                    "too_long",
                    msg!("error-too-long-bytes", limit = MAX_TEXT_FIELD),
                ));
            }
            text.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(text)
            .map_err(|_| AppError::invalid(&name, "not_utf8", msg!("error-not-utf8")))?;
        match name.as_str() {
            "csrf" => {
                if csrf.is_some_and(|expected| !expected.is_empty() && expected == text) {
                    csrf_seen = true;
                } else {
                    return Err(AppError::CsrfMismatch);
                }
            }
            "title" => form.title = text,
            _ => {}
        }
    }
    if !csrf_seen {
        return Err(AppError::CsrfMismatch);
    }
    Ok(form)
}
