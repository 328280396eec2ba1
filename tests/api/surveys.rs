//! Surveys: staff build one of every question type; residents answer once (field errors and
//! nothing stored for a bad answer), change the answer with its key while it is open; link
//! holders answer once per link; help-desk staff enter paper answers, counted as such; the
//! results count, share and average; the stored rows cannot be joined to an account.

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, TestApp, day, phase_today, spawn_app};

fn all_types() -> Value {
    json!([
        {"title": "暮らし", "questions": [
            {"kind": "single_choice", "prompt": "よく使う公園は", "required": true,
             "options": ["中央公園", "駅前広場", "川沿いの緑地"]},
            {"kind": "multiple_choice", "prompt": "ほしい設備（2つまで）", "max_choices": 2,
             "options": ["日陰", "ベンチ", "トイレ", "遊具"]},
            {"kind": "short_text", "prompt": "お住まいの町名"},
            {"kind": "long_text", "prompt": "ご意見", "help": "自由にお書きください"}
        ]},
        {"title": "幸福度", "questions": [
            {"kind": "number", "prompt": "公園に行く回数（月）", "min": 0, "max": 60},
            {"kind": "date", "prompt": "最後に行った日"},
            {"kind": "scale", "prompt": "公園の満足度", "points": 5, "required": true,
             "low_label": "不満", "high_label": "満足"},
            {"kind": "zero_to_ten", "prompt": "生活の満足度", "low_label": "全く満足していない",
             "high_label": "非常に満足している"},
            {"kind": "ranking", "prompt": "優先してほしい順", "options": ["安全", "緑", "駐輪場"]}
        ]}
    ])
}

async fn survey(app: &TestApp, staff: &crate::helpers::Auth, audience: &str) -> Value {
    app.post(
        "/api/v1/themes/parks/surveys",
        Some(staff),
        json!({"title": "公園アンケート", "audience": audience, "opens_on": day(-1),
               "closes_on": day(7), "sections": all_types()}),
    )
    .await
    .expect(201)
}

