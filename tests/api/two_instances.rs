//! Two Hiroba instances with their own databases, on their own loopback addresses and host
//! names, federating over real HTTP: one municipality follows the other's theme, receives
//! its ideas, edits and withdrawals, its residents support and reply; a block stops both
//! directions; deliveries to an instance that is down arrive after it restarts.

use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Auth, Backend, TestApp, phase_today, spawn_app_with};

const HOSTS_FILE: &str = "/etc/hosts";
static HOSTS_LOCK: Mutex<()> = Mutex::new(());

/// A host name for a loopback address, in /etc/hosts while the test runs. Where the file
/// cannot be written, the address itself stands in (with a message).
pub(crate) struct TestHost {
    pub(crate) name: String,
    line: Option<String>,
}

impl TestHost {
    pub(crate) fn new(label: &str, ip: &str) -> TestHost {
        let name = format!("{label}-{}.hiroba.test", crate::helpers::uuid_like()).replace('_', "-");
        let line = format!("{ip} {name} # hiroba test");
        let _guard = HOSTS_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let written = std::fs::read_to_string(HOSTS_FILE).and_then(|mut hosts| {
            if !hosts.ends_with('\n') && !hosts.is_empty() {
                hosts.push('\n');
            }
            hosts.push_str(&line);
            hosts.push('\n');
            std::fs::write(HOSTS_FILE, hosts)
        });
        match written {
            Ok(()) => TestHost {
                name,
                line: Some(line),
            },
            Err(e) => {
                eprintln!("NOTE: cannot add a host name to {HOSTS_FILE} ({e}); using {ip}");
                TestHost {
                    name: ip.to_string(),
                    line: None,
                }
            }
        }
    }
}

impl Drop for TestHost {
    fn drop(&mut self) {
        if let Some(line) = self.line.take() {
            let _guard = HOSTS_LOCK.lock().unwrap_or_else(|e| e.into_inner());
            if let Ok(hosts) = std::fs::read_to_string(HOSTS_FILE) {
                let kept: String = hosts
                    .lines()
                    .filter(|l| *l != line)
                    .map(|l| format!("{l}\n"))
                    .collect();
                let _ = std::fs::write(HOSTS_FILE, kept);
            }
        }
    }
}

/// An instance on its own address and port, which it keeps across restarts.
async fn instance(backend: &Backend, host: &TestHost, ip: &str) -> TestApp {
    instance_with(backend, host, ip, |_| {}).await
}

