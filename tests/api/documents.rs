//! Documents of results: staff attach PDFs and images; the kind is told by the bytes, a
//! file of another kind or over the limit is refused at the `file` field with nothing
//! stored; each is served with its type and a `Content-Disposition` naming it; followers
//! see it as an attachment of the results `Article`; staff attach and remove on the page.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Auth, Backend, Reply, TestApp, phase_today, spawn_app_with};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";
/// The limit these tests run with.
const LIMIT: usize = 1024 * 1024;

fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.resize(size.saturating_sub(6), b' ');
    bytes.extend_from_slice(b"\n%%EOF");
    bytes
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82";

async fn upload(
    app: &TestApp,
    auth: &Auth,
    result: i64,
    title: &str,
    file_name: &str,
    bytes: Vec<u8>,
    declared_type: &str,
) -> Reply {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(file_name.to_string())
        .mime_str(declared_type)
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("title", title.to_string())
        .part("file", part);
    let mut request = app
        .client
        .post(format!("{}/api/v1/results/{result}/documents", app.address))
        .multipart(form);
    if let Auth::Token(token) = auth {
        request = request.bearer_auth(token);
    } else if let Auth::Session { cookie, csrf } = auth {
        request = request
            .header("cookie", format!("hiroba_session={cookie}"))
            .header("x-csrf-token", csrf);
    }
    let response = request.send().await.expect("upload");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// What the server answers a client that declares an upload of three times the limit and
/// waits before sending it.
async fn declared_too_large(app: &TestApp, path: &str, accept: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let authority = app.address.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&authority).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {authority}\r\naccept: {accept}\r\n\
         content-type: multipart/form-data; boundary=x\r\ncontent-length: {}\r\n\
         expect: 100-continue\r\n\r\n",
        3 * LIMIT
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), socket.read_to_end(&mut answer))
        .await
        .expect("the refusal comes without the body")
        .unwrap();
    String::from_utf8_lossy(&answer).to_string()
}

