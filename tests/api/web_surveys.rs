//! Surveys on the pages, without a script: staff build one from question rows (a refused
//! row is named, nothing stored); a resident answers (errors at the questions, what was
//! typed kept), sees the key, changes the answer, and after logging out opens it again only
//! with the key; staff enter a paper answer and make one-time links; the results page draws
//! each chart beside its table.

use serde_json::Value;

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, TestApp, day, phase_today, spawn_app};

/// The question rows of the builder for a small survey: a required single choice, a
/// multiple choice of two at most, a labelled scale, a ranking and a long text.
fn rows() -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = vec![
        ("title", "公園アンケート".into()),
        ("description", "公園の使い方を教えてください。".into()),
        ("audience", "residents".into()),
        ("opens_on", day(-1)),
        ("closes_on", day(7)),
    ];
    let rows: [(&str, &str, &str, bool, &str, &str, &str); 5] = [
        (
            "暮らし",
            "single_choice",
            "よく使う公園",
            true,
            "中央公園\n駅前広場\n川沿いの緑地",
            "",
            "",
        ),
        (
            "暮らし",
            "multiple_choice",
            "ほしい設備",
            false,
            "日陰\nベンチ\nトイレ",
            "2",
            "",
        ),
        ("満足度", "scale", "公園の満足度", true, "", "", "5"),
        (
            "満足度",
            "ranking",
            "優先してほしい順",
            false,
            "安全\n緑\n駐輪場",
            "",
            "",
        ),
        ("満足度", "long_text", "ご意見", false, "", "", ""),
    ];
    let names = [
        "q_section_",
        "q_kind_",
        "q_prompt_",
        "q_options_",
        "q_max_choices_",
        "q_points_",
    ];
    for (i, (section, kind, prompt, required, options, max, points)) in rows.iter().enumerate() {
        let values = [*section, *kind, *prompt, *options, *max, *points];
        for (name, value) in names.iter().zip(values) {
            let key: &'static str = Box::leak(format!("{name}{i}").into_boxed_str());
            fields.push((key, value.to_string()));
        }
        if *required {
            let key: &'static str = Box::leak(format!("q_required_{i}").into_boxed_str());
            fields.push((key, "on".into()));
        }
        if *kind == "scale" {
            let low: &'static str = Box::leak(format!("q_low_label_{i}").into_boxed_str());
            let high: &'static str = Box::leak(format!("q_high_label_{i}").into_boxed_str());
            fields.push((low, "不満".into()));
            fields.push((high, "満足".into()));
        }
    }
    fields
}

