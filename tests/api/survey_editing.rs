//! Staff correct and finish surveys: everything may change before the first answer; after
//! it only the wording, logged and shown as edited, and never in a way that would count an
//! answer under a question it was not given to; duplicates are drafts residents do not see
//! until published; a survey with answers is archived, never deleted.

use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, TestApp, day, phase_today, spawn_app};

fn body(prompt: &str, options: &[&str]) -> Value {
    json!({"title": "公園アンケート", "opens_on": day(-1), "closes_on": day(7), "sections": [
        {"title": "使い方", "questions": [
            {"kind": "single_choice", "prompt": prompt, "required": true, "options": options},
            {"kind": "long_text", "prompt": "ご意見"}
        ]}
    ]})
}

fn question_ids(survey: &Value) -> Vec<i64> {
    survey["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap().clone())
        .map(|q| q["id"].as_i64().unwrap())
        .collect()
}

async fn setup(app: &TestApp) -> (crate::helpers::Auth, crate::helpers::Auth, i64) {
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let hanako = app.resident("hanako").await;
    let created = app
        .post(
            "/api/v1/themes/parks/surveys",
            Some(&staff),
            body("よく使う公園", &["中央公園", "駅前広場"]),
        )
        .await
        .expect(201);
    (staff, hanako, created["id"].as_i64().unwrap())
}

async fn everything_changes_before_answers_and_only_wording_after(backend: Backend) {
    let app = spawn_app(&backend).await;
    let (staff, hanako, id) = setup(&app).await;
    let path = format!("/api/v1/surveys/{id}");

    // Nobody has answered: a question added, the order and a kind changed, no log.
    let mut rebuilt = body(
        "よく行く公園（ひとつ）",
        &["中央公園", "駅前広場", "川沿いの緑地"],
    );
    rebuilt["sections"][0]["questions"]
        .as_array_mut()
        .unwrap()
        .insert(0, json!({"kind": "short_text", "prompt": "お住まいの町名"}));
    let survey = app.put(&path, Some(&staff), rebuilt).await.expect(200);
    let questions = &survey["sections"][0]["questions"];
    assert_eq!(questions.as_array().unwrap().len(), 3);
    assert_eq!(questions[0]["prompt"], "お住まいの町名");
    assert_eq!(questions[1]["options"].as_array().unwrap().len(), 3);
    assert_eq!(survey["edited_at"], Value::Null);
    let edits = format!("{path}/edits");
    assert_eq!(app.get(&edits, Some(&staff)).await.expect(200), json!([]));

    // An answer comes in.
    let q = question_ids(&survey);
    app.post(
        &format!("{path}/responses"),
        Some(&hanako),
        json!({"answers": {q[0].to_string(): "大船", q[1].to_string(): 2}}),
    )
    .await
    .expect(201);

    // Now a new option, another kind, a removed question or another order are refused by
    // the question they are about, and nothing changes.
    let mut more_options = body(
        "よく行く公園（ひとつ）",
        &["中央公園", "駅前広場", "川沿いの緑地", "海"],
    );
    more_options["sections"][0]["questions"]
        .as_array_mut()
        .unwrap()
        .insert(0, json!({"kind": "short_text", "prompt": "お住まいの町名"}));
    let refused = app.put(&path, Some(&staff), more_options).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.fields(), ["sections[0].questions[1]"]);
    let reordered = body(
        "よく行く公園（ひとつ）",
        &["中央公園", "駅前広場", "川沿いの緑地"],
    );
    let refused = app.put(&path, Some(&staff), reordered).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    let unchanged = app.get(&path, Some(&staff)).await.expect(200);
    assert_eq!(unchanged, survey_without_counts(&unchanged, &survey));

    // Wording and dates may change: logged, and shown as edited on the question.
    let mut corrected = body(
        "よく行く公園（ひとつ選んでください）",
        &["中央公園", "大船駅前広場", "川沿いの緑地"],
    );
    corrected["closes_on"] = json!(day(14));
    corrected["sections"][0]["questions"]
        .as_array_mut()
        .unwrap()
        .insert(0, json!({"kind": "short_text", "prompt": "お住まいの町名"}));
    let after = app.put(&path, Some(&staff), corrected).await.expect(200);
    assert_eq!(after["closes_on"], day(14));
    assert!(after["edited_at"].is_string(), "{after}");
    let edited = &after["sections"][0]["questions"][1];
    assert_eq!(edited["prompt"], "よく行く公園（ひとつ選んでください）");
    assert_eq!(edited["options"][1]["label"], "大船駅前広場");
    assert!(edited["edited_at"].is_string());
    assert_eq!(
        after["sections"][0]["questions"][0]["edited_at"],
        Value::Null
    );
    let log = app.get(&edits, Some(&staff)).await.expect(200);
    let fields: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields.len(), 2, "{log}");
    assert!(
        fields.contains(&"prompt") && fields.contains(&"options[2]"),
        "{log}"
    );
    let option = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "options[2]")
        .unwrap();
    assert_eq!(option["old_text"], "駅前広場");
    assert_eq!(option["new_text"], "大船駅前広場");
    assert_eq!(option["question_id"], q[1]);
    // The answer still counts for the option it chose, under its corrected words.
    let results = app
        .get(&format!("{path}/results"), Some(&staff))
        .await
        .expect(200);
    let counted = results["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == q[1])
        .unwrap();
    let chosen = counted["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["label"] == "大船駅前広場")
        .unwrap();
    assert_eq!(chosen["count"], 1, "{counted}");
    // Residents read the log only as "edited"; the log itself is for staff.
    assert_eq!(app.get(&edits, Some(&hanako)).await.status, 403);
}

/// `survey` with the counts of `now`, to compare the rest.
fn survey_without_counts(now: &Value, survey: &Value) -> Value {
    let mut expected = survey.clone();
    for key in ["response_count", "answered"] {
        expected[key] = now[key].clone();
    }
    expected
}

async fn drafts_archives_and_deletion(backend: Backend) {
    let app = spawn_app(&backend).await;
    let (staff, hanako, id) = setup(&app).await;
    let path = format!("/api/v1/surveys/{id}");
    let q = question_ids(&app.get(&path, None).await.expect(200));
    app.post(
        &format!("{path}/responses"),
        Some(&hanako),
        json!({"answers": {q[0].to_string(): 1}}),
    )
    .await
    .expect(201);

    // Answered: it cannot be deleted, only archived, and comes back with its answers.
    let refused = app.delete(&path, Some(&staff)).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("アーカイブ")
    );
    let archived = app
        .post(&format!("{path}/archive"), Some(&staff), json!({}))
        .await
        .expect(200);
    assert_eq!(archived["state"], "archived");
    assert_eq!(archived["open"], false);
    assert_eq!(app.get(&path, Some(&hanako)).await.status, 404);
    let listed = app
        .get("/api/v1/themes/parks/surveys", None)
        .await
        .expect(200);
    assert_eq!(listed, json!([]));
    let taro = app.resident("taro").await;
    let answer = app
        .post(
            &format!("{path}/responses"),
            Some(&taro),
            json!({"answers": {q[0].to_string(): 1}}),
        )
        .await;
    assert_eq!(
        answer.status, 404,
        "archived surveys take no answers: {}",
        answer.body
    );
    let back = app
        .post(&format!("{path}/unarchive"), Some(&staff), json!({}))
        .await
        .expect(200);
    assert_eq!(
        (back["state"].as_str(), back["response_count"].as_i64()),
        (Some("published"), Some(1))
    );

    // A duplicate is a draft without dates, the same questions, no answers, unseen.
    let copy = app
        .post(&format!("{path}/duplicate"), Some(&staff), json!({}))
        .await
        .expect(201);
    let copy_id = copy["id"].as_i64().unwrap();
    assert_eq!(copy["state"], "draft");
    assert_eq!(copy["response_count"], 0);
    assert_eq!(copy["closes_on"], Value::Null);
    assert_eq!(copy["open"], false);
    assert_eq!(
        copy["sections"][0]["questions"][0]["options"],
        back["sections"][0]["questions"][0]["options"]
    );
    let copy_path = format!("/api/v1/surveys/{copy_id}");
    assert_eq!(app.get(&copy_path, Some(&hanako)).await.status, 404);
    let listed = app
        .get("/api/v1/themes/parks/surveys", None)
        .await
        .expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // Published, residents see it; a second publish is refused.
    let published = app
        .post(&format!("{copy_path}/publish"), Some(&staff), json!({}))
        .await
        .expect(200);
    assert_eq!(published["state"], "published");
    assert_eq!(app.get(&copy_path, Some(&hanako)).await.status, 200);
    let again = app
        .post(&format!("{copy_path}/publish"), Some(&staff), json!({}))
        .await;
    assert_eq!(again.status, 409);
    // Nobody answered the copy: it can be deleted, with what it held.
    assert_eq!(app.delete(&copy_path, Some(&staff)).await.status, 204);
    assert_eq!(app.get(&copy_path, Some(&staff)).await.status, 404);
    // Only staff do any of this.
    assert_eq!(
        app.post(&format!("{path}/archive"), Some(&hanako), json!({}))
            .await
            .status,
        403
    );
}

