//! When moderators hide an idea or a comment, its author is told with the reason and may
//! ask once for a review; a moderator shows it again or keeps it hidden with a reason, and
//! the log records it. Pages and API.

use hiroba::domain::Role;
use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Auth, Backend, TestApp, phase_today, spawn_app};
use crate::two_instances::eventually;

async fn told(app: &TestApp, who: &Auth, kind: &'static str) -> Value {
    eventually(kind, || async {
        let page = app
            .get("/api/v1/me/notifications", Some(who))
            .await
            .expect(200);
        page["items"]
            .as_array()?
            .iter()
            .find(|n| n["kind"] == kind)
            .cloned()
    })
    .await
}

async fn authors_are_told_and_may_ask_once_for_a_review(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let moderator = app.user_with_role("mod_one", Role::Moderator).await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let idea = app.idea(&hanako, "parks", "ベンチを増やして").await;
    let comment = |body: &'static str| {
        let app = &app;
        let taro = &taro;
        async move {
            app.post(
                &format!("/api/v1/proposals/{idea}/comments"),
                Some(taro),
                json!({"body": body}),
            )
            .await
            .expect(201)["id"]
                .as_i64()
                .unwrap()
        }
    };
    let rude = comment("失礼な言葉").await;
    let kind = comment("賛成です").await;

    app.post(
        &format!("/api/v1/proposals/{idea}/hide"),
        Some(&moderator),
        json!({"reason": "個人の電話番号が書かれているため"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/comments/{rude}/hide"),
        Some(&moderator),
        json!({"reason": "誹謗中傷のため"}),
    )
    .await
    .expect(200);

    // Each author is told, with the reason.
    let hers = told(&app, &hanako, "proposal_hidden").await;
    assert_eq!(hers["proposal_id"], idea);
    assert_eq!(hers["hidden_reason"], "個人の電話番号が書かれているため");
    assert_eq!(hers["review_requested"], false);
    let his = told(&app, &taro, "comment_hidden").await;
    assert_eq!(his["comment_id"], rude);
    assert_eq!(his["hidden_reason"], "誹謗中傷のため");

    // Only the author, with a message, once, and only for what is hidden.
    let ask = |path: String, who: &'static str, message: &'static str| {
        let app = &app;
        let (hanako, taro) = (&hanako, &taro);
        async move {
            let auth = if who == "hanako" { hanako } else { taro };
            app.post(&path, Some(auth), json!({"message": message}))
                .await
        }
    };
    let on_idea = format!("/api/v1/proposals/{idea}/review");
    assert_eq!(ask(on_idea.clone(), "taro", "見直して").await.status, 403);
    let empty = ask(on_idea.clone(), "hanako", " ").await;
    assert_eq!(empty.status, 422);
    assert_eq!(empty.fields(), ["message"]);
    assert_eq!(
        ask(on_idea.clone(), "hanako", "電話番号を消しました")
            .await
            .status,
        202
    );
    let twice = ask(on_idea.clone(), "hanako", "もう一度").await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    let visible = ask(format!("/api/v1/comments/{kind}/review"), "taro", "?").await;
    assert_eq!(visible.status, 409);
    assert_eq!(
        ask(
            format!("/api/v1/comments/{rude}/review"),
            "taro",
            "言い過ぎました"
        )
        .await
        .status,
        202
    );
    assert_eq!(
        told(&app, &hanako, "proposal_hidden").await["review_requested"],
        true
    );

    // Moderators see both, oldest first; keep the idea hidden, show the comment again.
    assert_eq!(
        app.get("/api/v1/moderation/reviews", Some(&taro))
            .await
            .status,
        403
    );
    let open = app
        .get("/api/v1/moderation/reviews", Some(&moderator))
        .await
        .expect(200);
    assert_eq!(open.as_array().unwrap().len(), 2, "{open}");
    assert_eq!(open[0]["target_kind"], "proposal");
    assert_eq!(open[0]["message"], "電話番号を消しました");
    assert_eq!(open[1]["author"], "taro");
    let decide = |id: &Value, restore: bool, reason: &'static str| {
        let app = &app;
        let moderator = &moderator;
        let path = format!("/api/v1/moderation/reviews/{id}");
        async move {
            app.post(
                &path,
                Some(moderator),
                json!({"restore": restore, "reason": reason}),
            )
            .await
        }
    };
    assert_eq!(
        decide(&open[0]["id"], false, "番号が残っています")
            .await
            .status,
        204
    );
    assert_eq!(decide(&open[0]["id"], true, "やはり").await.status, 409);
    assert_eq!(
        decide(&open[1]["id"], true, "謝罪があったため")
            .await
            .status,
        204
    );
    let comments = app
        .get(
            &format!("/api/v1/proposals/{idea}/comments"),
            Some(&moderator),
        )
        .await
        .expect(200);
    let restored = comments
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == rude)
        .unwrap();
    assert_eq!(restored["status"], "published", "{restored}");
    assert_eq!(
        app.get("/api/v1/moderation/reviews", Some(&moderator))
            .await
            .expect(200),
        json!([])
    );
    let log = app
        .get("/api/v1/moderation/log", Some(&moderator))
        .await
        .expect(200);
    let actions: Vec<(&str, &str)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["reason"].as_str().unwrap()))
        .collect();
    assert!(
        actions.contains(&("review", "番号が残っています")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("restore", "謝罪があったため")),
        "{actions:?}"
    );

    // The pages: the author reads why and the request is noted; the queue is empty again.
    let mut page = Browser::new(&app);
    page.log_in("hanako").await;
    let notes = page.get("/notifications").await;
    notes.contains("あなたのアイデアはモデレーターにより非表示になりました");
    notes.contains("個人の電話番号が書かれているため");
    notes.contains("見直しを依頼済みです");
    let mut moderating = Browser::new(&app);
    moderating.log_in("mod_one").await;
    moderating
        .get("/staff/moderation")
        .await
        .contains("判断を待っている依頼はありません");
}

/// A hidden comment's author asks from the notifications page without a script, and the
/// moderator decides from the queue.
async fn a_review_is_asked_and_decided_on_the_pages(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let moderator = app.user_with_role("mod_one", Role::Moderator).await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let idea = app.idea(&hanako, "parks", "噴水を直して").await;
    app.post(
        &format!("/api/v1/proposals/{idea}/hide"),
        Some(&moderator),
        json!({"reason": "重複のため"}),
    )
    .await
    .expect(200);
    told(&app, &hanako, "proposal_hidden").await;
    let mut author = Browser::new(&app);
    author.log_in("hanako").await;
    let asked = author
        .submit(
            "/notifications",
            &format!("/proposals/{idea}/review"),
            &[("message", "別の内容です")],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.html);
    let mut moderating = Browser::new(&app);
    moderating.log_in("mod_one").await;
    let queue = moderating.get("/staff/moderation").await;
    queue.contains("別の内容です");
    let id = app
        .get("/api/v1/moderation/reviews", Some(&moderator))
        .await
        .expect(200)[0]["id"]
        .as_i64()
        .unwrap();
    let decided = moderating
        .submit(
            "/staff/moderation",
            &format!("/staff/reviews/{id}"),
            &[("decision", "restore"), ("reason", "別の内容と確認")],
        )
        .await;
    assert_eq!(decided.status, 303, "{}", decided.html);
    assert_eq!(
        app.get(&format!("/api/v1/proposals/{idea}"), None)
            .await
            .status,
        200,
        "shown again"
    );
}

both_databases!(
    authors_are_told_and_may_ask_once_for_a_review,
    a_review_is_asked_and_decided_on_the_pages,
);
