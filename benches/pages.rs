//! Pages benchmark: `cargo bench --bench pages`. Measures, in one run on this machine, how
//! many pages a second the real `hiroba serve` binary renders for anonymous visitors, and
//! the 50th and 99th percentile of their latency, for what residents open once input has
//! been answered: a theme's board with 2,000 ideas of which half are answered (and the board
//! filtered by state), its results tab, its summary, a draft with 50 amendments, the
//! comparison of its first and last versions, an amendment and an answered idea. Each is
//! compared with `GET /health` (a database ping) in the same run. HIROBA_BENCH_DATABASE_URL
//! selects PostgreSQL (a fresh, empty database); HIROBA_BENCH_REQUESTS the requests per page
//! (default 1,000) and HIROBA_BENCH_CLIENTS the concurrent clients (default 16).

#[path = "support/mod.rs"]
mod support;
use std::time::Instant;
use support::{rss_kib, viewer};

use hiroba::domain::Role;
use hiroba::services::amendments::{self, AmendmentInput, DecisionInput};
use hiroba::services::answers::{self, AnswerInput};
use hiroba::services::drafts::{self, DraftInput};
use hiroba::services::proposals::{self, ProposalInput};
use hiroba::services::results::{self, ProgressInput, ReflectInput, ResultInput};
use hiroba::services::themes::{self, ThemeInput};
use hiroba::state::AppState;

const IDEAS: usize = 2_000;
const RESIDENTS: usize = 40;
const PARAGRAPHS: usize = 30;
const AMENDMENTS: usize = 50;
const ACCEPTED: usize = 10;
const STATES: [&str; 6] = [
    "evaluating",
    "accepted",
    "partly_accepted",
    "not_adopted",
    "implemented",
    "out_of_scope",
];

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the seeding left to open.
struct Seeded {
    answered_idea: i64,
    draft: i64,
    amendment: i64,
}

