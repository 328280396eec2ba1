//! The directory page of other municipalities this one follows or is followed by.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;

use super::PageResult;
use super::context::PageCtx;
use crate::services::municipalities::{self, MunicipalityView};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "municipalities.html")]
pub struct DirectoryPage {
    pub ctx: PageCtx,
    pub municipalities: Vec<MunicipalityView>,
}

pub async fn directory(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let municipalities = municipalities::directory(&state).await?;
    Ok(DirectoryPage {
        ctx,
        municipalities,
    }
    .into_response())
}
