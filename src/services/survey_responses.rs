//! Answering a survey: each answer checked against its question, then stored without the
//! account (a resident's account is only marked as having answered; a link is used up; a
//! paper answer is marked as entered by staff). The key returned with the answer changes it.

use crate::msg;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Viewer;
use super::accounts::token_digest;
use super::surveys::{Audience, QuestionView, SurveyView, get};
use crate::domain::surveys::{Answer, Question};
use crate::domain::{AgeBand, Relation, receipt_key};
use crate::error::{AppError, Invalid};
use crate::state::AppState;
use crate::storage::accounts as account_store;
use crate::storage::surveys::{self as store, AnswerValue, NewResponse};

/// What a respondent sends: an answer per question id (a number, a text, or a list for
/// multiple choice and ranking), and for the other ways of answering, the one-time link's
/// secret or the proxy's record.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, serde_json::Value>,
    /// The secret of a one-time link (surveys answered by link).
    #[serde(default)]
    pub link: Option<String>,
    /// Help-desk staff entering a paper answer on a resident's behalf, with the resident's
    /// attributes as written on the paper.
    #[serde(default)]
    pub proxy: Option<ProxyInput>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyInput {
    #[serde(default)]
    #[schema(schema_with = crate::domain::schemas::age_band_optional)]
    pub age_band: Option<String>,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub area: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<crate::domain::Relation>)]
    pub relations: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    pub survey_id: i64,
    /// Keep it to change the answer until the survey closes: the server keeps only its
    /// digest and cannot tell whose answer it opens.
    pub edit_key: String,
}

/// The question as the domain checks answers against it.
fn as_question(view: &QuestionView) -> Question {
    Question {
        kind: view.kind,
        prompt: view.prompt.clone(),
        help: view.help.clone(),
        required: view.required,
        options: view.options.iter().map(|o| o.label.clone()).collect(),
        max_choices: view.max_choices,
        low: view.low,
        high: view.high,
        low_label: view.low_label.clone(),
        high_label: view.high_label.clone(),
    }
}

/// One value as sent, as text: a JSON number or string, or each item of a list.
fn given_values(value: &serde_json::Value) -> Result<Vec<String>, Invalid> {
    let one = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        _ => Err(Invalid::new("invalid_type", msg!("error-answer-type"))),
    };
    match value {
        serde_json::Value::Null => Ok(Vec::new()),
        serde_json::Value::Array(items) => items.iter().map(one).collect(),
        other => one(other).map(|v| vec![v]),
    }
}

