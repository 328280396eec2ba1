//! A survey's results by age band, area or relation to the municipality, and the staff's
//! export of the anonymous answers, both without exposing anyone: every published count is
//! of at least k people or held back (`domain::k_anonymity`), areas with fewer than k
//! respondents are counted together as "other areas", and an exported answer carries only
//! attributes that at least k exported answers share.

use crate::msg;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Viewer;
use super::surveys::{self, QuestionView, SurveyView};
use crate::domain::k_anonymity::protect;
use crate::domain::surveys::QuestionKind;
use crate::domain::{AgeBand, Relation};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::surveys::{self as store, Attributes};

/// What the respondents are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    AgeBand,
    Area,
    /// Lives, works, studies or visits; a respondent may be in several groups.
    Relation,
}

impl Dimension {
    pub const ALL: [Dimension; 3] = [Dimension::AgeBand, Dimension::Area, Dimension::Relation];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::AgeBand => "age_band",
            Dimension::Area => "area",
            Dimension::Relation => "relation",
        }
    }
}

/// A group of respondents: an attribute's value, those who gave none, or (areas) the areas
/// with fewer than k respondents together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Group {
    Value(String),
    NotGiven,
    OtherAreas,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreakdownRow {
    pub group: Group,
    /// How many of the group answered the question; `null` when fewer than k (or held back
    /// so that the totals do not reveal another count).
    pub answered: Option<i64>,
    /// One count per column; `null` where held back.
    pub counts: Vec<Option<i64>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionBreakdown {
    pub id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    /// The options, or the points of a scale, in order.
    pub columns: Vec<String>,
    pub rows: Vec<BreakdownRow>,
    /// Everyone's count per column (as in the results); `null` where held back.
    pub totals: Vec<Option<i64>>,
    pub answered: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Breakdown {
    pub survey_id: i64,
    pub title: String,
    pub by: Dimension,
    /// k: the fewest people a published count may count.
    pub min_group: i64,
    /// Choice, ranking and scale questions (others have no counts to break down).
    pub questions: Vec<QuestionBreakdown>,
}

/// Results are for staff at any time and for everyone once the survey has closed.
async fn readable(state: &AppState, viewer: &Viewer, id: i64) -> Result<SurveyView, AppError> {
    let survey = surveys::get(state, viewer, id).await?;
    if !survey.closed && !viewer.can_manage_themes() {
        return Err(AppError::Forbidden(msg!("error-results-after-close")));
    }
    Ok(survey)
}

/// The groups a response belongs to along `by`, before small areas are merged.
fn raw_groups(attributes: &Attributes, by: Dimension) -> Vec<Group> {
    let value = |v: &Option<String>| match v.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Group::Value(v.to_string()),
        _ => Group::NotGiven,
    };
    match by {
        Dimension::AgeBand => vec![value(&attributes.age_band)],
        Dimension::Area => vec![value(&attributes.area)],
        Dimension::Relation => {
            let groups: Vec<Group> = attributes
                .relations
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| Group::Value(r.to_string()))
                .collect();
            if groups.is_empty() {
                vec![Group::NotGiven]
            } else {
                groups
            }
        }
    }
}

/// The rows of a breakdown, in order, and how each raw group maps onto them.
pub(super) struct Rows {
    pub(super) order: Vec<Group>,
    merged: HashMap<Group, Group>,
}

