//! Methods on the wire: a method reads at its id as a `hiroba:Method` that is also an
//! `Article` with readable HTML, in the documented shape; the municipality sends `Create`
//! when staff publish one and `Update` with each new version to the servers that follow it.

use hiroba::federation::method_object::WireMethod;
use serde_json::json;

use crate::both_databases;
use crate::federation::example;
use crate::helpers::{Backend, federating_app};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";

#[test]
fn the_method_example_round_trips_and_reads_as_an_article() {
    let example = example("hiroba-method.json");
    let parsed = WireMethod::from_json(&example).unwrap();
    assert_eq!(parsed.to_json(), example);
    assert_eq!(example["type"][0], "Article");
    let content = example["content"].as_str().unwrap();
    for phase in &parsed.document.phases {
        assert!(content.contains(&phase.name), "{content}");
    }
    assert_eq!(parsed.document.lineage[0].municipality, "琴浦町");
}

async fn a_method_goes_to_the_citys_followers_and_reads_at_its_id(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.17", CITY).await;
    let (status, body) = peer
        .post(&app, "/inbox", &peer.follow(&format!("{CITY}/actor"), 1))
        .await;
    assert_eq!(status, 202, "{body}");
    peer.wait_for("an Accept", |a| a["type"] == "Accept").await;
    let staff = app.staff().await;

    let method = json!({
        "title": "タブレットで聞く",
        "summary": "学校のタブレットで子どもの声を聞く <方法>",
        "phases": [{"name": "知る", "days": 14,
                    "allows": {"ideas": false, "comments": true, "supports": false},
                    "staff_guidance": "学校と**日程**を決める"}],
        "tags": ["子ども"],
    });
    let id = app
        .post("/api/v1/methods", Some(&staff), method.clone())
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let url = format!("{CITY}/methods/{id}");
    let create = peer
        .wait_for("the method's Create", |a| a["type"] == "Create")
        .await;
    assert_eq!(create["actor"], format!("{CITY}/actor"));
    assert_eq!(create["cc"], json!([format!("{CITY}/actor/followers")]));
    let object = &create["object"];
    assert_eq!(object["id"], url.as_str());
    assert_eq!(object["type"], json!(["Article", "hiroba:Method"]));
    assert_eq!(object["attributedTo"], format!("{CITY}/actor"));
    assert_eq!(object["hiroba:version"], 1);
    let content = object["content"].as_str().unwrap();
    assert!(content.contains("<strong>日程</strong>"), "{content}");
    assert!(content.contains("&lt;方法&gt;"), "escaped: {content}");
    assert!(content.contains("CC-BY-4.0"), "{content}");
    assert_eq!(object["tag"][0]["name"], "#子ども");

    // Served at its id, in the documented shape, as the Create carried it.
    let (status, served) = app.activity(&format!("/methods/{id}")).await;
    assert_eq!(status, 200);
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    // The example is of a second version; a first one has no `updated` (software shows any
    // `updated` as an edit).
    let mut documented = keys(&example("hiroba-method.json"));
    documented.retain(|k| k != "updated");
    assert_eq!(keys(&served), documented);
    assert!(served.get("updated").is_none());
    assert_eq!(
        served["@context"],
        example("hiroba-method.json")["@context"]
    );
    assert_eq!(served["content"], object["content"]);
    let (status, _) = app.activity("/methods/999").await;
    assert_eq!(status, 404);

    // A new version is an Update with the new number.
    let mut edited = method;
    edited["title"] = json!("タブレットと紙で聞く");
    app.put(&format!("/api/v1/methods/{id}"), Some(&staff), edited)
        .await
        .expect(200);
    let update = peer
        .wait_for("the method's Update", |a| a["type"] == "Update")
        .await;
    assert_eq!(update["object"]["id"], url.as_str());
    assert_eq!(update["object"]["name"], "タブレットと紙で聞く");
    assert_eq!(update["object"]["hiroba:version"], 2);
}

both_databases!(a_method_goes_to_the_citys_followers_and_reads_at_its_id);
