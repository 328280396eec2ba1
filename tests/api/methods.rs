//! Methods through the API: staff publish and edit them (each edit a version, the earlier
//! ones readable), anyone lists, searches and filters them, a theme is saved as a method,
//! and bad input is refused field by field with nothing stored.

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, day, spawn_app};

fn method(title: &str) -> Value {
    json!({
        "title": title,
        "summary": "学校のタブレットで子どもの声を聞いた方法",
        "when_to_use": "子どもに関わる計画づくりに。",
        "phases": [
            {"name": "知る", "days": 14, "allows": {"ideas": false, "comments": true, "supports": false},
             "staff_guidance": "学校と日程を決める", "resident_guidance": "説明を読んでください"},
            {"name": "考える", "days": 30, "allows": {"ideas": true, "comments": true, "supports": true}}
        ],
        "tags": ["#子ども", "学校"],
        "lessons": "授業時間に合わせると回答が増えた。"
    })
}

async fn methods_are_published_versioned_and_found(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let resident = app.resident("hanako").await;

    assert_eq!(
        app.post("/api/v1/methods", None, method("x")).await.status,
        401
    );
    assert_eq!(
        app.post("/api/v1/methods", Some(&resident), method("x"))
            .await
            .status,
        403
    );
    let created = app
        .post("/api/v1/methods", Some(&staff), method("タブレットで聞く"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.headers["location"], format!("/api/v1/methods/{id}"));
    let first = created.body;
    assert_eq!(first["version"], 1);
    assert_eq!(first["licence"], "CC-BY-4.0", "the default licence");
    assert_eq!(first["tags"], json!(["子ども", "学校"]));
    assert_eq!(first["phases"][0]["days"], 14);
    assert_eq!(first["phases"][1]["staff_guidance"], "");
    assert_eq!(
        first["url"],
        format!("{}/methods/{id}", app.config.public_url())
    );

    // An edit makes version 2; version 1 still reads as it was.
    let mut edited = method("タブレットと紙で聞く");
    edited["licence"] = json!("CC-BY-SA-4.0");
    edited["tags"] = json!(["子ども"]);
    let second = app
        .put(&format!("/api/v1/methods/{id}"), Some(&staff), edited)
        .await
        .expect(200);
    assert_eq!(
        (second["version"].clone(), second["latest_version"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(second["licence"], "CC-BY-SA-4.0");
    let versions = app
        .get(&format!("/api/v1/methods/{id}/versions"), None)
        .await
        .expect(200);
    let numbers: Vec<i64> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 1]);
    let old = app
        .get(&format!("/api/v1/methods/{id}/versions/1"), None)
        .await
        .expect(200);
    assert_eq!(old["title"], "タブレットで聞く");
    assert_eq!(old["latest_version"], 2);
    assert_eq!(
        app.get(&format!("/api/v1/methods/{id}/versions/3"), None)
            .await
            .status,
        404
    );

    // Another method; search by words and filter by tag.
    let mut other = method("まちあるきワークショップ");
    other["summary"] = json!("地図を持って歩き、気づきを集める");
    other["tags"] = json!(["まちづくり"]);
    app.post("/api/v1/methods", Some(&staff), other)
        .await
        .expect(201);
    let titles = |list: Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["title"].as_str().unwrap().to_string())
            .collect()
    };
    let all = app.get("/api/v1/methods", None).await.expect(200);
    assert_eq!(
        titles(all),
        vec!["まちあるきワークショップ", "タブレットと紙で聞く"]
    );
    let found = app.get("/api/v1/methods?q=地図", None).await.expect(200);
    assert_eq!(titles(found), vec!["まちあるきワークショップ"]);
    let tagged = app
        .get("/api/v1/methods?tag=%23%E5%AD%90%E3%81%A9%E3%82%82", None)
        .await
        .expect(200);
    assert_eq!(titles(tagged), vec!["タブレットと紙で聞く"]);
    let none = app.get("/api/v1/methods?tag=学校", None).await.expect(200);
    assert!(titles(none).is_empty(), "the tag left with version 2");

    // Each publication and edit is in the event log.
    let mut conn = app.state.db.acquire().await.unwrap();
    let kinds: Vec<String> = hiroba::storage::events::after(conn.ex(), 0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind.starts_with("method_"))
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec!["method_published", "method_updated", "method_published"]
    );
}

