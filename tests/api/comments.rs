//! Threaded comments.

use hiroba::domain::Role;
use serde_json::json;

use crate::both_databases;
use crate::helpers::{Backend, phase_today, spawn_app};

async fn comments_form_a_reply_tree(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    app.theme(&staff, "t", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "t", "公園").await;
    let path = format!("/api/v1/proposals/{id}/comments");
    let first = app
        .post(&path, Some(&taro), json!({"body": "賛成です"}))
        .await
        .expect(201);
    let reply = app
        .post(
            &path,
            Some(&hanako),
            json!({"body": "ありがとう", "parent_id": first["id"]}),
        )
        .await
        .expect(201);
    app.post(
        &path,
        Some(&taro),
        json!({"body": "もう一つ <script>x()</script>"}),
    )
    .await
    .expect(201);
    let nested = app
        .post(
            &path,
            Some(&taro),
            json!({"body": "返信への返信", "parent_id": reply["id"]}),
        )
        .await
        .expect(201);

    let tree = app.get(&path, None).await.expect(200);
    assert_eq!(tree.as_array().unwrap().len(), 2);
    assert_eq!(tree[0]["body"], "賛成です");
    assert_eq!(tree[0]["author"]["handle"], "taro");
    assert_eq!(tree[0]["replies"][0]["body"], "ありがとう");
    assert_eq!(tree[0]["replies"][0]["replies"][0]["id"], nested["id"]);
    assert!(!tree[1]["body_html"].as_str().unwrap().contains("<script"));
    let proposal = app
        .get(&format!("/api/v1/proposals/{id}"), None)
        .await
        .expect(200);
    assert_eq!(proposal["comment_count"], 4);

    // A reply must point at a comment under the same proposal.
    let other = app.idea(&hanako, "t", "別の案").await;
    let elsewhere = app
        .post(
            &format!("/api/v1/proposals/{other}/comments"),
            Some(&taro),
            json!({"body": "x", "parent_id": first["id"]}),
        )
        .await;
    assert_eq!(
        (elsewhere.status, elsewhere.fields()),
        (422, vec!["parent_id".to_string()])
    );
    assert_eq!(
        app.post(&path, None, json!({"body": "x"})).await.status,
        401
    );
    let empty = app.post(&path, Some(&taro), json!({"body": "   "})).await;
    assert_eq!(
        (empty.status, empty.fields()),
        (422, vec!["body".to_string()])
    );
}

async fn comments_follow_the_phase(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "t", "open", phase_today(true, false, true))
        .await;
    let id = app.idea(&hanako, "t", "案").await;
    let reply = app
        .post(
            &format!("/api/v1/proposals/{id}/comments"),
            Some(&hanako),
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.body["type"], "urn:hiroba:problem:not-allowed-now");
}

async fn deleted_and_hidden_comments_keep_their_place(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    let moderator = app.user_with_role("mod", Role::Moderator).await;
    app.theme(&staff, "t", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "t", "公園").await;
    let path = format!("/api/v1/proposals/{id}/comments");
    let mine = app
        .post(&path, Some(&taro), json!({"body": "消す予定"}))
        .await
        .expect(201);
    app.post(
        &path,
        Some(&hanako),
        json!({"body": "返信", "parent_id": mine["id"]}),
    )
    .await
    .expect(201);
    let rude = app
        .post(&path, Some(&taro), json!({"body": "失礼な言葉"}))
        .await
        .expect(201);

    let mine_path = format!("/api/v1/comments/{}", mine["id"]);
    assert_eq!(app.delete(&mine_path, Some(&hanako)).await.status, 403);
    let edited = app
        .patch(&mine_path, Some(&taro), json!({"body": "直しました"}))
        .await
        .expect(200);
    assert_eq!(edited["body"], "直しました");
    app.delete(&mine_path, Some(&taro)).await.expect(204);
    let rude_path = format!("/api/v1/comments/{}", rude["id"]);
    assert_eq!(
        app.post(
            &format!("{rude_path}/hide"),
            Some(&taro),
            json!({"reason": "x"})
        )
        .await
        .status,
        403
    );
    app.post(
        &format!("{rude_path}/hide"),
        Some(&moderator),
        json!({"reason": "誹謗中傷"}),
    )
    .await
    .expect(200);

    let tree = app.get(&path, None).await.expect(200);
    assert_eq!(tree[0]["status"], "deleted");
    assert!(tree[0]["body"].is_null() && tree[0]["author"].is_null());
    assert_eq!(
        tree[0]["replies"][0]["body"], "返信",
        "replies stay under a deleted comment"
    );
    assert_eq!(tree[1]["status"], "hidden");
    assert!(tree[1]["body"].is_null());
    assert!(tree[1].get("hidden_reason").is_none());
    let as_moderator = app.get(&path, Some(&moderator)).await.expect(200);
    assert_eq!(as_moderator[1]["body"], "失礼な言葉");
    assert_eq!(as_moderator[1]["hidden_reason"], "誹謗中傷");
    let proposal = app
        .get(&format!("/api/v1/proposals/{id}"), None)
        .await
        .expect(200);
    assert_eq!(proposal["comment_count"], 1);
    app.post(
        &format!("{rude_path}/restore"),
        Some(&moderator),
        json!({"reason": "誤判定"}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&path, None).await.expect(200)[1]["status"],
        "published"
    );
}

both_databases!(
    comments_form_a_reply_tree,
    comments_follow_the_phase,
    deleted_and_hidden_comments_keep_their_place,
);
