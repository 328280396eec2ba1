//! The collections of local actors: followers (counted, never listed), outboxes and
//! featured items. Peers count and backfill from them: GoToSocial counts each collection
//! (and logs an error for one that answers 404); Lemmy reads a community's outbox when it
//! first sees it, taking the `Announce`s of `Create`s listed in the collection itself;
//! another Hiroba reads a municipality's outbox (its methods and open themes) and a theme's
//! (its ideas) when it follows them, page by page. An outbox lists its newest items in the
//! collection and links the pages with all of them (`first`, `next`).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;

use super::objects::{Collection, context};
use super::routes::{activity_json, theme_row};
use super::wire::announce::Announce;
use super::wire::create::{CreateOrUpdate, CreateOrUpdateType};
use super::wire::to_value;
use super::{Urls, methods, routes};
use crate::error::AppError;
use crate::error::problem::ApiPath;
use crate::services::{Page, Viewer, proposals};
use crate::state::AppState;
use crate::storage::{federation as store, themes as theme_store};

/// Items on a page of an outbox (and in the collection itself).
pub const OUTBOX_PAGE: u32 = 20;

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
    activity_json(StatusCode::OK, &Collection::ordered(id, total, None))
}

/// An empty ordered collection.
fn empty(id: String) -> Response {
    activity_json(
        StatusCode::OK,
        &Collection::ordered(id, 0, Some(Vec::new())),
    )
}

/// `?page=N` of an outbox.
#[derive(Debug, Deserialize)]
struct PageQuery {
    page: Option<u32>,
}

/// An outbox: without `page`, the collection with its first items and a link to its first
/// page; with it, that page, linked to the next while there are more.
fn outbox_answer(
    id: &str,
    page: Option<u32>,
    total: i64,
    items: Vec<Value>,
    more: bool,
) -> Response {
    let document = match page {
        None => Collection {
            first: Some(format!("{id}?page=1")),
            ..Collection::ordered(id.to_string(), total, Some(items))
        },
        Some(number) => Collection {
            kind: "OrderedCollectionPage".into(),
            part_of: Some(id.to_string()),
            next: more.then(|| format!("{id}?page={}", number + 1)),
            ..Collection::ordered(format!("{id}?page={number}"), total, Some(items))
        },
    };
    activity_json(StatusCode::OK, &document)
}

/// The page asked for, or the first for the collection itself.
fn outbox_page(query: &PageQuery) -> Result<Page, AppError> {
    Page::parse(Some(query.page.unwrap_or(1)), Some(OUTBOX_PAGE))
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

/// What the municipality published for other cities: its open themes (each the
/// `Announce` of its `Group`, as sent when it opened), then its methods (each the `Create`
/// of its newest version), newest first.
async fn instance_outbox(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    let page = outbox_page(&query)?;
    let urls = Urls::new(&state.config);
    let city = urls.instance_actor();
    let viewer = Viewer::default();
    let themes: Vec<_> = crate::services::themes::list(&state, &viewer, Some("open")).await?;
    let mut items: Vec<Value> = Vec::new();
    let first = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let wanted = page.per_page as usize;
    for theme in themes.iter().skip(first).take(wanted) {
        let group = routes::group_json(&state, &theme.slug).await?;
        let id = format!("{}/announces/group", urls.theme(&theme.slug));
        items.push(to_value(&Announce {
            id,
            published: theme.created_at.clone(),
            ..Announce::by_municipality(&city, group, None)
        }));
    }
    // Methods fill the page after the themes.
    let method_offset = i64::try_from(first.saturating_sub(themes.len())).unwrap_or(i64::MAX);
    let room = wanted - items.len();
    let (listed, more_methods) = crate::services::methods::list_published(
        &state,
        method_offset,
        i64::try_from(room).unwrap_or(0),
    )
    .await?;
    for view in &listed {
        let article = methods::wire(&state, view).await?.to_article();
        let id = format!("{}/activities/create/{}", view.url, view.version);
        items.push(to_value(&CreateOrUpdate::with_id(
            id,
            CreateOrUpdateType::Create,
            article,
        )));
    }
    let total = i64::try_from(themes.len()).unwrap_or(i64::MAX)
        + crate::services::methods::count_published(&state).await?;
    let more = themes.len() > first + wanted || more_methods;
    Ok(outbox_answer(
        &format!("{city}/outbox"),
        query.page,
        total,
        items,
        more,
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
    Ok(counted(format!("{}/followers", urls.theme(&slug)), count))
}

/// The theme's proposals, newest first, each as the `Announce` of its `Create` (the form
/// group software reads when it first fetches a community, and what followers were sent).
async fn theme_outbox(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    let page = outbox_page(&query)?;
    let theme = theme_row(&state, &slug).await?;
    let urls = Urls::new(&state.config);
    let (items, more) = proposals::list(
        &state,
        &Viewer::default(),
        &slug,
        proposals::ListQuery {
            tag: None,
            sort: None,
            state: None,
            page,
        },
    )
    .await?;
    let actor = urls.theme(&slug);
    let announces: Vec<Value> = items
        .iter()
        .filter(|p| p.origin.is_none())
        .map(|p| {
            to_value(&Announce::listed(
                &actor,
                format!("{actor}/announces/proposals/{}", p.id),
                super::outbox::proposal_create(&urls, p),
                &p.created_at,
            ))
        })
        .collect();
    Ok(outbox_answer(
        &format!("{actor}/outbox"),
        query.page,
        theme.proposal_count,
        announces,
        more,
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
            ..Collection::ordered(
                format!("{}/featured", urls.theme(&slug)),
                0,
                Some(Vec::new()),
            )
        },
    ))
}
