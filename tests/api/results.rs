//! Results (反映): staff publish sections that name the ideas they took up and record
//! progress; bad input is refused by field with nothing stored; each idea links back; the
//! results page shows the record as a table; followers get the `Article` and its updates.

use serde_json::json;

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, federating_app, phase_today};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";

async fn staff_publish_results_that_take_ideas_up(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.30", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    app.theme(&staff, "roads", "open", phase_today(true, true, true))
        .await;
    peer.follow_theme(&app, "parks").await;
    let idea = app.idea(&hanako, "parks", "木陰にベンチを").await;
    let elsewhere = app.idea(&hanako, "roads", "歩道を広げて").await;
    let path = "/api/v1/themes/parks/results";

    let refused = app
        .post(
            path,
            Some(&staff),
            json!({"heading": " ", "body": "計画案に反映しました。",
                   "reflects": [{"proposal_id": elsewhere}, {"proposal_id": idea},
                                {"proposal_id": idea}]}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let mut fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "heading",
            "reflects[0].proposal_id",
            "reflects[2].proposal_id"
        ]
    );
    assert_eq!(app.get(path, None).await.expect(200), json!([]));
    let resident_publishes = app
        .post(path, Some(&hanako), json!({"heading": "x", "body": "x"}))
        .await;
    assert_eq!(resident_publishes.status, 403);

    let published = app
        .post(
            path,
            Some(&staff),
            json!({"heading": "公園のベンチ", "body": "計画案の**3.2節**に入れました。",
                   "reflects": [{"proposal_id": idea, "note": "計画案の3.2節に反映"}]}),
        )
        .await
        .expect(201);
    let id = published["id"].as_i64().unwrap();
    assert_eq!(published["reflects"][0]["title"], "木陰にベンチを");
    let shown = app
        .get(&format!("/api/v1/proposals/{idea}"), None)
        .await
        .expect(200);
    assert_eq!(shown["reflected_in"][0]["result_id"], id, "{shown}");
    assert_eq!(shown["reflected_in"][0]["note"], "計画案の3.2節に反映");

    // Followers get the Article: written by the municipality (an author every group
    // software takes), addressed to the theme and announced by it (FEP-1b12).
    let announce = peer
        .wait_for("the results Article", |a| {
            a["type"] == "Announce"
                && a["object"]["type"] == "Create"
                && a["object"]["object"]["type"] == "Article"
        })
        .await;
    assert_eq!(announce["actor"], format!("{CITY}/themes/parks"));
    let create = &announce["object"];
    let article = &create["object"];
    assert_eq!(create["actor"], format!("{CITY}/actor"));
    assert_eq!(article["name"], "公園のベンチ");
    assert_eq!(article["attributedTo"], format!("{CITY}/actor"));
    assert_eq!(article["audience"], format!("{CITY}/themes/parks"));
    assert!(
        article["cc"]
            .as_array()
            .unwrap()
            .contains(&json!(format!("{CITY}/themes/parks")))
    );
    assert!(
        article.get("updated").is_none(),
        "a new Article is not an edit: {article}"
    );
    assert_eq!(
        article["hiroba:reflects"],
        json!([format!("{CITY}/proposals/{idea}")])
    );
    assert!(
        article["content"]
            .as_str()
            .unwrap()
            .contains("<strong>3.2節</strong>")
    );

    // Progress: bad values by field, then a record, sent as an Update.
    let progress = format!("/api/v1/results/{id}/progress");
    let refused = app
        .post(
            &progress,
            Some(&staff),
            json!({"status": "finished", "percent": 101}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.body["errors"].as_array().unwrap().len(), 2);
    let recorded = app
        .post(
            &progress,
            Some(&staff),
            json!({"status": "in_progress", "percent": 40, "note": "設計を終えました"}),
        )
        .await
        .expect(200);
    assert_eq!(recorded["progress"][0]["percent"], 40);
    let update = peer
        .wait_for("the progress Update", |a| {
            a["type"] == "Update" && a["object"]["type"] == "Article"
        })
        .await;
    assert_eq!(
        update["object"]["hiroba:progress"]["hiroba:percentDone"],
        40
    );
    // What followers' software shows: the latest progress in the content, dated as an edit.
    let shown = update["object"]["content"].as_str().unwrap();
    for part in ["実施中（40%、", "設計を終えました"] {
        assert!(shown.contains(part), "{part} in {shown}");
    }
    assert!(update["object"]["updated"].is_string(), "{update}");
    assert_eq!(update["actor"], format!("{CITY}/actor"));
    let (status, served) = app.activity(&format!("/results/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(served["type"], "Article");
    let example = crate::federation::example("hiroba-result-article.json");
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&served), keys(&example), "the documented shape");

    // The pages: the theme links its results; the record is a table; the idea links back.
    let theme_page = Browser::new(&app).get("/themes/parks").await;
    theme_page.contains("結果と反映を見る");
    let page = Browser::new(&app).get("/themes/parks/results").await;
    page.contains("公園のベンチ");
    page.contains("<strong>3.2節</strong>");
    page.contains("いまの状況: 実施中（40%）");
    page.contains("<td class=\"number\">40%</td>");
    page.contains("設計を終えました");
    let idea_page = Browser::new(&app).get(&format!("/proposals/{idea}")).await;
    idea_page.contains("このアイデアは「公園のベンチ」に反映されました");
    idea_page.contains(&format!("/themes/parks/results#result-{id}"));

    // Staff publish on the page, choosing the ideas from the theme's list: a refusal keeps
    // what was typed and ticked; narrowing the list saves nothing.
    let mut staff_page = Browser::new(&app);
    staff_page.log_in("staff_member").await;
    let form = staff_page.get("/themes/parks/results").await;
    form.contains(&format!("name=\"idea\" type=\"checkbox\" value=\"{idea}\""));
    form.contains("木陰にベンチを");
    let idea_text = idea.to_string();
    let note_field = format!("note_{idea}");
    let wrong = staff_page
        .submit(
            "/themes/parks/results",
            "/themes/parks/results",
            &[
                ("heading", "遊具"),
                ("body", ""),
                ("idea", &idea_text),
                (&note_field, "遊具の更新にも反映"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.html);
    wrong.contains("id=\"error-body\"");
    wrong.contains(&format!("value=\"{idea}\" checked"));
    wrong.contains("value=\"遊具の更新にも反映\"");
    let narrowed = staff_page
        .submit(
            "/themes/parks/results",
            "/themes/parks/results",
            &[
                ("heading", "遊具"),
                ("idea_filter", "存在しない言葉"),
                ("filter", "1"),
            ],
        )
        .await;
    assert_eq!(narrowed.status, 200);
    narrowed.contains("value=\"遊具\"");
    assert!(!narrowed.html.contains("name=\"idea\""), "nothing matches");
    let done = staff_page
        .submit(
            "/themes/parks/results",
            "/themes/parks/results",
            &[
                ("heading", "遊具"),
                ("body", "更新します。"),
                ("idea", &idea_text),
                (&note_field, "遊具の更新にも反映"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    assert_eq!(
        app.get(path, None)
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let recorded = staff_page
        .submit(
            "/themes/parks/results",
            &format!("/themes/parks/results/{id}/progress"),
            &[("status", "done"), ("percent", "百"), ("note", "")],
        )
        .await;
    assert_eq!(recorded.status, 422, "{}", recorded.html);
    recorded.contains(&format!("id=\"error-progress-{id}-percent\""));
}

async fn staff_correct_and_delete_what_they_published(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.31", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    peer.follow_theme(&app, "parks").await;
    let bench = app.idea(&hanako, "parks", "木陰にベンチを").await;
    let toilet = app.idea(&hanako, "parks", "トイレを新しく").await;
    let result = app
        .post(
            "/api/v1/themes/parks/results",
            Some(&staff),
            json!({"heading": "公園のベンチ", "body": "計画に入れました。",
                   "reflects": [{"proposal_id": bench}]}),
        )
        .await
        .expect(201);
    let id = result["id"].as_i64().unwrap();
    let progress = format!("/api/v1/results/{id}/progress");
    app.post(
        &progress,
        Some(&staff),
        json!({"status": "in_progress", "percent": 40, "note": "設計を終えました"}),
    )
    .await
    .expect(200);
    let recorded = app
        .post(
            &progress,
            Some(&staff),
            json!({"status": "done", "percent": 100, "note": "間違えて入力"}),
        )
        .await
        .expect(200);
    let mistaken = recorded["progress"][1]["id"].as_i64().unwrap();
    let first = recorded["progress"][0]["id"].as_i64().unwrap();

    // The API: a progress update corrected and one removed; a wrong one named by field.
    let corrected = app
        .put(
            &format!("{progress}/{first}"),
            Some(&staff),
            json!({"status": "in_progress", "percent": 50, "note": "設計と入札を終えました"}),
        )
        .await
        .expect(200);
    assert_eq!(corrected["progress"][0]["percent"], 50);
    let refused = app
        .put(
            &format!("{progress}/{first}"),
            Some(&staff),
            json!({"status": "finished", "percent": 150, "note": ""}),
        )
        .await;
    assert_eq!(refused.status, 422);
    let mut fields = refused.fields();
    fields.sort();
    assert_eq!(fields, ["percent", "status"]);
    assert_eq!(
        app.delete(&format!("{progress}/{mistaken}"), Some(&hanako))
            .await
            .status,
        403
    );
    let left = app
        .delete(&format!("{progress}/{mistaken}"), Some(&staff))
        .await
        .expect(200);
    assert_eq!(left["progress"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.delete(&format!("{progress}/{mistaken}"), Some(&staff))
            .await
            .status,
        404
    );
    // Followers see the corrected record.
    peer.wait_for("the corrected progress", |a| {
        a["type"] == "Update" && a["object"]["hiroba:progress"]["hiroba:percentDone"] == 50
    })
    .await;

    // The page: the ideas are chosen from the list, the ticked one shown ticked.
    let mut clerk = Browser::new(&app);
    clerk.log_in("staff_member").await;
    let edit = format!("/staff/results/{id}/edit");
    let form = clerk.get(&edit).await;
    assert_eq!(form.status, 200);
    form.contains(&format!("value=\"{bench}\" checked"));
    form.contains(&format!("value=\"{toilet}\">"));
    form.contains("設計と入札を終えました</textarea>");
    let toilet_text = toilet.to_string();
    let saved = clerk
        .submit(
            &edit,
            &edit,
            &[
                ("heading", "公園のトイレ"),
                ("body", "改修します。"),
                ("idea", &toilet_text),
                (&format!("note_{toilet}"), "来年度に改修"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    let now = app
        .get("/api/v1/themes/parks/results", None)
        .await
        .expect(200);
    assert_eq!(now[0]["heading"], "公園のトイレ");
    assert_eq!(now[0]["reflects"][0]["proposal_id"], toilet);
    assert_eq!(now[0]["reflects"].as_array().unwrap().len(), 1);
    let bench_page = Browser::new(&app).get(&format!("/proposals/{bench}")).await;
    assert!(
        !bench_page.html.contains("に反映されました"),
        "the untaken idea no longer links"
    );
    // A progress update corrected on the page, then removed.
    let corrected = clerk
        .submit(
            &edit,
            &format!("/staff/results/{id}/progress/{first}"),
            &[
                ("action", "save"),
                ("status", "done"),
                ("percent", "100％"),
                ("note", "完了"),
            ],
        )
        .await;
    assert_eq!(corrected.status, 303, "{}", corrected.html);
    let removed = clerk
        .submit(
            &edit,
            &format!("/staff/results/{id}/progress/{first}"),
            &[("action", "delete")],
        )
        .await;
    assert_eq!(removed.status, 303);
    clerk
        .get(&edit)
        .await
        .contains("進み具合の記録はまだありません。");

    // Deleting asks to confirm; then the section goes, and followers are told.
    let delete = format!("/staff/results/{id}/delete");
    let unconfirmed = clerk.submit(&edit, &delete, &[]).await;
    assert_eq!(unconfirmed.status, 422);
    unconfirmed.contains("確認の欄にチェック");
    let deleted = clerk.submit(&edit, &delete, &[("confirm", "on")]).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(
        app.get("/api/v1/themes/parks/results", None)
            .await
            .expect(200),
        json!([])
    );
    assert_eq!(app.activity(&format!("/results/{id}")).await.0, 404);
    let url = result["url"].as_str().unwrap().to_string();
    peer.wait_for("the section's Delete", |a| {
        a["type"] == "Delete" && a["object"]["id"] == url.as_str()
    })
    .await;
}

both_databases!(
    staff_publish_results_that_take_ideas_up,
    staff_correct_and_delete_what_they_published,
);
