//! Fediverse polls: staff publish a survey's choice question as a `Question` of its theme; the
//! theme's followers get it; votes in the shapes Mastodon and GoToSocial send are counted
//! once per account, apart from residents' answers; bad, late and blocked votes get a 4xx;
//! the tallies reach followers and voters, and the poll's close is sent too.

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Auth, Backend, TestApp, day, federating_app, phase_today};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";
/// The poll the example votes answer.
const EXAMPLE_POLL: &str = "/surveys/3/questions/14";

struct Survey {
    id: i64,
    single: i64,
    multiple: i64,
    text: i64,
    /// A multiple-choice question with a limit, which the fediverse cannot express.
    limited: i64,
}

async fn parks_survey(app: &TestApp, staff: &Auth, closes_on: Option<String>) -> Survey {
    let created = app
        .post(
            "/api/v1/themes/parks/surveys",
            Some(staff),
            json!({"title": "公園アンケート", "audience": "residents", "opens_on": day(-1),
                   "closes_on": closes_on, "sections": [{"questions": [
                {"kind": "single_choice", "prompt": "よく使う公園は",
                 "options": ["中央公園", "駅前広場", "川沿いの緑地"]},
                {"kind": "multiple_choice", "prompt": "ほしい設備",
                 "options": ["日陰", "ベンチ", "トイレ", "遊具"]},
                {"kind": "short_text", "prompt": "お住まいの町名"},
                {"kind": "multiple_choice", "prompt": "よく行く時間（2つまで）", "max_choices": 2,
                 "options": ["朝", "昼", "夕方", "夜"]}
            ]}]}),
        )
        .await
        .expect(201);
    let q: Vec<i64> = created["sections"][0]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    Survey {
        id: created["id"].as_i64().unwrap(),
        single: q[0],
        multiple: q[1],
        text: q[2],
        limited: q[3],
    }
}

fn poll_path(survey: &Survey, question: i64) -> String {
    format!("/api/v1/surveys/{}/questions/{question}/poll", survey.id)
}

/// An example vote, from `peer`, on the poll of `question`.
fn vote(peer: &GtsPeer, example: &Value, survey: &Survey, question: i64) -> Value {
    let text = example
        .to_string()
        .replace(
            EXAMPLE_POLL,
            &format!("/surveys/{}/questions/{question}", survey.id),
        )
        .replace("https://mastodon.example/users/yuki", &peer.actor_id());
    serde_json::from_str(&text).unwrap()
}

/// The same vote for another option, with ids of its own.
fn choosing(vote: &Value, option: &str, n: u32) -> Value {
    let mut other = vote.clone();
    let id = format!("{}-{n}", vote["id"].as_str().unwrap());
    other["id"] = json!(id);
    other["object"]["id"] = json!(format!("{}-{n}", vote["object"]["id"].as_str().unwrap()));
    other["object"]["name"] = json!(option);
    other
}

