//! Every message a person reads when something is refused comes from the catalogue, in their
//! language: the pages' error details and field errors, the API's problem `detail` (while
//! its `type` and `title` stay stable English for programs), and the error page says what
//! to do next with a way back to where the person came from.

use regex::Regex;
use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::{Browser, Page};
use crate::helpers::{Backend, TestApp, day, phase_today, spawn_app};

/// The catalogue's messages in `lang` as patterns, each value standing for any text.
fn catalogue(lang: &str) -> Vec<Regex> {
    let path = format!("{}/i18n/{lang}/hiroba.ftl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("the catalogue");
    let mut texts = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let value = if line.starts_with(' ') {
            // A variant of a selector: `[one] 1 件` or `*[other] { $count } 件`.
            match line.trim().split_once(']') {
                Some((_, variant)) => variant.trim(),
                None => line.trim(),
            }
        } else {
            match line.split_once(" = ") {
                Some((_, value)) => value.trim(),
                None => continue,
            }
        };
        if !value.is_empty() && !value.ends_with("->") {
            texts.push(value.to_string());
        }
    }
    let value = Regex::new(r"\\\{ \\\$[a-z_-]+ \\\}").expect("pattern");
    texts
        .iter()
        .map(|text| {
            let escaped = regex::escape(text);
            let pattern = value.replace_all(&escaped, "(?s:.+?)");
            Regex::new(&format!("^{pattern}$")).expect("a message pattern")
        })
        .collect()
}

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The texts of a page's refusal: the error page's detail and next step, a form's summary
/// of errors and its field errors.
fn refusal_texts(page: &Page) -> Vec<String> {
    let element =
        Regex::new(r#"<p class="(?:error-detail|error-next|field-error)"[^>]*>([^<]*)</p>"#)
            .expect("pattern");
    let summary =
        Regex::new(r#"(?s)<div class="error-summary"[^>]*>(.*?)</div>"#).expect("pattern");
    let line = Regex::new(r"<p>([^<]*)</p>").expect("pattern");
    let mut texts: Vec<String> = element
        .captures_iter(&page.html)
        .map(|c| unescape(c[1].trim()))
        .collect();
    for block in summary.captures_iter(&page.html) {
        texts.extend(line.captures_iter(&block[1]).map(|c| unescape(c[1].trim())));
    }
    texts
}

#[track_caller]
fn assert_from_catalogue(what: &str, text: &str, messages: &[Regex]) {
    assert!(
        messages.iter().any(|m| m.is_match(text)),
        "{what}: {text:?} is not a message of the catalogue"
    );
}

/// A form sent: what it is, the page it is on, where it is posted, its fields.
type FormPost<'a> = (&'a str, &'a str, String, Vec<(&'a str, &'a str)>);

/// What a theme needs for each refusal: an idea in a phase that takes nothing, a survey that
/// is still open, statistics not published.
struct Stage {
    idea: i64,
    survey: i64,
    staff_user: i64,
}

async fn stage(app: &TestApp) -> Stage {
    let staff = app.staff().await;
    app.theme(&staff, "kangaeru", "open", phase_today(true, true, true))
        .await;
    let hanako = app.resident("hanako").await;
    let idea = app.idea(&hanako, "kangaeru", "木陰のベンチ").await;
    // The phase ends: nothing more may be proposed, supported or commented.
    app.put(
        "/api/v1/themes/kangaeru",
        Some(&staff),
        json!({"title": "公園を考える", "status": "open",
               "phases": [{"name": "知る", "starts_on": day(-5), "ends_on": day(5),
                "allows": {"ideas": false, "comments": false, "supports": false}}]}),
    )
    .await
    .expect(200);
    let survey = app
        .post(
            "/api/v1/themes/kangaeru/surveys",
            Some(&staff),
            json!({"title": "公園の使い方", "opens_on": day(-1), "closes_on": day(7),
                   "sections": [{"questions": [{"kind": "short_text", "prompt": "よく行く公園"}]}]}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .expect("survey id");
    let me = app.get("/api/v1/me", Some(&staff)).await.expect(200);
    Stage {
        idea,
        survey,
        staff_user: me["id"].as_i64().expect("user id"),
    }
}

async fn every_refusal_a_page_shows_is_worded_from_the_catalogue(backend: Backend) {
    let app = spawn_app(&backend).await;
    let stage = stage(&app).await;
    for (lang, accept) in [("ja", "ja"), ("en", "en-GB,en;q=0.9")] {
        let messages = catalogue(lang);
        let mut resident = Browser::new(&app);
        resident.accept_language = Some(accept);
        resident.log_in("hanako").await;
        let idea = format!("/proposals/{}", stage.idea);
        let survey = format!("/surveys/{}", stage.survey);
        let mut pages = vec![
            ("staff area", resident.get("/staff").await),
            ("staff answers", resident.get("/staff/answers").await),
            (
                "statistics",
                resident.get("/themes/kangaeru/statistics").await,
            ),
            (
                "results before close",
                resident.get(&format!("{survey}/results")).await,
            ),
            ("no such idea", resident.get("/proposals/999999").await),
            ("no such theme", resident.get("/themes/no-such-theme").await),
        ];
        let forms: [FormPost; 6] = [
            (
                "idea out of phase",
                "/themes/kangaeru",
                "/themes/kangaeru/proposals".into(),
                vec![("title", "新しい案"), ("body", "本文")],
            ),
            (
                "support out of phase",
                &idea,
                format!("{idea}/support"),
                vec![],
            ),
            (
                "comment out of phase",
                &idea,
                format!("{idea}/comments"),
                vec![("body", "賛成です")],
            ),
            (
                "answer by a resident",
                &idea,
                format!("{idea}/answer"),
                vec![("answer_state", "adopted"), ("answer_body", "実施します")],
            ),
            (
                "role by a resident",
                "/",
                format!("/staff/users/{}/role", stage.staff_user),
                vec![("role", "resident")],
            ),
            (
                "moderation by a resident",
                &idea,
                format!("{idea}/moderate"),
                vec![("action", "hide"), ("reason", "test")],
            ),
        ];
        for (what, page, action, fields) in forms {
            pages.push((what, resident.submit(page, &action, &fields).await));
        }
        for (what, page) in &pages {
            assert!(page.status >= 400, "{what}: {} {}", page.status, page.html);
            assert!(
                page.html.contains(&format!("<html lang=\"{lang}\"")),
                "{what}: the page is not in {lang}"
            );
            let texts = refusal_texts(page);
            assert!(!texts.is_empty(), "{what}: no message:\n{}", page.html);
            for text in texts {
                assert_from_catalogue(what, &text, &messages);
            }
        }
    }
}

async fn api_problems_are_worded_in_the_request_language(backend: Backend) {
    let app = spawn_app(&backend).await;
    let stage = stage(&app).await;
    let hanako = app.login("hanako", crate::helpers::PASSWORD).await;
    let ja = catalogue("ja");
    let en = catalogue("en");
    let call = |accept: Option<&'static str>, path: String, body: Option<Value>| {
        let url = format!("{}{path}", app.address);
        let mut request = match &body {
            Some(body) if path.ends_with("/support") => app.client.put(url).json(body),
            Some(body) => app.client.post(url).json(body),
            None => app.client.get(url),
        };
        if let crate::helpers::Auth::Session { cookie, csrf } = &hanako {
            request = request
                .header("cookie", format!("hiroba_session={cookie}"))
                .header("x-csrf-token", csrf);
        }
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        async move {
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let refusals = [
        (
            format!("/api/v1/proposals/{}/support", stage.idea),
            Some(json!({})),
            409,
        ),
        ("/api/v1/statistics".to_string(), None, 403),
        (
            format!("/api/v1/surveys/{}/results", stage.survey),
            None,
            403,
        ),
        (
            "/api/v1/themes/kangaeru/proposals".to_string(),
            Some(json!({"title": 5})),
            422,
        ),
        (
            "/api/v1/themes/kangaeru/proposals".to_string(),
            Some(json!({"title": "x", "body": "y", "tags": "one"})),
            422,
        ),
        ("/api/v1/me/notifications?page=two".to_string(), None, 400),
        ("/api/v1/no-such-thing".to_string(), None, 404),
    ];
    for (path, body, status) in refusals {
        let mut seen = Vec::new();
        for (accept, messages) in [(None, &ja), (Some("ja"), &ja), (Some("en-US"), &en)] {
            let (got, problem) = call(accept, path.clone(), body.clone()).await;
            assert_eq!(got, status, "{path}: {problem}");
            let detail = problem["detail"].as_str().unwrap_or_default().to_string();
            let what = format!("{path} ({accept:?})");
            // A field error's detail is the first field's message.
            assert_from_catalogue(&what, &detail, messages);
            for error in problem["errors"].as_array().into_iter().flatten() {
                let message = error["message"].as_str().unwrap_or_default();
                assert_from_catalogue(&what, message, messages);
            }
            seen.push((problem["type"].clone(), problem["title"].clone(), detail));
        }
        // Programs read the same type and title whatever the language; people read the
        // detail in theirs.
        assert_eq!(seen[0].0, seen[2].0, "{path}");
        assert_eq!(seen[0].1, seen[2].1, "{path}");
        assert_eq!(seen[0].2, seen[1].2, "{path}: Japanese is the default");
        assert_ne!(seen[0].2, seen[2].2, "{path}: English on request");
    }
}

async fn the_error_page_says_what_to_do_and_leads_back(backend: Backend) {
    let app = spawn_app(&backend).await;
    let stage = stage(&app).await;
    let mut resident = Browser::new(&app);
    resident.log_in("hanako").await;
    let idea = format!("/proposals/{}", stage.idea);
    let came_from = format!("{}{idea}", app.config.public_url());
    let request = app
        .client
        .get(format!("{}/staff/answers", app.address))
        .header("referer", &came_from);
    let page = resident.send(request).await;
    assert_eq!(page.status, 403);
    page.contains("この操作は職員だけができます。");
    page.contains("担当の職員にお問い合わせください");
    page.contains(&format!(
        "<a class=\"button\" href=\"{idea}\">前のページへ戻る</a>"
    ));
    // Another site's address is never offered as the way back.
    let request = app
        .client
        .get(format!("{}/staff/answers", app.address))
        .header("referer", "https://elsewhere.example/staff");
    let page = resident.send(request).await;
    assert!(!page.html.contains("前のページへ戻る"), "{}", page.html);
    page.contains("ホームへ戻る");
}

both_databases!(
    every_refusal_a_page_shows_is_worded_from_the_catalogue,
    api_problems_are_worded_in_the_request_language,
    the_error_page_says_what_to_do_and_leads_back,
);