async fn staff_correct_surveys_on_the_pages(backend: Backend) {
    let app = spawn_app(&backend).await;
    let (_staff, hanako, id) = setup(&app).await;
    let q = question_ids(
        &app.get(&format!("/api/v1/surveys/{id}"), None)
            .await
            .expect(200),
    );
    app.post(
        &format!("/api/v1/surveys/{id}/responses"),
        Some(&hanako),
        json!({"answers": {q[0].to_string(): 2}}),
    )
    .await
    .expect(201);
    let mut clerk = Browser::new(&app);
    clerk.log_in("staff_member").await;
    let manage = format!("/staff/surveys/{id}");
    let page = clerk.get(&manage).await;
    assert_eq!(page.status, 200);
    page.contains("公開中・回答受付中");
    page.contains("回答が来てからの修正はありません。");
    // The survey page leads staff here.
    clerk
        .get(&format!("/surveys/{id}"))
        .await
        .contains(&format!("href=\"/staff/surveys/{id}\""));

    // The edit form holds the survey as it is; answers exist, so it says what may change.
    let edit = format!("{manage}/edit");
    let form = clerk.get(&edit).await;
    form.contains("1 件の回答があるため");
    form.contains("value=\"よく使う公園\"");
    form.contains("中央公園\n駅前広場</textarea>");
    let fields = |prompt: &'static str, options: &'static str, kind: &'static str| {
        vec![
            ("title", "公園アンケート"),
            ("description", ""),
            ("audience", "residents"),
            ("opens_on", ""),
            ("closes_on", ""),
            ("q_order_0", "1"),
            ("q_section_0", "使い方"),
            ("q_kind_0", kind),
            ("q_prompt_0", prompt),
            ("q_required_0", "on"),
            ("q_options_0", options),
            ("q_order_1", "2"),
            ("q_section_1", "使い方"),
            ("q_kind_1", "long_text"),
            ("q_prompt_1", "ご意見"),
        ]
    };
    let mut dated = fields("よく使う公園", "中央公園\n駅前広場", "multiple_choice");
    let (opens, closes) = (day(-1), day(7));
    dated[3] = ("opens_on", opens.as_str());
    dated[4] = ("closes_on", closes.as_str());
    let refused = clerk.submit(&edit, &edit, &dated).await;
    assert_eq!(refused.status, 409, "{}", refused.html);
    refused.contains("回答がすでにあるため");
    refused.contains("value=\"よく使う公園\"");

    let mut corrected = fields(
        "よく使う公園はどこですか",
        "中央公園\n大船駅前広場",
        "single_choice",
    );
    corrected[3] = ("opens_on", opens.as_str());
    corrected[4] = ("closes_on", closes.as_str());
    let saved = clerk.submit(&edit, &edit, &corrected).await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    assert_eq!(saved.location.as_deref(), Some(manage.as_str()));
    let page = clerk.get(&manage).await;
    page.contains("質問 1 の選択肢 2");
    page.contains("<td data-label=\"修正前\">駅前広場</td>");
    page.contains("<td data-label=\"修正後\">大船駅前広場</td>");
    let mut resident = Browser::new(&app);
    resident.log_in("hanako").await;
    let survey = resident.get(&format!("/surveys/{id}")).await;
    survey.contains("文言を修正しました");

    // Deleting asks for confirmation, and an answered survey is archived instead.
    let actions = format!("{manage}/actions");
    let unconfirmed = clerk
        .submit(&manage, &actions, &[("action", "delete")])
        .await;
    assert_eq!(unconfirmed.status, 422);
    unconfirmed.contains("確認の欄にチェック");
    let refused = clerk
        .submit(
            &manage,
            &actions,
            &[("action", "delete"), ("confirm", "on")],
        )
        .await;
    assert_eq!(refused.status, 409);
    refused.contains("アーカイブしてください");
    let closed = clerk
        .submit(&manage, &actions, &[("action", "close")])
        .await;
    assert_eq!(closed.status, 303);
    clerk.get(&manage).await.contains("受付を再開する");
    let reopened = clerk
        .submit(&manage, &actions, &[("action", "reopen")])
        .await;
    assert_eq!(reopened.status, 303);
    clerk.get(&manage).await.contains("公開中・回答受付中");
    let copied = clerk
        .submit(&manage, &actions, &[("action", "duplicate")])
        .await;
    assert_eq!(copied.status, 303);
    let copy = copied.location.unwrap();
    assert_ne!(copy, manage);
    clerk.get(&copy).await.contains("下書き（職員だけに表示）");
    let archived = clerk
        .submit(&manage, &actions, &[("action", "archive")])
        .await;
    assert_eq!(archived.status, 303);
    assert_eq!(resident.get(&format!("/surveys/{id}")).await.status, 404);
}

both_databases!(
    everything_changes_before_answers_and_only_wording_after,
    drafts_archives_and_deletion,
    staff_correct_surveys_on_the_pages,
);
