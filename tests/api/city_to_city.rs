//! City to city between two instances with their own host names: Kamakura follows
//! Kotoura's municipality, finds Kotoura's method in its library (with Kotoura's name and
//! prefecture, read from its NodeInfo), sees a new version arrive, starts a theme from it
//! (phases dated from a start day, guidance copied, the method named on the theme and on
//! its `Group`), and Kotoura lists that theme where its method was used once it opens. A
//! method is also forked and carried as a file, keeping the chain of attribution.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, TestApp, day, phase_today};
use crate::two_instances::{TestHost, eventually, instance_with};

pub(crate) async fn city(
    backend: &Backend,
    host: &TestHost,
    ip: &str,
    name: &str,
    pref: &str,
) -> TestApp {
    city_with(backend, host, ip, name, pref, Duration::from_secs(6 * 3600)).await
}

async fn city_with(
    backend: &Backend,
    host: &TestHost,
    ip: &str,
    name: &str,
    pref: &str,
    refresh: Duration,
) -> TestApp {
    let (name, pref) = (name.to_string(), pref.to_string());
    instance_with(backend, host, ip, |config| {
        config.municipality.name_ja = name;
        config.municipality.prefecture = Some(pref);
        config.federation.reference_refresh = refresh;
    })
    .await
}

fn method() -> Value {
    json!({
        "title": "タブレットで子どもの声を聞く",
        "summary": "学校のタブレットで子どもの声を聞いた方法",
        "when_to_use": "子どもに関わる計画に。",
        "phases": [
            {"name": "知る", "days": 14, "allows": {"ideas": false, "comments": true, "supports": false},
             "staff_guidance": "学校と日程を決める", "resident_guidance": "説明を読んでください"},
            {"name": "考える", "days": 30, "allows": {"ideas": true, "comments": true, "supports": true}}
        ],
        "tags": ["子ども"],
        "lessons": "授業時間に合わせると回答が増えた。"
    })
}

async fn library(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/api/v1/federated/methods{query}"), None)
        .await
        .expect(200)
}

async fn a_method_travels_is_reused_and_its_origin_sees_the_use(backend: Backend) {
    let host_a = TestHost::new("kotoura-town", "127.0.0.18");
    let host_b = TestHost::new("kamakura-town", "127.0.0.19");
    let a = city(&backend, &host_a, "127.0.0.18", "琴浦町", "鳥取県").await;
    let b = city(&backend, &host_b, "127.0.0.19", "鎌倉市", "神奈川県").await;
    let a_base = a.config.public_url();
    let b_base = b.config.public_url();
    let staff_a = a.staff().await;
    let staff_b = b.staff().await;
    b.post(
        "/api/v1/following",
        Some(&staff_b),
        json!({"actor": format!("city@{}", a.config.domain)}),
    )
    .await
    .expect(201);
    eventually("Kotoura accepts", || async {
        let follows = b.get("/api/v1/following", Some(&staff_b)).await.expect(200);
        (follows[0]["state"] == "accepted").then_some(())
    })
    .await;

    // Kotoura publishes a method: Kamakura's library has it, with its origin.
    let id = a
        .post("/api/v1/methods", Some(&staff_a), method())
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let method_url = format!("{a_base}/methods/{id}");
    let kept = eventually("the method reaches Kamakura's library", || async {
        library(&b, "").await["items"].as_array()?.first().cloned()
    })
    .await;
    assert_eq!(kept["ap_id"], method_url.as_str(), "{kept}");
    assert_eq!(kept["origin"]["name"], "琴浦町", "{kept}");
    assert_eq!(kept["origin"]["prefecture"], "鳥取県", "{kept}");
    assert_eq!(kept["phases"][0]["staff_guidance"], "学校と日程を決める");
    assert_eq!(kept["version"], 1);
    let entry = kept["id"].as_i64().unwrap();
    for (query, found) in [
        ("?prefecture=鳥取県", 1),
        ("?prefecture=神奈川県", 0),
        ("?tag=子ども", 1),
        ("?tag=公園", 0),
        ("?q=タブレット", 1),
        ("?q=ワークショップ", 0),
    ] {
        let listed = library(&b, query).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), found, "{query}");
    }
    assert_eq!(library(&b, "").await["prefectures"], json!(["鳥取県"]));

    // A new version at Kotoura reaches the library.
    let mut edited = method();
    edited["title"] = json!("タブレットと紙で子どもの声を聞く");
    a.put(&format!("/api/v1/methods/{id}"), Some(&staff_a), edited)
        .await
        .expect(200);
    eventually("the new version reaches Kamakura", || async {
        let listed = library(&b, "").await;
        (listed["items"][0]["version"] == 2
            && listed["items"][0]["title"] == "タブレットと紙で子どもの声を聞く")
            .then_some(())
    })
    .await;

    // Kamakura starts a theme from it: dated phases, guidance, attribution.
    let theme = b
        .post(
            &format!("/api/v1/federated/methods/{entry}/themes"),
            Some(&staff_b),
            json!({"slug": "kodomo", "starts_on": day(-3)}),
        )
        .await
        .expect(201);
    assert_eq!(theme["status"], "draft");
    assert_eq!(theme["title"], "タブレットと紙で子どもの声を聞く");
    assert_eq!(theme["phases"][0]["starts_on"], day(-3));
    assert_eq!(theme["phases"][0]["ends_on"], day(10));
    assert_eq!(theme["phases"][1]["starts_on"], day(11));
    assert_eq!(theme["phases"][1]["ends_on"], day(40));
    assert_eq!(theme["phases"][0]["description"], "説明を読んでください");
    assert_eq!(theme["phases"][0]["staff_guidance"], "学校と日程を決める");
    assert_eq!(theme["tags"], json!(["子ども"]));
    assert_eq!(theme["based_on"]["id"], method_url.as_str());
    assert_eq!(theme["based_on"]["municipality"], "琴浦町");

    // Nothing is told while it is a draft; when it opens, Kotoura lists it as a use.
    let opened = json!({"title": theme["title"], "description": theme["description"],
                        "tags": theme["tags"], "status": "open", "phases": theme["phases"]});
    b.put("/api/v1/themes/kodomo", Some(&staff_b), opened)
        .await
        .expect(200);
    let theme_url = format!("{b_base}/themes/kodomo");
    let (_, group) = b.activity("/themes/kodomo").await;
    assert_eq!(
        group["hiroba:basedOn"]["href"],
        method_url.as_str(),
        "{group}"
    );
    assert_eq!(group["hiroba:basedOn"]["hiroba:municipality"], "琴浦町");
    let used = eventually("Kotoura hears of the use", || async {
        let m = a
            .get(&format!("/api/v1/methods/{id}"), None)
            .await
            .expect(200);
        m["used_by"].as_array().filter(|u| !u.is_empty()).cloned()
    })
    .await;
    assert_eq!(used[0]["theme"], theme_url.as_str(), "{used:?}");
    let (_, object) = a.activity(&format!("/methods/{id}")).await;
    assert_eq!(object["hiroba:usedBy"][0]["href"], theme_url.as_str());

    // A fork keeps the chain: Kotoura's method first.
    let fork = b
        .post(
            &format!("/api/v1/federated/methods/{entry}/fork"),
            Some(&staff_b),
            json!({}),
        )
        .await
        .expect(201);
    assert_eq!(fork["lineage"][0]["id"], method_url.as_str(), "{fork}");
    assert_eq!(fork["lineage"][0]["municipality"], "琴浦町");
    assert_eq!(fork["derived_from"], method_url.as_str());
    assert_eq!(fork["used_in"], json!([]));
    let fork_id = fork["id"].as_i64().unwrap();
    let refork = b
        .post(
            &format!("/api/v1/methods/{fork_id}/fork"),
            Some(&staff_b),
            json!({}),
        )
        .await
        .expect(201);
    let chain: Vec<&str> = refork["lineage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        chain,
        [
            format!("{b_base}/methods/{fork_id}").as_str(),
            method_url.as_str()
        ]
    );
}

