//! Surveys: their sections, questions and options, the anonymous responses with their
//! answers, the marker that an account has answered, one-time links, and the aggregates
//! the results are drawn from.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SurveyRow {
    pub id: i64,
    pub theme_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub audience: String,
    pub opens_on: Option<String>,
    pub closes_on: Option<String>,
    pub phase_id: Option<i64>,
    pub response_count: i32,
    pub created_at: i64,
    /// When staff closed it before its end, if they did.
    pub closed_at: Option<i64>,
    /// `draft`, `published` or `archived`.
    pub state: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SectionRow {
    pub position: i32,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuestionRow {
    pub id: i64,
    pub section: i32,
    pub position: i32,
    pub kind: String,
    pub prompt: String,
    pub help: String,
    pub required: bool,
    pub max_choices: Option<i64>,
    pub low: Option<i64>,
    pub high: Option<i64>,
    pub low_label: String,
    pub high_label: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OptionRow {
    pub question_id: i64,
    pub position: i32,
    pub label: String,
}

pub struct NewSurvey<'a> {
    pub theme_id: Option<i64>,
    pub title: &'a str,
    pub description: &'a str,
    pub audience: &'a str,
    pub opens_on: Option<&'a str>,
    pub closes_on: Option<&'a str>,
    pub phase_id: Option<i64>,
    pub by: i64,
    pub now: i64,
    /// `draft` or `published`.
    pub state: &'a str,
}

pub struct NewSection<'a> {
    pub title: &'a str,
    pub description: &'a str,
}

/// A question to store, in its section (from 0) and position.
pub struct NewQuestion<'a> {
    pub section: i32,
    pub question: &'a crate::domain::surveys::Question,
}

/// One stored answer value (see the `survey_answers` table).
#[derive(Debug, Clone, Default)]
pub struct AnswerValue {
    pub question_id: i64,
    pub choice_position: Option<i32>,
    pub rank: Option<i32>,
    pub number: Option<i64>,
    pub text: Option<String>,
}

pub struct NewResponse<'a> {
    pub id: i64,
    pub survey_id: i64,
    pub edit_key_hash: Option<&'a str>,
    pub proxy: bool,
    pub age_band: Option<&'a str>,
    pub area: Option<&'a str>,
    pub relations: &'a str,
}

const SURVEY_COLUMNS: &str = "id, theme_id, title, description, audience, opens_on, closes_on, \
     phase_id, response_count, created_at, closed_at, state";

/// Closes a survey before its end (`Some(now)`), or opens it again (`None`).
pub async fn set_closed_at(
    ex: Ex<'_>,
    survey_id: i64,
    closed_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE surveys SET closed_at = $1 WHERE id = $2"
    )
    .bind(closed_at)
    .bind(survey_id)
    .execute(c)
    .await
    .map(|_| ()))
}

