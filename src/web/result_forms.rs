//! The form of a section of results, shared by publishing and editing: heading, text, and
//! the ideas it took up chosen from the theme's list (with how each was taken up), which a
//! search narrows — on the server without a script, as one types with it.

use crate::services::result_editing::IdeaChoice;
use crate::services::results::{ReflectInput, ResultInput, ResultView};

#[derive(Debug, Default, Clone)]
pub struct SectionForm {
    pub heading: String,
    pub body: String,
    /// The ideas ticked, with how each was taken up, in the order they were ticked.
    pub chosen: Vec<(i64, String)>,
    /// Words that narrow the list of ideas.
    pub idea_filter: String,
}

/// One idea offered in the list.
pub struct Offered {
    pub id: i64,
    pub title: String,
    pub support_count: i64,
    pub chosen: bool,
    pub note: String,
}

impl SectionForm {
    /// The form as sent: `idea` once per ticked idea, `note_{id}` for how each was taken up.
    pub fn from_pairs(pairs: &[(String, String)]) -> SectionForm {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut chosen: Vec<(i64, String)> = Vec::new();
        for (key, value) in pairs {
            if key == "idea"
                && let Ok(id) = value.trim().parse::<i64>()
                && !chosen.iter().any(|(c, _)| *c == id)
            {
                chosen.push((id, get(&format!("note_{id}"))));
            }
        }
        SectionForm {
            heading: get("heading"),
            body: get("body"),
            chosen,
            idea_filter: get("idea_filter"),
        }
    }

    pub fn from_view(result: &ResultView) -> SectionForm {
        SectionForm {
            heading: result.heading.clone(),
            body: result.body.clone(),
            chosen: result
                .reflects
                .iter()
                .map(|r| (r.proposal_id, r.note.clone()))
                .collect(),
            idea_filter: String::new(),
        }
    }

    pub fn input(&self) -> ResultInput {
        ResultInput {
            heading: self.heading.clone(),
            body: self.body.clone(),
            reflects: self
                .chosen
                .iter()
                .map(|(id, note)| ReflectInput {
                    proposal_id: *id,
                    note: note.clone(),
                })
                .collect(),
        }
    }

    /// The ideas to show: the ticked ones first (even when the search leaves them out),
    /// then the others found.
    pub fn offered(&self, found: &[IdeaChoice], all: &[IdeaChoice]) -> Vec<Offered> {
        let mut offered: Vec<Offered> = self
            .chosen
            .iter()
            .map(|(id, note)| {
                let known = all.iter().chain(found).find(|c| c.id == *id);
                Offered {
                    id: *id,
                    title: known.map(|c| c.title.clone()).unwrap_or_default(),
                    support_count: known.map_or(0, |c| c.support_count),
                    chosen: true,
                    note: note.clone(),
                }
            })
            .collect();
        for choice in found {
            if !self.chosen.iter().any(|(id, _)| *id == choice.id) {
                offered.push(Offered {
                    id: choice.id,
                    title: choice.title.clone(),
                    support_count: choice.support_count,
                    chosen: false,
                    note: String::new(),
                });
            }
        }
        offered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ticked_ideas_keep_their_notes_and_order_once_each() {
        let form = SectionForm::from_pairs(&pairs(&[
            ("heading", "公園"),
            ("idea", "7"),
            ("note_7", "計画の3.2に"),
            ("idea", "3"),
            ("idea", "7"),
            ("note_3", ""),
            ("note_9", "not ticked"),
        ]));
        assert_eq!(
            form.chosen,
            vec![(7, "計画の3.2に".to_string()), (3, String::new())]
        );
        let input = form.input();
        assert_eq!(input.reflects.len(), 2);
        assert_eq!(input.reflects[0].note, "計画の3.2に");
    }

    #[test]
    fn ticked_ideas_stay_offered_when_the_search_leaves_them_out() {
        let choice = |id: i64, title: &str| IdeaChoice {
            id,
            title: title.into(),
            support_count: id,
        };
        let all = vec![choice(1, "ベンチ"), choice(2, "木陰"), choice(3, "トイレ")];
        let found = vec![choice(2, "木陰")];
        let form = SectionForm {
            chosen: vec![(3, "採用".into())],
            ..SectionForm::default()
        };
        let offered = form.offered(&found, &all);
        let ids: Vec<(i64, bool)> = offered.iter().map(|o| (o.id, o.chosen)).collect();
        assert_eq!(ids, vec![(3, true), (2, false)]);
        assert_eq!(offered[0].title, "トイレ");
    }
}