async fn seed(state: &AppState) -> Seeded {
    let staff = viewer(state, "bench_staff", Role::Staff).await;
    let mut residents = Vec::new();
    for i in 0..RESIDENTS {
        residents.push(viewer(state, &format!("resident_{i}"), Role::Resident).await);
    }
    themes::create(
        state,
        &staff,
        ThemeInput {
            slug: "bench".into(),
            title: "駅前のこれから".into(),
            description: "駅前広場の使い方について、アイデアを募集します。".into(),
            tags: vec!["駅前".into()],
            status: Some("open".into()),
            // Without phases every action is open, amendments included.
            phases: vec![],
        },
    )
    .await
    .expect("theme");
    let started = Instant::now();
    let mut ideas = Vec::with_capacity(IDEAS);
    for i in 0..IDEAS {
        let author = &residents[i % RESIDENTS];
        let idea = proposals::create(
            state,
            author,
            "bench",
            ProposalInput {
                title: format!("駅前の駐輪場を増やしてほしい（{i}）"),
                body: "朝の通勤時間に駐輪場が満車で、歩道に自転車があふれています。\n\n\
                       屋根付きの駐輪場を増やし、案内を分かりやすくしてください。"
                    .into(),
                tags: vec!["駐輪場".into(), "駅前".into()],
                anonymous: false,
            },
        )
        .await
        .expect("idea");
        ideas.push(idea.id);
        if i % 2 == 0 {
            answers::answer(
                state,
                &staff,
                idea.id,
                &AnswerInput {
                    state: STATES[(i / 2) % STATES.len()].into(),
                    body: "ご提案ありがとうございます。来年度の計画で**検討**します。".into(),
                    department: "交通政策課".into(),
                    cost: Some("約120万円".into()),
                    cost_estimate_yen: None,
                    link: None,
                },
            )
            .await
            .expect("answer");
        }
    }
    println!(
        "seeded {IDEAS} ideas, half answered, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for section in 0..5 {
        let result = results::publish(
            state,
            &staff,
            "bench",
            &ResultInput {
                heading: format!("計画案 第{}章への反映", section + 1),
                body: "皆さんの意見をもとに、次のとおり計画案に入れました。\n\n- 駐輪場の増設\n- 案内表示の改善".into(),
                reflects: (0..20)
                    .map(|k| ReflectInput {
                        proposal_id: ideas[section * 40 + k * 2],
                        note: format!("{}.{} 節に反映", section + 1, k + 1),
                    })
                    .collect(),
            },
        )
        .await
        .expect("result");
        for percent in [10, 40, 70] {
            results::add_progress(
                state,
                &staff,
                result.id,
                &ProgressInput {
                    status: "in_progress".into(),
                    percent,
                    note: "設計を進めています。".into(),
                },
            )
            .await
            .expect("progress");
        }
    }
    let text: Vec<String> = (1..=PARAGRAPHS)
        .map(|n| format!("第{n}条 市は、駅前広場の利用者の安全と快適さのため、必要な施設を整備し、その維持に努める。"))
        .collect();
    let draft = drafts::publish(
        state,
        &staff,
        "bench",
        &DraftInput {
            title: "駅前広場整備計画（案）".into(),
            text: text.join("\n\n"),
        },
    )
    .await
    .expect("draft");
    let mut amendment_ids = Vec::new();
    for k in 0..AMENDMENTS {
        let paragraph = (k % PARAGRAPHS) as i32 + 1;
        let proposed = amendments::propose(
            state,
            &residents[k % RESIDENTS],
            draft.id,
            &AmendmentInput {
                paragraph,
                replacement: format!("第{paragraph}条 市は、駅前広場の利用者、とくに高齢者と子どもの安全と快適さのため、屋根付きの駐輪場などの施設を整備し、その維持に努める。"),
                reason: "誰にとっての安全かを書いたほうが、計画の目的が伝わるため。".into(),
            },
        )
        .await
        .expect("amendment");
        for supporter in residents.iter().skip(k % 7).take(5) {
            amendments::support(state, supporter, proposed.amendment.id, true)
                .await
                .expect("support");
        }
        amendment_ids.push(proposed.amendment.id);
    }
    // Accept amendments to the first paragraphs: the draft reaches its eleventh version.
    for id in amendment_ids.iter().take(ACCEPTED) {
        amendments::decide(
            state,
            &staff,
            *id,
            &DecisionInput {
                decision: "accepted".into(),
                reason: "趣旨を取り入れます。".into(),
            },
        )
        .await
        .expect("decision");
    }
    Seeded {
        answered_idea: ideas[0],
        draft: draft.id,
        amendment: amendment_ids[ACCEPTED],
    }
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
    let (state, base) = (&instance.state, instance.base.clone());
    let seeded = seed(state).await;

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    let server = instance.serve(&client).await;
    let pid = server.0.id();
    println!(
        "server memory after start: {} MiB",
        rss_kib(pid, "VmRSS:") / 1024
    );
    let requests = env_number("HIROBA_BENCH_REQUESTS", 1_000);
    let clients = env_number("HIROBA_BENCH_CLIENTS", 16);
    println!("{requests} requests per page, {clients} clients");
    let pages = [
        ("GET /health (reference)", "/health".to_string()),
        (
            "theme board, 2,000 ideas, half answered",
            "/themes/bench".to_string(),
        ),
        (
            "theme board filtered to one answer state",
            "/themes/bench?state=accepted".to_string(),
        ),
        (
            "results tab (5 sections, 100 ideas reflected)",
            "/themes/bench/results".to_string(),
        ),
        ("printable summary", "/themes/bench/summary".to_string()),
        (
            "answered idea",
            format!("/proposals/{}", seeded.answered_idea),
        ),
        (
            "draft, 30 paragraphs, 50 amendments",
            format!("/drafts/{}", seeded.draft),
        ),
        (
            "comparison of version 1 and 11",
            format!("/drafts/{}/compare?from=1&to=11", seeded.draft),
        ),
        ("an amendment", format!("/amendments/{}", seeded.amendment)),
    ];
    let mut reference = 0.0;
    println!("| page | pages/s | of /health | p50 | p99 |");
    println!("|---|---|---|---|---|");
    for (name, path) in pages {
        let (rate, p50, p99) =
            support::measure(&client, &format!("{base}{path}"), requests, clients).await;
        if reference == 0.0 {
            reference = rate;
        }
        println!(
            "| {name} | {rate:.0} | {:.0}% | {:.1} ms | {:.1} ms |",
            rate / reference * 100.0,
            p50.as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0
        );
    }
    println!(
        "server memory now: {} MiB; peak: {} MiB",
        rss_kib(pid, "VmRSS:") / 1024,
        rss_kib(pid, "VmHWM:") / 1024
    );
}
