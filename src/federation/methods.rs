//! The municipality's methods on the fediverse: each served at its id as a `hiroba:Method`
//! `Article`, and sent to the municipality's followers with `Create` when it is published
//! and `Update` when a new version is made.

use crate::msg;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::actors::host_of;
use super::keys::KeyOwner;
use super::method_object::{WireMethod, wire_field};
use super::routes::activity_json;
use super::wire::create::{CreateOrUpdate, CreateOrUpdateType};
use super::{Urls, delivery};
use crate::error::AppError;
use crate::services::method_library::{self, IncomingMethod};
use crate::services::methods::{self, MethodView};
use crate::state::AppState;
use crate::storage::federation as store;
use crate::storage::federation::RemoteActorRow;

/// A method of this municipality as it goes on the wire.
pub async fn wire(state: &AppState, view: &MethodView) -> Result<WireMethod, AppError> {
    let urls = Urls::new(&state.config);
    Ok(WireMethod {
        id: view.url.clone(),
        attributed_to: urls.instance_actor(),
        municipality: crate::services::instance::profile(state).await?.name_ja,
        url: view.url.clone(),
        version: view.version,
        document: view.document.clone(),
        used_by: view.used_by.clone(),
        published: view.created_at.clone(),
        updated: view.updated_at.clone(),
    })
}

/// `GET /methods/{id}` for ActivityStreams clients: the newest version.
pub async fn method_object(state: &AppState, id: i64) -> Result<Response, AppError> {
    let view = methods::get(state, id, None).await?;
    Ok(activity_json(
        StatusCode::OK,
        &super::wire::with_context(&wire(state, &view).await?.to_article()),
    ))
}

/// `Create` (first version) or `Update` (a later one) of a method, to the municipality's
/// followers.
pub async fn method_changed(
    state: &AppState,
    id: i64,
    kind: CreateOrUpdateType,
) -> Result<(), AppError> {
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
    let mut object = wire(state, &view).await?.to_article();
    if kind == CreateOrUpdateType::Update {
        object.updated.get_or_insert_with(super::wire::now);
    }
    let activity = CreateOrUpdate::fresh(kind, object);
    delivery::enqueue(state, &inboxes, &activity, KeyOwner::Instance).await?;
    Ok(())
}

/// Names the fields of the form's errors as in the document, under `prefix` (`object.` in
/// an activity, nothing in a file).
fn named_as_in_document(error: AppError, prefix: &str) -> AppError {
    match error {
        AppError::Validation(errors) => AppError::Validation(
            errors
                .into_iter()
                .map(|mut e| {
                    e.field = format!("{prefix}{}", wire_field(&e.field));
                    e
                })
                .collect(),
        ),
        other => other,
    }
}

/// A `Create` or `Update` of a method from a followed municipality: kept in the library
/// (a newer version replaces the one kept). The method must be the sender's own, on its
/// own server; from an actor not followed here it is ignored.
pub async fn received(
    state: &AppState,
    actor: &RemoteActorRow,
    object: &Value,
) -> Result<(), AppError> {
    // The reader already names fields as in the document.
    let wire = WireMethod::from_json(object).map_err(|errors| {
        AppError::Validation(
            errors
                .into_iter()
                .map(|mut e| {
                    e.field = format!("object.{}", e.field);
                    e
                })
                .collect(),
        )
    })?;
    if wire.attributed_to != actor.actor_id || host_of(&wire.id) != host_of(&actor.actor_id) {
        return Err(AppError::invalid(
            "object.attributedTo",
            "attribution",
            msg!("error-wire-method-origin"),
        ));
    }
    let Some(followed) = super::following::followed(state, &actor.actor_id).await? else {
        tracing::info!(actor = %actor.actor_id, method = %wire.id, "ignored a method from an actor not followed here");
        return Ok(());
    };
    let (name, prefecture) = super::software::municipality(state, &actor.inbox).await;
    let origin_name = name
        .or_else(|| Some(wire.municipality.clone()).filter(|m| !m.trim().is_empty()))
        .or_else(|| actor.name.clone())
        .unwrap_or_else(|| actor.domain.clone());
    let incoming = IncomingMethod {
        ap_id: wire.id,
        url: wire.url,
        origin_actor: actor.actor_id.clone(),
        origin_name: crate::domain::kept_text(&origin_name),
        prefecture,
        version: wire.version,
        document: wire.document,
    };
    method_library::receive(state, &followed, &incoming)
        .await
        .map_err(|e| named_as_in_document(e, "object."))
}

/// Staff import a method from a file (an export of this or another Hiroba, the same
/// document as the wire object): a new method here whose chain of attribution starts
/// with the file's method. Errors name the file's fields; nothing is stored on any.
pub async fn import(
    state: &AppState,
    viewer: &crate::services::Viewer,
    file: &Value,
) -> Result<MethodView, AppError> {
    viewer.require_staff()?;
    let wire = WireMethod::from_json(file).map_err(AppError::Validation)?;
    let origin = crate::services::methods::MethodOrigin {
        id: wire.id.clone(),
        title: wire.document.title.clone(),
        municipality: wire.municipality.clone(),
    };
    crate::services::method_reuse::derive(state, viewer, &wire.document, Some(origin))
        .await
        .map_err(|e| named_as_in_document(e, ""))
}

/// The export file of a method: its wire document, with its `@context`.
pub async fn export(state: &AppState, id: i64) -> Result<Value, AppError> {
    let view = methods::get(state, id, None).await?;
    let article = wire(state, &view).await?.to_article();
    Ok(super::wire::to_value(&super::wire::with_context(&article)))
}
