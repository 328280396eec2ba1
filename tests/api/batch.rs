//! The write batcher: concurrent writes share commits, each caller hears its own result,
//! and a failing write leaves the rest of its batch intact.

use hiroba::storage::proposals::{NewRemoteProposal, insert_remote};
use hiroba::storage::{federation::mark_received, now_millis};

use crate::both_databases;
use crate::helpers::{Backend, spawn_app};

async fn batched_writes_commit_together_and_fail_alone(backend: Backend) {
    let app = spawn_app(&backend).await;
    let mut writes = tokio::task::JoinSet::new();
    for n in 0..60 {
        let batcher = app.state.writes.clone();
        writes.spawn(async move {
            let id = format!("https://peer.example/activities/{n}");
            let now = now_millis();
            let first = batcher
                .write(move |ex| Box::pin(async move { mark_received(ex, &id, now).await }))
                .await;
            (n, first)
        });
    }
    // A write that breaks a rule (no such theme) in the middle of the burst.
    let batcher = app.state.writes.clone();
    let broken = tokio::spawn(async move {
        batcher
            .write(|ex| {
                Box::pin(async move {
                    let p = NewRemoteProposal {
                        theme_id: 999,
                        remote_actor_id: 999,
                        ap_id: "https://peer.example/posts/1",
                        title: "t",
                        body: "b",
                        published: 0,
                    };
                    insert_remote(ex, &p).await
                })
            })
            .await
    });
    while let Some(done) = writes.join_next().await {
        let (n, first) = done.unwrap();
        assert!(first.unwrap(), "write {n} was stored");
    }
    assert!(
        broken.await.unwrap().is_err(),
        "the broken write reports its error"
    );
    // Everything the callers were told is stored is there; the same ids again are duplicates.
    let batcher = app.state.writes.clone();
    let again = batcher
        .write(|ex| {
            Box::pin(async move {
                mark_received(ex, "https://peer.example/activities/7", now_millis()).await
            })
        })
        .await
        .unwrap();
    assert!(!again, "already received");
    let mut conn = app.state.db.acquire().await.unwrap();
    let stored: i64 = match conn.ex() {
        hiroba::storage::Ex::Sqlite(c) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM received_activities")
                .fetch_one(c)
                .await
        }
        hiroba::storage::Ex::Postgres(c) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM received_activities")
                .fetch_one(c)
                .await
        }
    }
    .unwrap();
    assert_eq!(stored, 60);
}

both_databases!(batched_writes_commit_together_and_fail_alone);