pub async fn insert(
    mut ex: Ex<'_>,
    survey: &NewSurvey<'_>,
    sections: &[NewSection<'_>],
    questions: &[NewQuestion<'_>],
) -> Result<i64, sqlx::Error> {
    let id: i64 = on_conn!(ex.reborrow(), |c| sqlx::query_scalar(
        "INSERT INTO surveys (theme_id, title, description, audience, opens_on, closes_on, \
         phase_id, response_count, created_by, created_at, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10) RETURNING id",
    )
    .bind(survey.theme_id)
    .bind(survey.title)
    .bind(survey.description)
    .bind(survey.audience)
    .bind(survey.opens_on)
    .bind(survey.closes_on)
    .bind(survey.phase_id)
    .bind(survey.by)
    .bind(survey.now)
    .bind(survey.state)
    .fetch_one(&mut *c)
    .await)?;
    insert_structure(ex, id, sections, questions).await?;
    Ok(id)
}

/// Stores a survey's sections and questions with their options (after
/// [`super::survey_edits::delete_structure`] when they replace others).
pub async fn insert_structure(
    ex: Ex<'_>,
    id: i64,
    sections: &[NewSection<'_>],
    questions: &[NewQuestion<'_>],
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        for (position, section) in sections.iter().enumerate() {
            sqlx::query(
                "INSERT INTO survey_sections (survey_id, position, title, description) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(position as i32)
            .bind(section.title)
            .bind(section.description)
            .execute(&mut *c)
            .await?;
        }
        for (position, q) in questions.iter().enumerate() {
            let question = q.question;
            let question_id: i64 = sqlx::query_scalar(
                "INSERT INTO survey_questions (survey_id, section, position, kind, prompt, help, \
                 required, max_choices, low, high, low_label, high_label) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(id)
            .bind(q.section)
            .bind(position as i32)
            .bind(question.kind.as_str())
            .bind(&question.prompt)
            .bind(&question.help)
            .bind(question.required)
            .bind(question.max_choices)
            .bind(question.low)
            .bind(question.high)
            .bind(&question.low_label)
            .bind(&question.high_label)
            .fetch_one(&mut *c)
            .await?;
            for (i, label) in question.options.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO survey_options (question_id, position, label) VALUES ($1, $2, $3)",
                )
                .bind(question_id)
                .bind(i as i32 + 1)
                .bind(label)
                .execute(&mut *c)
                .await?;
            }
        }
        Ok(())
    })
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<SurveyRow>, sqlx::Error> {
    let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)
}

pub async fn of_theme(ex: Ex<'_>, theme_id: i64) -> Result<Vec<SurveyRow>, sqlx::Error> {
    let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE theme_id = $1 ORDER BY id");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(theme_id)
        .fetch_all(&mut *c)
        .await)
}

pub async fn count_of_theme(ex: Ex<'_>, theme_id: i64) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM surveys WHERE theme_id = $1"
    )
    .bind(theme_id)
    .fetch_one(&mut *c)
    .await)
}

pub async fn sections(ex: Ex<'_>, survey_id: i64) -> Result<Vec<SectionRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT position, title, description FROM survey_sections WHERE survey_id = $1 \
         ORDER BY position"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

pub async fn questions(ex: Ex<'_>, survey_id: i64) -> Result<Vec<QuestionRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, section, position, kind, prompt, help, required, max_choices, low, high, \
         low_label, high_label FROM survey_questions WHERE survey_id = $1 ORDER BY position"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

pub async fn options(ex: Ex<'_>, survey_id: i64) -> Result<Vec<OptionRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT o.question_id, o.position, o.label FROM survey_options o \
         JOIN survey_questions q ON q.id = o.question_id WHERE q.survey_id = $1 \
         ORDER BY o.question_id, o.position"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

pub async fn has_answered(ex: Ex<'_>, survey_id: i64, user_id: i64) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM survey_respondents WHERE survey_id = $1 AND user_id = $2"
    )
    .bind(survey_id)
    .bind(user_id)
    .fetch_one(&mut *c)
    .await
    .map(|n| n > 0))
}

/// Records that an account has answered; false when it already had.
pub async fn mark_answered(ex: Ex<'_>, survey_id: i64, user_id: i64) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO survey_respondents (survey_id, user_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING"
    )
    .bind(survey_id)
    .bind(user_id)
    .execute(&mut *c)
    .await
    .map(|done| done.rows_affected() == 1))
}

/// Uses up a one-time link; false when it is unknown, of another survey or used.
pub async fn use_link(ex: Ex<'_>, survey_id: i64, token_hash: &str) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE survey_links SET used = TRUE \
         WHERE token_hash = $1 AND survey_id = $2 AND used = FALSE"
    )
    .bind(token_hash)
    .bind(survey_id)
    .execute(&mut *c)
    .await
    .map(|done| done.rows_affected() == 1))
}