/// A server that answers every request with a JSON document larger than any accepted.
async fn oversized_server(ip: &str) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let big = format!(
        "{{\"id\":\"x\",\"name\":\"{}\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let app = axum::Router::new().fallback(move || {
        let big = big.clone();
        async move { ([("content-type", "application/activity+json")], big) }
    });
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, server)
}

async fn a_reference_shows_the_other_citys_project_and_keeps_it_fresh(backend: Backend) {
    let host_a = TestHost::new("chofu-city", "127.0.0.20");
    let host_b = TestHost::new("kamakura-hall", "127.0.0.21");
    let a = city(&backend, &host_a, "127.0.0.20", "調布市", "東京都").await;
    let b = city_with(
        &backend,
        &host_b,
        "127.0.0.21",
        "鎌倉市",
        "神奈川県",
        Duration::from_millis(300),
    )
    .await;
    let a_base = a.config.public_url();
    let staff_a = a.staff().await;
    let staff_b = b.staff().await;
    let resident = a.resident("hanako").await;
    a.theme(
        &staff_a,
        "shinchosha",
        "open",
        phase_today(true, true, true),
    )
    .await;
    let idea = a
        .post(
            "/api/v1/themes/shinchosha/proposals",
            Some(&resident),
            json!({"title": "図書館を併設", "body": "本を読める場所を"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    b.theme(&staff_b, "cityhall", "open", phase_today(true, true, true))
        .await;

    // By URL: the card shows Chofu's name, the theme's phase and its ideas.
    let path = "/api/v1/themes/cityhall/references";
    let theme_url = format!("{a_base}/themes/shinchosha");
    let card = b
        .post(path, Some(&staff_b), json!({"target": theme_url}))
        .await;
    assert_eq!(card.status, 201, "{}", card.body);
    let card = card.body;
    assert_eq!(card["kind"], "Group");
    assert_eq!(card["title"], "Theme shinchosha");
    assert_eq!(card["municipality"], "調布市");
    assert_eq!(card["phase"], "考える");
    assert_eq!(card["status"], "open");
    assert_eq!(card["idea_count"], 1);
    assert_eq!(card["removed"], false);
    let again = b
        .post(path, Some(&staff_b), json!({"target": theme_url}))
        .await;
    assert_eq!(again.status, 409, "the same target twice");

    // By handle, a proposal, and anyone reads the cards.
    let idea_url = format!("{a_base}/proposals/{idea}");
    b.post(path, Some(&staff_b), json!({"target": idea_url}))
        .await
        .expect(201);
    let cards = b.get(path, None).await.expect(200);
    assert_eq!(cards.as_array().unwrap().len(), 2, "{cards}");
    assert_eq!(cards[1]["kind"], "Page");
    assert_eq!(cards[1]["title"], "図書館を併設");

    // Chofu moves to the next phase: the card shows it after a refresh.
    let allows = json!({"ideas": true, "comments": true, "supports": true});
    let later = json!([
        {"name": "知る", "starts_on": day(-9), "ends_on": day(-1), "allows": allows},
        {"name": "創る", "starts_on": day(0), "ends_on": day(9), "allows": allows},
    ]);
    a.put(
        "/api/v1/themes/shinchosha",
        Some(&staff_a),
        json!({"title": "新庁舎", "status": "open", "phases": later}),
    )
    .await
    .expect(200);
    eventually("the card shows the new phase", || async {
        let cards = b.get(path, None).await.expect(200);
        (cards[0]["phase"] == "創る" && cards[0]["title"] == "新庁舎").then_some(())
    })
    .await;

    // The theme's page shows the card; the staff page explains a wrong target at the field.
    let page = crate::browser::Browser::new(&b)
        .get("/themes/cityhall")
        .await;
    page.contains("ほかの自治体の関連プロジェクト");
    page.contains("新庁舎");
    page.contains("調布市");
    page.contains("いまの段階: 創る");
    let mut staff_page = crate::browser::Browser::new(&b);
    staff_page.log_in("staff_member").await;
    let refused = staff_page
        .submit(
            "/staff/themes/cityhall/references",
            "/staff/themes/cityhall/references",
            &[("target", &format!("{a_base}/"))],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("id=\"error-target\"");
    refused.contains("テーマ・アイデア・手法として読めませんでした");

    // The idea is withdrawn at Chofu (410): its card says it was removed.
    a.post(
        &format!("/api/v1/proposals/{idea}/withdraw"),
        Some(&resident),
        json!({}),
    )
    .await
    .expect(200);
    eventually("the card says the idea was removed", || async {
        let cards = b.get(path, None).await.expect(200);
        (cards[1]["removed"] == true).then_some(())
    })
    .await;

    // Bad targets: each a clear error at the field, nothing stored.
    let (big, _server) = oversized_server("127.0.0.22").await;
    for (target, code) in [
        (format!("{a_base}/"), "not_activitypub"),
        (format!("{big}/themes/x"), "too_large"),
        ("not a url or handle".to_string(), "unreachable"),
        (
            format!("{}/themes/cityhall", b.config.public_url()),
            "local",
        ),
    ] {
        let refused = b
            .post(path, Some(&staff_b), json!({"target": target}))
            .await;
        assert_eq!(refused.status, 422, "{target}: {}", refused.body);
        assert_eq!(
            refused.body["errors"][0]["field"], "target",
            "{}",
            refused.body
        );
        assert_eq!(
            refused.body["errors"][0]["code"], code,
            "{target}: {}",
            refused.body
        );
    }
    let guarded = crate::helpers::spawn_app(&backend).await;
    let guarded_staff = guarded.staff().await;
    guarded
        .theme(&guarded_staff, "x", "open", phase_today(true, true, true))
        .await;
    for target in ["https://10.0.0.1/themes/x", "https://127.0.0.1/themes/x"] {
        let refused = guarded
            .post(
                "/api/v1/themes/x/references",
                Some(&guarded_staff),
                json!({"target": target}),
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(
            refused.body["errors"][0]["code"], "refused",
            "{}",
            refused.body
        );
    }
    // A plain-http address on an instance that reaches others over https only: refused for
    // its scheme, and said so (not as a private address).
    let refused = guarded
        .post(
            "/api/v1/themes/x/references",
            Some(&guarded_staff),
            json!({"target": "http://city.example/themes/x"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        refused.body["errors"][0]["code"], "not_https",
        "{}",
        refused.body
    );
    let message = refused.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("https") && !message.contains("private"),
        "{message}"
    );
    let cards = b.get(path, None).await.expect(200);
    assert_eq!(
        cards.as_array().unwrap().len(),
        2,
        "nothing stored by a refusal"
    );
    let resident_b = b.resident("taro").await;
    assert_eq!(
        b.post(path, Some(&resident_b), json!({"target": theme_url}))
            .await
            .status,
        403
    );
    let id = cards[1]["id"].as_i64().unwrap();
    assert_eq!(
        b.delete(&format!("/api/v1/references/{id}"), Some(&staff_b))
            .await
            .status,
        204
    );
    assert_eq!(
        b.get(path, None)
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

both_databases!(
    a_method_travels_is_reused_and_its_origin_sees_the_use,
    a_reference_shows_the_other_citys_project_and_keeps_it_fresh,
);
