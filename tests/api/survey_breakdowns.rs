//! k-anonymous breakdowns and exports: a group of four people is held back (`X`), every
//! row and column with its total has no hidden count or at least two (so subtraction gives
//! none away), small areas are merged and never named, the CSV files say the same, and the
//! staff's answer file drops attributes that fewer than five answers share.

use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Auth, Backend, TestApp, day, phase_today, spawn_app};

/// (age band, area, option of the first question, point of the scale) of each paper answer.
const PAPERS: &[(&str, &str, i64, i64, usize)] = &[
    ("30s", "大船", 1, 4, 5),
    ("30s", "大船", 2, 3, 2),
    ("40s", "大船", 1, 5, 3),
    ("40s", "小町", 1, 2, 1),
    ("50s", "大船", 1, 3, 3),
    ("50s", "大船", 2, 1, 6),
];

async fn survey_with_answers(app: &TestApp, staff: &Auth) -> (i64, Vec<i64>) {
    let created = app
        .post(
            "/api/v1/themes/parks/surveys",
            Some(staff),
            json!({"title": "公園アンケート", "opens_on": day(-1), "closes_on": day(7),
            "sections": [{"questions": [
                {"kind": "single_choice", "prompt": "よく使う公園", "required": true,
                 "options": ["中央公園", "駅前広場"]},
                {"kind": "scale", "prompt": "満足度", "points": 5},
                {"kind": "short_text", "prompt": "ご意見"}
            ]}]}),
        )
        .await
        .expect(201);
    let id = created["id"].as_i64().unwrap();
    let q: Vec<i64> = created["sections"][0]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    for (age, area, choice, point, times) in PAPERS {
        for _ in 0..*times {
            app.post(
                &format!("/api/v1/surveys/{id}/responses"),
                Some(staff),
                json!({"answers": {q[0].to_string(): choice, q[1].to_string(): point},
                       "proxy": {"age_band": age, "area": area, "relations": ["lives"]}}),
            )
            .await
            .expect(201);
        }
    }
    (id, q)
}

/// No row or column, with its total, has exactly one hidden count.
fn nothing_follows_from_the_totals(question: &Value) {
    let rows = question["rows"].as_array().unwrap();
    for row in rows {
        let mut line: Vec<&Value> = row["counts"].as_array().unwrap().iter().collect();
        line.push(&row["answered"]);
        let hidden = line.iter().filter(|v| v.is_null()).count();
        assert_ne!(hidden, 1, "row {row} of {question}");
    }
    for column in 0..question["columns"].as_array().unwrap().len() {
        let mut line: Vec<&Value> = rows.iter().map(|r| &r["counts"][column]).collect();
        line.push(&question["totals"][column]);
        let hidden = line.iter().filter(|v| v.is_null()).count();
        assert_ne!(hidden, 1, "column {column} of {question}");
    }
}

