//! Themes with phases: staff create and edit them; the phase running today decides what
//! residents may do.

use serde_json::json;

use crate::both_databases;
use crate::helpers::{Backend, day, spawn_app};

fn three_phases() -> serde_json::Value {
    json!([
        {"name": "知る", "description": "資料を読む", "starts_on": day(-30), "ends_on": day(-11),
         "allows": {"ideas": false, "comments": true, "supports": false}},
        {"name": "考える", "starts_on": day(-10), "ends_on": day(10),
         "allows": {"ideas": true, "comments": true, "supports": true}},
        {"name": "創る", "starts_on": day(11), "ends_on": day(40),
         "allows": {"ideas": false, "comments": true, "supports": true}}
    ])
}

async fn staff_open_a_theme_and_the_current_phase_is_today(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let created = app
        .post(
            "/api/v1/themes",
            Some(&staff),
            json!({
                "slug": "sogo-keikaku",
                "title": "新しい総合計画",
                "description": "**十年後**のまちを一緒に考えます",
                "tags": ["総合計画", "#まちづくり"],
                "status": "open",
                "phases": three_phases(),
            }),
        )
        .await;
    assert_eq!(created.headers["location"], "/api/v1/themes/sogo-keikaku");
    let theme = created.expect(201);
    assert_eq!(theme["progress"], "in_phase");
    assert_eq!(theme["current_phase"], 1);
    assert_eq!(theme["phases"][1]["name"], "考える");
    assert_eq!(
        theme["allows_now"],
        json!({"ideas": true, "comments": true, "supports": true, "amendments": false})
    );
    assert_eq!(theme["tags"], json!(["まちづくり", "総合計画"]));
    assert!(
        theme["description_html"]
            .as_str()
            .unwrap()
            .contains("<strong>十年後</strong>")
    );

    let listed = app.get("/api/v1/themes", None).await.expect(200);
    assert_eq!(listed[0]["slug"], "sogo-keikaku");
    let fetched = app
        .get("/api/v1/themes/sogo-keikaku", None)
        .await
        .expect(200);
    assert_eq!(fetched["phases"], theme["phases"]);
}

async fn only_staff_create_and_edit_themes(backend: Backend) {
    let app = spawn_app(&backend).await;
    let body = json!({"slug": "x-theme", "title": "X"});
    assert_eq!(
        app.post("/api/v1/themes", None, body.clone()).await.status,
        401
    );
    let resident = app.resident("taro").await;
    assert_eq!(
        app.post("/api/v1/themes", Some(&resident), body.clone())
            .await
            .status,
        403
    );
    let moderator = app
        .user_with_role("mod", hiroba::domain::Role::Moderator)
        .await;
    assert_eq!(
        app.post("/api/v1/themes", Some(&moderator), body)
            .await
            .status,
        403
    );
    let staff = app.staff().await;
    app.theme(&staff, "x-theme", "open", json!([])).await;
    let update = json!({"title": "Y", "status": "open"});
    assert_eq!(
        app.put("/api/v1/themes/x-theme", Some(&resident), update)
            .await
            .status,
        403
    );
}

async fn bad_themes_are_refused_field_by_field(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let reply = app
        .post(
            "/api/v1/themes",
            Some(&staff),
            json!({
                "slug": "Bad Slug",
                "title": "",
                "status": "published",
                "tags": ["ok", "two words"],
                "phases": [
                    {"name": "知る", "starts_on": day(0), "ends_on": day(-1), "allows": {"ideas": true, "comments": true, "supports": true}},
                    {"name": "考える", "starts_on": "2026-13-01", "ends_on": day(5), "allows": {"ideas": true, "comments": true, "supports": true}},
                    {"name": "創る", "starts_on": day(-3), "ends_on": day(20), "allows": {"ideas": true, "comments": true, "supports": true}}
                ]
            }),
        )
        .await;
    assert_eq!(reply.status, 422);
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "phases[0].ends_on",
            "phases[1].starts_on",
            "phases[2].starts_on",
            "slug",
            "status",
            "tags[1]",
            "title"
        ]
    );
    let reply = app
        .post(
            "/api/v1/themes",
            Some(&staff),
            json!({"slug": "api", "title": "t"}),
        )
        .await;
    assert_eq!(reply.body["errors"][0]["code"], "reserved");
    app.theme(&staff, "parks", "open", json!([])).await;
    let reply = app
        .post(
            "/api/v1/themes",
            Some(&staff),
            json!({"slug": "parks", "title": "again"}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (409, vec!["slug".to_string()])
    );
    // A slug may not take a resident's handle either.
    app.resident("hanako").await;
    let reply = app
        .post(
            "/api/v1/themes",
            Some(&staff),
            json!({"slug": "hanako", "title": "t"}),
        )
        .await;
    assert_eq!(reply.status, 409);
}