/// Whether a one-time link can still be used.
pub async fn link_unused(
    ex: Ex<'_>,
    survey_id: i64,
    token_hash: &str,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM survey_links WHERE token_hash = $1 AND survey_id = $2 \
         AND used = FALSE"
    )
    .bind(token_hash)
    .bind(survey_id)
    .fetch_one(&mut *c)
    .await
    .map(|n| n > 0))
}

pub async fn insert_links(
    ex: Ex<'_>,
    survey_id: i64,
    token_hashes: &[String],
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        for hash in token_hashes {
            sqlx::query(
                "INSERT INTO survey_links (token_hash, survey_id, used) VALUES ($1, $2, FALSE)",
            )
            .bind(hash)
            .bind(survey_id)
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    })
}

/// Stores a response (its answers go in with [`insert_answers`]) and counts it.
pub async fn insert_response(ex: Ex<'_>, response: &NewResponse<'_>) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
            "INSERT INTO survey_responses (id, survey_id, edit_key_hash, proxy, age_band, area, \
             relations) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(response.id)
        .bind(response.survey_id)
        .bind(response.edit_key_hash)
        .bind(response.proxy)
        .bind(response.age_band)
        .bind(response.area)
        .bind(response.relations)
        .execute(&mut *c)
        .await?;
        sqlx::query("UPDATE surveys SET response_count = response_count + 1 WHERE id = $1")
            .bind(response.survey_id)
            .execute(&mut *c)
            .await?;
        Ok(())
    })
}

pub async fn insert_answers(
    ex: Ex<'_>,
    response_id: i64,
    answers: &[AnswerValue],
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        for answer in answers {
            sqlx::query(
                "INSERT INTO survey_answers (response_id, question_id, choice_position, rank, \
                 number, text) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(response_id)
            .bind(answer.question_id)
            .bind(answer.choice_position)
            .bind(answer.rank)
            .bind(answer.number)
            .bind(answer.text.as_deref())
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    })
}

/// The response that an edit key opens, in its survey.
pub async fn response_by_key(
    ex: Ex<'_>,
    survey_id: i64,
    edit_key_hash: &str,
) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT id FROM survey_responses WHERE survey_id = $1 AND edit_key_hash = $2"
    )
    .bind(survey_id)
    .bind(edit_key_hash)
    .fetch_optional(&mut *c)
    .await)
}

/// The answers of one response, to fill the form that changes them.
pub async fn answers_of_response(
    ex: Ex<'_>,
    response_id: i64,
) -> Result<Vec<StoredAnswer>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT question_id, choice_position, rank, number, text, response_id, hidden \
         FROM survey_answers WHERE response_id = $1 ORDER BY question_id, rank, choice_position"
    )
    .bind(response_id)
    .fetch_all(&mut *c)
    .await)
}

pub async fn delete_answers(ex: Ex<'_>, response_id: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM survey_answers WHERE response_id = $1"
    )
    .bind(response_id)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredAnswer {
    pub question_id: i64,
    pub choice_position: Option<i32>,
    pub rank: Option<i32>,
    pub number: Option<i64>,
    pub text: Option<String>,
    pub response_id: i64,
    pub hidden: bool,
}

/// How many answers of a survey share each value (free texts apart).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ValueCount {
    pub question_id: i64,
    pub choice_position: Option<i32>,
    pub rank: Option<i32>,
    pub number: Option<i64>,
    pub count: i64,
}