/// The files in the media folder, temporary ones included.
fn media_files(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(app.config.media_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

async fn documents_of(app: &TestApp) -> Value {
    app.get("/api/v1/themes/parks/results", None)
        .await
        .expect(200)[0]["documents"]
        .clone()
}

async fn staff_attach_documents_served_with_their_type(backend: Backend) {
    let app = spawn_app_with(&backend, |config| {
        config.federation.insecure = true;
        config.federation.retry_base = Duration::from_millis(100);
        config.limits.upload_max_bytes = LIMIT;
    })
    .await;
    let peer = GtsPeer::start("127.0.0.32", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    peer.follow_theme(&app, "parks").await;
    let result = app
        .post(
            "/api/v1/themes/parks/results",
            Some(&staff),
            json!({"heading": "公園の計画", "body": "計画案を公開しました。"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();

    // Refused, each at the file field, and nothing kept: a text file named .pdf, an SVG,
    // an empty file, one over the limit; a resident may not attach at all.
    for (name, bytes, code) in [
        ("計画案.pdf", b"just text".to_vec(), "unsupported_type"),
        (
            "map.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
            "unsupported_type",
        ),
        ("empty.pdf", Vec::new(), "empty"),
        ("big.pdf", pdf(LIMIT + 1), "file_too_large"),
    ] {
        let refused = upload(&app, &staff, result, "", name, bytes, "application/pdf").await;
        assert_eq!(refused.status, 422, "{name}: {}", refused.body);
        assert_eq!(refused.body["errors"][0]["field"], "file", "{name}");
        assert_eq!(refused.body["errors"][0]["code"], code, "{name}");
    }
    let resident = upload(
        &app,
        &hanako,
        result,
        "",
        "a.pdf",
        pdf(100),
        "application/pdf",
    )
    .await;
    assert_eq!(resident.status, 403);
    // Declared far over the limit: refused before it is read, as a problem to the API and
    // as a page that says the limit to a browser.
    let api = declared_too_large(&app, &format!("/api/v1/results/{result}/documents"), "*/*").await;
    assert!(api.starts_with("HTTP/1.1 413"), "{api}");
    assert!(
        api.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{api}"
    );
    let page = declared_too_large(
        &app,
        &format!("/themes/parks/results/{result}/documents"),
        "text/html",
    )
    .await;
    assert!(page.starts_with("HTTP/1.1 413"), "{page}");
    assert!(
        page.contains("ファイルが大きすぎます。1 MB までのファイルにしてください"),
        "{page}"
    );
    assert_eq!(documents_of(&app).await, json!([]));
    assert!(media_files(&app).is_empty(), "{:?}", media_files(&app));

    // A PDF, and a PNG the client calls something else: typed by their bytes.
    let plan = pdf(3000);
    let attached = upload(
        &app,
        &staff,
        result,
        "計画案（第1版）",
        "C:\\資料\\計画案.pdf",
        plan.clone(),
        "application/octet-stream",
    )
    .await
    .expect(201);
    assert_eq!(attached["content_type"], "application/pdf");
    assert_eq!(attached["file_name"], "計画案.pdf");
    assert_eq!(attached["byte_size"], 3000);
    let image = upload(&app, &staff, result, "", "site", PNG.to_vec(), "text/plain")
        .await
        .expect(201);
    assert_eq!(image["content_type"], "image/png");
    assert_eq!(image["title"], "site.png");
    let listed = documents_of(&app).await;
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");

    let served = app
        .client
        .get(
            attached["url"]
                .as_str()
                .unwrap()
                .replace(CITY, &app.address),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "application/pdf");
    let disposition = served.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("inline;")
            && disposition.contains("filename*=UTF-8''%E8%A8%88%E7%94%BB%E6%A1%88.pdf"),
        "{disposition}"
    );
    assert_eq!(served.bytes().await.unwrap().to_vec(), plan);

    // Followers see them as attachments of the Article.
    let update = peer
        .wait_for("the Article with two attachments", |a| {
            a["type"] == "Update"
                && a["object"]["attachment"]
                    .as_array()
                    .is_some_and(|x| x.len() == 2)
        })
        .await;
    let attachment = &update["object"]["attachment"];
    assert_eq!(attachment[0]["type"], "Document");
    assert_eq!(attachment[0]["mediaType"], "application/pdf");
    assert_eq!(
        attachment[0]["name"], "計画案（第1版）",
        "titles are kept as typed"
    );
    assert_eq!(attachment[1]["type"], "Image");
    assert_eq!(attachment[0]["url"], attached["url"]);

    // Removing one: gone from the list, the page and the media folder.
    let id = attached["id"].as_i64().unwrap();
    assert_eq!(
        app.delete(&format!("/api/v1/documents/{id}"), Some(&hanako))
            .await
            .status,
        403
    );
    assert_eq!(
        app.delete(&format!("/api/v1/documents/{id}"), Some(&staff))
            .await
            .status,
        204
    );
    assert_eq!(app.get(&format!("/documents/{id}"), None).await.status, 404);
    assert_eq!(media_files(&app).len(), 1, "{:?}", media_files(&app));

    // On the page: the upload form, a refused file shown at its field, a kept one listed.
    let mut page = Browser::new(&app);
    page.log_in("staff_member").await;
    let form = page.get("/themes/parks/results").await;
    form.contains("enctype=\"multipart/form-data\"");
    form.contains("1 MB まで");
    let csrf = form.csrf();
    let post = |csrf: String, name: &'static str, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("title", "")
            .part("file", part)
    };
    let action = format!("{}/themes/parks/results/{result}/documents", app.address);
    let wrong = page
        .send(
            app.client
                .post(&action)
                .multipart(post(csrf.clone(), "memo.txt", b"memo".to_vec())),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.html);
    wrong.contains(&format!("id=\"error-document-{result}-file\""));
    wrong.contains("添付できるのは PDF と画像");
    let forged = page
        .send(
            app.client
                .post(&action)
                .multipart(post("forged".into(), "a.pdf", pdf(100))),
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.html);
    let kept = page
        .send(
            app.client
                .post(&action)
                .multipart(post(csrf, "要約.pdf", pdf(2048))),
        )
        .await;
    assert_eq!(kept.status, 303, "{}", kept.html);
    let shown = Browser::new(&app).get("/themes/parks/results").await;
    shown.contains(">要約.pdf</a> <span class=\"meta\">(PDF, 2 KB)</span>");
    shown.contains("class=\"document-preview\"");
    assert!(!media_files(&app).iter().any(|f| f.starts_with('.')));
}

both_databases!(staff_attach_documents_served_with_their_type);
