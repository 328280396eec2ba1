//! Documents attached to a section of results: PDFs and images that staff upload. The kind
//! of a file is told by its first bytes, never by the name or type the client sends; only
//! PDF, PNG, JPEG, GIF and WebP are kept (no SVG or HTML, which could carry a script). Files
//! are received into the media folder as they arrive, bounded by the configured size, and
//! nothing is stored for a refused one. Attaching or removing one updates the section's
//! `Article` on the fediverse.

use crate::msg;
use serde::Serialize;
use utoipa::ToSchema;

use super::events::{self, EventKind};
use super::{Viewer, rfc3339};
use crate::domain::parse_text;
use crate::error::{AppError, Checker, Invalid};
use crate::state::AppState;
use crate::storage::documents::{self as store, DocumentRow, NewDocument};
use crate::storage::media::{self, Incoming, MediaError};
use crate::storage::now_millis;

/// The kinds of file a result may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl DocumentKind {
    /// Tells the kind from a file's first bytes.
    pub fn sniff(head: &[u8]) -> Option<DocumentKind> {
        if head.starts_with(b"%PDF-") {
            Some(DocumentKind::Pdf)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(DocumentKind::Png)
        } else if head.starts_with(b"\xff\xd8\xff") {
            Some(DocumentKind::Jpeg)
        } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
            Some(DocumentKind::Gif)
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(DocumentKind::Webp)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Png => "image/png",
            DocumentKind::Jpeg => "image/jpeg",
            DocumentKind::Gif => "image/gif",
            DocumentKind::Webp => "image/webp",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            DocumentKind::Pdf => &["pdf"],
            DocumentKind::Png => &["png"],
            DocumentKind::Jpeg => &["jpg", "jpeg"],
            DocumentKind::Gif => &["gif"],
            DocumentKind::Webp => &["webp"],
        }
    }
}

/// A document as residents and the API see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub title: String,
    /// The name it downloads under.
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
    /// Where it is served.
    pub url: String,
    pub uploaded_at: String,
}

impl DocumentView {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

pub fn view(state: &AppState, row: DocumentRow) -> DocumentView {
    DocumentView {
        url: format!("{}/documents/{}", state.config.public_url(), row.id),
        id: row.id,
        title: row.title,
        file_name: row.file_name,
        content_type: row.content_type,
        byte_size: row.byte_size,
        uploaded_at: rfc3339(row.created_at),
    }
}

/// A file being received for a section. Dropped without [`attach`], it leaves nothing.
pub struct Upload {
    incoming: Incoming,
    limit: usize,
}

impl Upload {
    /// Starts receiving a file; only staff may.
    pub async fn start(state: &AppState, viewer: &Viewer) -> Result<Upload, AppError> {
        viewer.require_staff()?;
        let limit = state.config.limits.upload_max_bytes;
        let incoming = Incoming::start(&state.config.media_dir(), limit)
            .await
            .map_err(media_error)?;
        Ok(Upload { incoming, limit })
    }

    /// Appends the next piece of the file; refuses one larger than the limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.incoming.write(chunk).await.map_err(|e| match e {
            MediaError::TooLarge(_) => too_large(self.limit),
            other => media_error(other),
        })
    }
}

/// The refusal of a file over the limit, at the `file` field.
pub fn too_large(limit: usize) -> AppError {
    AppError::invalid(
        "file",
        "file_too_large",
        msg!("error-file-too-large", limit = limit / (1024 * 1024)),
    )
}

fn media_error(e: MediaError) -> AppError {
    AppError::Internal(anyhow::Error::new(e).context("media folder"))
}

/// The name a file downloads under: the last part of what the client sent, without control
/// characters, ending in an extension of its real kind.
fn download_name(sent: &str, kind: DocumentKind) -> String {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(150)
        .collect();
    name = name.trim().trim_start_matches('.').to_string();
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    if name.is_empty() {
        name = "document".into();
    }
    if !kind.extensions().contains(&extension.as_str()) {
        name = format!("{name}.{}", kind.extensions()[0]);
    }
    name
}