impl Rows {
    /// The rows for groups of these sizes: every age band or relation, the areas of at
    /// least k people (the others together), and those who gave none.
    pub(super) fn of(by: Dimension, sizes: &[(Attributes, i64)], k: i64) -> Self {
        let mut order: Vec<Group> = match by {
            Dimension::AgeBand => AgeBand::ALL
                .iter()
                .map(|b| Group::Value(b.as_str().to_string()))
                .collect(),
            Dimension::Relation => Relation::ALL
                .iter()
                .map(|r| Group::Value(r.as_str().to_string()))
                .collect(),
            Dimension::Area => Vec::new(),
        };
        let mut merged = HashMap::new();
        if by == Dimension::Area {
            let mut per_area: HashMap<Group, i64> = HashMap::new();
            for (attributes, count) in sizes {
                for group in raw_groups(attributes, by) {
                    *per_area.entry(group).or_default() += count;
                }
            }
            let mut named: Vec<String> = Vec::new();
            let mut other = false;
            for (group, count) in &per_area {
                if let Group::Value(name) = group {
                    if *count >= k {
                        named.push(name.clone());
                    } else {
                        merged.insert(group.clone(), Group::OtherAreas);
                        other = true;
                    }
                }
            }
            named.sort();
            order.extend(named.into_iter().map(Group::Value));
            if other {
                order.push(Group::OtherAreas);
            }
        }
        order.push(Group::NotGiven);
        Rows { order, merged }
    }

    /// The rows a response with these attributes is counted in.
    pub(super) fn of_response(&self, attributes: &Attributes, by: Dimension) -> Vec<usize> {
        let mut rows: Vec<usize> = raw_groups(attributes, by)
            .into_iter()
            .map(|g| self.merged.get(&g).cloned().unwrap_or(g))
            .filter_map(|g| self.order.iter().position(|o| *o == g))
            .collect();
        rows.dedup();
        rows
    }
}

/// A column of a breakdown: its heading, and the option or the point it counts.
type Column = (String, Option<i32>, Option<i64>);

