//! Survey results benchmark: `cargo bench --bench surveys`. Seeds a survey of 20 questions
//! (choices, rankings, scales, 0–10 and free texts) with 50,000 responses carrying age band,
//! area and relations, then times, in one run on this machine, the results per question and
//! the k-anonymous breakdowns by each attribute, as the services compute them for a page.
//! HIROBA_BENCH_DATABASE_URL selects PostgreSQL (a fresh, empty database).

#[path = "support/mod.rs"]
mod support;
use std::time::{Duration, Instant};
use support::viewer;

use hiroba::domain::Role;
use hiroba::domain::surveys::QuestionKind;
use hiroba::services::survey_breakdowns::{self, Dimension};
use hiroba::services::survey_results;
use hiroba::services::surveys::{self, Audience, QuestionInput, SectionInput, SurveyInput};
use hiroba::services::themes::{self, ThemeInput};
use hiroba::storage::surveys::{self as store, AnswerValue, NewResponse};

const RESPONSES: usize = 50_000;
const PER_TRANSACTION: usize = 1_000;
const AGE_BANDS: [&str; 8] = [
    "under_20", "20s", "30s", "40s", "50s", "60s", "70s", "80_plus",
];
const AREAS: [&str; 12] = [
    "大船",
    "小町",
    "雪ノ下",
    "由比ガ浜",
    "長谷",
    "腰越",
    "深沢",
    "玉縄",
    "材木座",
    "二階堂",
    "山ノ内",
    "七里ガ浜",
];
const RELATIONS: [&str; 4] = ["lives", "lives,works", "works", "studies"];

fn question(kind: QuestionKind, n: usize) -> QuestionInput {
    let options = match kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::Ranking => {
            (1..=5).map(|o| format!("選択肢 {o}")).collect()
        }
        _ => Vec::new(),
    };
    QuestionInput {
        kind,
        prompt: format!("質問 {n}"),
        help: String::new(),
        required: false,
        options,
        max_choices: None,
        points: (kind == QuestionKind::Scale).then_some(5),
        min: None,
        max: None,
        low_label: String::new(),
        high_label: String::new(),
    }
}