/// Attaches a received file to a section under a title (the file's name when empty).
pub async fn attach(
    state: &AppState,
    viewer: &Viewer,
    result_id: i64,
    title: &str,
    file_name: &str,
    upload: Option<Upload>,
) -> Result<DocumentView, AppError> {
    let staff = viewer.require_staff()?;
    let (row, _) = super::results::theme_of(state, viewer, result_id).await?;
    let mut check = Checker::new();
    let title = check.check("title", parse_text(title, 0, 200, false));
    let kind = match &upload {
        None => {
            check.push(Invalid::new("required", msg!("error-choose-file")).at("file"));
            None
        }
        Some(upload) if upload.incoming.size() == 0 => {
            check.push(Invalid::new("empty", msg!("error-empty-file")).at("file"));
            None
        }
        Some(upload) => {
            let kind = DocumentKind::sniff(upload.incoming.head());
            if kind.is_none() {
                check.push(
                    Invalid::new("unsupported_type", msg!("error-unsupported-file")).at("file"),
                );
            }
            kind
        }
    };
    check.finish()?;
    let (Some(upload), Some(kind), Some(title)) = (upload, kind, title) else {
        return Err(crate::error::checker_invariant());
    };
    let name = download_name(file_name, kind);
    let title = if title.is_empty() {
        name.clone()
    } else {
        title
    };
    let byte_size = upload.incoming.size() as i64;
    let sha256 = upload.incoming.keep().await.map_err(media_error)?;
    let mut tx = state.db.begin().await?;
    let id = store::insert(
        tx.ex(),
        &NewDocument {
            result_id,
            title: &title,
            file_name: &name,
            content_type: kind.content_type(),
            byte_size,
            sha256: &sha256,
            by: staff.id,
            now: now_millis(),
        },
    )
    .await?;
    crate::storage::results::touch(tx.ex(), result_id, now_millis()).await?;
    events::record(tx.ex(), EventKind::ResultUpdated, result_id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(
        result = row.id,
        document = id,
        by = staff.id,
        bytes = byte_size,
        "document attached"
    );
    let mut conn = state.db.acquire().await?;
    let stored = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("document"))?;
    Ok(view(state, stored))
}

async fn find_visible(state: &AppState, viewer: &Viewer, id: i64) -> Result<DocumentRow, AppError> {
    let mut conn = state.db.acquire().await?;
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("document"))?;
    drop(conn);
    super::results::theme_of(state, viewer, row.result_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("document"),
            other => other,
        })?;
    Ok(row)
}

/// Staff remove a document from its section (its file goes when nothing else uses it).
pub async fn remove(state: &AppState, viewer: &Viewer, id: i64) -> Result<i64, AppError> {
    let staff = viewer.require_staff()?;
    let row = find_visible(state, viewer, id).await?;
    let mut tx = state.db.begin().await?;
    let shared = store::delete(tx.ex(), id, &row.sha256).await?;
    crate::storage::results::touch(tx.ex(), row.result_id, now_millis()).await?;
    events::record(tx.ex(), EventKind::ResultUpdated, row.result_id).await?;
    tx.commit().await?;
    state.event_signal.written();
    if !shared && let Err(e) = media::remove(&state.config.media_dir(), &row.sha256).await {
        tracing::warn!(error = %e, document = id, "cannot delete a removed document's file");
    }
    tracing::info!(document = id, by = staff.id, "document removed");
    Ok(row.result_id)
}

/// A document and its open file, for serving.
pub async fn open(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(DocumentView, tokio::fs::File, u64), AppError> {
    let row = find_visible(state, viewer, id).await?;
    let sha = row.sha256.clone();
    let (file, length) =
        media::open(&state.config.media_dir(), &sha)
            .await
            .map_err(|e| match e {
                MediaError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                    tracing::error!(
                        document = id,
                        "a document's file is missing from the media folder"
                    );
                    AppError::NotFound("document")
                }
                other => media_error(other),
            })?;
    Ok((view(state, row), file, length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_their_bytes() {
        assert_eq!(DocumentKind::sniff(b"%PDF-1.4\n"), Some(DocumentKind::Pdf));
        assert_eq!(
            DocumentKind::sniff(b"RIFF\x10\0\0\0WEBPVP8 "),
            Some(DocumentKind::Webp)
        );
        assert_eq!(DocumentKind::sniff(b"<svg xmlns="), None);
        assert_eq!(DocumentKind::sniff(b"<html>"), None);
    }

    #[test]
    fn download_names_keep_only_the_last_part_and_the_real_extension() {
        assert_eq!(
            download_name("C:\\plans\\計画案.pdf", DocumentKind::Pdf),
            "計画案.pdf"
        );
        assert_eq!(
            download_name("../../x.html", DocumentKind::Png),
            "x.html.png"
        );
        assert_eq!(download_name("", DocumentKind::Jpeg), "document.jpg");
        assert_eq!(download_name("a\"b\n.JPEG", DocumentKind::Jpeg), "ab.JPEG");
    }
}
