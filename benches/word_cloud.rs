//! Word cloud benchmark: `cargo bench --bench word_cloud`. Measures, in one run on this
//! machine: Japanese text tokenised per second on one core with the embedded dictionary;
//! then, with the real `hiroba serve` binary, how fast its term counter catches up with a
//! theme of 10,000 ideas, the latency of the word cloud page and its API served from the
//! kept counts, and the time from a new idea to its terms being counted.
//! HIROBA_BENCH_DATABASE_URL selects PostgreSQL (a fresh, empty database).

#[path = "support/mod.rs"]
mod support;
use std::time::{Duration, Instant};
use support::{rss_kib, viewer};

use hiroba::domain::Role;
use hiroba::domain::terms::TermFinder;
use hiroba::services::accounts;
use hiroba::services::proposals::{self, ProposalInput};
use hiroba::services::themes::{self, ThemeInput};
use serde_json::{Value, json};

const IDEAS: usize = 10_000;
const RESIDENTS: usize = 50;

/// Sentences of the kind residents write, combined into varied ideas.
const SENTENCES: &[&str] = &[
    "子育て世代が気軽に集まれる公園の整備と、駅前の駐輪場不足の解消を提案します。",
    "朝の通勤時間に駐輪場が満車で、歩道に自転車があふれています。",
    "図書館の開館時間を延ばして、仕事帰りにも本を借りられるようにしてほしいです。",
    "高齢者が安心して歩けるように、商店街の段差をなくしてください。",
    "夏の公園は日差しが強いので、木陰やベンチを増やしてほしい。",
    "バスの本数が少なく、病院へ行くのに不便を感じています。",
    "空き家を活用して、地域の子どもたちが集まれる居場所をつくりましょう。",
    "防災訓練の情報を、外国人住民にも分かりやすく伝えてください。",
];

fn idea_text(i: usize) -> String {
    (0..4)
        .map(|k| SENTENCES[(i * 7 + k * 3) % SENTENCES.len()])
        .collect::<Vec<_>>()
        .join("")
}

/// Tokenises about 4 MB of ideas on this thread; MB per second.
fn tokenise_rate() -> f64 {
    let finder = TermFinder::new();
    let texts: Vec<String> = (0..8_000).map(idea_text).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    finder.terms(&texts[0]);
    let started = Instant::now();
    let mut found = 0;
    for text in &texts {
        found += finder.terms(text).len();
    }
    let seconds = started.elapsed().as_secs_f64();
    assert!(found > 0);
    bytes as f64 / 1_000_000.0 / seconds
}

async fn term_counter_lag(client: &reqwest::Client, base: &str) -> i64 {
    let health: Value = client
        .get(format!("{base}/health"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("health json");
    health["event_consumers"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == "term_counter"))
        .and_then(|c| c["lag"].as_i64())
        .unwrap_or(i64::MAX)
}

fn main() {
    println!(
        "Japanese text tokenised on one core: {:.2} MB/s",
        tokenise_rate()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let instance = support::instance().await;
    let (state, base) = (&instance.state, instance.base.clone());
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
            title: "まちの困りごと".into(),
            description: String::new(),
            tags: vec![],
            status: Some("open".into()),
            phases: vec![],
        },
    )
    .await
    .expect("theme");
    let started = Instant::now();
    for i in 0..IDEAS {
        proposals::create(
            state,
            &residents[i % RESIDENTS],
            "bench",
            ProposalInput {
                title: format!("まちへの提案 {i}"),
                body: idea_text(i),
                tags: vec![],
                anonymous: false,
            },
        )
        .await
        .expect("idea");
    }
    println!(
        "seeded {IDEAS} ideas in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let token = accounts::create_api_token(state, &residents[0], "bench")
        .await
        .expect("token")
        .token
        .expect("token text");

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    let server = instance.serve(&client).await;
    let pid = server.0.id();
    // The term counter catches up with the ideas written before the server started.
    let catch_up = Instant::now();
    while term_counter_lag(&client, &base).await > 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seconds = catch_up.elapsed().as_secs_f64();
    println!(
        "term counter caught up with {IDEAS} ideas in {seconds:.1} s ({:.0} ideas/s); server memory {} MiB (peak {} MiB)",
        IDEAS as f64 / seconds,
        rss_kib(pid, "VmRSS:") / 1024,
        rss_kib(pid, "VmHWM:") / 1024
    );

    // Pages served from the kept counts.
    for (name, path) in [
        ("word cloud page", "/themes/bench/words"),
        ("word cloud API", "/api/v1/themes/bench/words"),
        ("projector view", "/themes/bench/words/live"),
    ] {
        let (rate, p50, p99) = support::measure(&client, &format!("{base}{path}"), 1_000, 8).await;
        println!(
            "{name}: {rate:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
            p50.as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0
        );
    }

    // From a new idea to its terms in the cloud: each new idea names 整備, a term already
    // among the most frequent, and its count must go up by one.
    let count_of = |cloud: &Value, term: &str| {
        cloud["terms"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["term"] == term))
            .and_then(|t| t["ideas"].as_i64())
            .unwrap_or(0)
    };
    let words = || {
        let (client, url) = (client.clone(), format!("{base}/api/v1/themes/bench/words"));
        async move {
            client
                .get(url)
                .send()
                .await
                .expect("words")
                .json::<Value>()
                .await
                .expect("words json")
        }
    };
    let mut delays = Vec::new();
    for i in 0..20 {
        let before = count_of(&words().await, "整備");
        let posted = Instant::now();
        let response = client
            .post(format!("{base}/api/v1/themes/bench/proposals"))
            .bearer_auth(&token)
            .json(&json!({"title": format!("新しい提案 {i}"), "body": "駅前の広場の整備をお願いします。"}))
            .send()
            .await
            .expect("post");
        assert!(response.status().is_success());
        while count_of(&words().await, "整備") <= before {
            assert!(
                posted.elapsed() < Duration::from_secs(30),
                "the idea was never counted"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        delays.push(posted.elapsed());
    }
    delays.sort();
    println!(
        "new idea to its terms counted: median {:.0} ms, slowest {:.0} ms (20 ideas)",
        delays[delays.len() / 2].as_secs_f64() * 1000.0,
        delays[delays.len() - 1].as_secs_f64() * 1000.0
    );
}