fn ids(survey: &Value) -> Vec<i64> {
    survey["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap().clone())
        .map(|q| q["id"].as_i64().unwrap())
        .collect()
}

fn answers(q: &[i64], park: i64, satisfaction: i64) -> Value {
    json!({
        q[0].to_string(): park, q[1].to_string(): [1, 2], q[2].to_string(): "大船",
        q[3].to_string(): "木陰がほしい", q[4].to_string(): 4, q[5].to_string(): day(-3),
        q[6].to_string(): satisfaction, q[7].to_string(): 7, q[8].to_string(): [3, 1, 2]
    })
}

async fn residents_answer_once_and_change_it_with_the_key(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let hanako = app.resident("hanako").await;
    let surveys = "/api/v1/themes/parks/surveys";

    // Building: each wrong question is named, nothing is stored.
    let refused = app
        .post(
            surveys,
            Some(&staff),
            json!({"title": "x", "phase": 4, "sections": [{"questions": [
                {"kind": "single_choice", "prompt": "一つだけ", "options": ["A"]},
                {"kind": "scale", "prompt": "4段階", "points": 4},
                {"kind": "short_text", "prompt": "", "max_choices": 2}
            ]}]}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let mut fields = refused.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "phase",
            "sections[0].questions[0].options",
            "sections[0].questions[1].points",
            "sections[0].questions[2].max_choices",
            "sections[0].questions[2].prompt",
        ]
    );
    let by_resident = app
        .post(
            surveys,
            Some(&hanako),
            json!({"title": "x", "sections": []}),
        )
        .await;
    assert_eq!(by_resident.status, 403);
    assert_eq!(app.get(surveys, None).await.expect(200), json!([]));

    let created = survey(&app, &staff, "residents").await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["open"], true);
    assert_eq!(created["sections"][1]["questions"][2]["low"], 1);
    assert_eq!(created["sections"][1]["questions"][2]["high"], 5);
    let q = ids(&created);
    assert_eq!(q.len(), 9);
    let responses = format!("/api/v1/surveys/{id}/responses");

    // Bad answers: each by its question, nothing stored.
    let mut bad = answers(&q, 9, 6);
    bad[q[1].to_string()] = json!([1, 2, 3]);
    bad[q[4].to_string()] = json!(61);
    bad[q[5].to_string()] = json!("2026-13-01");
    bad.as_object_mut().unwrap().remove(&q[6].to_string());
    bad["999999"] = json!(1);
    let refused = app
        .post(&responses, Some(&hanako), json!({"answers": bad}))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let mut fields = refused.fields();
    fields.sort();
    let mut expected: Vec<String> = [0, 1, 4, 5, 6]
        .iter()
        .map(|i| format!("answers.{}", q[*i]))
        .collect();
    expected.push("answers.999999".into());
    expected.sort();
    assert_eq!(fields, expected);
    let after = app
        .get(&format!("/api/v1/surveys/{id}"), Some(&hanako))
        .await;
    assert_eq!(after.body["response_count"], 0);
    assert_eq!(after.body["answered"], false);

    // Visitors cannot answer a residents' survey.
    let visitor = app
        .post(&responses, None, json!({"answers": answers(&q, 1, 4)}))
        .await;
    assert_eq!(visitor.status, 401);

    let receipt = app
        .post(
            &responses,
            Some(&hanako),
            json!({"answers": answers(&q, 1, 4)}),
        )
        .await
        .expect(201);
    let key = receipt["edit_key"].as_str().unwrap().to_string();
    // A receipt's key: four groups of four, from characters that cannot be mistaken.
    let receipt_shape =
        regex::Regex::new(r"^[2-9A-HJKMNP-TW-Z]{4}(-[2-9A-HJKMNP-TW-Z]{4}){3}$").unwrap();
    assert!(receipt_shape.is_match(&key), "{key}");
    let again = app
        .post(
            &responses,
            Some(&hanako),
            json!({"answers": answers(&q, 2, 2)}),
        )
        .await;
    assert_eq!(again.status, 409);
    let shown = app
        .get(&format!("/api/v1/surveys/{id}"), Some(&hanako))
        .await
        .expect(200);
    assert_eq!(shown["answered"], true);
    assert_eq!(shown["response_count"], 1);

    // The key changes the answer, as printed or as typed by hand (lower case, spaces
    // instead of dashes, full width); a wrong key opens nothing.
    app.put(
        &responses,
        Some(&hanako),
        json!({"edit_key": key, "answers": answers(&q, 3, 5)}),
    )
    .await
    .expect(204);
    let by_hand: String = key.to_lowercase().replace('-', " ");
    let full_width: String = key
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect();
    for typed in [by_hand, full_width] {
        app.put(
            &responses,
            Some(&hanako),
            json!({"edit_key": typed, "answers": answers(&q, 3, 5)}),
        )
        .await
        .expect(204);
    }
    let wrong = app
        .put(
            &responses,
            None,
            json!({"edit_key": "not-a-key", "answers": answers(&q, 3, 5)}),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.fields(), ["edit_key"]);

    // Help-desk staff enter a paper answer; residents cannot.
    let proxy = json!({"age_band": "70s", "area": "大船地区", "relations": ["lives"]});
    let as_resident = app
        .post(
            &responses,
            Some(&hanako),
            json!({"answers": answers(&q, 1, 1), "proxy": proxy}),
        )
        .await;
    assert_eq!(as_resident.status, 403);
    app.post(
        &responses,
        Some(&staff),
        json!({"answers": answers(&q, 1, 1), "proxy": proxy}),
    )
    .await
    .expect(201);

    // Results: residents wait for the close, staff see them now.
    let results = format!("/api/v1/surveys/{id}/results");
    assert_eq!(app.get(&results, Some(&hanako)).await.status, 403);
    let shown = app.get(&results, Some(&staff)).await.expect(200);
    assert_eq!(shown["respondents"], 2);
    assert_eq!(shown["proxy_respondents"], 1);
    let park = &shown["questions"][0];
    assert_eq!(park["answered"], 2);
    assert_eq!(park["options"][0]["count"], 1, "the paper answer");
    assert_eq!(park["options"][2]["count"], 1, "the changed answer");
    assert_eq!(park["options"][2]["percent"], 50.0);
    assert_eq!(
        park["options"][1]["count"], 0,
        "the first answer was replaced"
    );
    let scale = &shown["questions"][6];
    assert_eq!(scale["points"].as_array().unwrap().len(), 5);
    assert_eq!(scale["points"][4]["count"], 1);
    assert_eq!(scale["mean"], 3.0);
    assert_eq!(scale["median"], 3.0);
    let ranking = &shown["questions"][8];
    assert_eq!(ranking["options"][2]["mean_rank"], 1.0);
    let texts = &shown["questions"][3]["texts"];
    assert_eq!(texts.as_array().unwrap().len(), 2);

    // Staff hide a free text.
    let response_id = texts[0]["response_id"].as_i64().unwrap();
    app.put(
        &format!(
            "/api/v1/surveys/{id}/questions/{}/texts/{response_id}",
            q[3]
        ),
        Some(&staff),
        json!({"hidden": true}),
    )
    .await
    .expect(204);
    let shown = app.get(&results, Some(&staff)).await.expect(200);
    let hidden: Vec<bool> = shown["questions"][3]["texts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["response_id"] == response_id)
        .map(|t| t["hidden"].as_bool().unwrap())
        .collect();
    assert_eq!(hidden, [true]);
}

/// A survey answered by one-time links: each link answers once, and a visitor needs no
/// account.
async fn one_time_links_answer_once(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let created = survey(&app, &staff, "link").await;
    let id = created["id"].as_i64().unwrap();
    let q = ids(&created);
    let links = app
        .post(
            &format!("/api/v1/surveys/{id}/links"),
            Some(&staff),
            json!({"count": 2}),
        )
        .await
        .expect(201);
    let first = links[0].as_str().unwrap();
    let secret = first.split("link=").nth(1).unwrap();
    let responses = format!("/api/v1/surveys/{id}/responses");
    let without = app
        .post(&responses, None, json!({"answers": answers(&q, 1, 4)}))
        .await;
    assert_eq!(without.status, 422);
    assert_eq!(without.fields(), ["link"]);
    app.post(
        &responses,
        None,
        json!({"answers": answers(&q, 1, 4), "link": secret}),
    )
    .await
    .expect(201);
    let reused = app
        .post(
            &responses,
            None,
            json!({"answers": answers(&q, 1, 4), "link": secret}),
        )
        .await;
    assert_eq!(reused.status, 422);
    assert_eq!(reused.fields(), ["link"]);
}

/// The stored rows: a response holds the attributes copied at submission and nothing that
/// names or orders the account; the marker holds only that the account answered.
async fn answers_cannot_be_joined_to_accounts(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let hanako = app.resident("hanako").await;
    app.patch(
        "/api/v1/me",
        Some(&hanako),
        json!({"age_band": "30s", "area": "大船地区", "relations": ["lives"]}),
    )
    .await
    .expect(200);
    let created = survey(&app, &staff, "residents").await;
    let id = created["id"].as_i64().unwrap();
    let q = ids(&created);
    app.post(
        &format!("/api/v1/surveys/{id}/responses"),
        Some(&hanako),
        json!({"answers": answers(&q, 1, 4)}),
    )
    .await
    .expect(201);
    // Changing the profile later does not change the answer's copy.
    app.patch("/api/v1/me", Some(&hanako), json!({"age_band": "40s"}))
        .await
        .expect(200);

    let columns = |table: &str| {
        let sql = format!("SELECT * FROM {table}");
        let state = app.state.clone();
        async move {
            use sqlx::{Column, Row};
            let mut conn = state.db.acquire().await.unwrap();
            let (names, values): (Vec<String>, Vec<String>) = match conn.ex() {
                hiroba::storage::Ex::Sqlite(c) => {
                    let rows = sqlx::query(&sql).fetch_all(c).await.unwrap();
                    let names = rows[0]
                        .columns()
                        .iter()
                        .map(|c| c.name().to_string())
                        .collect();
                    let values = rows
                        .iter()
                        .flat_map(|r| {
                            (0..r.len()).map(|i| {
                                r.try_get::<Option<String>, _>(i)
                                    .ok()
                                    .flatten()
                                    .unwrap_or_default()
                            })
                        })
                        .collect();
                    (names, values)
                }
                hiroba::storage::Ex::Postgres(c) => {
                    let rows = sqlx::query(&sql).fetch_all(c).await.unwrap();
                    let names = rows[0]
                        .columns()
                        .iter()
                        .map(|c| c.name().to_string())
                        .collect();
                    let values = rows
                        .iter()
                        .flat_map(|r| {
                            (0..r.len()).map(|i| {
                                r.try_get::<Option<String>, _>(i)
                                    .ok()
                                    .flatten()
                                    .unwrap_or_default()
                            })
                        })
                        .collect();
                    (names, values)
                }
            };
            (names, values)
        }
    };
    let (response_columns, response_values) = columns("survey_responses").await;
    assert_eq!(
        response_columns,
        [
            "id",
            "survey_id",
            "edit_key_hash",
            "proxy",
            "age_band",
            "area",
            "relations"
        ]
    );
    assert!(
        response_values.contains(&"30s".to_string()),
        "{response_values:?}"
    );
    assert!(response_values.contains(&"大船地区".to_string()));
    let (answer_columns, _) = columns("survey_answers").await;
    assert_eq!(
        answer_columns,
        [
            "response_id",
            "question_id",
            "choice_position",
            "rank",
            "number",
            "text",
            "hidden"
        ]
    );
    let (marker_columns, _) = columns("survey_respondents").await;
    assert_eq!(marker_columns, ["survey_id", "user_id"]);
    let user = app.get("/api/v1/me", Some(&hanako)).await.expect(200)["id"]
        .as_i64()
        .unwrap();
    assert!(
        !response_values.contains(&user.to_string()),
        "no value of the response is the account's id"
    );
}

/// A survey opened by a phase closes with it; then everyone reads the results and nobody
/// answers.
async fn a_survey_follows_its_phase(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let phases = json!([
        {"name": "聞く", "starts_on": day(-10), "ends_on": day(-2),
         "allows": {"ideas": true, "comments": true, "supports": true}},
        {"name": "考える", "starts_on": day(-1), "ends_on": day(5),
         "allows": {"ideas": true, "comments": true, "supports": true}}
    ]);
    app.theme(&staff, "parks", "open", phases).await;
    let past = app
        .post(
            "/api/v1/themes/parks/surveys",
            Some(&staff),
            json!({"title": "前の段階", "phase": 1, "sections": all_types()}),
        )
        .await
        .expect(201);
    assert_eq!(past["open"], false);
    assert_eq!(past["closed"], true);
    assert_eq!(past["phase"], 1);
    let now = app
        .post(
            "/api/v1/themes/parks/surveys",
            Some(&staff),
            json!({"title": "今の段階", "phase": 2, "sections": all_types()}),
        )
        .await
        .expect(201);
    assert_eq!(now["open"], true);
    let hanako = app.resident("hanako").await;
    let late = app
        .post(
            &format!("/api/v1/surveys/{}/responses", past["id"]),
            Some(&hanako),
            json!({"answers": answers(&ids(&past), 1, 4)}),
        )
        .await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert_eq!(late.body["type"], "urn:hiroba:problem:not-allowed-now");
    assert_eq!(late.body["title"], "Not possible at this time");
    assert!(
        late.body["detail"].as_str().unwrap().contains("受付期間外"),
        "{}",
        late.body
    );
    let results = app
        .get(&format!("/api/v1/surveys/{}/results", past["id"]), None)
        .await
        .expect(200);
    assert_eq!(results["respondents"], 0);
    assert_eq!(results["closed"], true);
}

both_databases!(
    residents_answer_once_and_change_it_with_the_key,
    one_time_links_answer_once,
    answers_cannot_be_joined_to_accounts,
    a_survey_follows_its_phase
);
