//! What a crowd opening the same page costs: visitors' pages set no cookie and may be kept
//! by a shared cache for a few seconds, every read carries an `ETag` and is answered `304`
//! when unchanged, replies are compressed as the client accepts, static files live under
//! URLs of their content; visitors' forms still refuse what another site sends.

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, PASSWORD, phase_today, spawn_app};

async fn visitors_pages_are_cacheable_and_forms_stay_protected(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let hanako = app.resident("hanako").await;
    let idea = app.idea(&hanako, "parks", "木陰のベンチ").await;
    let get = |path: String, headers: Vec<(&'static str, String)>| {
        let mut request = app.client.get(format!("{}{path}", app.address));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move { request.send().await.expect("request") }
    };

    for path in [
        "/".to_string(),
        "/themes/parks".to_string(),
        format!("/proposals/{idea}"),
        "/signup".to_string(),
        "/api/v1/themes/parks/proposals".to_string(),
    ] {
        let first = get(path.clone(), vec![]).await;
        assert_eq!(first.status(), 200, "{path}");
        assert!(
            first.headers().get("set-cookie").is_none(),
            "{path} sets no cookie for a visitor"
        );
        assert_eq!(
            first.headers()["cache-control"],
            "public, max-age=5, stale-while-revalidate=30",
            "{path}"
        );
        let vary: String = first
            .headers()
            .get_all("vary")
            .iter()
            .map(|v| v.to_str().unwrap().to_lowercase())
            .collect::<Vec<_>>()
            .join(", ");
        assert!(
            vary.contains("cookie") && vary.contains("authorization"),
            "{path}: {vary}"
        );
        let tag = first.headers()["etag"].to_str().unwrap().to_string();
        let again = get(path.clone(), vec![("if-none-match", tag.clone())]).await;
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.bytes().await.unwrap().is_empty());
        let other = get(path.clone(), vec![("if-none-match", "W/\"0\"".into())]).await;
        assert_eq!(other.status(), 200, "{path}");
    }

    // The page is kept for visitors, and a change shows at once all the same: after a new
    // idea the theme page is another, with the idea.
    let before = get("/themes/parks".into(), vec![]).await.headers()["etag"].clone();
    let kept = get("/themes/parks".into(), vec![]).await;
    assert_eq!(
        kept.headers()["etag"],
        before,
        "the same page while nothing changed"
    );
    app.idea(&hanako, "parks", "水飲み場").await;
    let after = get("/themes/parks".into(), vec![]).await;
    assert_ne!(after.headers()["etag"], before);
    assert!(after.text().await.unwrap().contains("水飲み場"));

    // A signed-in person's pages are theirs alone.
    let mut resident = Browser::new(&app);
    resident.log_in("hanako").await;
    let own = resident.get("/themes/parks").await;
    assert_eq!(own.headers["cache-control"], "private, no-cache");

    // Compressed as asked, brotli or gzip.
    for encoding in ["br", "gzip"] {
        let compressed = get(
            "/themes/parks".into(),
            vec![("accept-encoding", encoding.into())],
        )
        .await;
        assert_eq!(compressed.headers()["content-encoding"], encoding);
    }

    // The stylesheet the page names lives under its content's hash, kept for a year.
    let page = get("/".into(), vec![]).await.text().await.unwrap();
    let start = page.find("href=\"/static/").expect("a stylesheet link") + 6;
    let css = &page[start..start + page[start..].find('"').unwrap()];
    assert!(
        css.ends_with("/hiroba.css") && css.len() > "/static//hiroba.css".len(),
        "{css}"
    );
    let sheet = get(css.to_string(), vec![]).await;
    assert_eq!(sheet.status(), 200);
    assert_eq!(
        sheet.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let stale = get("/static/0000000000000000/hiroba.css".into(), vec![]).await;
    assert_eq!(stale.headers()["cache-control"], "public, max-age=3600");

    // A visitor's form carries the instance's token; the same form sent by another site is
    // refused, whether the browser says so by its fetch metadata or its origin.
    let form = Browser::new(&app).get("/login").await;
    let token = form.csrf();
    let fields = [
        ("csrf", token.as_str()),
        ("handle", "hanako"),
        ("password", PASSWORD),
        ("next", "/"),
    ];
    let post = |headers: Vec<(&'static str, String)>| {
        let mut request = app
            .client
            .post(format!("{}/login", app.address))
            .form(&fields);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move { request.send().await.expect("request").status().as_u16() }
    };
    assert_eq!(
        post(vec![("sec-fetch-site", "cross-site".into())]).await,
        403
    );
    assert_eq!(
        post(vec![("origin", "https://elsewhere.example".into())]).await,
        403
    );
    assert_eq!(
        post(vec![("sec-fetch-site", "same-origin".into())]).await,
        303
    );
    let own_origin = app.address.clone();
    assert_eq!(post(vec![("origin", own_origin)]).await, 303);
    let forged = [
        ("csrf", "123.abcdef"),
        ("handle", "hanako"),
        ("password", PASSWORD),
    ];
    let refused = app
        .client
        .post(format!("{}/login", app.address))
        .form(&forged)
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), 403);
}

both_databases!(visitors_pages_are_cacheable_and_forms_stay_protected);
