//! Method pages without JavaScript: staff save a theme as a method, find it by words and
//! tag, read its phases and guidance, start a theme from it (a wrong date is shown at the
//! field, nothing made), and fork it; anyone reads the pages, in Japanese or English.
//! Staff also write a method on its form and edit it (a new version), and import one from
//! a file's text; every mistake is shown where it is and nothing is stored.

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, phase_today, spawn_app};

async fn staff_reuse_methods_from_their_pages(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let hanako = app.resident("hanako").await;
    app.idea(&hanako, "parks", "木陰のベンチ").await;
    app.idea(&hanako, "parks", "水飲み場").await;
    let mut browser = Browser::new(&app);
    browser.log_in("staff_member").await;

    // The theme's form leads to the method it makes: filled in with what the theme has, the
    // theme's record beside it, "when to use" and the lessons flagged as empty; nothing is
    // published yet.
    let edit = browser.get("/staff/themes/parks/edit").await;
    edit.contains("href=\"/staff/themes/parks/method\"");
    let prepared = browser.get("/staff/themes/parks/method").await;
    assert_eq!(prepared.status, 200, "{}", prepared.html);
    prepared.contains("action=\"/staff/themes/parks/method\"");
    prepared.contains("value=\"考える\"");
    prepared.contains("提案 2 件（うち公式回答 0 件）");
    prepared.contains("id=\"method-when-empty\"");
    prepared.contains("id=\"method-lessons-empty\"");
    assert_eq!(
        app.get("/api/v1/methods", None).await.expect(200)["items"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "nothing is published before staff save"
    );
    let page_fields = |when: &'static str, lessons: &'static str| {
        vec![
            ("title", "公園を考える"),
            ("summary", "公園の使い方を住民と考える"),
            ("when_to_use", when),
            ("phase_name_0", "考える"),
            ("phase_days_0", "11"),
            ("phase_ideas_0", "on"),
            ("phase_comments_0", "on"),
            ("lessons", lessons),
            ("licence", "CC-BY-4.0"),
        ]
    };
    // A refusal keeps the form about the theme, its record and what was typed.
    let mut no_title = page_fields("身近な公園の改修に", "");
    no_title[0] = ("title", "");
    let refused = browser
        .submit(
            "/staff/themes/parks/method",
            "/staff/themes/parks/method",
            &no_title,
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("提案 2 件");
    refused.contains("身近な公園の改修に");
    assert!(!refused.html.contains("id=\"method-when-empty\""));
    refused.contains("id=\"method-lessons-empty\"");
    let saved = browser
        .submit(
            "/staff/themes/parks/method",
            "/staff/themes/parks/method",
            &page_fields("身近な公園の改修に", "昼の回より夜の回に人が集まった"),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    let method_path = saved.location.clone().unwrap();
    assert!(method_path.starts_with("/methods/"), "{method_path}");
    let page = browser.get(&method_path).await;
    assert_eq!(page.status, 200);
    page.contains("段階");
    page.contains("考える");
    page.contains("使われたテーマ");
    page.contains("身近な公園の改修に");
    page.contains("昼の回より夜の回に人が集まった");
    page.contains("この手法でテーマを始める");

    let list = browser.get("/methods?q=公園").await;
    list.contains(&format!("href=\"{method_path}\""));
    let none = browser.get("/methods?q=ワークショップ").await;
    none.contains("手法はまだありません");
    let bad = browser.get("/methods?tag=%23%23%23").await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    bad.contains("aria-invalid=\"true\"");

    // A wrong date is shown at its field; nothing is made.
    let action = format!("{method_path}/themes");
    let refused = browser
        .submit(
            &method_path,
            &action,
            &[
                ("slug", "kodomo"),
                ("title", ""),
                ("starts_on", "2027-02-30"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("id=\"error-starts-on\"");
    refused.contains("value=\"kodomo\"");
    assert_eq!(
        app.get("/api/v1/themes/kodomo", Some(&staff)).await.status,
        404
    );
    let started = browser
        .submit(
            &method_path,
            &action,
            &[
                ("slug", "kodomo"),
                ("title", "子どもの公園"),
                ("starts_on", "2027-04-01"),
            ],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.html);
    assert_eq!(
        started.location.as_deref(),
        Some("/staff/themes/kodomo/edit")
    );
    let theme = app
        .get("/api/v1/themes/kodomo", Some(&staff))
        .await
        .expect(200);
    assert_eq!(theme["phases"][0]["starts_on"], "2027-04-01");
    assert_eq!(
        theme["based_on"]["id"],
        format!("{}{method_path}", app.config.public_url())
    );

    let fork = browser
        .submit(&method_path, &format!("{method_path}/fork"), &[])
        .await;
    assert_eq!(fork.status, 303);
    let fork_page = browser.get(fork.location.as_deref().unwrap()).await;
    fork_page.contains("もとになった手法");

    // Residents and visitors read but do not get the staff forms; English is complete.
    let mut visitor = Browser::new(&app);
    visitor.accept_language = Some("en");
    let page = visitor.get(&method_path).await;
    assert_eq!(page.status, 200);
    page.contains("Phases");
    assert!(
        !page.html.contains("/themes\" class=\"stack\""),
        "no staff form"
    );
    let refused = visitor
        .post(&format!("{method_path}/fork"), &[("csrf", "x")])
        .await;
    assert!(refused.status >= 400, "{}", refused.status);
    let library = visitor.get("/methods/library").await;
    assert_eq!(library.status, 200);
    library.contains("All prefectures");
}

async fn staff_write_edit_and_import_methods_on_forms(backend: Backend) {
    let app = spawn_app(&backend).await;
    app.staff().await;
    app.resident("hanako").await;
    let mut visitor = Browser::new(&app);
    visitor.log_in("hanako").await;
    assert_eq!(visitor.get("/staff/methods/new").await.status, 403);
    let mut browser = Browser::new(&app);
    browser.log_in("staff_member").await;
    let form = browser.get("/staff/methods/new").await;
    assert_eq!(form.status, 200);
    form.contains("name=\"phase_days_1\"");
    form.contains("CC-BY-4.0");

    // Mistakes: a missing title and a phase length that is not a number, each at its place;
    // what was typed stays, nothing is stored.
    let refused = browser
        .submit(
            "/staff/methods/new",
            "/staff/methods/new",
            &[
                ("title", ""),
                ("summary", "公園を見て回る方法"),
                ("phase_name_0", "歩く"),
                ("phase_days_0", "十日"),
                ("phase_ideas_0", "on"),
                ("licence", "CC-BY-4.0"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("id=\"error-title\"");
    refused.contains("公園を見て回る方法");
    refused.contains("value=\"十日\"");
    assert!(
        refused
            .html
            .contains("<p class=\"field-error\" role=\"alert\">"),
        "the row says what is wrong: {}",
        refused.html
    );
    // Too many phases: the limit is said at the phases, not a message about tags.
    let names: Vec<String> = (0..21).map(|i| format!("phase_name_{i}")).collect();
    let days: Vec<String> = (0..21).map(|i| format!("phase_days_{i}")).collect();
    let mut fields = vec![
        ("title", "長い方法"),
        ("summary", "段階が多すぎる"),
        ("licence", "CC-BY-4.0"),
    ];
    for (name, day) in names.iter().zip(&days) {
        fields.push((name.as_str(), "段階"));
        fields.push((day.as_str(), "3"));
    }
    let too_many = browser
        .submit("/staff/methods/new", "/staff/methods/new", &fields)
        .await;
    assert_eq!(too_many.status, 422, "{}", too_many.html);
    too_many.contains("20 個までです。");
    assert!(!too_many.html.contains("タグには"), "{}", too_many.html);
    assert_eq!(
        app.get("/api/v1/methods", None).await.expect(200)["items"],
        serde_json::json!([])
    );

    let written = browser
        .submit(
            "/staff/methods/new",
            "/staff/methods/new",
            &[
                ("title", "まち歩きで聞く"),
                ("summary", "公園を見て回る方法"),
                ("when_to_use", "場所の計画に。"),
                ("phase_name_0", "歩く"),
                ("phase_days_0", "10"),
                ("phase_comments_0", "on"),
                ("phase_staff_0", "集合場所を決める"),
                ("phase_residents_0", "歩きやすい靴で"),
                ("phase_name_1", "考える"),
                ("phase_days_1", "20"),
                ("phase_ideas_1", "on"),
                ("tags", "公園、まち歩き"),
                ("lessons", "雨の日の代わりを決めておく。"),
                ("licence", "CC-BY-SA-4.0"),
            ],
        )
        .await;
    assert_eq!(written.status, 303, "{}", written.html);
    let path = written.location.clone().unwrap();
    let id = path.trim_start_matches("/methods/").to_string();
    let method = app
        .get(&format!("/api/v1/methods/{id}"), None)
        .await
        .expect(200);
    assert_eq!(method["phases"][0]["days"], 10);
    assert_eq!(method["phases"][0]["allows"]["ideas"], false);
    assert_eq!(method["phases"][0]["staff_guidance"], "集合場所を決める");
    assert_eq!(method["phases"][1]["allows"]["ideas"], true);
    assert_eq!(method["tags"], serde_json::json!(["公園", "まち歩き"]));
    assert_eq!(method["licence"], "CC-BY-SA-4.0");
    let page = browser.get(&path).await;
    page.contains("この手法を直す");

    // Editing makes a new version; the form shows what is stored.
    let edit = format!("/staff/methods/{id}/edit");
    let form = browser.get(&edit).await;
    form.contains("value=\"まち歩きで聞く\"");
    form.contains("集合場所を決める");
    let saved = browser
        .submit(
            &edit,
            &edit,
            &[
                ("title", "まち歩きと地図で聞く"),
                ("summary", "公園を見て回る方法"),
                ("phase_name_0", "歩く"),
                ("phase_days_0", "14"),
                ("licence", "CC-BY-4.0"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    let method = app
        .get(&format!("/api/v1/methods/{id}"), None)
        .await
        .expect(200);
    assert_eq!(method["version"], 2);
    assert_eq!(method["title"], "まち歩きと地図で聞く");

    // Import: not JSON, then a file with a wrong field, then the exported file.
    let file = app
        .get(&format!("/api/v1/methods/{id}/export"), None)
        .await
        .expect(200);
    let not_json = browser
        .submit(
            "/staff/methods/import",
            "/staff/methods/import",
            &[("file", "{ not json")],
        )
        .await;
    assert_eq!(not_json.status, 422, "{}", not_json.html);
    not_json.contains("<code>file</code>");
    not_json.contains("{ not json");
    let mut wrong = file.clone();
    wrong["hiroba:methodPhases"][0]["hiroba:days"] = serde_json::json!("many");
    let refused = browser
        .submit(
            "/staff/methods/import",
            "/staff/methods/import",
            &[("file", &wrong.to_string())],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("何も保存していません");
    refused.contains("hiroba:methodPhases");
    let imported = browser
        .submit(
            "/staff/methods/import",
            "/staff/methods/import",
            &[("file", &file.to_string())],
        )
        .await;
    assert_eq!(imported.status, 303, "{}", imported.html);
    let listed = app.get("/api/v1/methods", None).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2, "{listed}");
}

both_databases!(
    staff_reuse_methods_from_their_pages,
    staff_write_edit_and_import_methods_on_forms,
);
