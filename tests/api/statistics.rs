//! Participation statistics: staff read a theme's and the instance's figures, everyone only
//! once staff publish them; residents by age band hold back a group of three and the group
//! that would give it away; this week counts everyone; the CSV file says the same.

use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, phase_today, spawn_app};

fn age_row(stats: &Value, band: &str) -> Value {
    stats["by_attribute"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["by"] == "age_band")
        .unwrap()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["group"] == json!({"kind": "value", "value": band}))
        .unwrap()["count"]
        .clone()
}

async fn statistics_count_everyone_and_expose_no_one(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let first = app.resident("author").await;
    app.patch("/api/v1/me", Some(&first), json!({"age_band": "30s"}))
        .await
        .expect(200);
    let idea = app.idea(&first, "parks", "木陰のベンチ").await;
    // Six in their thirties (the author among them), five in their forties, three in their
    // seventies: each supports the idea.
    for (n, band) in std::iter::repeat_n("30s", 5)
        .chain(std::iter::repeat_n("40s", 5))
        .chain(std::iter::repeat_n("70s", 3))
        .enumerate()
    {
        let who = app.resident(&format!("resident{n}")).await;
        app.patch("/api/v1/me", Some(&who), json!({"age_band": band}))
            .await
            .expect(200);
        app.put(
            &format!("/api/v1/proposals/{idea}/support"),
            Some(&who),
            json!({}),
        )
        .await;
    }
    let path = "/api/v1/themes/parks/statistics";
    let hidden = app.get(path, None).await;
    assert_eq!(hidden.status, 403, "{}", hidden.body);
    let stats = app.get(path, Some(&staff)).await.expect(200);
    assert_eq!(stats["residents"], 14);
    assert_eq!(stats["fediverse_accounts"], 0);
    assert_eq!(stats["monthly_active"], 14);
    assert_eq!(stats["public"], false);
    assert_eq!(age_row(&stats, "30s"), 6);
    assert_eq!(age_row(&stats, "70s"), Value::Null, "a group of three");
    // With 14 in all and 6 shown, the 40s must be held back too, or 14 − 6 − 5 = 3.
    assert_eq!(age_row(&stats, "40s"), Value::Null);
    assert_eq!(age_row(&stats, "20s"), 0);
    let weeks = stats["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 26);
    assert_eq!(weeks.last().unwrap()["residents"], 14);
    assert_eq!(weeks[0]["residents"], 0);
    let instance = app
        .get("/api/v1/statistics", Some(&staff))
        .await
        .expect(200);
    assert_eq!(instance["residents"], 14);

    // Published, everyone reads them; withdrawn, no one but staff.
    let publication = "/api/v1/themes/parks/statistics/publication";
    let by_resident = app
        .put(publication, Some(&first), json!({"public": true}))
        .await;
    assert_eq!(by_resident.status, 403);
    let published = app
        .put(publication, Some(&staff), json!({"public": true}))
        .await;
    assert_eq!(published.status, 204, "{}", published.body);
    let public = app.get(path, None).await.expect(200);
    assert_eq!(public["residents"], 14);
    assert_eq!(age_row(&public, "70s"), Value::Null);
    assert_eq!(
        app.get("/api/v1/statistics", None).await.status,
        403,
        "the instance's figures stay unpublished"
    );
    let page = Browser::new(&app).get("/themes/parks/statistics").await;
    assert_eq!(page.status, 200);
    page.contains("<th scope=\"row\">70代</th><td>X</td>");
    page.contains("<th scope=\"row\">30代</th><td>6</td>");
    let people = Browser::new(&app).get("/themes/parks/statistics.csv").await;
    assert!(
        people.html.contains("参加した人,,14,0") && people.html.contains("年代,30代,6,"),
        "{}",
        people.html
    );
    let csv = Browser::new(&app)
        .get("/themes/parks/statistics.csv?codes=1")
        .await;
    assert!(csv.html.contains("participants,,14,0"), "{}", csv.html);
    assert!(csv.html.contains("age_band,70s,X,"), "{}", csv.html);
    assert!(csv.html.contains("age_band,30s,6,"), "{}", csv.html);
    app.put(publication, Some(&staff), json!({"public": false}))
        .await;
    assert_eq!(app.get(path, None).await.status, 403);
}

both_databases!(statistics_count_everyone_and_expose_no_one);
