//! The survey answer form as typed: a value per question (`answers.{question}`, repeated
//! for each chosen option), a rank per option of a ranking (`answers.{question}.{option}`)
//! and, for a paper answer, the paper's attributes; read into the service's answers, or
//! filled from a stored answer to change it.

use crate::msg;
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::domain::surveys::QuestionKind;
use crate::error::{AppError, FieldError, Invalid};
use crate::services::survey_responses::{self, ProxyInput};
use crate::services::surveys::SurveyView;

/// What the form holds, by field name, as typed (or as stored, when changing an answer):
/// `answers.{question}` for one value or each chosen option, `answers.{question}.{option}`
/// for the rank given to an option.
#[derive(Debug, Default)]
pub struct Typed(HashMap<String, Vec<String>>);

impl Typed {
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut typed: HashMap<String, Vec<String>> = HashMap::new();
        for (name, value) in pairs {
            if name.starts_with("answers.") || name.starts_with("proxy_") {
                typed.entry(name.clone()).or_default().push(value.clone());
            }
        }
        Typed(typed)
    }

    pub fn from_answers(survey: &SurveyView, answers: &BTreeMap<String, Value>) -> Self {
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let mut typed: HashMap<String, Vec<String>> = HashMap::new();
        for question in survey.questions() {
            let Some(value) = answers.get(&question.id.to_string()) else {
                continue;
            };
            let values: Vec<String> = match value {
                Value::Array(items) => items.iter().map(text).collect(),
                Value::Null => Vec::new(),
                one => vec![text(one)],
            };
            if question.kind == QuestionKind::Ranking {
                for (rank, option) in values.iter().enumerate() {
                    typed.insert(
                        format!("answers.{}.{option}", question.id),
                        vec![(rank + 1).to_string()],
                    );
                }
            } else {
                typed.insert(format!("answers.{}", question.id), values);
            }
        }
        Typed(typed)
    }

    pub fn first(&self, name: &str) -> String {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map(Vec::as_slice).unwrap_or_default()
    }

    /// The answers in the shape the service reads; a ranking is the options in the order
    /// of the ranks given. Two options with one rank are refused at the question, together
    /// with whatever the service finds wrong in the other answers.
    pub fn answers(&self, survey: &SurveyView) -> Result<BTreeMap<String, Value>, AppError> {
        let (answers, mut errors) = self.read(survey);
        if errors.is_empty() {
            return Ok(answers);
        }
        if let Err(AppError::Validation(found)) = survey_responses::check_answers(survey, &answers)
        {
            let refused: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(found.into_iter().filter(|e| !refused.contains(&e.field)));
        }
        Err(AppError::Validation(errors))
    }

    fn read(&self, survey: &SurveyView) -> (BTreeMap<String, Value>, Vec<FieldError>) {
        let mut answers = BTreeMap::new();
        let mut errors = Vec::new();
        for question in survey.questions() {
            let field = format!("answers.{}", question.id);
            if question.kind == QuestionKind::Ranking {
                let mut ranked: Vec<(i64, i32)> = Vec::new();
                for option in &question.options {
                    let given = self.first(&format!("{field}.{}", option.number));
                    let given = given.trim();
                    if given.is_empty() {
                        continue;
                    }
                    match given.parse::<i64>() {
                        Ok(rank) => ranked.push((rank, option.number)),
                        Err(_) => errors.push(
                            Invalid::new("not_a_number", msg!("error-rank-number"))
                                .at(field.clone()),
                        ),
                    }
                }
                ranked.sort_unstable();
                if ranked.windows(2).any(|w| w[0].0 == w[1].0) {
                    errors.push(
                        Invalid::new("duplicate_rank", msg!("error-duplicate-rank"))
                            .at(field.clone()),
                    );
                }
                let order: Vec<Value> = ranked.iter().map(|(_, o)| Value::from(*o)).collect();
                answers.insert(question.id.to_string(), Value::Array(order));
            } else {
                let given: Vec<Value> = self.all(&field).iter().cloned().map(Value::from).collect();
                let value = match (question.kind, given.len()) {
                    (QuestionKind::MultipleChoice, _) => Value::Array(given),
                    (_, 0) => Value::Null,
                    (_, 1) => given.into_iter().next().unwrap_or_default(),
                    (_, _) => Value::Array(given),
                };
                answers.insert(question.id.to_string(), value);
            }
        }
        (answers, errors)
    }

    pub fn proxy(&self) -> ProxyInput {
        ProxyInput {
            age_band: Some(self.first("proxy_age_band")),
            area: Some(self.first("proxy_area")),
            relations: self.all("proxy_relations").to_vec(),
        }
    }
}
