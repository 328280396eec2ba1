//! A theme's results on the wire: each section is an `Article` attributed to the theme,
//! sent to its followers with `Create` when published and `Update` with each change or
//! progress update; the municipality announces it to its own followers, for other cities
//! to learn from. Served at `/results/{id}`.

use serde_json::{Value, json};

use super::keys::KeyOwner;
use super::objects::escape;
use super::{PUBLIC, Urls, delivery};
use crate::error::AppError;
use crate::services::accounts::random_token;
use crate::services::results::{self, ResultView};
use crate::state::AppState;
use crate::storage::{federation as store, themes as theme_store};

/// A section of results as an `Article`.
pub fn article(state: &AppState, slug: &str, result: &ResultView) -> Value {
    let urls = Urls::new(&state.config);
    let theme = urls.theme(slug);
    let mut content = result.body_html.clone();
    if !result.reflects.is_empty() {
        content.push_str("<ul>");
        for r in &result.reflects {
            content.push_str(&format!(
                "<li><a href=\"{}\">{}</a>{}</li>",
                urls.proposal(r.proposal_id),
                escape(&r.title),
                if r.note.is_empty() {
                    String::new()
                } else {
                    format!(": {}", escape(&r.note))
                }
            ));
        }
        content.push_str("</ul>");
    }
    let mut article = json!({
        "id": result.url,
        "type": "Article",
        "attributedTo": theme,
        "name": result.heading,
        "content": content,
        "mediaType": "text/html",
        "source": {"content": result.body, "mediaType": "text/markdown"},
        "to": [PUBLIC],
        "cc": [format!("{theme}/followers")],
        "audience": theme,
        "url": format!("{theme}/results#result-{}", result.id),
        "published": result.published_at,
        "updated": result.updated_at,
        "hiroba:reflects": result.reflects.iter().map(|r| urls.proposal(r.proposal_id)).collect::<Vec<_>>(),
    });
    if !result.documents.is_empty() {
        article["attachment"] = result
            .documents
            .iter()
            .map(|d| {
                json!({
                    "type": if d.is_image() { "Image" } else { "Document" },
                    "mediaType": d.content_type,
                    "url": d.url,
                    "name": d.title,
                })
            })
            .collect();
    }
    if let Some(latest) = result.latest() {
        article["hiroba:progress"] = json!({
            "type": "hiroba:Progress",
            "hiroba:progressStatus": latest.status,
            "hiroba:percentDone": latest.percent,
            "content": escape(&latest.note),
            "published": latest.at,
        });
    }
    article
}

/// A section was published (`Create`) or changed (`Update`).
pub async fn result_changed(state: &AppState, id: i64, kind: &str) -> Result<(), AppError> {
    let Some((result, theme_id)) = results::get(state, id).await? else {
        return Ok(());
    };
    let mut conn = state.db.acquire().await?;
    let Some(theme) = theme_store::find_theme(conn.ex(), theme_id).await? else {
        return Ok(());
    };
    if theme.status == "draft" {
        return Ok(());
    }
    let inboxes = store::follower_inboxes(conn.ex(), "theme", theme.id).await?;
    drop(conn);
    let theme_actor = Urls::new(&state.config).theme(&theme.slug);
    let object = article(state, &theme.slug, &result);
    let activity = json!({
        "@context": super::objects::context(),
        "id": Urls::activity_id(&theme_actor, &kind.to_lowercase(), &random_token(12)),
        "type": kind,
        "actor": theme_actor,
        "object": object,
        "to": [PUBLIC],
        "cc": [format!("{theme_actor}/followers")],
        "published": jiff::Timestamp::now().to_string(),
    });
    if !inboxes.is_empty() {
        delivery::enqueue(state, &inboxes, &activity, KeyOwner::Theme(theme.id)).await?;
    }
    super::municipality::announce(state, activity, None).await
}

/// The routes of results as ActivityStreams.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/results/{id}", axum::routing::get(article_at_its_id))
}

async fn article_at_its_id(
    axum::extract::State(state): axum::extract::State<AppState>,
    crate::error::problem::ApiPath(id): crate::error::problem::ApiPath<i64>,
) -> Result<axum::response::Response, AppError> {
    let (result, theme_id) = results::get(&state, id)
        .await?
        .ok_or(AppError::NotFound("result"))?;
    let theme = crate::services::themes::load_by_id(&state, theme_id).await?;
    if !theme.visible_to(&crate::services::Viewer::default()) {
        return Err(AppError::NotFound("result"));
    }
    let mut object = article(&state, &theme.row.slug, &result);
    object["@context"] = super::objects::context();
    Ok(super::routes::activity_json(
        axum::http::StatusCode::OK,
        &object,
    ))
}
