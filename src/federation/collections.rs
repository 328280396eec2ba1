//! The collections of local actors: followers (counted, never listed), outboxes and
//! featured items. Peers count and backfill from them (GoToSocial logs an error for every
//! collection that answers 404, Lemmy reads a community's outbox when it first sees it).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::objects::{Collection, context};
use super::routes::{activity_json, theme_row};
use super::{PUBLIC, Urls};
use crate::error::AppError;
use crate::error::problem::ApiPath;
use crate::services::{Viewer, proposals};
use crate::state::AppState;
use crate::storage::{federation as store, themes as theme_store};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/themes/{slug}/followers", get(theme_followers))
        .route("/themes/{slug}/outbox", get(theme_outbox))
        .route("/themes/{slug}/featured", get(theme_featured))
        .route("/actor/followers", get(instance_followers))
        .route("/actor/outbox", get(instance_outbox))
        .route("/actor/featured", get(instance_featured))
        .route("/users/{handle}/{collection}", get(user_collection))
        .route("/anonymous/{name}/{collection}", get(pseudonym_collection))
}

/// An ordered collection of `total` items whose items are not listed here.
fn counted(id: String, total: i64) -> Response {
    activity_json(
        StatusCode::OK,
        &Collection {
            context: context(),
            id,
            kind: "OrderedCollection".into(),
            total_items: total,
            ordered_items: None,
            attributed_to: None,
        },
    )
}

/// An empty ordered collection.
fn empty(id: String) -> Response {
    activity_json(
        StatusCode::OK,
        &Collection {
            context: context(),
            id,
            kind: "OrderedCollection".into(),
            total_items: 0,
            ordered_items: Some(Vec::new()),
            attributed_to: None,
        },
    )
}

/// The municipality's followers, counted.
async fn instance_followers(State(state): State<AppState>) -> Result<Response, AppError> {
    let mut conn = state.db.acquire().await?;
    let count = store::follower_count(conn.ex(), "instance", 0).await?;
    Ok(counted(
        format!("{}/followers", Urls::new(&state.config).instance_actor()),
        count,
    ))
}

/// The municipality publishes through its themes; its own outbox is empty.
async fn instance_outbox(State(state): State<AppState>) -> Response {
    empty(format!(
        "{}/outbox",
        Urls::new(&state.config).instance_actor()
    ))
}

async fn instance_featured(State(state): State<AppState>) -> Response {
    empty(format!(
        "{}/featured",
        Urls::new(&state.config).instance_actor()
    ))
}

/// Residents and pseudonyms cannot be followed (their ideas reach people through the
/// themes), so their followers are none and their outboxes empty.
#[derive(Clone, Copy)]
enum Unfollowable {
    Followers,
    Outbox,
}

impl Unfollowable {
    fn named(collection: &str) -> Result<Unfollowable, AppError> {
        match collection {
            "followers" => Ok(Unfollowable::Followers),
            "outbox" => Ok(Unfollowable::Outbox),
            _ => Err(AppError::NotFound("collection")),
        }
    }

    fn of(self, actor: &str) -> Response {
        match self {
            Unfollowable::Followers => counted(format!("{actor}/followers"), 0),
            Unfollowable::Outbox => empty(format!("{actor}/outbox")),
        }
    }
}

async fn user_collection(
    State(state): State<AppState>,
    ApiPath((handle, collection)): ApiPath<(String, String)>,
) -> Result<Response, AppError> {
    let which = Unfollowable::named(&collection)?;
    require_user(&state, &handle).await?;
    Ok(which.of(&Urls::new(&state.config).user(&handle)))
}

async fn pseudonym_collection(
    State(state): State<AppState>,
    ApiPath((name, collection)): ApiPath<(String, String)>,
) -> Result<Response, AppError> {
    let which = Unfollowable::named(&collection)?;
    require_pseudonym(&state, &name).await?;
    Ok(which.of(&Urls::new(&state.config).pseudonym(&name)))
}

async fn require_user(state: &AppState, handle: &str) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    store::find_user_by_handle(conn.ex(), handle)
        .await?
        .map(|_| ())
        .ok_or(AppError::NotFound("user"))
}

async fn require_pseudonym(state: &AppState, name: &str) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    store::find_pseudonym(conn.ex(), name)
        .await?
        .map(|_| ())
        .ok_or(AppError::NotFound("actor"))
}

/// Followers are counted publicly; who they are is not listed.
async fn theme_followers(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, AppError> {
    theme_row(&state, &slug).await?;
    let mut conn = state.db.acquire().await?;
    let row = theme_store::find_theme_by_slug(conn.ex(), &slug)
        .await?
        .ok_or(AppError::NotFound("theme"))?;
    let count = store::follower_count(conn.ex(), "theme", row.id).await?;
    let urls = Urls::new(&state.config);
    Ok(activity_json(
        StatusCode::OK,
        &Collection {
            context: context(),
            id: format!("{}/followers", urls.theme(&slug)),
            kind: "OrderedCollection".into(),
            total_items: count,
            ordered_items: None,
            attributed_to: None,
        },
    ))
}

/// The theme's latest proposals, each as the `Announce` of its `Create`: group software
/// (Lemmy) reads only that form when it first fetches a community.
async fn theme_outbox(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, AppError> {
    let theme = theme_row(&state, &slug).await?;
    let urls = Urls::new(&state.config);
    let (items, _) = proposals::list(
        &state,
        &Viewer::default(),
        &slug,
        proposals::ListQuery {
            tag: None,
            sort: None,
            state: None,
            page: crate::services::Page::parse(None, Some(20))?,
        },
    )
    .await?;
    let actor = urls.theme(&slug);
    let announces: Vec<Value> = items
        .iter()
        .filter(|p| p.origin.is_none())
        .map(|p| {
            json!({
                "id": format!("{actor}/announces/proposals/{}", p.id),
                "type": "Announce",
                "actor": actor,
                "object": super::outbox::proposal_create(&urls, p),
                "to": [PUBLIC],
                "cc": [format!("{actor}/followers")],
                "audience": actor,
                "published": p.created_at,
            })
        })
        .collect();
    Ok(activity_json(
        StatusCode::OK,
        &Collection {
            context: context(),
            id: format!("{actor}/outbox"),
            kind: "OrderedCollection".into(),
            total_items: theme.proposal_count,
            ordered_items: Some(announces),
            attributed_to: None,
        },
    ))
}
/// Pinned items of a theme (none can be pinned yet, so the collection is empty).
async fn theme_featured(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, AppError> {
    theme_row(&state, &slug).await?;
    let urls = Urls::new(&state.config);
    Ok(activity_json(
        StatusCode::OK,
        &Collection {
            context: context(),
            id: format!("{}/featured", urls.theme(&slug)),
            kind: "OrderedCollection".into(),
            total_items: 0,
            ordered_items: Some(Vec::new()),
            attributed_to: None,
        },
    ))
}