fn tally(poll: &Value) -> Vec<(String, i64)> {
    poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["label"].as_str().unwrap().to_string(),
                o["votes"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn question_tally(question: &Value, key: &str) -> Vec<(String, i64)> {
    question[key]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap().to_string(),
                o["replies"]["totalItems"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn pairs(items: &[(&str, i64)]) -> Vec<(String, i64)> {
    items.iter().map(|(l, n)| (l.to_string(), *n)).collect()
}

async fn fediverse_votes_are_counted_once_per_account_apart_from_residents(backend: Backend) {
    let app = federating_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let gts = GtsPeer::start("127.0.0.50", CITY).await;
    let masto = GtsPeer::start("127.0.0.51", CITY).await;
    gts.follow_theme(&app, "parks").await;
    let survey = parks_survey(&app, &staff, Some(day(7))).await;

    // Publishing: staff only, choice questions only, once.
    let hanako = app.resident("hanako").await;
    let path = poll_path(&survey, survey.multiple);
    assert_eq!(app.post(&path, Some(&hanako), json!({})).await.status, 403);
    let text = app
        .post(&poll_path(&survey, survey.text), Some(&staff), json!({}))
        .await;
    assert_eq!(text.status, 409, "{}", text.body);
    // Mastodon-family polls take one option or any number of them: a question that limits
    // the choices would take votes there that are refused here, so it is not published.
    let limited = app
        .post(&poll_path(&survey, survey.limited), Some(&staff), json!({}))
        .await;
    assert_eq!(limited.status, 409, "{}", limited.body);
    assert_eq!(limited.fields(), ["question"]);
    assert!(
        limited.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("いくつでも選べる"),
        "{}",
        limited.body
    );
    assert_eq!(
        app.post(&poll_path(&survey, 999_999), Some(&staff), json!({}))
            .await
            .status,
        404
    );
    assert_eq!(app.get(&path, None).await.status, 404, "not a poll yet");
    let poll = app.post(&path, Some(&staff), json!({})).await.expect(201);
    assert_eq!(
        tally(&poll),
        pairs(&[("日陰", 0), ("ベンチ", 0), ("トイレ", 0), ("遊具", 0)])
    );
    assert_eq!(poll["closed"], false);
    assert_eq!(
        poll["url"],
        format!("{CITY}/surveys/{}/questions/{}", survey.id, survey.multiple)
    );
    assert_eq!(app.post(&path, Some(&staff), json!({})).await.status, 409);
    app.post(&poll_path(&survey, survey.single), Some(&staff), json!({}))
        .await
        .expect(201);

    // The theme's follower sees a native poll: a Question with anyOf, an end, no votes.
    let create = gts
        .wait_for("the Create of the multiple-choice poll", |a| {
            a["type"] == "Create" && a["object"]["id"] == poll["url"]
        })
        .await;
    let question = &create["object"];
    assert_eq!(question["type"], "Question");
    assert_eq!(question["attributedTo"], format!("{CITY}/themes/parks"));
    assert!(question["endTime"].is_string());
    assert!(question.get("oneOf").is_none());
    assert_eq!(
        question_tally(question, "anyOf"),
        pairs(&[("日陰", 0), ("ベンチ", 0), ("トイレ", 0), ("遊具", 0)])
    );
    let single = gts
        .wait_for("the Create of the single-choice poll", |a| {
            a["type"] == "Create"
                && a["object"]["type"] == "Question"
                && a["object"].get("oneOf").is_some()
        })
        .await;
    assert_eq!(question_tally(&single["object"], "oneOf").len(), 3);
    // Served at its id, in the documented shape.
    let local = format!("/surveys/{}/questions/{}", survey.id, survey.multiple);
    let (status, served) = app.activity(&local).await;
    assert_eq!(status, 200);
    assert_eq!(served["id"], poll["url"]);
    let example = crate::federation::example("hiroba-question.json");
    let keys = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(keys(&served), keys(&example), "the documented shape");
    assert_eq!(served["@context"], example["@context"]);
    assert_eq!(keys(&served["anyOf"][0]), keys(&example["anyOf"][0]));
    // A browser is sent to the survey.
    let page = crate::browser::Browser::new(&app).get(&local).await;
    assert_eq!(
        page.location.as_deref(),
        Some(format!("/surveys/{}", survey.id).as_str())
    );

    // GoToSocial: one Create per chosen option, all counted (a poll of several choices
    // takes any number of them); the same delivery again changes nothing.
    let creates = gts.example("gotosocial-poll-vote.json");
    for create in creates.as_array().unwrap() {
        let create = vote(&gts, create, &survey, survey.multiple);
        let (status, body) = gts.post(&app, "/themes/parks/inbox", &create).await;
        assert_eq!(status, 202, "{body}");
        assert_eq!(gts.post(&app, "/inbox", &create).await.0, 202);
    }
    let first = vote(&gts, &creates[0], &survey, survey.multiple);
    let (status, body) = gts
        .post(&app, "/inbox", &choosing(&first, "トイレ", 1))
        .await;
    assert_eq!(status, 202, "{body}");
    // An option the poll does not have.
    let (status, body) = gts.post(&app, "/inbox", &choosing(&first, "噴水", 2)).await;
    assert_eq!(status, 400, "{body}");

    // Mastodon's shape on the single-choice poll: one vote, a second choice refused.
    let mastodon = vote(
        &masto,
        &masto.example("mastodon-poll-vote.json"),
        &survey,
        survey.single,
    );
    let mut first_choice = mastodon.clone();
    first_choice["object"]["name"] = json!("駅前広場");
    let (status, body) = masto.post(&app, "/inbox", &first_choice).await;
    assert_eq!(status, 202, "{body}");
    let (status, body) = masto
        .post(&app, "/inbox", &choosing(&first_choice, "中央公園", 1))
        .await;
    assert_eq!(status, 409, "{body}");
    // One Create carrying two Notes is two votes.
    let mut both = choosing(&first_choice, "日陰", 2);
    let note = |name: &str, n: u32| {
        let mut note = both["object"].clone();
        note["id"] = json!(format!("{}#both-{n}", masto.actor_id()));
        note["name"] = json!(name);
        note["inReplyTo"] = json!(poll["url"]);
        note
    };
    both["object"] = json!([note("日陰", 1), note("遊具", 2)]);
    let (status, body) = masto.post(&app, "/inbox", &both).await;
    assert_eq!(status, 202, "{body}");
    // A vote in someone else's name.
    let mut forged = choosing(&first_choice, "川沿いの緑地", 3);
    forged["object"]["attributedTo"] = json!(format!("{}/users/someone", masto.base));
    let (status, body) = masto.post(&app, "/inbox", &forged).await;
    assert_eq!(status, 400, "{body}");

    // A resident's answer counts in the results, not in the poll; the poll, not in them.
    app.post(
        &format!("/api/v1/surveys/{}/responses", survey.id),
        Some(&hanako),
        json!({"answers": {survey.single.to_string(): 1, survey.multiple.to_string(): [3]}}),
    )
    .await
    .expect(201);
    let multiple = app.get(&path, None).await.expect(200);
    assert_eq!(
        tally(&multiple),
        pairs(&[("日陰", 2), ("ベンチ", 1), ("トイレ", 1), ("遊具", 1)])
    );
    assert_eq!(multiple["voters"], 2);
    let single_poll = app
        .get(&poll_path(&survey, survey.single), None)
        .await
        .expect(200);
    assert_eq!(
        tally(&single_poll),
        pairs(&[("中央公園", 0), ("駅前広場", 1), ("川沿いの緑地", 0)])
    );
    let results = app
        .get(
            &format!("/api/v1/surveys/{}/results", survey.id),
            Some(&staff),
        )
        .await
        .expect(200);
    let park = &results["questions"][0];
    assert_eq!(park["options"][0]["count"], 1, "{park}");
    assert_eq!(park["options"][1]["count"], 0, "{park}");
    assert_eq!(park["fediverse"]["options"][1]["votes"], 1, "{park}");
    assert!(results["questions"][2]["fediverse"].is_null());

    // The tallies reach the follower and the voters (a voter that does not follow, too).
    let update = gts
        .wait_for("the tally of the multiple-choice poll", |a| {
            a["type"] == "Update"
                && a["object"]["id"] == poll["url"]
                && a["object"]["votersCount"] == 2
        })
        .await;
    assert_eq!(
        question_tally(&update["object"], "anyOf"),
        pairs(&[("日陰", 2), ("ベンチ", 1), ("トイレ", 1), ("遊具", 1)])
    );
    assert!(update["object"].get("closed").is_none());
    masto
        .wait_for("the tally of the single-choice poll", |a| {
            a["type"] == "Update"
                && a["object"].get("oneOf").is_some()
                && a["object"]["votersCount"] == 1
        })
        .await;

    // Staff see the fediverse votes apart on the results page, and can publish no more.
    let mut browser = crate::browser::Browser::new(&app);
    browser.log_in("staff_member").await;
    let page = browser
        .get(&format!("/surveys/{}/results", survey.id))
        .await;
    page.contains("フェディバースのアカウントからの投票");
    page.contains("2件のフェディバースのアカウントが投票しました");
    assert!(!page.html.contains("フェディバースの投票として公開する"));
    page.contains("選べる数に上限があるため、フェディバースの投票にはできません");

    // A blocked account's vote is refused.
    let moderator = app
        .user_with_role("mod", hiroba::domain::Role::Moderator)
        .await;
    app.post(
        "/api/v1/moderation/blocks",
        Some(&moderator),
        json!({"kind": "actor", "value": masto.actor_id(), "reason": "spam"}),
    )
    .await
    .expect(201);
    let (status, _) = masto
        .post(&app, "/inbox", &choosing(&first_choice, "ベンチ", 4))
        .await;
    assert_eq!(status, 403);
    let multiple = app.get(&path, None).await.expect(200);
    assert_eq!(multiple["voters"], 2);
}

async fn set_poll_end(app: &TestApp, question: i64, end: i64) {
    let sql = format!("UPDATE survey_polls SET closes_at = {end} WHERE question_id = {question}");
    let mut conn = app.state.db.acquire().await.unwrap();
    match conn.ex() {
        hiroba::storage::Ex::Sqlite(c) => {
            sqlx::query(&sql).execute(c).await.unwrap();
        }
        hiroba::storage::Ex::Postgres(c) => {
            sqlx::query(&sql).execute(c).await.unwrap();
        }
    }
}

async fn a_poll_needs_an_end_and_refuses_votes_once_closed(backend: Backend) {
    let app = federating_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    // A survey without a closing date or a phase cannot be a poll: it would never end.
    let endless = parks_survey(&app, &staff, None).await;
    let refused = app
        .post(
            &poll_path(&endless, endless.single),
            Some(&staff),
            json!({}),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);

    let gts = GtsPeer::start("127.0.0.52", CITY).await;
    gts.follow_theme(&app, "parks").await;
    let survey = parks_survey(&app, &staff, Some(day(3))).await;
    // Staff publish it from the results page (a form, no script).
    let mut browser = crate::browser::Browser::new(&app);
    browser.log_in("staff_member").await;
    let results = format!("/surveys/{}/results", survey.id);
    browser
        .get(&results)
        .await
        .contains("フェディバースの投票として公開する");
    let action = format!("/surveys/{}/questions/{}/poll", survey.id, survey.single);
    let published = browser.submit(&results, &action, &[]).await;
    assert_eq!(published.status, 303, "{}", published.html);
    browser
        .get(&results)
        .await
        .contains("まで投票を受け付けます");
    let poll = app
        .get(&poll_path(&survey, survey.single), None)
        .await
        .expect(200);
    gts.wait_for("the poll's Create", |a| {
        a["type"] == "Create" && a["object"]["id"] == poll["url"]
    })
    .await;
    let vote = vote(
        &gts,
        &gts.example("mastodon-poll-vote.json"),
        &survey,
        survey.single,
    );
    let mut vote = vote;
    vote["actor"] = json!(gts.actor_id());
    vote["object"]["name"] = json!("川沿いの緑地");

    // The end passes: the final tally says it closed, and a vote after it is refused.
    let now = jiff::Timestamp::now().as_millisecond();
    set_poll_end(&app, survey.single, now - 1000).await;
    let closed = gts
        .wait_for("the final tally", |a| {
            a["type"] == "Update"
                && a["object"]["id"] == poll["url"]
                && a["object"]["closed"].is_string()
        })
        .await;
    assert_eq!(closed["object"]["votersCount"], 0);
    let (status, body) = gts.post(&app, "/inbox", &vote).await;
    assert_eq!(status, 403, "{body}");
    let after = app
        .get(&poll_path(&survey, survey.single), None)
        .await
        .expect(200);
    assert_eq!(after["closed"], true);
    assert_eq!(after["voters"], 0);
    // The final tally is sent once.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let finals = gts
        .received()
        .iter()
        .filter(|(_, a)| a["type"] == "Update" && a["object"]["id"] == poll["url"])
        .count();
    assert_eq!(finals, 1);
}

/// What Mastodon-family servers read of a poll to decide whether an `Update` makes it a
/// new poll (votes reset, shown as edited): its options, whether it is multiple, its
/// `endTime` (GoToSocial) and an `updated` date (Mastodon shows an edit).
fn poll_identity(question: &Value) -> Value {
    json!({
        "oneOf": question_tally(question, "oneOf").into_iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "anyOf": question_tally(question, "anyOf").into_iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "endTime": question["endTime"],
        "updated": question.get("updated"),
    })
}

async fn a_survey_closed_early_closes_its_poll_as_the_same_poll(backend: Backend) {
    let app = federating_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let gts = GtsPeer::start("127.0.0.53", CITY).await;
    gts.follow_theme(&app, "parks").await;
    let survey = parks_survey(&app, &staff, Some(day(5))).await;
    let poll = app
        .post(&poll_path(&survey, survey.single), Some(&staff), json!({}))
        .await
        .expect(201);
    let created = gts
        .wait_for("the poll's Create", |a| {
            a["type"] == "Create" && a["object"]["id"] == poll["url"]
        })
        .await;
    let end_time = created["object"]["endTime"].clone();
    assert!(end_time.is_string());

    // Only staff close it, only while it takes answers.
    let close = format!("/api/v1/surveys/{}/close", survey.id);
    assert_eq!(app.post(&close, Some(&hanako), json!({})).await.status, 403);
    let closed = app.post(&close, Some(&staff), json!({})).await.expect(200);
    assert_eq!(
        (closed["open"].clone(), closed["closed"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(app.post(&close, Some(&staff), json!({})).await.status, 409);
    // Residents can no longer answer.
    let answer = app
        .post(
            &format!("/api/v1/surveys/{}/responses", survey.id),
            Some(&hanako),
            json!({"answers": {survey.single.to_string(): 1}}),
        )
        .await;
    assert_eq!(answer.status, 409, "{}", answer.body);

    // The fediverse is told it closed, as the same poll: `closed` now, the same options and
    // `endTime`, no `updated`.
    let update = gts
        .wait_for("the closing tally", |a| {
            a["type"] == "Update"
                && a["object"]["id"] == poll["url"]
                && a["object"]["closed"].is_string()
        })
        .await;
    assert_eq!(
        poll_identity(&update["object"]),
        poll_identity(&created["object"])
    );
    let closed_at: jiff::Timestamp = update["object"]["closed"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let ends: jiff::Timestamp = end_time.as_str().unwrap().parse().unwrap();
    assert!(closed_at < ends, "closed before the published end");
    let vote = {
        let mut vote = vote(
            &gts,
            &gts.example("mastodon-poll-vote.json"),
            &survey,
            survey.single,
        );
        vote["actor"] = json!(gts.actor_id());
        vote["object"]["name"] = json!("中央公園");
        vote
    };
    assert_eq!(gts.post(&app, "/inbox", &vote).await.0, 403);
    let shown = app
        .get(&poll_path(&survey, survey.single), None)
        .await
        .expect(200);
    assert_eq!(shown["closed"], true);
    assert_eq!(shown["ends_at"], end_time, "the published end stays");

    // Opened again before its end: the poll is open again, still the same poll.
    let reopen = format!("/api/v1/surveys/{}/reopen", survey.id);
    let reopened = app.post(&reopen, Some(&staff), json!({})).await.expect(200);
    assert_eq!(reopened["open"], true);
    assert_eq!(app.post(&reopen, Some(&staff), json!({})).await.status, 409);
    let open_again = gts
        .wait_for("the Update that opens the poll again", |a| {
            a["type"] == "Update"
                && a["object"]["id"] == poll["url"]
                && a["object"].get("closed").is_none()
        })
        .await;
    assert_eq!(
        poll_identity(&open_again["object"]),
        poll_identity(&created["object"])
    );
    let (status, body) = gts.post(&app, "/inbox", &vote).await;
    assert_eq!(status, 202, "{body}");
}

async fn a_corrected_poll_question_reaches_the_fediverse_as_the_same_poll(backend: Backend) {
    let app = federating_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let gts = GtsPeer::start("127.0.0.54", CITY).await;
    gts.follow_theme(&app, "parks").await;
    let survey = parks_survey(&app, &staff, Some(day(5))).await;
    let poll = app
        .post(&poll_path(&survey, survey.single), Some(&staff), json!({}))
        .await
        .expect(201);
    let created = gts
        .wait_for("the poll's Create", |a| {
            a["type"] == "Create" && a["object"]["id"] == poll["url"]
        })
        .await;
    let path = format!("/api/v1/surveys/{}", survey.id);
    let mut current = app.get(&path, Some(&staff)).await.expect(200);
    let input = |survey: &Value, prompt: &str, first_option: &str| {
        let mut questions = survey["sections"][0]["questions"].clone();
        for q in questions.as_array_mut().unwrap() {
            let options: Vec<Value> = q["options"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["label"].clone())
                .collect();
            let object = q.as_object_mut().unwrap();
            for key in ["id", "low", "high", "edited_at"] {
                object.remove(key);
            }
            object.insert("options".into(), json!(options));
        }
        questions[0]["prompt"] = json!(prompt);
        questions[0]["options"][0] = json!(first_option);
        json!({"title": survey["title"], "opens_on": survey["opens_on"],
               "closes_on": survey["closes_on"], "sections": [{"questions": questions}]})
    };
    // Its options are what votes name: they keep their words.
    let renamed = app
        .put(
            &path,
            Some(&staff),
            input(&current, "よく使う公園は", "中央公園（本町）"),
        )
        .await;
    assert_eq!(renamed.status, 409, "{}", renamed.body);
    assert_eq!(renamed.fields(), ["sections[0].questions[0]"]);
    // Its question is corrected, and followers get the new words on the same poll.
    current = app
        .put(
            &path,
            Some(&staff),
            input(&current, "いちばんよく使う公園は", "中央公園"),
        )
        .await
        .expect(200);
    assert!(current["sections"][0]["questions"][0]["edited_at"].is_string());
    let update = gts
        .wait_for("the corrected poll", |a| {
            a["type"] == "Update"
                && a["object"]["id"] == poll["url"]
                && a["object"]["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("いちばんよく使う公園は"))
        })
        .await;
    assert_eq!(
        poll_identity(&update["object"]),
        poll_identity(&created["object"])
    );
}

both_databases!(
    a_corrected_poll_question_reaches_the_fediverse_as_the_same_poll,
    fediverse_votes_are_counted_once_per_account_apart_from_residents,
    a_poll_needs_an_end_and_refuses_votes_once_closed,
    a_survey_closed_early_closes_its_poll_as_the_same_poll,
);
