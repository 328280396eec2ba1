//! Documents of results on the site: each is served with the type told from its bytes and a
//! `Content-Disposition` that names it; staff attach one with an upload form on the results
//! page (no script needed) and remove one with a button there.

use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use super::result_forms::SectionForm;
use super::results::render;
use crate::http::upload;
use crate::services::documents;
use crate::state::AppState;

/// `filename*` in RFC 8187 form (UTF-8, percent-encoded), with an ASCII `filename` for
/// clients that know only that.
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Serves a document's file.
pub async fn serve(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let (document, file, length) = documents::open(&state, &ctx.viewer(), id).await?;
    let mut response = Body::from_stream(tokio_util::io::ReaderStream::new(file)).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, document.content_type.clone()),
        (header::CONTENT_LENGTH, length.to_string()),
        (
            header::CONTENT_DISPOSITION,
            disposition(&document.file_name),
        ),
        (header::CACHE_CONTROL, "public, max-age=3600".to_string()),
        // Nothing in a served file may run or load anything.
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"
                .to_string(),
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}

/// Staff attach a document to a section; a refused one is shown at the section's form.
pub async fn attach(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((slug, id)): PagePath<(String, i64)>,
    multipart: Multipart,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let outcome = match upload::read(&state, &viewer, multipart, Some(&ctx.csrf)).await {
        Ok(form) => {
            documents::attach(
                &state,
                &viewer,
                id,
                &form.title,
                &form.file_name,
                form.upload,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => ctx.see_other(&format!("/themes/{slug}/results#result-{id}")),
        Err(err) => {
            let (status, service_errors) = form_errors(&ctx, err)?;
            let mut errors = FormErrors::default();
            for field in ["title", "file"] {
                if let Some(why) = service_errors.get(field) {
                    errors.set(&format!("document_{id}_{field}"), why.to_string());
                }
            }
            render(&state, ctx, &slug, SectionForm::default(), errors, status).await
        }
    }
}

/// Staff remove a document.
pub async fn remove(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(_): CsrfForm<std::collections::HashMap<String, String>>,
) -> PageResult {
    let result = documents::remove(&state, &ctx.viewer(), id).await?;
    ctx.see_other(&format!("/themes/{slug}/results#result-{result}"))
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn a_japanese_name_is_sent_encoded_with_an_ascii_fallback() {
        assert_eq!(
            disposition("計画 案.pdf"),
            "inline; filename=\"__ _.pdf\"; filename*=UTF-8''%E8%A8%88%E7%94%BB%20%E6%A1%88.pdf"
        );
    }
}