/// An instance as `instance` makes it, with more of its configuration changed by `tweak`.
pub(crate) async fn instance_with(
    backend: &Backend,
    host: &TestHost,
    ip: &str,
    tweak: impl FnOnce(&mut hiroba::config::Config),
) -> TestApp {
    let port = std::net::TcpListener::bind((ip, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let domain = format!("{}:{port}", host.name);
    let listen = format!("{ip}:{port}").parse().expect("address");
    spawn_app_with(backend, |config| {
        config.domain = domain;
        config.listen = listen;
        config.federation.insecure = true;
        config.federation.retry_base = Duration::from_millis(100);
        config.federation.probe_interval = Duration::from_millis(300);
        tweak(config);
    })
    .await
}

/// Polls `check` until it returns something, for at most thirty seconds (a whole suite on
/// two cores runs several federating pairs at once).
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if let Some(found) = check().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}

async fn posts(app: &TestApp, who: Option<&Auth>) -> Vec<Value> {
    app.get("/api/v1/federated/posts", who).await.expect(200)["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn post_titled(app: &TestApp, title: &str) -> Option<Value> {
    posts(app, None)
        .await
        .into_iter()
        .find(|p| p["title"] == title)
}

/// How many followers a theme's collection counts.
async fn followers(app: &TestApp, slug: &str) -> i64 {
    app.client
        .get(format!("{}/themes/{slug}/followers", app.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["totalItems"]
        .as_i64()
        .unwrap_or(-1)
}

async fn proposal(app: &TestApp, id: i64) -> Value {
    app.get(&format!("/api/v1/proposals/{id}"), None)
        .await
        .expect(200)
}

async fn two_municipalities_federate(backend: Backend) {
    let host_a = TestHost::new("kotoura", "127.0.0.4");
    let host_b = TestHost::new("kamakura", "127.0.0.5");
    let a = instance(&backend, &host_a, "127.0.0.4").await;
    let mut b = instance(&backend, &host_b, "127.0.0.5").await;
    let a_base = a.config.public_url();
    let b_base = b.config.public_url();

    let staff_a = a.staff().await;
    let hanako = a.resident("hanako").await;
    a.theme(&staff_a, "kodomo", "open", phase_today(true, true, true))
        .await;
    let staff_b = b.staff().await;
    let taro = b.resident("taro").await;

    // Kamakura's staff follow Kotoura's theme by its address, from the staff area;
    // Kotoura accepts.
    let handle = format!("kodomo@{}", a.config.domain);
    let mut staff_page = Browser::new(&b);
    staff_page.log_in("staff_member").await;
    let followed = staff_page
        .submit(
            "/staff/following",
            "/staff/following",
            &[("actor", &handle)],
        )
        .await;
    assert_eq!(followed.status, 303, "{}", followed.html);
    let follows = eventually("Kotoura accepts the follow", || async {
        let follows = b.get("/api/v1/following", Some(&staff_b)).await.expect(200);
        (follows[0]["state"] == "accepted").then_some(follows)
    })
    .await;
    assert_eq!(follows[0]["actor"], format!("{a_base}/themes/kodomo"));
    assert_eq!(follows[0]["kind"], "Group");
    let follow_id = follows[0]["id"].as_i64().unwrap();
    let listed = staff_page.get("/staff/following").await;
    listed.contains(&format!("@{handle}"));
    listed.contains("フォロー中");
    let again = b
        .post(
            "/api/v1/following",
            Some(&staff_b),
            json!({"actor": handle}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(followers(&a, "kodomo").await, 1);

    // A Kotoura resident posts; the idea reaches Kamakura, once.
    let id = a
        .idea(&hanako, "kodomo", "学校のタブレットで子どもの声を聞く")
        .await;
    let post = eventually("the idea reaches Kamakura", || {
        post_titled(&b, "学校のタブレットで子どもの声を聞く")
    })
    .await;
    assert_eq!(post["origin"], format!("{a_base}/proposals/{id}"));
    assert_eq!(post["via"]["handle"], handle);
    assert!(
        post["author"]["handle"]
            .as_str()
            .unwrap()
            .starts_with("hanako@")
    );
    assert!(post["content_html"].as_str().unwrap().contains("の本文"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        posts(&b, None).await.len(),
        1,
        "Announce of Create and of Page: one post"
    );
    let post_id = post["id"].as_i64().unwrap();

    // A Kamakura resident supports it: Kotoura counts it apart from its residents'.
    let support = b
        .put(
            &format!("/api/v1/federated/posts/{post_id}/support"),
            Some(&taro),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(support["supported"], true);
    eventually("Kotoura counts the support", || async {
        (proposal(&a, id).await["remote_support_count"] == 1).then_some(())
    })
    .await;

    // ...and replies from the post's page: the reply is a comment on Kotoura's idea, shown
    // with its origin.
    let mut taro_page = Browser::new(&b);
    taro_page.log_in("taro").await;
    let post_path = format!("/following/posts/{post_id}");
    let empty = taro_page
        .submit(
            &post_path,
            &format!("{post_path}/replies"),
            &[("body", "  ")],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.html);
    empty.contains("id=\"error-body\"");
    let replied = taro_page
        .submit(
            &post_path,
            &format!("{post_path}/replies"),
            &[("body", "鎌倉でも**ぜひ**やりたいです")],
        )
        .await;
    assert_eq!(replied.status, 303, "{}", replied.html);
    let comment = eventually("the reply becomes a comment in Kotoura", || async {
        let tree = a
            .get(&format!("/api/v1/proposals/{id}/comments"), None)
            .await
            .expect(200);
        tree.as_array().and_then(|t| t.first().cloned())
    })
    .await;
    assert_eq!(comment["author"]["remote"], true);
    assert!(
        comment["author"]["handle"]
            .as_str()
            .unwrap()
            .starts_with("taro@")
    );
    assert!(
        comment["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>ぜひ</strong>")
    );
    let reply_id = comment["origin"].as_str().unwrap().to_string();
    assert!(reply_id.starts_with(&format!("{b_base}/replies/")));
    // Kamakura serves the reply as the Note its spec documents.
    let (status, note) = b.activity(&reply_id[b_base.len()..]).await;
    assert_eq!(status, 200, "{note}");
    let documented = crate::federation::example("hiroba-reply-note.json");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    let (mut live_keys, mut documented_keys) = (keys(&note), keys(&documented));
    live_keys.sort();
    documented_keys.sort();
    assert_eq!(live_keys, documented_keys, "{note}");
    assert_eq!(note["inReplyTo"], format!("{a_base}/proposals/{id}"));
    assert_eq!(note["audience"], format!("{a_base}/themes/kodomo"));
    // Kotoura's resident answers on Kotoura: the answer shows under the post in Kamakura.
    a.post(
        &format!("/api/v1/proposals/{id}/comments"),
        Some(&hanako),
        json!({"body": "ありがとうございます"}),
    )
    .await
    .expect(201);
    let detail = eventually("Kotoura's answer reaches Kamakura", || async {
        let detail = b
            .get(&format!("/api/v1/federated/posts/{post_id}"), None)
            .await
            .expect(200);
        (detail["replies"].as_array().map(Vec::len) == Some(2)).then_some(detail)
    })
    .await;
    assert_eq!(detail["replies"][0]["remote"], false, "{detail}");
    assert_eq!(detail["replies"][0]["handle"], "taro");
    assert_eq!(detail["replies"][1]["remote"], true);
    let page = taro_page.get(&post_path).await;
    page.contains("学校のタブレットで子どもの声を聞く");
    page.contains("<strong>ぜひ</strong>");
    page.contains("ありがとうございます");
    page.contains("aria-pressed=\"true\"");
    page.contains("<li id=\"reply-");
    let list = Browser::new(&b).get("/following").await;
    list.contains(&format!("href=\"{post_path}\""));

    // The author edits the idea; Kamakura's copy follows.
    a.patch(
        &format!("/api/v1/proposals/{id}"),
        Some(&hanako),
        json!({"title": "学校のタブレットで子どもの意見を聞く", "body": "改訂した本文"}),
    )
    .await
    .expect(200);
    eventually("the edit reaches Kamakura", || {
        post_titled(&b, "学校のタブレットで子どもの意見を聞く")
    })
    .await;

    // Kamakura goes down; an idea posted meanwhile waits in Kotoura's queue and arrives
    // after Kamakura restarts.
    b.stop().await;
    let second = a.idea(&hanako, "kodomo", "放課後の居場所づくり").await;
    eventually("Kotoura tried and failed to deliver", || async {
        let mut conn = a.state.db.acquire().await.unwrap();
        let pending = hiroba::storage::federation::pending_deliveries(conn.ex())
            .await
            .unwrap();
        (pending > 0).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    b.restart().await;
    eventually("the idea posted during the outage arrives", || {
        post_titled(&b, "放課後の居場所づくり")
    })
    .await;

    // The author withdraws the first idea: it is gone from Kamakura too.
    a.post(
        &format!("/api/v1/proposals/{id}/withdraw"),
        Some(&hanako),
        json!({}),
    )
    .await
    .expect(200);
    eventually("the withdrawal reaches Kamakura", || async {
        let gone = b
            .get(&format!("/api/v1/federated/posts/{post_id}"), None)
            .await;
        (gone.status == 404).then_some(())
    })
    .await;

    // Kotoura blocks Kamakura's server: Kamakura's supports are refused, and Kotoura's new
    // ideas no longer go there.
    let block = a
        .post(
            "/api/v1/moderation/blocks",
            Some(&staff_a),
            json!({"kind": "domain", "value": host_b.name}),
        )
        .await
        .expect(201);
    let kept = post_titled(&b, "放課後の居場所づくり").await.unwrap();
    b.put(
        &format!("/api/v1/federated/posts/{}/support", kept["id"]),
        Some(&taro),
        json!({}),
    )
    .await
    .expect(200);
    a.idea(&hanako, "kodomo", "通学路の見守り").await;
    eventually("Kamakura's Like is refused and given up", || async {
        let mut conn = b.state.db.acquire().await.unwrap();
        let pending = hiroba::storage::federation::pending_deliveries(conn.ex())
            .await
            .unwrap();
        (pending == 0).then_some(())
    })
    .await;
    assert_eq!(proposal(&a, second).await["remote_support_count"], 0);
    // Kotoura sends the blocked server only the end of its follow (a Reject of its Follow,
    // and a Block), and nothing more: not the new idea.
    eventually("Kotoura's queue empties", || async {
        let mut conn = a.state.db.acquire().await.unwrap();
        let pending = hiroba::storage::federation::pending_deliveries(conn.ex())
            .await
            .unwrap();
        (pending == 0).then_some(())
    })
    .await;
    eventually("Kamakura's follow is rejected", || async {
        let follows = b.get("/api/v1/following", Some(&staff_b)).await.expect(200);
        (follows[0]["state"] == "rejected").then_some(())
    })
    .await;
    assert!(post_titled(&b, "通学路の見守り").await.is_none());

    // Kamakura stops following: Kotoura loses the follower, Kamakura the kept posts.
    a.delete(
        &format!("/api/v1/moderation/blocks/{}", block["id"]),
        Some(&staff_a),
    )
    .await
    .expect(204);
    b.delete(&format!("/api/v1/following/{follow_id}"), Some(&staff_b))
        .await
        .expect(204);
    assert!(posts(&b, None).await.is_empty());
    eventually("Kotoura forgets the follower", || async {
        (followers(&a, "kodomo").await == 0).then_some(())
    })
    .await;
}

async fn following_refuses_what_cannot_be_followed(backend: Backend) {
    let host = TestHost::new("solo", "127.0.0.6");
    let app = instance(&backend, &host, "127.0.0.6").await;
    let staff = app.staff().await;
    let resident = app.resident("hanako").await;
    for (input, code) in [
        ("", "required"),
        ("not a handle", "not_a_handle"),
        ("nobody@127.0.0.7:9", "unreachable"),
    ] {
        let reply = app
            .post("/api/v1/following", Some(&staff), json!({"actor": input}))
            .await;
        assert_eq!(reply.status, 422, "{input}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["code"], code, "{input}");
    }
    let own = format!("{}/actor", app.config.public_url());
    let reply = app
        .post("/api/v1/following", Some(&staff), json!({"actor": own}))
        .await;
    assert_eq!(reply.body["errors"][0]["code"], "local");
    let reply = app
        .post(
            "/api/v1/following",
            Some(&resident),
            json!({"actor": "a@b.example"}),
        )
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        app.get("/api/v1/following", Some(&resident)).await.status,
        403
    );
    assert_eq!(app.get("/api/v1/federated/posts/1", None).await.status, 404);
    // The staff form keeps what was typed and says what is wrong, in Japanese.
    let mut page = Browser::new(&app);
    page.log_in("staff_member").await;
    let refused = page
        .submit(
            "/staff/following",
            "/staff/following",
            &[("actor", "not a handle")],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.contains("value=\"not a handle\"");
    refused.contains("id=\"error-actor\"");
    refused.contains("「名前@ドメイン」");
    refused.contains("lang=\"ja\"");
}

async fn themes(app: &TestApp) -> Vec<Value> {
    app.get("/api/v1/federated/themes", None).await.expect(200)["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Kamakura follows Kotoura's municipality: Kotoura's themes reach Kamakura as they open,
/// with their running phase, kept fresh as the phase changes; staff follow one in a step.
async fn following_a_municipality_brings_its_themes(backend: Backend) {
    let host_a = TestHost::new("kotoura-city", "127.0.0.15");
    let host_b = TestHost::new("kamakura-city", "127.0.0.16");
    let a = instance(&backend, &host_a, "127.0.0.15").await;
    let b = instance(&backend, &host_b, "127.0.0.16").await;
    let a_base = a.config.public_url();
    let staff_a = a.staff().await;
    let staff_b = b.staff().await;
    let mut staff_page = Browser::new(&b);
    staff_page.log_in("staff_member").await;
    let handle = format!("city@{}", a.config.domain);
    staff_page
        .submit(
            "/staff/following",
            "/staff/following",
            &[("actor", &handle)],
        )
        .await;
    eventually("Kotoura accepts", || async {
        let follows = b.get("/api/v1/following", Some(&staff_b)).await.expect(200);
        (follows[0]["state"] == "accepted").then_some(())
    })
    .await;

    a.theme(&staff_a, "kodomo", "open", phase_today(true, true, true))
        .await;
    let theme = eventually("the opened theme reaches Kamakura", || async {
        themes(&b).await.into_iter().next()
    })
    .await;
    assert_eq!(theme["actor"], format!("{a_base}/themes/kodomo"), "{theme}");
    assert_eq!(theme["name"], "Theme kodomo");
    assert_eq!(theme["phase"], "考える");
    assert_eq!(theme["followed"], false);
    assert!(
        posts(&b, None).await.is_empty(),
        "a theme is not kept as a post"
    );

    // Kotoura moves on to the next phase; Kamakura's list says so.
    let allows = json!({"ideas": true, "comments": true, "supports": true});
    let later = json!([
        {"name": "知る", "starts_on": crate::helpers::day(-9), "ends_on": crate::helpers::day(-1),
         "allows": allows},
        {"name": "創る", "starts_on": crate::helpers::day(0), "ends_on": crate::helpers::day(9),
         "allows": allows},
    ]);
    a.put(
        "/api/v1/themes/kodomo",
        Some(&staff_a),
        json!({"title": "子どもの声", "status": "open", "phases": later}),
    )
    .await
    .expect(200);
    eventually("the new phase reaches Kamakura", || async {
        let listed = themes(&b).await;
        (listed.len() == 1 && listed[0]["phase"] == "創る" && listed[0]["name"] == "子どもの声")
            .then_some(())
    })
    .await;

    // The staff page lists it with a follow button, which follows the theme itself.
    let page = staff_page.get("/staff/following").await;
    page.contains("子どもの声");
    page.contains("創る");
    let actor = format!("{a_base}/themes/kodomo");
    staff_page
        .submit("/staff/following", "/staff/following", &[("actor", &actor)])
        .await;
    eventually("Kamakura follows the theme", || async {
        (themes(&b).await[0]["followed"] == true).then_some(())
    })
    .await;
    a.idea(&a.resident("hanako").await, "kodomo", "放課後の居場所")
        .await;
    eventually("the theme's idea reaches Kamakura", || {
        post_titled(&b, "放課後の居場所")
    })
    .await;

    // Kotoura removes the theme: it leaves Kamakura's list of other cities' themes.
    a.delete("/api/v1/themes/kodomo", Some(&staff_a))
        .await
        .expect(204);
    eventually("the removed theme leaves Kamakura's list", || async {
        themes(&b).await.is_empty().then_some(())
    })
    .await;
}

both_databases!(
    two_municipalities_federate,
    following_refuses_what_cannot_be_followed,
    following_a_municipality_brings_its_themes,
);