fn borrowed<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn question_ids(app: &TestApp, id: i64) -> Vec<i64> {
    let survey = app
        .get(&format!("/api/v1/surveys/{id}"), None)
        .await
        .expect(200);
    survey["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap().clone())
        .map(|q: Value| q["id"].as_i64().unwrap())
        .collect()
}

async fn surveys_are_built_answered_and_counted_on_the_pages(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    app.resident("hanako").await;
    let mut clerk = Browser::new(&app);
    clerk.log_in("staff_member").await;
    let builder = "/staff/themes/parks/surveys/new";

    // A single choice with one option and a scale of 4 points: each named at its row.
    let mut bad = rows();
    for (key, value) in bad.iter_mut() {
        match *key {
            "q_options_0" => *value = "中央公園".into(),
            "q_points_2" => *value = "4".into(),
            _ => {}
        }
    }
    let refused = clerk.submit(builder, builder, &borrowed(&bad)).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("選択肢：選択肢は 2 つ以上入れてください。");
    refused.contains("段階の数（5 か 7、段階評価）：5 か 7 を入れてください。");
    refused.contains("value=\"公園の満足度\"");
    let listed = app
        .get("/api/v1/themes/parks/surveys", None)
        .await
        .expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 0, "{listed}");

    // More rows: shown again, nothing stored.
    let mut more = rows();
    more.push(("more", "1".into()));
    let grown = clerk.submit(builder, builder, &borrowed(&more)).await;
    assert_eq!(grown.status, 200);
    grown.contains("name=\"q_prompt_7\"");

    let built = clerk.submit(builder, builder, &borrowed(&rows())).await;
    assert_eq!(built.status, 303, "{}", built.html);
    let page = built.location.clone().unwrap();
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let q = question_ids(&app, id).await;
    assert_eq!(q.len(), 5);
    let theme_page = Browser::new(&app).get("/themes/parks").await;
    theme_page.contains("/themes/parks/surveys");
    Browser::new(&app)
        .get("/themes/parks/surveys")
        .await
        .contains(&format!("/surveys/{id}\">公園アンケート</a>"));

    // Signed out, the page asks to sign in.
    Browser::new(&app)
        .get(&page)
        .await
        .contains(&format!("/login?next=/surveys/{id}"));

    // A resident: a missing required answer and two options with one rank are refused at
    // their questions, and what was typed stays.
    let mut hanako = Browser::new(&app);
    hanako.log_in("hanako").await;
    let form = hanako.get(&page).await;
    form.contains(&format!("name=\"answers.{}\"", q[0]));
    form.contains(&format!("name=\"answers.{}.2\"", q[3]));
    form.contains("1 は「不満」、5 は「満足」です。");
    let (choice, multi, scale, rank, text) = (
        format!("answers.{}", q[0]),
        format!("answers.{}", q[1]),
        format!("answers.{}", q[2]),
        format!("answers.{}", q[3]),
        format!("answers.{}", q[4]),
    );
    let (rank1, rank2, rank3) = (
        format!("{rank}.1"),
        format!("{rank}.2"),
        format!("{rank}.3"),
    );
    let refused = hanako
        .submit(
            &page,
            &page,
            &[
                (multi.as_str(), "1"),
                (multi.as_str(), "2"),
                (scale.as_str(), "4"),
                (rank1.as_str(), "1"),
                (rank2.as_str(), "1"),
                (text.as_str(), "木陰がほしい"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains(&format!("id=\"error-answers-{}\"", q[0]));
    refused.contains("同じ順位を 2 つ以上の選択肢に付けることはできません。");
    refused.contains("木陰がほしい</textarea>");
    refused.contains(&format!(
        "id=\"q{}-4\" type=\"radio\" name=\"{scale}\" value=\"4\" checked",
        q[2]
    ));
    assert_eq!(
        app.get(&format!("/api/v1/surveys/{id}"), None).await.body["response_count"],
        0
    );

    let sent = hanako
        .submit(
            &page,
            &page,
            &[
                (choice.as_str(), "2"),
                (multi.as_str(), "1"),
                (multi.as_str(), "3"),
                (scale.as_str(), "4"),
                (rank1.as_str(), "2"),
                (rank2.as_str(), "3"),
                (rank3.as_str(), "1"),
                (text.as_str(), "木陰がほしい"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.html);
    let cookie = format!("hiroba_survey_{id}");
    let key = hanako
        .cookies
        .get(&cookie)
        .cloned()
        .expect("the key is kept");
    let thanks = hanako.get(&page).await;
    thanks.contains("回答ありがとうございました");
    thanks.contains(&key);

    // Changing: the form holds the answer; the change is counted instead of it.
    let change = format!("{page}/change");
    let filled = hanako.get(&change).await;
    filled.contains(&format!("name=\"{choice}\" value=\"2\" checked"));
    filled.contains(&format!("name=\"{rank3}\">"));
    filled.contains("<option value=\"1\" selected>1 位</option>");
    filled.contains("木陰がほしい</textarea>");
    let changed = hanako
        .submit(
            &change,
            &change,
            &[
                (choice.as_str(), "1"),
                (scale.as_str(), "5"),
                (text.as_str(), "ベンチを増やしてほしい"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.html);

    // Logged out, the key is forgotten; the account has answered; only the key opens it.
    let out = hanako.submit("/", "/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(
        !hanako.cookies.contains_key(&cookie),
        "{:?}",
        hanako.cookies
    );
    hanako.log_in("hanako").await;
    let again = hanako.get(&page).await;
    again.contains("このアカウントでは回答済みです");
    assert!(!again.html.contains(&key));
    let wrong = hanako
        .submit(
            &page,
            &format!("{page}/key"),
            &[("edit_key", "not-the-key")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    wrong.contains("この鍵に当たる回答はありません。");
    let opened = hanako
        .submit(&page, &format!("{page}/key"), &[("edit_key", key.as_str())])
        .await;
    assert_eq!(opened.status, 303, "{}", opened.html);
    hanako
        .get(&change)
        .await
        .contains("ベンチを増やしてほしい</textarea>");

    // A paper answer entered by staff, with the attributes on the paper.
    let paper = format!("{page}/paper");
    let entered = clerk
        .submit(
            &paper,
            &paper,
            &[
                ("proxy_age_band", "70s"),
                ("proxy_area", "大船"),
                ("proxy_relations", "lives"),
                (choice.as_str(), "1"),
                (scale.as_str(), "2"),
            ],
        )
        .await;
    assert_eq!(entered.status, 303, "{}", entered.html);
    clerk
        .get(entered.location.as_deref().unwrap())
        .await
        .contains("紙の回答を保存しました。");

    // Results: staff see them while it is open, each chart beside its table.
    let results = format!("{page}/results");
    assert_eq!(Browser::new(&app).get(&results).await.status, 403);
    let shown = clerk.get(&results).await;
    assert_eq!(shown.status, 200);
    shown.contains("回答 2件");
    shown.contains("うち代理入力 1件");
    shown.contains("<svg class=\"chart\" role=\"img\"");
    shown.contains("<caption>回答の数と割合</caption>");
    shown.contains("<th scope=\"row\">中央公園</th><td>2</td><td>100%</td>");
    shown.contains("<th scope=\"row\">5（満足）</th><td>1</td><td>50%</td>");
    shown.contains("平均 3.5");
    shown.contains("ベンチを増やしてほしい");
    // The free texts' word cloud: the terms of the answers shown, with their counts.
    shown.contains("回答に多いことば");
    shown.contains("<li class=\"term-step-3\">ベンチ <span class=\"term-count\">(1件)</span></li>");
    assert!(
        !shown.html.contains("木陰がほしい"),
        "the changed text is gone"
    );

    // English is complete on these pages.
    let mut english = Browser::new(&app);
    english.accept_language = Some("en");
    english.log_in("staff_member").await;
    english.get(&results).await.contains("Answers and shares");
    english.get(&paper).await.contains("Save the paper answer");
}

async fn link_surveys_are_answered_with_the_links_staff_make(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let mut clerk = Browser::new(&app);
    clerk.log_in("staff_member").await;
    let builder = "/staff/themes/parks/surveys/new";
    let mut fields = rows();
    for (key, value) in fields.iter_mut() {
        if *key == "audience" {
            *value = "link".into();
        }
    }
    let built = clerk.submit(builder, builder, &borrowed(&fields)).await;
    assert_eq!(built.status, 303, "{}", built.html);
    let page = built.location.clone().unwrap();
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let q = question_ids(&app, id).await;

    let links = format!("{page}/links");
    let refused = clerk.submit(&links, &links, &[("count", "0")]).await;
    assert_eq!(refused.status, 422);
    refused.contains("1 から 1,000 までの数を入れてください。");
    let made = clerk.submit(&links, &links, &[("count", "2")]).await;
    assert_eq!(made.status, 200, "{}", made.html);
    made.contains("2 件のリンクを作りました");
    let link = made
        .html
        .split("<code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .unwrap()
        .to_string();
    let secret = link.split("link=").nth(1).unwrap().to_string();

    // Without a link, the page says how it is answered.
    Browser::new(&app)
        .get(&page)
        .await
        .contains("配られたリンクから回答します");
    let opened = format!("{page}?link={secret}");
    let mut visitor = Browser::new(&app);
    let form = visitor.get(&opened).await;
    form.contains(&format!("name=\"link\" value=\"{secret}\""));
    let (choice, scale) = (format!("answers.{}", q[0]), format!("answers.{}", q[2]));
    let answer = [
        ("link", secret.as_str()),
        (choice.as_str(), "3"),
        (scale.as_str(), "3"),
    ];
    let sent = visitor.submit(&opened, &page, &answer).await;
    assert_eq!(sent.status, 303, "{}", sent.html);
    // The link is used up: another browser with it is refused.
    let mut other = Browser::new(&app);
    let reused = other.submit(&opened, &page, &answer).await;
    assert_eq!(reused.status, 422, "{}", reused.html);
    reused.contains("このリンクは使用済みか");
    assert_eq!(
        app.get(&format!("/api/v1/surveys/{id}"), None).await.body["response_count"],
        1
    );
}

both_databases!(
    surveys_are_built_answered_and_counted_on_the_pages,
    link_surveys_are_answered_with_the_links_staff_make
);
