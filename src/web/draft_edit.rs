//! Staff write a new version of a draft on the site: the whole text in one box, the title,
//! and what changed; the version it was written from travels with the form, so a change
//! made meanwhile is never overwritten.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use crate::services::draft_revisions::{self, RevisionInput};
use crate::services::drafts::{self, DraftView};
use crate::state::AppState;
use crate::t;

#[derive(Debug, Default, Deserialize)]
pub struct RevisionForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub change_note: String,
    #[serde(default)]
    pub base_version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/draft_edit.html")]
pub struct DraftEditPage {
    pub ctx: PageCtx,
    pub draft: DraftView,
    pub form: RevisionForm,
    pub errors: FormErrors,
}

impl DraftEditPage {
    pub fn open_amendments(&self) -> usize {
        self.draft.open_amendments()
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    ctx.viewer().require_staff()?;
    let draft = drafts::get(&state, &ctx.viewer(), id).await?;
    let form = RevisionForm {
        title: draft.title.clone(),
        text: draft
            .paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n"),
        change_note: String::new(),
        base_version: draft.version.to_string(),
    };
    let page = DraftEditPage {
        ctx,
        draft,
        form,
        errors: FormErrors::default(),
    };
    Ok(page.into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<RevisionForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let input = RevisionInput {
        title: form.title.clone(),
        text: form.text.clone(),
        change_note: form.change_note.clone(),
        base_version: form.base_version.trim().parse().unwrap_or(0),
    };
    match draft_revisions::revise(&state, &viewer, id, &input).await {
        Ok(draft) => ctx.see_other(&format!("/drafts/{}/versions", draft.id)),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let draft = drafts::get(&state, &viewer, id).await?;
            let page = DraftEditPage {
                ctx,
                draft,
                form,
                errors,
            };
            Ok((status, page).into_response())
        }
    }
}
