//! Corrections staff make to a survey: its settings and wording changed in place, its whole
//! structure replaced while nobody has answered, the log of wording changed after answers
//! came in, and its state (draft, published, archived) or its removal.

use super::{Ex, on_conn};

/// The settings of a survey as staff set them.
pub struct Settings<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub audience: &'a str,
    pub opens_on: Option<&'a str>,
    pub closes_on: Option<&'a str>,
    pub phase_id: Option<i64>,
}

pub async fn update_settings(
    ex: Ex<'_>,
    survey_id: i64,
    settings: &Settings<'_>,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE surveys SET title = $1, description = $2, audience = $3, opens_on = $4, \
         closes_on = $5, phase_id = $6 WHERE id = $7"
    )
    .bind(settings.title)
    .bind(settings.description)
    .bind(settings.audience)
    .bind(settings.opens_on)
    .bind(settings.closes_on)
    .bind(settings.phase_id)
    .bind(survey_id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Removes the sections and questions (their options with them) of a survey nobody has
/// answered, before [`super::surveys::insert_structure`] stores the new ones.
pub async fn delete_structure(mut ex: Ex<'_>, survey_id: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex.reborrow(), |c| sqlx::query(
        "DELETE FROM survey_options WHERE question_id IN \
         (SELECT id FROM survey_questions WHERE survey_id = $1)"
    )
    .bind(survey_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    on_conn!(ex.reborrow(), |c| sqlx::query(
        "DELETE FROM survey_questions WHERE survey_id = $1"
    )
    .bind(survey_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM survey_sections WHERE survey_id = $1"
    )
    .bind(survey_id)
    .execute(c)
    .await
    .map(|_| ()))
}

pub async fn update_section_text(
    ex: Ex<'_>,
    survey_id: i64,
    position: i32,
    title: &str,
    description: &str,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE survey_sections SET title = $1, description = $2 \
         WHERE survey_id = $3 AND position = $4"
    )
    .bind(title)
    .bind(description)
    .bind(survey_id)
    .bind(position)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The wording of a question: its prompt, help and the labels of a scale's ends.
pub struct QuestionText<'a> {
    pub prompt: &'a str,
    pub help: &'a str,
    pub low_label: &'a str,
    pub high_label: &'a str,
}

pub async fn update_question_text(
    ex: Ex<'_>,
    question_id: i64,
    text: &QuestionText<'_>,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE survey_questions SET prompt = $1, help = $2, low_label = $3, high_label = $4 \
         WHERE id = $5"
    )
    .bind(text.prompt)
    .bind(text.help)
    .bind(text.low_label)
    .bind(text.high_label)
    .bind(question_id)
    .execute(c)
    .await
    .map(|_| ()))
}

pub async fn update_option_label(
    ex: Ex<'_>,
    question_id: i64,
    position: i32,
    label: &str,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE survey_options SET label = $1 WHERE question_id = $2 AND position = $3"
    )
    .bind(label)
    .bind(question_id)
    .bind(position)
    .execute(c)
    .await
    .map(|_| ()))
}

/// One wording changed after answers came in.
pub struct NewEdit<'a> {
    pub survey_id: i64,
    pub question_id: Option<i64>,
    pub field: &'a str,
    pub old_text: &'a str,
    pub new_text: &'a str,
    pub by: i64,
    pub at: i64,
}

pub async fn insert_edit(ex: Ex<'_>, edit: &NewEdit<'_>) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO survey_edits (survey_id, question_id, field, old_text, new_text, \
         edited_by, edited_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(edit.survey_id)
    .bind(edit.question_id)
    .bind(edit.field)
    .bind(edit.old_text)
    .bind(edit.new_text)
    .bind(edit.by)
    .bind(edit.at)
    .execute(c)
    .await
    .map(|_| ()))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EditRow {
    pub question_id: Option<i64>,
    pub field: String,
    pub old_text: String,
    pub new_text: String,
    pub editor: Option<String>,
    pub edited_at: i64,
}

/// The survey's log of corrections, newest first.
pub async fn edits_of(ex: Ex<'_>, survey_id: i64) -> Result<Vec<EditRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT e.question_id, e.field, e.old_text, e.new_text, \
         CASE WHEN u.display_name = '' THEN u.handle ELSE u.display_name END AS editor, \
         e.edited_at \
         FROM survey_edits e LEFT JOIN users u ON u.id = e.edited_by \
         WHERE e.survey_id = $1 ORDER BY e.id DESC"
    )
    .bind(survey_id)
    .fetch_all(c)
    .await)
}

pub async fn set_state(ex: Ex<'_>, survey_id: i64, state: &str) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE surveys SET state = $1 WHERE id = $2"
    )
    .bind(state)
    .bind(survey_id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Removes a survey with everything it holds; `false` when it had answers meanwhile (the
/// check and the removal are one statement).
pub async fn delete_unanswered(ex: Ex<'_>, survey_id: i64) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM surveys WHERE id = $1 AND response_count = 0 \
         AND NOT EXISTS (SELECT 1 FROM survey_polls p WHERE p.survey_id = surveys.id)"
    )
    .bind(survey_id)
    .execute(c)
    .await
    .map(|done| done.rows_affected() == 1))
}