pub async fn value_counts(ex: Ex<'_>, survey_id: i64) -> Result<Vec<ValueCount>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT a.question_id, a.choice_position, a.rank, a.number, COUNT(*) AS count \
         FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id \
         WHERE q.survey_id = $1 AND a.text IS NULL \
         GROUP BY a.question_id, a.choice_position, a.rank, a.number"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

/// How many responses answered each question.
pub async fn answered_counts(ex: Ex<'_>, survey_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT a.question_id, COUNT(DISTINCT a.response_id) \
         FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id \
         WHERE q.survey_id = $1 GROUP BY a.question_id"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

/// A survey's free-text and date answers, with whether staff hid them.
pub async fn texts(ex: Ex<'_>, survey_id: i64) -> Result<Vec<StoredAnswer>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT a.question_id, a.choice_position, a.rank, a.number, a.text, a.response_id, \
         a.hidden FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id \
         WHERE q.survey_id = $1 AND a.text IS NOT NULL ORDER BY a.question_id, a.text"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

/// How many responses were entered by help-desk staff on a resident's behalf.
pub async fn proxy_count(ex: Ex<'_>, survey_id: i64) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1 AND proxy = TRUE"
    )
    .bind(survey_id)
    .fetch_one(&mut *c)
    .await)
}

/// Hides or shows one free-text answer; false when there is none.
pub async fn set_text_hidden(
    ex: Ex<'_>,
    question_id: i64,
    response_id: i64,
    hidden: bool,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE survey_answers SET hidden = $3 \
         WHERE question_id = $1 AND response_id = $2 AND text IS NOT NULL"
    )
    .bind(question_id)
    .bind(response_id)
    .bind(hidden)
    .execute(&mut *c)
    .await
    .map(|done| done.rows_affected() > 0))
}

/// The attributes copied into responses, as one combination (the statistics' groups).
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::FromRow)]
pub struct Attributes {
    pub age_band: Option<String>,
    pub area: Option<String>,
    pub relations: String,
}

/// How many answers share each value, per combination of attributes (free texts apart; a
/// ranked option counts once whatever its place).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupValueCount {
    #[sqlx(flatten)]
    pub group: Attributes,
    pub question_id: i64,
    pub choice_position: Option<i32>,
    pub number: Option<i64>,
    pub count: i64,
}

pub async fn group_value_counts(
    ex: Ex<'_>,
    survey_id: i64,
) -> Result<Vec<GroupValueCount>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT r.age_band, r.area, r.relations, a.question_id, a.choice_position, a.number, \
         COUNT(*) AS count FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id \
         WHERE r.survey_id = $1 AND a.text IS NULL \
         GROUP BY r.age_band, r.area, r.relations, a.question_id, a.choice_position, a.number"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

/// How many responses of each combination of attributes answered each question.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupAnswered {
    #[sqlx(flatten)]
    pub group: Attributes,
    pub question_id: i64,
    pub count: i64,
}

pub async fn group_answered(ex: Ex<'_>, survey_id: i64) -> Result<Vec<GroupAnswered>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT r.age_band, r.area, r.relations, a.question_id, \
         COUNT(DISTINCT a.response_id) AS count \
         FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id \
         WHERE r.survey_id = $1 GROUP BY r.age_band, r.area, r.relations, a.question_id"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

/// How many responses each combination of attributes has.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupSize {
    #[sqlx(flatten)]
    pub group: Attributes,
    pub count: i64,
}

pub async fn group_sizes(ex: Ex<'_>, survey_id: i64) -> Result<Vec<GroupSize>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT age_band, area, relations, COUNT(*) AS count FROM survey_responses \
         WHERE survey_id = $1 GROUP BY age_band, area, relations"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

/// Every answer of a survey with its response's attributes, for the staff's export; in the
/// order of the random response ids, which says nothing of when anyone answered.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportedAnswer {
    pub response_id: i64,
    pub proxy: bool,
    #[sqlx(flatten)]
    pub group: Attributes,
    pub question_id: Option<i64>,
    pub choice_position: Option<i32>,
    pub rank: Option<i32>,
    pub number: Option<i64>,
    pub text: Option<String>,
}

pub async fn export(ex: Ex<'_>, survey_id: i64) -> Result<Vec<ExportedAnswer>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT r.id AS response_id, r.proxy, r.age_band, r.area, r.relations, a.question_id, \
         a.choice_position, a.rank, a.number, a.text \
         FROM survey_responses r LEFT JOIN survey_answers a ON a.response_id = r.id \
         WHERE r.survey_id = $1 ORDER BY r.id, a.question_id, a.rank, a.choice_position"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}