/// The columns of a question with counts: its options, or its scale's points.
fn columns(question: &QuestionView) -> Option<Vec<Column>> {
    match question.kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::Ranking => Some(
            question
                .options
                .iter()
                .map(|o| (o.label.clone(), Some(o.number), None))
                .collect(),
        ),
        QuestionKind::Scale | QuestionKind::ZeroToTen => {
            let (low, high) = (question.low?, question.high?);
            Some(
                (low..=high)
                    .map(|p| (p.to_string(), None, Some(p)))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// A survey's results by one attribute, k-anonymous.
pub async fn of_survey(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    by: Dimension,
) -> Result<Breakdown, AppError> {
    let survey = readable(state, viewer, id).await?;
    let k = state.config.limits.statistics_min_group;
    let mut conn = state.db.acquire().await?;
    let values = store::group_value_counts(conn.ex(), id).await?;
    let answered = store::group_answered(conn.ex(), id).await?;
    let sizes = store::group_sizes(conn.ex(), id).await?;
    drop(conn);
    let sizes: Vec<(Attributes, i64)> = sizes.into_iter().map(|s| (s.group, s.count)).collect();
    let rows = Rows::of(by, &sizes, k);
    let mut questions = Vec::new();
    for question in survey.questions() {
        let Some(columns) = columns(question) else {
            continue;
        };
        let mut cells = vec![vec![0i64; columns.len()]; rows.order.len()];
        let mut totals = vec![0i64; columns.len()];
        for value in values.iter().filter(|v| v.question_id == question.id) {
            let Some(column) = columns.iter().position(|(_, choice, point)| {
                (choice.is_some() && *choice == value.choice_position)
                    || (point.is_some() && *point == value.number)
            }) else {
                continue;
            };
            totals[column] += value.count;
            for row in rows.of_response(&value.group, by) {
                cells[row][column] += value.count;
            }
        }
        let mut row_totals = vec![0i64; rows.order.len()];
        let mut everyone = 0;
        for group in answered.iter().filter(|a| a.question_id == question.id) {
            everyone += group.count;
            for row in rows.of_response(&group.group, by) {
                row_totals[row] += group.count;
            }
        }
        let protected = protect(&cells, &row_totals, &totals, k);
        questions.push(QuestionBreakdown {
            id: question.id,
            kind: question.kind,
            prompt: question.prompt.clone(),
            columns: columns.into_iter().map(|(label, _, _)| label).collect(),
            rows: rows
                .order
                .iter()
                .cloned()
                .zip(protected.cells)
                .zip(protected.row_totals)
                .map(|((group, counts), answered)| BreakdownRow {
                    group,
                    answered,
                    counts,
                })
                .collect(),
            totals: protected.column_totals,
            answered: everyone,
        });
    }
    Ok(Breakdown {
        survey_id: id,
        title: survey.title.clone(),
        by,
        min_group: k,
        questions,
    })
}

/// One exported response: its attributes as far as k of the exported responses share them,
/// and its answer to each question as text (options by their labels, a ranking in order).
pub struct ExportedResponse {
    pub proxy: bool,
    pub age_band: Option<String>,
    pub area: Option<String>,
    pub relations: Option<String>,
    pub answers: Vec<String>,
}

pub struct AnswerExport {
    pub questions: Vec<QuestionView>,
    pub responses: Vec<ExportedResponse>,
}

/// The anonymous answers for staff. Attributes are given up, area first, then relations,
/// then age band, until every combination that is shown is shared by at least k responses.
pub async fn anonymous_answers(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<AnswerExport, AppError> {
    viewer.require_staff()?;
    let survey = surveys::get(state, viewer, id).await?;
    let k = state.config.limits.statistics_min_group;
    let mut conn = state.db.acquire().await?;
    let rows = store::export(conn.ex(), id).await?;
    drop(conn);
    let questions: Vec<QuestionView> = survey.questions().cloned().collect();
    let mut responses: Vec<(Attributes, ExportedResponse)> = Vec::new();
    let mut values: Vec<Vec<Vec<String>>> = Vec::new();
    let mut current: Option<i64> = None;
    for row in &rows {
        if current != Some(row.response_id) {
            current = Some(row.response_id);
            responses.push((
                row.group.clone(),
                ExportedResponse {
                    proxy: row.proxy,
                    age_band: None,
                    area: None,
                    relations: None,
                    answers: Vec::new(),
                },
            ));
            values.push(vec![Vec::new(); questions.len()]);
        }
        let (Some(question_id), Some(answers)) = (row.question_id, values.last_mut()) else {
            continue;
        };
        let Some(index) = questions.iter().position(|q| q.id == question_id) else {
            continue;
        };
        let question = &questions[index];
        let text = if let Some(choice) = row.choice_position {
            question
                .options
                .iter()
                .find(|o| o.number == choice)
                .map(|o| o.label.clone())
                .unwrap_or_default()
        } else if let Some(number) = row.number {
            number.to_string()
        } else {
            row.text.clone().unwrap_or_default()
        };
        answers[index].push(text);
    }
    for ((_, response), answers) in responses.iter_mut().zip(values) {
        response.answers = answers.into_iter().map(|a| a.join(" / ")).collect();
    }
    generalise(&mut responses, k);
    Ok(AnswerExport {
        questions,
        responses: responses.into_iter().map(|(_, r)| r).collect(),
    })
}

/// Gives each response the most detailed attributes that at least k shown responses share.
fn generalise(responses: &mut [(Attributes, ExportedResponse)], k: i64) {
    type Key = (Option<String>, Option<String>, Option<String>);
    let given = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let levels: [fn(&Attributes) -> Key; 4] = [
        |a| {
            (
                a.age_band.clone(),
                a.area.clone(),
                Some(a.relations.clone()),
            )
        },
        |a| (a.age_band.clone(), None, Some(a.relations.clone())),
        |a| (a.age_band.clone(), None, None),
        |_| (None, None, None),
    ];
    let mut pending: Vec<usize> = (0..responses.len()).collect();
    for (level, key_of) in levels.iter().enumerate() {
        let mut groups: HashMap<Key, Vec<usize>> = HashMap::new();
        for &i in &pending {
            groups.entry(key_of(&responses[i].0)).or_default().push(i);
        }
        let last = level == levels.len() - 1;
        let mut still = Vec::new();
        for (key, members) in groups {
            if members.len() as i64 >= k || last {
                for i in members {
                    let response = &mut responses[i].1;
                    response.age_band = given(&key.0);
                    response.area = given(&key.1);
                    response.relations = given(&key.2);
                }
            } else {
                still.extend(members);
            }
        }
        still.sort_unstable();
        pending = still;
    }
}