/// A cheap, repeatable spread of values.
fn pick(seed: usize, salt: usize, of: usize) -> usize {
    (seed.wrapping_mul(2_654_435_761).wrapping_add(salt * 40_503) >> 7) % of
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let instance = support::instance().await;
    let state = &instance.state;
    let staff = viewer(state, "bench_staff", Role::Staff).await;
    themes::create(
        state,
        &staff,
        ThemeInput {
            slug: "bench".into(),
            title: "くらしの意向調査".into(),
            description: String::new(),
            tags: vec![],
            status: Some("open".into()),
            phases: vec![],
        },
    )
    .await
    .expect("theme");
    let kinds = [
        QuestionKind::SingleChoice,
        QuestionKind::MultipleChoice,
        QuestionKind::Scale,
        QuestionKind::ZeroToTen,
        QuestionKind::Ranking,
    ];
    let mut questions: Vec<QuestionInput> =
        (0..18).map(|n| question(kinds[n % 5], n + 1)).collect();
    questions.push(question(QuestionKind::ShortText, 19));
    questions.push(question(QuestionKind::LongText, 20));
    let survey = surveys::create(
        state,
        &staff,
        "bench",
        &SurveyInput {
            title: "くらしの意向調査".into(),
            description: String::new(),
            audience: Audience::Residents,
            opens_on: None,
            closes_on: None,
            phase: None,
            sections: vec![SectionInput {
                title: String::new(),
                description: String::new(),
                questions,
            }],
            draft: false,
        },
    )
    .await
    .expect("survey");
    let ids: Vec<(i64, QuestionKind)> = survey.questions().map(|q| (q.id, q.kind)).collect();

    // Seeded through storage, a thousand responses a transaction.
    let started = Instant::now();
    let mut rows = 0usize;
    for batch in 0..RESPONSES / PER_TRANSACTION {
        let mut tx = state.db.begin().await.expect("begin");
        for r in batch * PER_TRANSACTION..(batch + 1) * PER_TRANSACTION {
            let id = r as i64 * 7_919 + 13;
            store::insert_response(
                tx.ex(),
                &NewResponse {
                    id,
                    survey_id: survey.id,
                    edit_key_hash: None,
                    proxy: false,
                    age_band: Some(AGE_BANDS[pick(r, 1, AGE_BANDS.len())]),
                    area: Some(AREAS[pick(r, 2, AREAS.len())]),
                    relations: RELATIONS[pick(r, 3, RELATIONS.len())],
                },
            )
            .await
            .expect("response");
            let mut answers = Vec::new();
            for (q, (question_id, kind)) in ids.iter().enumerate() {
                let base = AnswerValue {
                    question_id: *question_id,
                    ..AnswerValue::default()
                };
                let v = pick(r, q + 10, 5);
                match kind {
                    QuestionKind::SingleChoice => answers.push(AnswerValue {
                        choice_position: Some(v as i32 + 1),
                        ..base
                    }),
                    QuestionKind::MultipleChoice => {
                        for c in [v, (v + 2) % 5] {
                            answers.push(AnswerValue {
                                choice_position: Some(c as i32 + 1),
                                ..base.clone()
                            });
                        }
                    }
                    QuestionKind::Ranking => {
                        for (rank, c) in [v, (v + 1) % 5, (v + 3) % 5].iter().enumerate() {
                            answers.push(AnswerValue {
                                choice_position: Some(*c as i32 + 1),
                                rank: Some(rank as i32 + 1),
                                ..base.clone()
                            });
                        }
                    }
                    QuestionKind::Scale => answers.push(AnswerValue {
                        number: Some(v as i64 + 1),
                        ..base
                    }),
                    QuestionKind::ZeroToTen => answers.push(AnswerValue {
                        number: Some(pick(r, q + 30, 11) as i64),
                        ..base
                    }),
                    _ => {
                        if pick(r, q + 50, 10) == 0 {
                            answers.push(AnswerValue {
                                text: Some(format!("自由記述 {r}")),
                                ..base
                            });
                        }
                    }
                }
            }
            rows += answers.len();
            store::insert_answers(tx.ex(), id, &answers)
                .await
                .expect("answers");
        }
        tx.commit().await.expect("commit");
    }
    println!(
        "seeded {RESPONSES} responses ({rows} answer rows) in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let time = |runs: Vec<Duration>| {
        let mut runs = runs;
        runs.sort();
        (runs[runs.len() / 2], runs[runs.len() - 1])
    };
    let mut runs = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let results = survey_results::of_survey(state, &staff, survey.id)
            .await
            .expect("results");
        runs.push(started.elapsed());
        assert_eq!(results.respondents as usize, RESPONSES);
    }
    let (median, slowest) = time(runs);
    println!(
        "results of 20 questions: median {:.0} ms, slowest {:.0} ms (5 runs)",
        median.as_secs_f64() * 1000.0,
        slowest.as_secs_f64() * 1000.0
    );
    for by in Dimension::ALL {
        let mut runs = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let breakdown = survey_breakdowns::of_survey(state, &staff, survey.id, by)
                .await
                .expect("breakdown");
            runs.push(started.elapsed());
            assert_eq!(breakdown.questions.len(), 18);
        }
        let (median, slowest) = time(runs);
        println!(
            "breakdown by {}: median {:.0} ms, slowest {:.0} ms (5 runs)",
            by.as_str(),
            median.as_secs_f64() * 1000.0,
            slowest.as_secs_f64() * 1000.0
        );
    }
    let started = Instant::now();
    let export = survey_breakdowns::anonymous_answers(state, &staff, survey.id)
        .await
        .expect("export");
    println!(
        "staff's anonymous answers ({} responses): {:.0} ms",
        export.responses.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
}
