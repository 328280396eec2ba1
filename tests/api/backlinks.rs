//! The referenced city is told: Kamakura references Chofu's theme and one of its ideas;
//! Kamakura's `Group` carries FEP-e232 links to both, Chofu lists Kamakura's theme as
//! referencing each (API and theme page), Chofu's staff hide the backlink and show it
//! again, and a removed reference leaves Chofu's list. When Chofu removes its theme,
//! Kamakura (which does not follow it) is told, and its card says so.

use serde_json::json;

use crate::both_databases;
use crate::browser::Browser;
use crate::city_to_city::city;
use crate::helpers::{Backend, phase_today};
use crate::two_instances::{TestHost, eventually};

async fn the_referenced_city_lists_who_references_it(backend: Backend) {
    let host_a = TestHost::new("chofu-square", "127.0.0.23");
    let host_b = TestHost::new("kamakura-square", "127.0.0.24");
    let a = city(&backend, &host_a, "127.0.0.23", "調布市", "東京都").await;
    let b = city(&backend, &host_b, "127.0.0.24", "鎌倉市", "神奈川県").await;
    let a_base = a.config.public_url();
    let staff_a = a.staff().await;
    let staff_b = b.staff().await;
    let resident = a.resident("hanako").await;
    let allows = phase_today(true, true, true);
    a.theme(&staff_a, "shinchosha", "open", allows.clone())
        .await;
    b.theme(&staff_b, "cityhall", "open", allows).await;
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
    let theme_url = format!("{a_base}/themes/shinchosha");
    let idea_url = format!("{a_base}/proposals/{idea}");
    let references = "/api/v1/themes/cityhall/references";
    b.post(references, Some(&staff_b), json!({"target": theme_url}))
        .await
        .expect(201);
    let idea_reference = b
        .post(references, Some(&staff_b), json!({"target": idea_url}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();

    // On the wire: Kamakura's theme links both, as FEP-e232 object links.
    let (status, group) = b.activity("/themes/cityhall").await;
    assert_eq!(status, 200);
    let example = crate::federation::example("hiroba-group-references.json");
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&group), keys(&example), "the documented shape");
    let tags = group["tag"].as_array().expect("tags");
    for target in [&theme_url, &idea_url] {
        let link = tags
            .iter()
            .find(|t| t["href"] == **target)
            .unwrap_or_else(|| panic!("a link to {target}: {group}"));
        assert_eq!(link["type"], "Link");
        assert_eq!(
            link["mediaType"],
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
        );
    }

    // Chofu is told, and lists Kamakura's theme under the theme and the idea.
    let theme_backlinks = "/api/v1/themes/shinchosha/backlinks";
    let idea_backlinks = format!("/api/v1/proposals/{idea}/backlinks");
    let listed = eventually("Chofu lists the backlinks", || async {
        let listed = a.get(theme_backlinks, None).await.expect(200);
        let on_idea = a.get(&idea_backlinks, None).await.expect(200);
        (listed.as_array()?.len() == 1 && on_idea.as_array()?.len() == 1).then_some(listed)
    })
    .await;
    let backlink = &listed[0];
    assert_eq!(backlink["title"], "Theme cityhall");
    assert_eq!(backlink["kind"], "Group");
    assert_eq!(backlink["municipality"], "鎌倉市");
    assert_eq!(
        backlink["url"],
        format!("{}/themes/cityhall", b.config.public_url())
    );
    assert_eq!(backlink["hidden"], false);
    let page = Browser::new(&a).get("/themes/shinchosha").await;
    page.contains("このテーマを参照しているほかの自治体のプロジェクト");
    page.contains("Theme cityhall");
    page.contains("鎌倉市");
    let idea_page = Browser::new(&a).get(&format!("/proposals/{idea}")).await;
    idea_page.contains("このアイデアを参照しているほかの自治体のプロジェクト");
    idea_page.contains("Theme cityhall");

    // Chofu's staff hide it: gone from the public list and page, kept for staff.
    let id = backlink["id"].as_i64().unwrap();
    let resident_hides = a
        .put(
            &format!("/api/v1/backlinks/{id}"),
            Some(&resident),
            json!({"hidden": true}),
        )
        .await;
    assert_eq!(resident_hides.status, 403);
    let hidden = a
        .put(
            &format!("/api/v1/backlinks/{id}"),
            Some(&staff_a),
            json!({"hidden": true}),
        )
        .await
        .expect(200);
    assert_eq!(hidden["hidden"], true);
    assert_eq!(a.get(theme_backlinks, None).await.expect(200), json!([]));
    let for_staff = a.get(theme_backlinks, Some(&staff_a)).await.expect(200);
    assert_eq!(for_staff[0]["hidden"], true, "{for_staff}");
    let page = Browser::new(&a).get("/themes/shinchosha").await;
    assert!(!page.html.contains("Theme cityhall"), "{}", page.html);
    let bad = a
        .put(
            &format!("/api/v1/backlinks/{id}"),
            Some(&staff_a),
            json!({"hidden": "yes"}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);

    // The staff page lists it as hidden and shows it again.
    let mut staff_page = Browser::new(&a);
    staff_page.log_in("staff_member").await;
    let listed = staff_page.get("/staff/themes/shinchosha/references").await;
    listed.contains("(非表示)");
    listed.contains("表示に戻す");
    let shown = staff_page
        .submit(
            "/staff/themes/shinchosha/references",
            &format!("/staff/backlinks/{id}/visibility?theme=shinchosha"),
            &[("hidden", "false")],
        )
        .await;
    assert_eq!(shown.status, 303, "{}", shown.html);
    assert_eq!(
        a.get(theme_backlinks, None).await.expect(200)[0]["hidden"],
        false
    );

    // Kamakura removes the idea's reference: Chofu's idea no longer lists it.
    b.delete(
        &format!("/api/v1/references/{idea_reference}"),
        Some(&staff_b),
    )
    .await
    .expect(204);
    eventually("the idea's backlink leaves", || async {
        let on_idea = a.get(&idea_backlinks, None).await.expect(200);
        on_idea.as_array()?.is_empty().then_some(())
    })
    .await;
    assert_eq!(
        a.get(theme_backlinks, None)
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .len(),
        1,
        "the theme's backlink stays"
    );

    // Kamakura's staff reference Chofu's theme from one of Kamakura's ideas, on its page.
    let b_resident = b.resident("taro").await;
    let b_idea = b
        .post(
            "/api/v1/themes/cityhall/proposals",
            Some(&b_resident),
            json!({"title": "屋上に広場を", "body": "調布の例のように"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let mut b_staff_page = Browser::new(&b);
    b_staff_page.log_in("staff_member").await;
    let path = format!("/staff/proposals/{b_idea}/references");
    let added = b_staff_page
        .submit(&path, &path, &[("target", &theme_url)])
        .await;
    assert_eq!(added.status, 303, "{}", added.html);
    let b_idea_page = Browser::new(&b).get(&format!("/proposals/{b_idea}")).await;
    b_idea_page.contains("ほかの自治体の関連プロジェクト");
    b_idea_page.contains("Theme shinchosha");
    let (_, page_object) = b.activity(&format!("/proposals/{b_idea}")).await;
    assert!(
        page_object["tag"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["type"] == "Link" && t["href"] == theme_url.as_str()),
        "the Page links it: {page_object}"
    );
    eventually("Chofu lists Kamakura's idea too", || async {
        let listed = a.get(theme_backlinks, None).await.expect(200);
        listed
            .as_array()?
            .iter()
            .any(|b| b["kind"] == "Page" && b["title"] == "屋上に広場を")
            .then_some(())
    })
    .await;

    // Chofu removes its theme: the servers that reference it are told, and say so.
    a.delete("/api/v1/themes/shinchosha", Some(&staff_a))
        .await
        .expect(204);
    let (status, tombstone) = a.activity("/themes/shinchosha").await;
    assert_eq!(status, 410);
    assert_eq!(tombstone["type"], "Tombstone");
    assert_eq!(tombstone["formerType"], "Group");
    eventually("Kamakura's card says the theme was removed", || async {
        let cards = b.get(references, None).await.expect(200);
        (cards[0]["removed"] == true).then_some(())
    })
    .await;
    let page = Browser::new(&b).get("/themes/cityhall").await;
    page.contains("このプロジェクトは公開元で削除されました。");
}

both_databases!(the_referenced_city_lists_who_references_it);
