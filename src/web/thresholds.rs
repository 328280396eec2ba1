//! The staff page of a theme's support threshold: how many supports make an idea need an
//! answer, and who counts toward it; mistakes shown at the field.

use crate::msg;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use crate::services::themes;
use crate::services::thresholds::{self, ThresholdInput};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "staff/threshold.html")]
pub struct ThresholdPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub theme_title: String,
    pub form: ThresholdForm,
    pub errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct ThresholdForm {
    #[serde(default)]
    pub support_threshold: String,
    #[serde(default)]
    pub counts: String,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let theme = themes::get(&state, &viewer, &slug).await?;
    let form = ThresholdForm {
        support_threshold: theme
            .support_threshold
            .map(|n| n.to_string())
            .unwrap_or_default(),
        counts: theme.threshold_counts.clone(),
    };
    Ok(ThresholdPage {
        ctx,
        slug: theme.slug,
        theme_title: theme.title,
        form,
        errors: FormErrors::default(),
    }
    .into_response())
}

pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<ThresholdForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let theme = themes::get(&state, &viewer, &slug).await?;
    let typed = form.support_threshold.trim();
    let result = match typed.parse::<i64>() {
        _ if typed.is_empty() => Ok(None),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(()),
    };
    let outcome = match result {
        Ok(support_threshold) => {
            let input = ThresholdInput {
                support_threshold,
                counts: Some(form.counts.clone()),
            };
            thresholds::set(&state, &viewer, &slug, &input)
                .await
                .map(|_| ())
        }
        Err(()) => Err(crate::error::AppError::invalid(
            "support_threshold",
            "not_a_number",
            msg!("error-not-a-number"),
        )),
    };
    match outcome {
        Ok(()) => ctx.see_other(&format!("/themes/{slug}")),
        Err(err) => {
            let (status, mut errors) = form_errors(&ctx, err)?;
            if errors.has("support_threshold") && typed.parse::<i64>().is_err() {
                errors.set("support_threshold", t!(ctx, "threshold-not-a-number"));
            }
            Ok((
                status,
                ThresholdPage {
                    ctx,
                    slug: theme.slug,
                    theme_title: theme.title,
                    form,
                    errors,
                },
            )
                .into_response())
        }
    }
}