async fn bad_methods_are_refused_by_field_and_nothing_is_stored(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"phases": []}), "phases"),
        (json!({"title": "   "}), "title"),
        (json!({"licence": "MIT"}), "licence"),
        (json!({"tags": ["ok", ""]}), "tags[1]"),
    ];
    for (change, field) in cases {
        let mut body = method("題");
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let refused = app.post("/api/v1/methods", Some(&staff), body).await;
        assert_eq!(refused.status, 422, "{field}: {}", refused.body);
        assert!(
            refused.fields().contains(&field.to_string()),
            "{field}: {}",
            refused.body
        );
    }
    let mut body = method("題");
    body["phases"][1]["days"] = json!(0);
    body["phases"][0]["name"] = json!("");
    let refused = app.post("/api/v1/methods", Some(&staff), body).await;
    assert_eq!(refused.status, 422);
    let fields = refused.fields();
    assert!(fields.contains(&"phases[1].days".to_string()), "{fields:?}");
    assert!(fields.contains(&"phases[0].name".to_string()), "{fields:?}");
    let mut body = method("題");
    body["colour"] = json!("red");
    let refused = app.post("/api/v1/methods", Some(&staff), body).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.to_string().contains("colour"),
        "{}",
        refused.body
    );

    // A failed edit keeps the stored version as it was.
    let id = app
        .post("/api/v1/methods", Some(&staff), method("残る題"))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let mut bad = method("変わらない");
    bad["phases"] = json!([]);
    assert_eq!(
        app.put(&format!("/api/v1/methods/{id}"), Some(&staff), bad)
            .await
            .status,
        422
    );
    let kept = app
        .get(&format!("/api/v1/methods/{id}"), None)
        .await
        .expect(200);
    assert_eq!(
        (kept["title"].clone(), kept["version"].clone()),
        (json!("残る題"), json!(1))
    );
    let all = app.get("/api/v1/methods", None).await.expect(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
}

async fn a_theme_is_saved_as_a_method(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let phases = json!([
        {"name": "知る", "description": "資料を読む", "starts_on": day(-10), "ends_on": day(-1),
         "allows": {"ideas": false, "comments": true, "supports": false}},
        {"name": "考える", "starts_on": day(0), "ends_on": day(29),
         "allows": {"ideas": true, "comments": true, "supports": true}}
    ]);
    app.post(
        "/api/v1/themes",
        Some(&staff),
        json!({"slug": "kodomo", "title": "子どもの声", "description": "子どもの意見を**聞く**",
               "tags": ["子ども"], "status": "open", "phases": phases}),
    )
    .await
    .expect(201);
    assert_eq!(
        app.post(
            "/api/v1/themes/kodomo/method",
            Some(&app.resident("taro").await),
            json!({})
        )
        .await
        .status,
        403
    );
    let saved = app
        .post("/api/v1/themes/kodomo/method", Some(&staff), json!({}))
        .await
        .expect(201);
    assert_eq!(saved["title"], "子どもの声");
    assert_eq!(saved["summary"], "子どもの意見を聞く");
    assert_eq!(saved["phases"][0]["days"], 10);
    assert_eq!(saved["phases"][0]["resident_guidance"], "資料を読む");
    assert_eq!(saved["phases"][0]["allows"]["ideas"], false);
    assert_eq!(saved["phases"][1]["days"], 30);
    assert_eq!(saved["tags"], json!(["子ども"]));
    assert_eq!(
        saved["used_in"],
        json!([{"theme": format!("{}/themes/kodomo", app.config.public_url()), "title": "子どもの声"}])
    );
    // An edit keeps where it was used.
    let mut edit = method("子どもの声を聞く方法");
    edit["phases"] = saved["phases"].clone();
    let edited = app
        .put(
            &format!("/api/v1/methods/{}", saved["id"]),
            Some(&staff),
            edit,
        )
        .await
        .expect(200);
    assert_eq!(edited["used_in"], saved["used_in"]);
    assert_eq!(
        app.post("/api/v1/themes/nothing/method", Some(&staff), json!({}))
            .await
            .status,
        404
    );
}

