//! A theme's results on the wire: each section is an `Article` written by the municipality,
//! addressed to the theme and announced by it (FEP-1b12), sent with `Create` when published
//! and `Update` with each change or progress update. Its `content` ends with the latest
//! progress (status, share done, date, note), since followers' software shows only that;
//! `hiroba:progress` carries it as data. The municipality announces it to its own followers,
//! for other cities to learn from. Served at `/results/{id}`.

use super::objects::{Source, escape};
use super::wire::article::{Article, ArticleType, Progress, changed_since};
use super::wire::create::{CreateOrUpdate, CreateOrUpdateType};
use super::wire::followers_of;
use super::wire::links::{Attachment, AttachmentType};
use super::{PUBLIC, Urls, outbox};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::results::{self, ProgressView, ResultView};
use crate::state::AppState;
use crate::storage::themes as theme_store;

/// The day of an instant in the municipality's time zone (`2026-12-07`).
pub fn local_day(state: &AppState, at: &str) -> String {
    at.parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned(state.config.municipality.time_zone.clone())
                .date()
                .to_string()
        })
        .unwrap_or_else(|_| at.to_string())
}

/// The latest progress as followers read it: 「進み具合: 実施中（40%、2026-12-07）」 and the note.
fn progress_html(state: &AppState, progress: &ProgressView) -> String {
    let catalogue = state.catalogue.loader(Lang::Ja);
    let status = catalogue.get(&format!(
        "result-status-{}",
        progress.status.replace('_', "-")
    ));
    let mut html = format!(
        "<p><strong>{}</strong>: {}（{}%、{}）</p>",
        escape(&catalogue.get("results-progress")),
        escape(&status),
        progress.percent,
        escape(&local_day(state, &progress.at)),
    );
    if !progress.note.trim().is_empty() {
        html.push_str(&format!(
            "<p>{}</p>",
            escape(progress.note.trim()).replace('\n', "<br>")
        ));
    }
    html
}

/// A section of results as an `Article` by the municipality.
pub fn article(state: &AppState, slug: &str, result: &ResultView) -> Article {
    let urls = Urls::new(&state.config);
    let theme = urls.theme(slug);
    // The heading leads the content: Mastodon-family software shows the content of an
    // `Article`, not its `name`.
    let mut content = format!(
        "<p><strong>{}</strong></p>{}",
        escape(&result.heading),
        result.body_html
    );
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
    if let Some(latest) = result.latest() {
        content.push_str(&progress_html(state, latest));
    }
    Article {
        id: result.url.clone(),
        kind: ArticleType::Article,
        attributed_to: urls.instance_actor(),
        name: result.heading.clone(),
        content,
        media_type: "text/html".into(),
        source: Some(Source {
            content: result.body.clone(),
            media_type: "text/markdown".into(),
        }),
        to: vec![PUBLIC.to_string()],
        cc: vec![theme.clone(), followers_of(&theme)],
        audience: theme.clone(),
        url: format!("{theme}/results#result-{}", result.id),
        published: result.published_at.clone(),
        updated: changed_since(&result.published_at, &result.updated_at),
        attachment: result
            .documents
            .iter()
            .map(|d| Attachment {
                kind: if d.is_image() {
                    AttachmentType::Image
                } else {
                    AttachmentType::Document
                },
                media_type: d.content_type.clone(),
                url: d.url.clone(),
                name: d.title.clone(),
            })
            .collect(),
        reflects: Some(
            result
                .reflects
                .iter()
                .map(|r| urls.proposal(r.proposal_id))
                .collect(),
        ),
        progress: result.latest().map(|latest| Progress {
            kind: "hiroba:Progress".into(),
            status: latest.status.clone(),
            percent_done: Some(latest.percent),
            content: escape(&latest.note),
            published: latest.at.clone(),
        }),
        version: None,
        open_for_amendments: None,
        paragraphs: None,
    }
}

/// A section was published (`Create`) or changed (`Update`).
pub async fn result_changed(
    state: &AppState,
    id: i64,
    kind: CreateOrUpdateType,
) -> Result<(), AppError> {
    let Some((result, theme_id)) = results::get(state, id).await? else {
        return Ok(());
    };
    let mut conn = state.db.acquire().await?;
    let Some(theme) = theme_store::find_theme(conn.ex(), theme_id).await? else {
        return Ok(());
    };
    drop(conn);
    if theme.status == "draft" {
        return Ok(());
    }
    let theme_actor = Urls::new(&state.config).theme(&theme.slug);
    let mut object = article(state, &theme.slug, &result);
    if kind == CreateOrUpdateType::Update {
        // Followers' software applies an edit only when `updated` says when it was made.
        object.updated.get_or_insert_with(super::wire::now);
    }
    let activity = CreateOrUpdate::fresh(kind, object);
    outbox::municipality_post_in_theme(state, theme.id, &theme_actor, activity.clone(), vec![])
        .await?;
    super::municipality::announce(state, &activity, None).await
}

/// A section was deleted: the municipality, its author, sends `Delete` to the theme's
/// followers (announced by the theme to group software), and the municipality's followers,
/// who were announced the section, hear of it too.
pub async fn result_deleted(
    state: &AppState,
    id: i64,
    deleted: &crate::services::result_editing::DeletedResult,
) -> Result<(), AppError> {
    let urls = Urls::new(&state.config);
    let theme_actor = urls.theme(&deleted.theme_slug);
    let object_id = format!("{}/results/{id}", state.config.public_url());
    let delete = outbox::deletion(
        &urls.instance_actor(),
        &theme_actor,
        super::objects::Tombstone::of(&object_id, "Article"),
    );
    outbox::author_activity_to_followers(
        state,
        &deleted.theme_slug,
        super::keys::KeyOwner::Instance,
        delete.clone(),
    )
    .await?;
    super::municipality::announce(state, &delete, None).await
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
    let object = article(&state, &theme.row.slug, &result);
    Ok(super::routes::activity_json(
        axum::http::StatusCode::OK,
        &super::wire::with_context(&object),
    ))
}
