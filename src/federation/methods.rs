//! The municipality's methods on the fediverse: each served at its id as a `hiroba:Method`
//! `Article`, and sent to the municipality's followers with `Create` when it is published
//! and `Update` when a new version is made.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::keys::KeyOwner;
use super::method_object::WireMethod;
use super::routes::activity_json;
use super::{PUBLIC, Urls, delivery};
use crate::error::AppError;
use crate::services::accounts::random_token;
use crate::services::methods::{self, MethodView};
use crate::state::AppState;
use crate::storage::federation as store;

/// A method of this municipality as it goes on the wire.
pub fn wire(state: &AppState, view: &MethodView) -> WireMethod {
    let urls = Urls::new(&state.config);
    WireMethod {
        id: view.url.clone(),
        attributed_to: urls.instance_actor(),
        url: view.url.clone(),
        version: view.version,
        document: view.document.clone(),
        used_by: view.used_by.clone(),
        published: view.created_at.clone(),
        updated: view.updated_at.clone(),
    }
}

/// `GET /methods/{id}` for ActivityStreams clients: the newest version.
pub async fn method_object(state: &AppState, id: i64) -> Result<Response, AppError> {
    let view = methods::get(state, id, None).await?;
    Ok(activity_json(StatusCode::OK, &wire(state, &view).to_json()))
}

/// `Create` (first version) or `Update` (a later one) of a method, to the municipality's
/// followers.
pub async fn method_changed(state: &AppState, id: i64, kind: &str) -> Result<(), AppError> {
    let view = match methods::get(state, id, None).await {
        Ok(view) => view,
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut conn = state.db.acquire().await?;
    let inboxes = store::follower_inboxes(conn.ex(), "instance", 0).await?;
    drop(conn);
    if inboxes.is_empty() {
        return Ok(());
    }
    let urls = Urls::new(&state.config);
    let city = urls.instance_actor();
    let mut object = wire(state, &view).to_json();
    if let Some(map) = object.as_object_mut() {
        map.remove("@context");
    }
    let activity = json!({
        "@context": super::objects::context(),
        "id": Urls::activity_id(&city, &kind.to_ascii_lowercase(), &random_token(12)),
        "type": kind,
        "actor": city,
        "object": object,
        "to": [PUBLIC],
        "cc": [format!("{city}/followers")],
        "published": jiff::Timestamp::now().to_string(),
    });
    delivery::enqueue(state, &inboxes, &activity, KeyOwner::Instance).await?;
    Ok(())
}
