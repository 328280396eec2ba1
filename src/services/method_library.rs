//! The library of methods from other municipalities: what followed municipalities publish,
//! kept as its newest version, found by words, tag and prefecture, each with its origin,
//! and reused here as a new method (a fork that keeps the chain of attribution).

use crate::msg;
use serde::Serialize;
use utoipa::ToSchema;

use super::methods::{self, MethodDocument, MethodOrigin, MethodView};
use super::{Page, Viewer, rfc3339};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::following::FollowedRow;
use crate::storage::now_millis;
use crate::storage::remote_methods::{self as store, Received, RemoteMethodRow};

/// A method as the federation face read it from its municipality's `Create` or `Update`.
#[derive(Debug, Clone)]
pub struct IncomingMethod {
    pub ap_id: String,
    pub url: String,
    pub origin_actor: String,
    pub origin_name: String,
    pub prefecture: Option<String>,
    pub version: i32,
    pub document: MethodDocument,
}

/// Who published a method of the library.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodSource {
    /// The municipality's actor.
    pub actor: String,
    pub name: String,
    pub prefecture: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryMethodView {
    pub id: i64,
    /// The method's id at its origin.
    pub ap_id: String,
    /// Its page at the origin.
    pub url: String,
    pub origin: MethodSource,
    pub version: i32,
    #[serde(flatten)]
    pub document: MethodDocument,
    pub received_at: String,
    pub updated_at: String,
}

/// The library's filters.
#[derive(Debug, Clone, Default)]
pub struct LibraryFilter {
    pub q: Option<String>,
    pub tag: Option<String>,
    pub prefecture: Option<String>,
}

fn view(row: RemoteMethodRow) -> Result<LibraryMethodView, AppError> {
    let document: MethodDocument =
        serde_json::from_str(&row.document).map_err(|e| AppError::Internal(e.into()))?;
    Ok(LibraryMethodView {
        id: row.id,
        ap_id: row.ap_id,
        url: row.url,
        origin: MethodSource {
            actor: row.origin_actor,
            name: row.origin_name,
            prefecture: row.prefecture,
        },
        version: row.version,
        document,
        received_at: rfc3339(row.received_at),
        updated_at: rfc3339(row.updated_at),
    })
}

/// Keeps a method that a followed municipality published, or its newer version. A method
/// that breaks the rules of the form is refused with the fields at fault.
pub async fn receive(
    state: &AppState,
    followed: &FollowedRow,
    method: &IncomingMethod,
) -> Result<(), AppError> {
    let document = super::method_reuse::check_document(&method.document)?;
    let json = serde_json::to_string(&document).map_err(|e| AppError::Internal(e.into()))?;
    let mut conn = state.db.acquire().await?;
    let kept = store::keep(
        conn.ex(),
        &Received {
            ap_id: &method.ap_id,
            followed_id: followed.id,
            origin_actor: &method.origin_actor,
            origin_name: &method.origin_name,
            prefecture: method.prefecture.as_deref(),
            version: method.version,
            title: &document.title,
            summary: &document.summary,
            url: &method.url,
            document: &json,
            tags: &document.tags,
        },
        now_millis(),
    )
    .await?;
    if kept {
        tracing::info!(method = %method.ap_id, version = method.version, "method of a followed municipality kept");
    } else {
        tracing::debug!(method = %method.ap_id, "an older or known version of a method ignored");
    }
    Ok(())
}

/// Its municipality deleted a method: it leaves the library.
pub async fn removed(state: &AppState, ap_id: &str, origin_actor: &str) -> Result<bool, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::remove(conn.ex(), ap_id, origin_actor).await?)
}

/// The library, most recently changed first, by words, tag and prefecture.
pub async fn list(
    state: &AppState,
    filter: &LibraryFilter,
    page: Page,
) -> Result<(Vec<LibraryMethodView>, bool), AppError> {
    let terms = methods::search_terms(filter.q.as_deref())?;
    let tag = methods::tag_filter(filter.tag.as_deref())?;
    let prefecture = crate::domain::given(filter.prefecture.as_deref());
    if prefecture.is_some_and(|p| p.chars().count() > 20) {
        return Err(AppError::invalid(
            "prefecture",
            "too_long",
            msg!("error-prefecture-too-long"),
        ));
    }
    let mut conn = state.db.acquire().await?;
    let mut rows = store::list(
        conn.ex(),
        &terms,
        tag.as_deref(),
        prefecture,
        page.probe_limit(),
        page.offset(),
    )
    .await?;
    let more = rows.len() as i64 > i64::from(page.per_page);
    rows.truncate(page.per_page as usize);
    let views = rows.into_iter().map(view).collect::<Result<_, _>>()?;
    Ok((views, more))
}

/// The prefectures the library's methods come from.
pub async fn prefectures(state: &AppState) -> Result<Vec<String>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::prefectures(conn.ex()).await?)
}

pub async fn get(state: &AppState, id: i64) -> Result<LibraryMethodView, AppError> {
    let mut conn = state.db.acquire().await?;
    view(
        store::find(conn.ex(), id)
            .await?
            .ok_or(AppError::NotFound("method"))?,
    )
}

/// What a method of the library is to the methods and themes made from it.
pub fn origin_of(method: &LibraryMethodView) -> MethodOrigin {
    MethodOrigin {
        id: method.ap_id.clone(),
        title: method.document.title.clone(),
        municipality: method.origin.name.clone(),
    }
}

/// Staff make a method of this municipality from one of the library.
pub async fn fork(state: &AppState, viewer: &Viewer, id: i64) -> Result<MethodView, AppError> {
    viewer.require_staff()?;
    let source = get(state, id).await?;
    super::method_reuse::derive(state, viewer, &source.document, Some(origin_of(&source))).await
}