async fn a_method_is_exported_and_imported_as_a_file(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let id = app
        .post("/api/v1/methods", Some(&staff), method("タブレットで聞く"))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let export = app.get(&format!("/api/v1/methods/{id}/export"), None).await;
    assert_eq!(export.status, 200);
    assert_eq!(
        export.headers["content-disposition"],
        format!("attachment; filename=\"method-{id}.json\"")
    );
    let file = export.body;
    assert_eq!(file["type"], json!(["Article", "hiroba:Method"]));
    assert_eq!(file["hiroba:methodPhases"][0]["hiroba:days"], 14);

    // Imported, it is a new method here attributed to the file's.
    let imported = app
        .post("/api/v1/methods/import", Some(&staff), file.clone())
        .await
        .expect(201);
    assert_ne!(imported["id"], id);
    assert_eq!(imported["title"], "タブレットで聞く");
    assert_eq!(
        imported["phases"][0]["staff_guidance"],
        "学校と日程を決める"
    );
    assert_eq!(imported["lineage"][0]["id"], file["id"]);
    assert_eq!(imported["tags"], json!(["子ども", "学校"]));

    // Wrong fields are named as in the file; nothing is stored.
    let count = || async {
        app.get("/api/v1/methods", None).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = count().await;
    let mut bad = file.clone();
    bad["hiroba:methodPhases"][0]["hiroba:days"] = json!(0);
    bad["hiroba:methodPhases"][1]
        .as_object_mut()
        .unwrap()
        .remove("name");
    bad["hiroba:license"] = json!("GPL");
    let refused = app.post("/api/v1/methods/import", Some(&staff), bad).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"hiroba:methodPhases[1].name"),
        "{fields:?}"
    );
    let mut bad = file.clone();
    bad["hiroba:methodPhases"][0]["hiroba:days"] = json!(0);
    bad["hiroba:license"] = json!("GPL");
    let refused = app.post("/api/v1/methods/import", Some(&staff), bad).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["hiroba:license", "hiroba:methodPhases[0].hiroba:days"],
        "{}",
        refused.body
    );
    for (file, field) in [
        (json!({"type": "Note", "id": file["id"]}), "type"),
        (json!({"type": ["Article", "hiroba:Method"]}), "id"),
    ] {
        let refused = app.post("/api/v1/methods/import", Some(&staff), file).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(
            refused.body["errors"][0]["field"], field,
            "{}",
            refused.body
        );
    }
    assert_eq!(count().await, before, "nothing stored by a refused import");
    let resident = app.resident("hanako").await;
    let refused = app
        .post("/api/v1/methods/import", Some(&resident), file)
        .await;
    assert_eq!(refused.status, 403);
}

async fn a_theme_is_started_from_a_method(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let id = app
        .post("/api/v1/methods", Some(&staff), method("タブレットで聞く"))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/methods/{id}/themes");
    let refused = app
        .post(
            &path,
            Some(&staff),
            json!({"slug": "Kodomo!", "starts_on": "2026-13-01"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let theme = app
        .post(
            &path,
            Some(&staff),
            json!({"slug": "kodomo", "title": "子どもの声", "starts_on": "2027-04-01"}),
        )
        .await;
    assert_eq!(theme.status, 201, "{}", theme.body);
    assert_eq!(theme.headers["location"], "/api/v1/themes/kodomo");
    let theme = theme.body;
    assert_eq!(theme["title"], "子どもの声");
    assert_eq!(theme["status"], "draft");
    assert_eq!(theme["phases"][0]["ends_on"], "2027-04-14");
    assert_eq!(theme["phases"][1]["starts_on"], "2027-04-15");
    assert_eq!(theme["phases"][1]["ends_on"], "2027-05-14");
    assert_eq!(
        theme["based_on"]["id"],
        format!("{}/methods/{id}", app.config.public_url())
    );
    assert!(
        theme["description"]
            .as_str()
            .unwrap()
            .contains("子どもに関わる計画づくりに。")
    );
    let again = app
        .post(
            &path,
            Some(&staff),
            json!({"slug": "kodomo", "starts_on": "2027-04-01"}),
        )
        .await;
    assert_eq!(again.status, 409, "the slug is taken");
    let missing = app
        .post(
            "/api/v1/methods/999/themes",
            Some(&staff),
            json!({"slug": "x", "starts_on": "2027-04-01"}),
        )
        .await;
    assert_eq!(missing.status, 404);
}

both_databases!(
    a_method_is_exported_and_imported_as_a_file,
    a_theme_is_started_from_a_method,
    methods_are_published_versioned_and_found,
    bad_methods_are_refused_by_field_and_nothing_is_stored,
    a_theme_is_saved_as_a_method,
);