async fn drafts_are_visible_to_staff_only(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "draft-theme", "draft", json!([])).await;
    app.theme(&staff, "open-theme", "open", json!([])).await;
    let public = app.get("/api/v1/themes", None).await.expect(200);
    let slugs: Vec<&str> = public
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["open-theme"]);
    assert_eq!(
        app.get("/api/v1/themes/draft-theme", None).await.status,
        404
    );
    let resident = app.resident("taro").await;
    assert_eq!(
        app.get("/api/v1/themes/draft-theme", Some(&resident))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/themes?status=draft", Some(&staff))
            .await
            .expect(200)[0]["slug"],
        "draft-theme"
    );
    let reply = app.get("/api/v1/themes?status=finished", None).await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["status".to_string()])
    );
}

async fn a_refused_update_changes_nothing(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let before = app.theme(&staff, "plan", "open", three_phases()).await;
    let reply = app
        .put(
            "/api/v1/themes/plan",
            Some(&staff),
            json!({"title": "新しい題", "status": "closed", "phases": [
                {"name": "", "starts_on": day(0), "ends_on": day(1), "allows": {"ideas": true, "comments": true, "supports": true}}
            ]}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["phases[0].name".to_string()])
    );
    let after = app.get("/api/v1/themes/plan", None).await.expect(200);
    assert_eq!(after["title"], before["title"]);
    assert_eq!(after["phases"], before["phases"]);
    assert_eq!(after["status"], "open");

    // A valid update replaces phases, tags and status together.
    let updated = app
        .put(
            "/api/v1/themes/plan",
            Some(&staff),
            json!({"title": "新しい題", "status": "closed", "tags": ["公園"], "phases": [
                {"name": "振り返り", "starts_on": day(-1), "ends_on": day(1), "allows": {"ideas": true, "comments": true, "supports": true}}
            ]}),
        )
        .await
        .expect(200);
    assert_eq!(updated["phases"].as_array().unwrap().len(), 1);
    assert_eq!(updated["status"], "closed");
    assert_eq!(updated["tags"], json!(["公園"]));
    assert_eq!(
        updated["allows_now"],
        json!({"ideas": false, "comments": false, "supports": false, "amendments": false}),
        "a closed theme allows nothing, whatever its phase"
    );
}

async fn progress_before_between_and_after_phases(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let all = json!({"ideas": true, "comments": true, "supports": true});
    let upcoming = app
        .theme(
            &staff,
            "upcoming",
            "open",
            json!([{"name": "a", "starts_on": day(3), "ends_on": day(9), "allows": all}]),
        )
        .await;
    assert_eq!(upcoming["progress"], "not_started");
    assert_eq!(upcoming["allows_now"]["ideas"], false);
    let between = app
        .theme(
            &staff,
            "between",
            "open",
            json!([
                {"name": "a", "starts_on": day(-9), "ends_on": day(-2), "allows": all},
                {"name": "b", "starts_on": day(2), "ends_on": day(9), "allows": all}
            ]),
        )
        .await;
    assert_eq!(between["progress"], "between_phases");
    let ended = app
        .theme(
            &staff,
            "ended",
            "open",
            json!([{"name": "a", "starts_on": day(-9), "ends_on": day(-1), "allows": all}]),
        )
        .await;
    assert_eq!(ended["progress"], "ended");
    let unphased = app.theme(&staff, "unphased", "open", json!([])).await;
    assert_eq!(unphased["progress"], "unphased");
    // Without phases everything is open, amendments to drafts too.
    assert_eq!(
        unphased["allows_now"],
        json!({"ideas": true, "comments": true, "supports": true, "amendments": true})
    );
}

both_databases!(
    staff_open_a_theme_and_the_current_phase_is_today,
    only_staff_create_and_edit_themes,
    bad_themes_are_refused_field_by_field,
    drafts_are_visible_to_staff_only,
    a_refused_update_changes_nothing,
    progress_before_between_and_after_phases,
);
