//! Drafts (たたき台) and amendments (修正提案): staff publish a draft as numbered paragraphs;
//! residents propose amendments to a paragraph while the phase takes them, support and
//! discuss them; staff accept (a new version) or reject with a reason; every version and a
//! per-paragraph comparison can be read; followers get the `Article` and its `Update`;
//! replies from the fediverse to a draft or a result become comments on it; bad input is
//! refused by field with nothing stored.

use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, federating_app, phase_today};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";
const TEXT: &str = "第1条 この計画は、駅前の広場を整えることを目的とする。\n\n\
    第2条 市は、駅前に駐輪場を整備する。\n\n第3条 この計画は、公布の日から施行する。";

/// A phase running today that takes amendments (and comments), but no ideas.
fn amendment_phase() -> Value {
    let mut phases = phase_today(false, true, true);
    phases[0]["allows"]["amendments"] = json!(true);
    phases
}

fn fields(body: &Value) -> Vec<String> {
    let mut all: Vec<String> = body["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    all.sort();
    all
}

async fn residents_amend_a_draft_and_staff_decide(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.33", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    app.theme(&staff, "plan", "open", amendment_phase()).await;
    app.theme(&staff, "closed", "open", phase_today(true, true, true))
        .await;
    peer.follow_theme(&app, "plan").await;
    let drafts = "/api/v1/themes/plan/drafts";

    // Publishing: fields refused, residents refused, nothing stored.
    let refused = app
        .post(
            drafts,
            Some(&staff),
            json!({"title": " ", "text": "\n\n  \n"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(fields(&refused.body), ["text", "title"]);
    let control = app
        .post(
            drafts,
            Some(&staff),
            json!({"title": "計画案", "text": "第1条\u{1e}目的"}),
        )
        .await;
    assert_eq!(control.status, 422, "{}", control.body);
    assert_eq!(control.body["errors"][0]["field"], "text");
    assert_eq!(control.body["errors"][0]["code"], "control_characters");
    let by_resident = app
        .post(drafts, Some(&hanako), json!({"title": "x", "text": "x"}))
        .await;
    assert_eq!(by_resident.status, 403);
    assert_eq!(app.get(drafts, None).await.expect(200), json!([]));

    let draft = app
        .post(
            drafts,
            Some(&staff),
            json!({"title": "駅前広場整備計画（案）", "text": TEXT}),
        )
        .await
        .expect(201);
    let id = draft["id"].as_i64().unwrap();
    assert_eq!(draft["version"], 1);
    assert_eq!(draft["paragraphs"].as_array().unwrap().len(), 3);
    assert_eq!(draft["paragraphs"][1]["number"], 2);
    assert_eq!(
        draft["paragraphs"][1]["text"],
        "第2条 市は、駅前に駐輪場を整備する。"
    );
    assert_eq!(draft["open_for_amendments"], true);
    let announce = peer
        .wait_for("the draft Article", |a| {
            a["type"] == "Announce"
                && a["object"]["type"] == "Create"
                && a["object"]["object"]["type"] == "Article"
        })
        .await;
    let create = &announce["object"];
    assert_eq!(create["actor"], format!("{CITY}/actor"));
    assert!(create["object"].get("updated").is_none(), "{create}");
    assert_eq!(create["object"]["id"], format!("{CITY}/drafts/{id}"));
    assert_eq!(create["object"]["hiroba:version"], 1);
    assert_eq!(create["object"]["hiroba:paragraphs"][2]["hiroba:number"], 3);
    assert!(
        create["object"]["content"]
            .as_str()
            .unwrap()
            .contains("<strong>§2</strong>")
    );

    // Amending: a paragraph that does not exist, the text unchanged, no reason.
    let amend = format!("/api/v1/drafts/{id}/amendments");
    let refused = app
        .post(
            &amend,
            Some(&hanako),
            json!({"paragraph": 9, "replacement": "新しい文", "reason": ""}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(fields(&refused.body), ["paragraph", "reason"]);
    let unchanged = app
        .post(
            &amend,
            Some(&hanako),
            json!({"paragraph": 2,
            "replacement": "第2条 市は、駅前に駐輪場を整備する。", "reason": "同じ"}),
        )
        .await;
    assert_eq!(unchanged.status, 422);
    assert_eq!(unchanged.body["errors"][0]["code"], "unchanged");
    let anonymous = app
        .post(
            &amend,
            None,
            json!({"paragraph": 2, "replacement": "x", "reason": "x"}),
        )
        .await;
    assert_eq!(anonymous.status, 401);
    assert!(
        app.get(&format!("/api/v1/drafts/{id}"), None)
            .await
            .expect(200)["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["amendments"] == json!([])),
        "nothing stored"
    );

    let proposed = app
        .post(
            &amend,
            Some(&hanako),
            json!({"paragraph": 2,
            "replacement": "第2条 市は、駅前に屋根付きの駐輪場を整備する。",
            "reason": "雨の日に自転車が濡れるため。"}),
        )
        .await
        .expect(201);
    let first = proposed["amendment"]["id"].as_i64().unwrap();
    assert_eq!(proposed["amendment"]["status"], "open");
    assert!(
        proposed["amendment"]["changes"]
            .as_array()
            .unwrap()
            .contains(&json!({"change": "inserted", "text": "屋根付きの"})),
        "{proposed}"
    );
    let second = app
        .post(&amend, Some(&taro), json!({"paragraph": 3,
            "replacement": "第3条 この計画は、令和9年4月1日から施行する。", "reason": "準備の期間がいるため。"}))
        .await
        .expect(201)["amendment"]["id"]
        .as_i64()
        .unwrap();

    // Support (twice counts once) and discussion.
    let support = format!("/api/v1/amendments/{first}/support");
    app.put(&support, Some(&taro), json!(null))
        .await
        .expect(200);
    let supported = app
        .put(&support, Some(&taro), json!(null))
        .await
        .expect(200);
    assert_eq!(supported["amendment"]["support_count"], 1);
    assert_eq!(supported["amendment"]["supported"], true);
    let discussed = app
        .post(
            &format!("/api/v1/amendments/{first}/comments"),
            Some(&taro),
            json!({"body": "賛成です。"}),
        )
        .await
        .expect(201);
    assert_eq!(discussed["comments"][0]["body"], "賛成です。");

    // Deciding: bad input by field; a rejection needs a reason.
    let decide = |a: i64| format!("/api/v1/amendments/{a}/decision");
    let wrong = app
        .put(&decide(first), Some(&staff), json!({"decision": "maybe"}))
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(fields(&wrong.body), ["decision"]);
    let no_reason = app
        .put(
            &decide(second),
            Some(&staff),
            json!({"decision": "rejected", "reason": " "}),
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(fields(&no_reason.body), ["reason"]);
    assert_eq!(
        app.put(
            &decide(first),
            Some(&hanako),
            json!({"decision": "accepted"})
        )
        .await
        .status,
        403
    );
    let rejected = app
        .put(
            &decide(second),
            Some(&staff),
            json!({"decision": "rejected",
            "reason": "施行日は議会の議決後に決めます。"}),
        )
        .await
        .expect(200);
    assert_eq!(rejected["amendment"]["status"], "rejected");
    assert_eq!(
        rejected["current_version"], 1,
        "a rejection makes no version"
    );
    let accepted = app
        .put(
            &decide(first),
            Some(&staff),
            json!({"decision": "accepted", "reason": "取り入れます。"}),
        )
        .await
        .expect(200);
    assert_eq!(accepted["amendment"]["accepted_version"], 2);
    assert_eq!(
        app.put(
            &decide(first),
            Some(&staff),
            json!({"decision": "rejected", "reason": "x"})
        )
        .await
        .status,
        409,
        "decided once"
    );
    let closed_support = app.put(&support, Some(&hanako), json!(null)).await;
    assert_eq!(
        closed_support.status, 409,
        "a decided amendment takes no supports"
    );

    let now = app
        .get(&format!("/api/v1/drafts/{id}"), None)
        .await
        .expect(200);
    assert_eq!(now["version"], 2);
    assert_eq!(
        now["paragraphs"][1]["text"],
        "第2条 市は、駅前に屋根付きの駐輪場を整備する。"
    );
    assert_eq!(
        now["paragraphs"][2]["text"],
        "第3条 この計画は、公布の日から施行する。"
    );
    let first_version = app
        .get(&format!("/api/v1/drafts/{id}/versions/1"), None)
        .await
        .expect(200);
    assert_eq!(
        first_version["paragraphs"][1],
        "第2条 市は、駅前に駐輪場を整備する。"
    );
    let versions = app
        .get(&format!("/api/v1/drafts/{id}/versions"), None)
        .await
        .expect(200);
    assert_eq!(versions[1]["amendment_id"], first);
    assert_eq!(versions[1]["paragraph"], 2);
    let compared = app
        .get(&format!("/api/v1/drafts/{id}/compare?from=1&to=2"), None)
        .await
        .expect(200);
    let changed: Vec<bool> = compared["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["changed"].as_bool().unwrap())
        .collect();
    assert_eq!(changed, [false, true, false]);
    let beyond = app
        .get(&format!("/api/v1/drafts/{id}/compare?from=1&to=9"), None)
        .await;
    assert_eq!(beyond.status, 422);
    assert_eq!(fields(&beyond.body), ["to"]);
    let update = peer
        .wait_for("the draft's Update", |a| {
            a["type"] == "Update" && a["object"]["hiroba:version"] == 2
        })
        .await;
    assert!(
        update["object"]["content"]
            .as_str()
            .unwrap()
            .contains("屋根付きの駐輪場")
    );

    // The author and the supporter are told; the author of the rejected one too.
    for (who, amendment, status) in [
        (&hanako, first, "accepted"),
        (&taro, first, "accepted"),
        (&taro, second, "rejected"),
    ] {
        crate::helpers::wait_until("the notification", async || {
            let list = app
                .get("/api/v1/me/notifications", Some(who))
                .await
                .expect(200);
            list["items"].as_array().unwrap().iter().any(|n| {
                n["kind"] == "amendment_decided"
                    && n["amendment_id"] == amendment
                    && n["amendment_status"] == status
            })
        })
        .await;
    }

    // A theme whose phase takes no amendments refuses them.
    let other = app
        .post(
            "/api/v1/themes/closed/drafts",
            Some(&staff),
            json!({"title": "案", "text": "本文"}),
        )
        .await
        .expect(201);
    assert_eq!(other["open_for_amendments"], false);
    let refused = app
        .post(
            &format!("/api/v1/drafts/{}/amendments", other["id"]),
            Some(&hanako),
            json!({"paragraph": 1, "replacement": "別の本文", "reason": "理由"}),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);

    // Replies from the fediverse to the draft and to a result become comments on them.
    let result = app
        .post(
            "/api/v1/themes/plan/results",
            Some(&staff),
            json!({"heading": "反映", "body": "計画に反映します。"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    for (n, target) in [
        (1, format!("{CITY}/drafts/{id}")),
        (2, format!("{CITY}/results/{result}")),
    ] {
        let mut reply = peer.example("gotosocial-create-reply.json");
        let note = format!("{}/statuses/draft-reply-{n}", peer.actor_id());
        reply["id"] = json!(format!("{note}/activity"));
        reply["object"]["id"] = json!(note);
        reply["object"]["inReplyTo"] = json!(target);
        let (status, body) = peer.post(&app, "/inbox", &reply).await;
        assert_eq!(status, 202, "{body}");
        // Delivered twice, kept once.
        peer.post(&app, "/inbox", &reply).await;
    }
    let replied = app
        .get(&format!("/api/v1/drafts/{id}"), None)
        .await
        .expect(200);
    assert_eq!(
        replied["comments"].as_array().unwrap().len(),
        1,
        "{replied}"
    );
    assert_eq!(replied["comments"][0]["author"]["remote"], true);
    let results = app
        .get("/api/v1/themes/plan/results", None)
        .await
        .expect(200);
    assert_eq!(
        results[0]["comments"].as_array().unwrap().len(),
        1,
        "{results}"
    );

    // The pages: the paragraphs, the history, the comparison with changes marked.
    let page = Browser::new(&app).get(&format!("/drafts/{id}")).await;
    page.contains("屋根付きの駐輪場");
    page.contains("フェディバースからの返信");
    page.contains(&format!("/amendments/{first}"));
    let history = Browser::new(&app)
        .get(&format!("/drafts/{id}/versions"))
        .await;
    history.contains(&format!("修正提案 {first} を採用（§2）"));
    let comparison = Browser::new(&app)
        .get(&format!("/drafts/{id}/compare"))
        .await;
    comparison.contains("<ins><span class=\"visually-hidden\">[追加:</span>屋根付きの<span class=\"visually-hidden\">]</span></ins>");
    comparison.contains("§2: <strong>変更あり</strong>");
    comparison.contains("§1: 変更なし");
    let (status, served) = app.activity(&format!("/drafts/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(served["type"], "Article");
    assert_eq!(served["hiroba:version"], 2);
    let example = crate::federation::example("hiroba-draft-article.json");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&served), keys(&example), "the documented shape");
    assert_eq!(served["@context"], example["@context"]);
    let paragraph_keys = |v: &Value| keys(&v["hiroba:paragraphs"][0]);
    assert_eq!(paragraph_keys(&served), paragraph_keys(&example));
}

/// Residents amend on the page without a script: a refused amendment keeps what was typed
/// at the paragraph's form; staff decide on the amendment's page.
async fn amendments_work_on_the_pages(backend: Backend) {
    let app = federating_app(&backend).await;
    let staff = app.staff().await;
    app.resident("hanako").await;
    app.theme(&staff, "plan", "open", amendment_phase()).await;
    let id = app
        .post(
            "/api/v1/themes/plan/drafts",
            Some(&staff),
            json!({"title": "計画案", "text": TEXT}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let mut hanako = Browser::new(&app);
    hanako.log_in("hanako").await;
    let draft = format!("/drafts/{id}");
    let page = hanako.get(&draft).await;
    page.contains("§2 に修正を提案する");
    let refused = hanako
        .submit(
            &draft,
            &format!("{draft}/amendments"),
            &[
                ("paragraph", "2"),
                (
                    "replacement",
                    "第2条 市は、駅前に屋根付きの駐輪場を整備する。",
                ),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("id=\"error-reason\"");
    refused.contains("屋根付きの駐輪場を整備する。</textarea>");
    let sent = hanako
        .submit(
            &draft,
            &format!("{draft}/amendments"),
            &[
                ("paragraph", "2"),
                (
                    "replacement",
                    "第2条 市は、駅前に屋根付きの駐輪場を整備する。",
                ),
                ("reason", "雨の日のため。"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.html);
    let amendment = sent.location.clone().unwrap();
    let shown = hanako.get(&amendment).await;
    shown.contains("<ins>");
    shown.contains("雨の日のため。");
    let supported = hanako
        .submit(&amendment, &format!("{amendment}/support"), &[])
        .await;
    assert_eq!(supported.status, 303);
    hanako.get(&amendment).await.contains("共感 1 件");

    let mut clerk = Browser::new(&app);
    clerk.log_in("staff_member").await;
    let no_reason = clerk
        .submit(
            &amendment,
            &format!("{amendment}/decision"),
            &[("decision", "rejected"), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.html);
    no_reason.contains("id=\"error-reason\"");
    let accepted = clerk
        .submit(
            &amendment,
            &format!("{amendment}/decision"),
            &[("decision", "accepted"), ("reason", "")],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.html);
    let decided = Browser::new(&app).get(&amendment).await;
    decided.contains("第2版に反映");
    Browser::new(&app).get(&draft).await.contains("第2版");
}

/// A long draft (close to the 200,000 characters a draft may have) is published whether a
/// client sends its text as escaped JSON (six bytes a character) or the page's form sends it
/// percent-encoded (nine): both bodies are larger than the general limit of 1 MiB. A body
/// larger than the draft limit is still refused before it is read.
async fn a_long_draft_is_published_in_any_encoding(backend: Backend) {
    let app = federating_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "plan", "open", amendment_phase()).await;
    let paragraph = format!("第1条 {}", "駅前の広場を整える。".repeat(160));
    let text = vec![paragraph; 120].join("\n\n");
    assert!(text.chars().count() > 190_000 && text.chars().count() <= 200_000);
    let escaped: String = json!({"title": "長い計画案", "text": text})
        .to_string()
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\u{:04x}", c as u32)
            }
        })
        .collect();
    assert!(escaped.len() > 1024 * 1024);
    let crate::helpers::Auth::Session { cookie, csrf } = &staff else {
        unreachable!("staff sign in with a session")
    };
    let sent = app
        .client
        .post(format!("{}/api/v1/themes/plan/drafts", app.address))
        .header("cookie", format!("hiroba_session={cookie}"))
        .header("x-csrf-token", csrf)
        .header("content-type", "application/json")
        .body(escaped)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let draft: Value = sent.json().await.unwrap();
    assert_eq!(draft["paragraphs"].as_array().unwrap().len(), 120);

    let mut browser = Browser::new(&app);
    browser.log_in("staff_member").await;
    let page = browser
        .submit(
            "/themes/plan/drafts",
            "/themes/plan/drafts",
            &[("title", "長い計画案（第2案）"), ("text", &text)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.html);
    assert!(page.location.unwrap().starts_with("/drafts/"));
    let listed = app
        .get("/api/v1/themes/plan/drafts", None)
        .await
        .expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 2);

    // Declared larger than the draft limit: refused before the body is sent.
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /api/v1/themes/plan/drafts HTTP/1.1\r\nhost: {host}\r\n\
         cookie: hiroba_session={cookie}\r\nx-csrf-token: {csrf}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        5 * 1024 * 1024
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes())
        .await
        .unwrap();
    let mut answer = vec![0; 512];
    let read = tokio::io::AsyncReadExt::read(&mut stream, &mut answer)
        .await
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

async fn staff_rewrite_a_draft_as_a_new_version(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.34", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "plan", "open", amendment_phase()).await;
    peer.follow_theme(&app, "plan").await;
    let draft = app
        .post(
            "/api/v1/themes/plan/drafts",
            Some(&staff),
            json!({"title": "駅前広場の計画（たたき台）", "text": TEXT}),
        )
        .await
        .expect(201);
    let id = draft["id"].as_i64().unwrap();
    let amend = format!("/api/v1/drafts/{id}/amendments");
    let on_second = app
        .post(
            &amend,
            Some(&hanako),
            json!({"paragraph": 2, "replacement": "第2条 市は、駅前に屋根付きの駐輪場を整備する。",
                   "reason": "雨の日のため"}),
        )
        .await
        .expect(201)["amendment"]["id"]
        .as_i64()
        .unwrap();
    let on_third = app
        .post(
            &amend,
            Some(&hanako),
            json!({"paragraph": 3, "replacement": "第3条 この計画は、令和9年4月1日から施行する。",
                   "reason": "日付を明確に"}),
        )
        .await
        .expect(201)["amendment"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/drafts/{id}");
    let rewritten = "第1条 この計画は、駅前の広場を整えることを目的とする。\n\n\
        第2条 市は、駅前に駐輪場と休憩所を整備する。\n\n第3条 この計画は、公布の日から施行する。";

    // Refused: a resident; no note; the same text; a version that is no longer current.
    let body = |text: &str, note: &str, base: i64| {
        json!({"title": "駅前広場の計画（たたき台）", "text": text, "change_note": note,
               "base_version": base})
    };
    assert_eq!(
        app.put(&path, Some(&hanako), body(rewritten, "修正", 1))
            .await
            .status,
        403
    );
    let refused = app.put(&path, Some(&staff), body(rewritten, " ", 1)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(fields(&refused.body), ["change_note"]);
    let same = app.put(&path, Some(&staff), body(TEXT, "なし", 1)).await;
    assert_eq!(same.status, 422);
    assert_eq!(same.body["errors"][0]["code"], "unchanged");
    let stale = app
        .put(&path, Some(&staff), body(rewritten, "修正", 7))
        .await;
    assert_eq!(stale.status, 409);
    assert_eq!(app.get(&path, None).await.expect(200)["version"], 1);

    // Saved: version 2 with its note; the amendment to the rewritten paragraph is declined
    // with the note, the other stays open.
    let revised = app
        .put(
            &path,
            Some(&staff),
            body(rewritten, "審議会の意見を受けて第2条を修正", 1),
        )
        .await
        .expect(200);
    assert_eq!(revised["version"], 2);
    assert_eq!(
        revised["paragraphs"][1]["text"],
        "第2条 市は、駅前に駐輪場と休憩所を整備する。"
    );
    let versions = app.get(&format!("{path}/versions"), None).await.expect(200);
    assert_eq!(
        versions[1]["change_note"],
        "審議会の意見を受けて第2条を修正"
    );
    assert_eq!(versions[1]["amendment_id"], Value::Null);
    let declined = app
        .get(&format!("/api/v1/amendments/{on_second}"), None)
        .await
        .expect(200);
    assert_eq!(declined["amendment"]["status"], "rejected", "{declined}");
    assert_eq!(
        declined["amendment"]["decision_reason"],
        "審議会の意見を受けて第2条を修正"
    );
    let open = app
        .get(&format!("/api/v1/amendments/{on_third}"), None)
        .await
        .expect(200);
    assert_eq!(open["amendment"]["status"], "open");
    // Followers get the new version.
    peer.wait_for("the draft's new version", |a| {
        a["type"] == "Update" && a["object"]["hiroba:version"] == 2
    })
    .await;

    // The page: the whole text in one box, the note required, the history shows it.
    let mut clerk = Browser::new(&app);
    clerk.log_in("staff_member").await;
    let edit = format!("/staff/drafts/{id}/edit");
    let form = clerk.get(&edit).await;
    form.contains("第2条 市は、駅前に駐輪場と休憩所を整備する。\n\n第3条");
    form.contains("name=\"base_version\" value=\"2\"");
    let without_note = clerk
        .submit(
            &edit,
            &edit,
            &[
                ("title", "駅前広場の計画（たたき台）"),
                ("text", "第1条 目的。"),
                ("change_note", ""),
                ("base_version", "2"),
            ],
        )
        .await;
    assert_eq!(without_note.status, 422);
    without_note.contains("第1条 目的。</textarea>");
    let saved = clerk
        .submit(
            &edit,
            &edit,
            &[
                ("title", "駅前広場の計画（第2案）"),
                ("text", "第1条 目的。"),
                ("change_note", "全体を短くしました"),
                ("base_version", "2"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    let history = clerk.get(&format!("/drafts/{id}/versions")).await;
    history.contains("職員が書き直し: 全体を短くしました");
    assert_eq!(
        app.get(&path, None).await.expect(200)["title"],
        "駅前広場の計画（第2案）"
    );
}

both_databases!(
    staff_rewrite_a_draft_as_a_new_version,
    residents_amend_a_draft_and_staff_decide,
    amendments_work_on_the_pages,
    a_long_draft_is_published_in_any_encoding
);
