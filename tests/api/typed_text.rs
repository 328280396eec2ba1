//! Text is kept and shown as it was typed: full-width brackets, full-width digits,
//! half-width katakana and 〜 survive every text field of every kind (themes and their
//! phases, ideas, comments, answers, results, drafts, surveys, methods, names), in the API,
//! on the pages and on the wire. Only the white space around a value goes.

use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, day, spawn_app};

/// Text of every kind the issue names, in one string.
const TYPED: &str = "（たたき台）第１２回ｶﾀｶﾅ〜";

fn typed(label: &str) -> String {
    format!("{label}{TYPED}")
}

async fn text_is_kept_as_typed_in_every_field(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let allows = json!({"ideas": true, "comments": true, "supports": true, "amendments": true});
    let theme = app
        .post(
            "/api/v1/themes",
            Some(&staff),
            json!({"slug": "keikaku", "title": typed("テーマ"), "description": typed("説明"),
                   "status": "open",
                   "phases": [{"name": typed("考える"), "description": typed("段階"),
                               "starts_on": day(-1), "ends_on": day(9), "allows": allows}]}),
        )
        .await
        .expect(201);
    assert_eq!(theme["title"], typed("テーマ"));
    assert_eq!(theme["phases"][0]["name"], typed("考える"));

    // A resident's name and idea, a comment, the official answer.
    let me = app
        .patch(
            "/api/v1/me",
            Some(&hanako),
            json!({"display_name": format!("  {}  ", typed("はなこ"))}),
        )
        .await
        .expect(200);
    assert_eq!(me["display_name"], typed("はなこ"), "trimmed, not folded");
    let idea = app
        .post(
            "/api/v1/themes/keikaku/proposals",
            Some(&hanako),
            json!({"title": typed("アイデア"), "body": typed("本文")}),
        )
        .await
        .expect(201);
    let id = idea["id"].as_i64().unwrap();
    assert_eq!(idea["title"], typed("アイデア"));
    let comment = app
        .post(
            &format!("/api/v1/proposals/{id}/comments"),
            Some(&hanako),
            json!({"body": typed("コメント")}),
        )
        .await
        .expect(201);
    assert!(
        comment["body_html"]
            .as_str()
            .unwrap()
            .contains(&typed("コメント"))
    );
    let answer = app
        .put(
            &format!("/api/v1/proposals/{id}/answer"),
            Some(&staff),
            json!({"state": "accepted", "body": typed("回答"), "department": typed("課")}),
        )
        .await
        .expect(200);
    assert_eq!(answer["department"], typed("課"));

    // Results, a draft, a survey, a method.
    let result = app
        .post(
            "/api/v1/themes/keikaku/results",
            Some(&staff),
            json!({"heading": typed("結果"), "body": typed("反映"),
                   "reflects": [{"proposal_id": id, "note": typed("節")}]}),
        )
        .await
        .expect(201);
    assert_eq!(result["heading"], typed("結果"));
    assert_eq!(result["reflects"][0]["note"], typed("節"));
    let draft = app
        .post(
            "/api/v1/themes/keikaku/drafts",
            Some(&staff),
            json!({"title": typed("計画"), "text": typed("第１条")}),
        )
        .await
        .expect(201);
    assert_eq!(draft["title"], typed("計画"));
    assert_eq!(draft["paragraphs"][0]["text"], typed("第１条"));
    let survey = app
        .post(
            "/api/v1/themes/keikaku/surveys",
            Some(&staff),
            json!({"title": typed("調査"), "description": typed("説明"), "audience": "residents",
                   "opens_on": day(0), "closes_on": day(7),
                   "sections": [{"title": typed("節"), "questions": [
                       {"kind": "single_choice", "prompt": typed("問"),
                        "options": [typed("選択肢"), "ほか"]}]}]}),
        )
        .await
        .expect(201);
    assert_eq!(survey["title"], typed("調査"));
    assert_eq!(survey["sections"][0]["title"], typed("節"));
    let question = &survey["sections"][0]["questions"][0];
    assert_eq!(question["prompt"], typed("問"));
    assert_eq!(question["options"][0]["label"], typed("選択肢"));
    let method = app
        .post(
            "/api/v1/methods",
            Some(&staff),
            json!({"title": typed("方法"), "summary": typed("要約"), "when_to_use": typed("いつ"),
                   "phases": [{"name": typed("知る"), "days": 7,
                               "allows": {"ideas": false, "comments": true, "supports": false}}],
                   "lessons": typed("学び")}),
        )
        .await
        .expect(201);
    assert_eq!(method["title"], typed("方法"));
    assert_eq!(method["phases"][0]["name"], typed("知る"));

    // Shown as typed on the pages, and sent as typed.
    let page = Browser::new(&app).get("/themes/keikaku").await;
    for text in [typed("テーマ"), typed("考える"), typed("アイデア")] {
        page.contains(&text);
    }
    let page = Browser::new(&app).get(&format!("/proposals/{id}")).await;
    for text in [typed("アイデア"), typed("課"), typed("はなこ")] {
        page.contains(&text);
    }
    let (_, group) = app.activity("/themes/keikaku").await;
    assert_eq!(group["name"], typed("テーマ"));
    let (_, page_object) = app.activity(&format!("/proposals/{id}")).await;
    assert_eq!(page_object["name"], typed("アイデア"));
    let all: Vec<Value> = vec![theme, idea, result, draft, survey, method];
    for value in all {
        assert!(
            !value.to_string().contains("(たたき台)"),
            "no field folded its brackets: {value}"
        );
    }
}

both_databases!(text_is_kept_as_typed_in_every_field);
