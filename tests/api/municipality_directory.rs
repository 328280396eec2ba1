//! The directory of connected municipalities: Kamakura follows Kotoura's municipality; each
//! lists the other (as its NodeInfo describes it: name, prefecture, local government code)
//! with which way they are connected, and Kamakura lists Kotoura's open themes.

use serde_json::json;

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, TestApp, phase_today};
use crate::two_instances::{TestHost, eventually, instance_with};

async fn town(backend: &Backend, host: &TestHost, ip: &str, name: &str, code: &str) -> TestApp {
    let (name, code) = (name.to_string(), code.to_string());
    instance_with(backend, host, ip, |config| {
        config.municipality.name_ja = name;
        config.municipality.prefecture = None;
        config.municipality.local_government_code =
            Some(hiroba::domain::LocalGovernmentCode::parse(&code).unwrap());
    })
    .await
}

async fn connected_municipalities_are_listed_with_their_open_themes(backend: Backend) {
    let host_a = TestHost::new("kotoura-plaza", "127.0.0.25");
    let host_b = TestHost::new("kamakura-plaza", "127.0.0.26");
    let a = town(&backend, &host_a, "127.0.0.25", "琴浦町", "313718").await;
    let b = town(&backend, &host_b, "127.0.0.26", "鎌倉市", "142042").await;
    let staff_a = a.staff().await;
    let staff_b = b.staff().await;
    let directory = "/api/v1/federated/municipalities";
    assert_eq!(b.get(directory, None).await.expect(200), json!([]));

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
    let listed = eventually("Kamakura lists Kotoura", || async {
        let listed = b.get(directory, None).await.expect(200);
        (listed.as_array()?.len() == 1 && listed[0]["followed"] == true).then_some(listed)
    })
    .await;
    let kotoura = &listed[0];
    assert_eq!(kotoura["name_ja"], "琴浦町", "{kotoura}");
    assert_eq!(kotoura["prefecture"], "鳥取県", "from the code: {kotoura}");
    assert_eq!(kotoura["local_government_code"], "313718");
    assert_eq!(kotoura["follows_us"], false);
    assert_eq!(kotoura["domain"], a.config.domain.as_str());

    // Kotoura lists Kamakura as following it.
    let listed = eventually("Kotoura lists Kamakura", || async {
        let listed = a.get(directory, None).await.expect(200);
        (listed.as_array()?.len() == 1).then_some(listed)
    })
    .await;
    assert_eq!(listed[0]["name_ja"], "鎌倉市", "{listed}");
    assert_eq!(listed[0]["prefecture"], "神奈川県");
    assert_eq!(listed[0]["follows_us"], true);
    assert_eq!(listed[0]["followed"], false);

    // A theme Kotoura opens is listed under it at Kamakura, and on the page.
    a.theme(&staff_a, "umi", "open", phase_today(true, true, true))
        .await;
    eventually("the open theme is listed", || async {
        let listed = b.get(directory, None).await.expect(200);
        (listed[0]["open_themes"][0]["name"] == "Theme umi").then_some(())
    })
    .await;
    let page = Browser::new(&b).get("/municipalities").await;
    assert_eq!(page.status, 200);
    page.contains("つながっている自治体");
    page.contains("琴浦町");
    page.contains("313718");
    page.contains("この自治体がフォロー");
    page.contains("Theme umi");
}

both_databases!(connected_municipalities_are_listed_with_their_open_themes);