async fn small_groups_are_held_back_everywhere(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let (id, _) = survey_with_answers(&app, &staff).await;
    let breakdown = format!("/api/v1/surveys/{id}/breakdown");

    // Before the close, only staff read it.
    let early = app.get(&format!("{breakdown}?by=age_band"), None).await;
    assert_eq!(early.status, 403);
    let bad = app
        .get(&format!("{breakdown}?by=shoe_size"), Some(&staff))
        .await;
    assert_eq!(bad.status, 400);

    let by_age = app
        .get(&format!("{breakdown}?by=age_band"), Some(&staff))
        .await
        .expect(200);
    assert_eq!(by_age["min_group"], 5);
    let choice = &by_age["questions"][0];
    assert_eq!(choice["columns"], json!(["中央公園", "駅前広場"]));
    let row = |band: &str| {
        choice["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["group"] == json!({"kind": "value", "value": band}))
            .unwrap()
            .clone()
    };
    // 30s: 5 and 2 of 7; 40s: 4 of 4; 50s: 3 and 6 of 9.
    // The 2 of the thirties, the 4 and 4 of the forties and the 3 of the fifties are held
    // back, and with them what would give them away: the thirties' 7 (their row total with
    // the shown 5 would give the 2) and the fifties' 6; the rest is shown.
    assert_eq!(row("30s")["counts"], json!([5, null]));
    assert_eq!(row("30s")["answered"], Value::Null);
    assert_eq!(row("40s")["answered"], Value::Null);
    assert_eq!(row("40s")["counts"], json!([null, 0]));
    assert_eq!(row("50s")["counts"], json!([null, null]));
    assert_eq!(row("50s")["answered"], 9);
    assert_eq!(choice["totals"], json!([12, 8]));
    assert_eq!(row("20s")["counts"], json!([0, 0]));
    assert_eq!(choice["answered"], 20);
    nothing_follows_from_the_totals(choice);
    nothing_follows_from_the_totals(&by_age["questions"][1]);
    // The free text has nothing to break down.
    assert_eq!(by_age["questions"].as_array().unwrap().len(), 2);

    // An area of one respondent is counted with the other small areas and never named.
    let by_area = app.get(&format!("{breakdown}?by=area"), Some(&staff)).await;
    assert_eq!(by_area.status, 200);
    let text = by_area.body.to_string();
    assert!(!text.contains("小町"), "{text}");
    assert!(text.contains("other_areas"), "{text}");
    nothing_follows_from_the_totals(&by_area.body["questions"][0]);

    // The pages and files say the same.
    let mut clerk = Browser::new(&app);
    clerk.log_in("staff_member").await;
    let page = clerk
        .get(&format!("/surveys/{id}/breakdown?by=age_band"))
        .await;
    assert_eq!(page.status, 200);
    // On a phone each figure is labelled with its column (a stacked table).
    page.contains("<table class=\"stacked\">");
    page.contains("data-label=\"回答した人\"");
    let cells = regex::Regex::new(r#" data-label="[^"]*""#)
        .unwrap()
        .replace_all(&page.html, "")
        .to_string();
    assert!(
        cells.contains("<th scope=\"row\">40代</th><td>X</td><td>X</td><td>0</td>"),
        "{cells}"
    );
    page.contains("X は、5 人未満の数");
    let csv = clerk
        .get(&format!("/surveys/{id}/breakdown.csv?by=age_band&codes=1"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(csv.html.starts_with('\u{feff}'), "a byte order mark");
    assert!(csv.html.contains(",40s,X,中央公園,X"), "{}", csv.html);
    assert!(csv.html.contains(",30s,X,中央公園,5"), "{}", csv.html);
    assert!(!csv.html.contains(",40s,4,"), "{}", csv.html);
    // For people: the columns and groups in the page's language, the same counts.
    let people = clerk
        .get(&format!("/surveys/{id}/breakdown.csv?by=age_band"))
        .await;
    assert!(
        people
            .html
            .starts_with("\u{feff}質問番号,質問,年代,回答した人,回答,人数"),
        "{}",
        people.html
    );
    assert!(
        people.html.contains(",40代,X,中央公園,X"),
        "{}",
        people.html
    );
    assert!(
        people.html.contains(",30代,X,中央公園,5"),
        "{}",
        people.html
    );
    let mut english = Browser::new(&app);
    english.accept_language = Some("en");
    english.log_in("staff_member").await;
    let people = english
        .get(&format!("/surveys/{id}/breakdown.csv?by=age_band"))
        .await;
    assert!(
        people
            .html
            .starts_with("\u{feff}Question number,Question,Age band,"),
        "{}",
        people.html
    );
    let area_csv = clerk
        .get(&format!("/surveys/{id}/breakdown.csv?by=area"))
        .await;
    assert!(!area_csv.html.contains("小町"), "{}", area_csv.html);
    let results = clerk.get(&format!("/surveys/{id}/results.csv")).await;
    assert!(results.html.contains("駅前広場,8,40"), "{}", results.html);
    assert!(
        results.html.contains("質問,回答,人数,割合（%）"),
        "{}",
        results.html
    );
    let coded = clerk
        .get(&format!("/surveys/{id}/results.csv?codes=1"))
        .await;
    assert!(
        coded
            .html
            .contains("question_id,question,answer,count,percent,mean_rank"),
        "{}",
        coded.html
    );
    assert!(
        coded.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("-codes.csv"),
        "the two forms are told apart by their names"
    );

    // The staff's answer file: four people in their forties share nothing with four others,
    // so their lines carry no attribute; the thirties and fifties keep their age band.
    let visitor = Browser::new(&app)
        .get(&format!("/surveys/{id}/answers.csv"))
        .await;
    assert_eq!(visitor.status, 303);
    assert!(visitor.location.unwrap().starts_with("/login"));
    let people = clerk.get(&format!("/surveys/{id}/answers.csv")).await;
    assert!(
        people
            .html
            .contains("回答番号,紙の回答,年代,地域,市との関わり,よく使う公園"),
        "{}",
        people.html
    );
    assert!(
        people.html.contains(",30代,大船,住んでいる"),
        "{}",
        people.html
    );
    let answers = clerk
        .get(&format!("/surveys/{id}/answers.csv?codes=1"))
        .await;
    assert_eq!(answers.status, 200, "{}", answers.html);
    let lines: Vec<&str> = answers.html.lines().collect();
    assert_eq!(lines.len(), 21, "{}", answers.html);
    assert!(
        lines[0].starts_with("\u{feff}response,paper,age_band,area,relations,q"),
        "{}",
        lines[0]
    );
    assert!(!answers.html.contains("40s"), "{}", answers.html);
    assert!(!answers.html.contains("小町"), "{}", answers.html);
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains(",30s,大船,lives,"))
            .count(),
        7
    );
    assert_eq!(lines.iter().filter(|l| l.contains(",yes,,,,")).count(), 4);
}

both_databases!(small_groups_are_held_back_everywhere);