/// Checks every answer against its question; errors are at `answers.{question id}`.
pub fn check_answers(
    survey: &SurveyView,
    given: &BTreeMap<String, serde_json::Value>,
) -> Result<Vec<AnswerValue>, AppError> {
    let mut errors = Vec::new();
    for key in given.keys() {
        let known = key
            .parse::<i64>()
            .is_ok_and(|id| survey.questions().any(|q| q.id == id));
        if !known {
            errors.push(
                Invalid::new("unknown_question", msg!("error-no-such-question"))
                    .at(format!("answers.{key}")),
            );
        }
    }
    let mut values = Vec::new();
    for view in survey.questions() {
        let field = format!("answers.{}", view.id);
        let raw = match given.get(&view.id.to_string()).map(given_values) {
            None => Vec::new(),
            Some(Ok(raw)) => raw,
            Some(Err(e)) => {
                errors.push(e.at(field));
                continue;
            }
        };
        match as_question(view).answer(&raw) {
            Ok(None) => {}
            Ok(Some(answer)) => values.extend(stored(view.id, answer)),
            Err(e) => errors.push(e.at(field)),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(AppError::Validation(errors))
    }
}

fn stored(question_id: i64, answer: Answer) -> Vec<AnswerValue> {
    let base = AnswerValue {
        question_id,
        ..AnswerValue::default()
    };
    match answer {
        Answer::Choices(chosen) => chosen
            .into_iter()
            .map(|c| AnswerValue {
                choice_position: Some(c),
                ..base.clone()
            })
            .collect(),
        Answer::Ranking(order) => order
            .into_iter()
            .enumerate()
            .map(|(i, c)| AnswerValue {
                choice_position: Some(c),
                rank: Some(i as i32 + 1),
                ..base.clone()
            })
            .collect(),
        Answer::Number(n) => vec![AnswerValue {
            number: Some(n),
            ..base
        }],
        Answer::Text(text) => vec![AnswerValue {
            text: Some(text),
            ..base
        }],
    }
}

/// The attributes copied into a response: the resident's profile, or what the paper says.
struct Attributes {
    age_band: Option<String>,
    area: Option<String>,
    relations: String,
}

fn proxy_attributes(proxy: &ProxyInput) -> Result<Attributes, AppError> {
    let mut errors = Vec::new();
    let age_band = match crate::domain::given(proxy.age_band.as_deref()) {
        None => None,
        Some(raw) => match AgeBand::parse(raw) {
            Ok(band) => Some(band.as_str().to_string()),
            Err(e) => {
                errors.push(e.at("proxy.age_band"));
                None
            }
        },
    };
    let area = crate::domain::optional_text(proxy.area.as_deref(), 100).unwrap_or_else(|e| {
        errors.push(e.at("proxy.area"));
        None
    });
    let mut relations = Vec::new();
    for (i, raw) in proxy.relations.iter().enumerate() {
        match Relation::parse(raw) {
            Ok(r) => relations.push(r),
            Err(e) => errors.push(e.at(format!("proxy.relations[{i}]"))),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(Attributes {
        age_band,
        area,
        relations: Relation::encode_set(&relations),
    })
}

/// A random response id (positive), so that ids do not follow the order of answering.
fn random_response_id() -> i64 {
    use rand::Rng;
    rand::rng().random_range(1..i64::MAX)
}

/// Stores an answer: a resident's own (once per account), one by one-time link, or a
/// paper answer entered by staff. Nothing is stored unless every answer fits.
pub async fn respond(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: &ResponseInput,
) -> Result<Receipt, AppError> {
    let survey = get(state, viewer, id).await?;
    if !survey.open {
        return Err(AppError::NotAllowedNow(msg!("error-survey-closed")));
    }
    let values = check_answers(&survey, &input.answers)?;
    let edit_key = receipt_key::new_key();
    let edit_key_hash = token_digest(&receipt_key::canonical(&edit_key));
    let mut tx = state.db.begin().await?;
    let (attributes, proxy) = if let Some(proxy) = &input.proxy {
        let staff = viewer.require_staff()?;
        tracing::info!(survey = id, by = staff.id, "paper answer entered");
        (proxy_attributes(proxy)?, true)
    } else {
        match survey.audience {
            Audience::Residents => {
                let user = viewer.user()?;
                if !store::mark_answered(tx.ex(), id, user.id).await? {
                    return Err(AppError::conflict("answers", msg!("error-survey-answered")));
                }
                let row = account_store::find_user(tx.ex(), user.id)
                    .await?
                    .ok_or(AppError::Unauthenticated)?;
                let attributes = Attributes {
                    age_band: row.age_band,
                    area: row.area,
                    relations: row.relations,
                };
                (attributes, false)
            }
            Audience::Link => {
                let token = crate::domain::given(input.link.as_deref()).ok_or_else(|| {
                    AppError::invalid("link", "required", msg!("error-link-required"))
                })?;
                if !store::use_link(tx.ex(), id, &token_digest(token)).await? {
                    return Err(AppError::invalid(
                        "link",
                        "used_or_unknown",
                        msg!("error-link-used"),
                    ));
                }
                let none = Attributes {
                    age_band: None,
                    area: None,
                    relations: String::new(),
                };
                (none, false)
            }
        }
    };
    let response_id = random_response_id();
    store::insert_response(
        tx.ex(),
        &NewResponse {
            id: response_id,
            survey_id: id,
            edit_key_hash: Some(&edit_key_hash),
            proxy,
            age_band: attributes.age_band.as_deref(),
            area: attributes.area.as_deref(),
            relations: &attributes.relations,
        },
    )
    .await?;
    store::insert_answers(tx.ex(), response_id, &values).await?;
    tx.commit().await?;
    Ok(Receipt {
        survey_id: id,
        edit_key,
    })
}

/// The response an edit key opens in its survey; a key that opens none is refused at the
/// key's field.
async fn response_of_key(
    mut ex: crate::storage::Ex<'_>,
    survey_id: i64,
    edit_key: &str,
) -> Result<i64, AppError> {
    // A receipt's key as typed in any form; keys given before receipts were grouped are
    // compared as they were given.
    if let Some(found) = store::response_by_key(
        ex.reborrow(),
        survey_id,
        &token_digest(&receipt_key::canonical(edit_key)),
    )
    .await?
    {
        return Ok(found);
    }
    store::response_by_key(ex, survey_id, &token_digest(edit_key.trim()))
        .await?
        .ok_or_else(|| AppError::invalid("edit_key", "unknown", msg!("error-unknown-key")))
}

/// Replaces the answers of the response that `edit_key` opens, while the survey is open.
pub async fn change_response(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    edit_key: &str,
    answers: &BTreeMap<String, serde_json::Value>,
) -> Result<(), AppError> {
    let survey = get(state, viewer, id).await?;
    if !survey.open {
        return Err(AppError::NotAllowedNow(msg!("error-survey-closed-change")));
    }
    let values = check_answers(&survey, answers)?;
    let mut tx = state.db.begin().await?;
    let response_id = response_of_key(tx.ex(), id, edit_key).await?;
    store::delete_answers(tx.ex(), response_id).await?;
    store::insert_answers(tx.ex(), response_id, &values).await?;
    tx.commit().await?;
    Ok(())
}

/// The answers that `edit_key` opens, in the shape they are sent in (an option number, a
/// list of them in order, a number or a text per question id), to fill the form that
/// changes them.
pub async fn answers_for_key(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    edit_key: &str,
) -> Result<BTreeMap<String, serde_json::Value>, AppError> {
    use crate::domain::surveys::QuestionKind;
    use serde_json::Value;
    let survey = get(state, viewer, id).await?;
    let mut conn = state.db.acquire().await?;
    let response_id = response_of_key(conn.ex(), id, edit_key).await?;
    let rows = store::answers_of_response(conn.ex(), response_id).await?;
    drop(conn);
    let mut answers = BTreeMap::new();
    for question in survey.questions() {
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r.question_id == question.id)
            .collect();
        let Some(first) = mine.first() else { continue };
        let value = match question.kind {
            QuestionKind::MultipleChoice | QuestionKind::Ranking => Value::Array(
                mine.iter()
                    .filter_map(|r| r.choice_position)
                    .map(Value::from)
                    .collect(),
            ),
            QuestionKind::SingleChoice => {
                first.choice_position.map(Value::from).unwrap_or_default()
            }
            QuestionKind::Number | QuestionKind::Scale | QuestionKind::ZeroToTen => {
                first.number.map(Value::from).unwrap_or_default()
            }
            QuestionKind::ShortText | QuestionKind::LongText | QuestionKind::Date => {
                first.text.clone().map(Value::from).unwrap_or_default()
            }
        };
        answers.insert(question.id.to_string(), value);
    }
    Ok(answers)
}
