//! `hiroba serve --demo`: a living sample municipality in a database of its own, so that a
//! newcomer sees themes in different phases, ideas, comments and supports at once. The demo
//! never opens the configured database: it always uses `<data_dir>/demo/`, and refuses to
//! reset a file there that it did not create.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::config::{Config, DatabaseTarget, Municipality};
use crate::domain::{PhaseActions, Role};
use crate::error::AppError;
use crate::services::accounts::{self, SignupInput, UserView};
use crate::services::comments::{self, CommentInput};
use crate::services::policies::{self, PolicyInput, PolicyKind};
use crate::services::proposals::{self, ProposalInput};
use crate::services::themes::{self, PhaseInput, ThemeInput, ThemeUpdate};
use crate::services::{CurrentUser, Viewer};
use crate::state::AppState;
use crate::storage::{Db, settings};

/// The password of every demo account; the demo is public sample data.
pub const DEMO_PASSWORD: &str = "hiroba-demo";

pub fn demo_database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("demo").join("hiroba-demo.sqlite3")
}

/// The configuration the demo runs with: its own SQLite file and a sample municipality.
pub fn demo_config(mut config: Config) -> Config {
    let path = demo_database_path(&config.data_dir);
    config.database = DatabaseTarget::Sqlite(path);
    config.demo = true;
    config.municipality = Municipality {
        name_ja: "みどり市（デモ）".into(),
        name_en: "Midori City (demo)".into(),
        prefecture: Some("神奈川県".into()),
        local_government_code: None,
        time_zone: config.municipality.time_zone.clone(),
        time_zone_name: config.municipality.time_zone_name.clone(),
    };
    config
}

/// Deletes the previous demo database, after checking that it is one.
pub async fn reset_demo_database(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        let db = Db::connect(&DatabaseTarget::Sqlite(path.to_path_buf()), 1).await?;
        let mut conn = db.acquire().await?;
        let marker = settings::get(conn.ex(), settings::DEMO_MARKER)
            .await
            .ok()
            .flatten();
        // A start that failed before the sample data was loaded (its port was taken, say)
        // leaves a database with nothing in it, which is safe to reset too.
        let holds_content = settings::content_rows(conn.ex())
            .await
            .map_or(true, |n| n > 0);
        drop(conn);
        db.close().await;
        if marker.is_none() && holds_content {
            bail!(
                "{} exists but is not a demo database; refusing to reset it",
                path.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::remove_file(&file)
                    .with_context(|| format!("cannot remove {}", file.display()))?;
            }
        }
    }
    Ok(())
}

fn as_viewer(user: &UserView) -> Viewer {
    Viewer(Some(CurrentUser {
        id: user.id,
        handle: user.handle.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
    }))
}

fn day(today: jiff::civil::Date, offset: i64) -> String {
    today
        .checked_add(jiff::Span::new().days(offset))
        .unwrap_or(today)
        .to_string()
}

fn phase(
    name: &str,
    description: &str,
    start: String,
    end: String,
    allows: PhaseActions,
) -> PhaseInput {
    PhaseInput {
        name: name.into(),
        description: description.into(),
        staff_guidance: String::new(),
        starts_on: start,
        ends_on: end,
        allows,
    }
}

async fn person(
    state: &AppState,
    handle: &str,
    name: &str,
    role: Role,
) -> Result<UserView, AppError> {
    let user = accounts::create_user_with_role(
        state,
        SignupInput {
            handle: Some(handle.into()),
            email: Some(format!("{handle}@demo.invalid")),
            password: DEMO_PASSWORD.into(),
            display_name: Some(name.into()),
            accepted_terms: None,
        },
        role,
    )
    .await?;
    // The demo's accounts have agreed to the demo's terms, so logging in leads straight in.
    if let Some(version) = policies::terms_version(state).await? {
        policies::record_agreement(state, user.id, version).await?;
    }
    Ok(user)
}

/// The demo city's terms of use and privacy policy, as staff would publish them.
async fn publish_policies(state: &AppState, admin: &Viewer) -> Result<(), AppError> {
    let terms = "## この広場について\n\nみどり市（デモ）が、市政への意見や提案を市民のみなさんから\
        伺うために運営しています。\n\n## 投稿のきまり\n\n- ほかの人を傷つける内容、個人情報、\
        広告は投稿しないでください。\n- きまりに反する投稿は、理由を示して非表示にすることがあります。\
        見直しを求めることができます。\n\n## 投稿の扱い\n\n投稿は市の計画づくりの参考にし、\
        公式回答や結果のページでどう活かしたかをお知らせします。";
    let privacy = "## 集める情報\n\n- アカウントの名前、メールアドレス（任意）\n- 年代・地域・市との\
        関わり（任意。統計にだけ使い、少人数の集計は表示しません）\n\n## 使い方\n\n\
        アンケートの回答はアカウントと結び付けずに保存します。情報は市の参加の取り組みのためにだけ\
        使い、法令に基づく場合を除いて第三者に渡しません。";
    for (kind, body) in [(PolicyKind::Terms, terms), (PolicyKind::Privacy, privacy)] {
        policies::publish(state, admin, kind, &PolicyInput { body: body.into() }).await?;
    }
    Ok(())
}

async fn idea(
    state: &AppState,
    author: &Viewer,
    theme: &str,
    title: &str,
    body: &str,
    tags: &[&str],
    anonymous: bool,
) -> Result<i64, AppError> {
    let view = proposals::create(
        state,
        author,
        theme,
        ProposalInput {
            title: title.into(),
            body: body.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            anonymous,
        },
    )
    .await?;
    Ok(view.id)
}

async fn comment(
    state: &AppState,
    author: &Viewer,
    proposal: i64,
    parent: Option<i64>,
    body: &str,
) -> Result<i64, AppError> {
    Ok(comments::create(
        state,
        author,
        proposal,
        CommentInput {
            body: body.into(),
            parent_id: parent,
        },
    )
    .await?
    .id)
}

/// Loads the sample municipality through the ordinary services, so the data obeys the
/// same rules as real input. Refuses a database that already holds accounts or themes.
pub async fn load(state: &AppState) -> anyhow::Result<()> {
    let mut conn = state.db.acquire().await?;
    if settings::content_rows(conn.ex()).await? > 0 {
        bail!("the demo database is not empty; refusing to load sample data into it");
    }
    settings::set(conn.ex(), settings::DEMO_MARKER, "true").await?;
    drop(conn);
    seed(state)
        .await
        .map_err(|e| anyhow::anyhow!("loading demo data failed: {e:?}"))
}

async fn seed(state: &AppState) -> Result<(), AppError> {
    let today = state.config.municipality.today();
    let admin = person(state, "demo_admin", "管理者（デモ）", Role::Administrator).await?;
    publish_policies(state, &as_viewer(&admin)).await?;
    if let Some(version) = policies::terms_version(state).await? {
        policies::record_agreement(state, admin.id, version).await?;
    }
    let staff = as_viewer(&person(state, "demo_staff", "企画課 山田", Role::Staff).await?);
    let moderator =
        as_viewer(&person(state, "demo_moderator", "広報課 佐藤", Role::Moderator).await?);
    let mut residents = Vec::new();
    for (handle, name) in [
        ("hanako", "鈴木 花子"),
        ("taro", "田中 太郎"),
        ("yuki", "ゆき"),
        ("kenji", "高橋 健二"),
        ("sakura", "さくら"),
        ("midori_npo", "NPOみどりの会"),
    ] {
        residents.push(as_viewer(
            &person(state, handle, name, Role::Resident).await?,
        ));
    }
    let [hanako, taro, yuki, kenji, sakura, npo] = &residents[..] else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "demo residents missing"
        )));
    };
    let all = PhaseActions::ALL;
    let read_and_comment = PhaseActions {
        ideas: false,
        comments: true,
        supports: false,
        amendments: false,
    };
    let create_only = PhaseActions {
        ideas: false,
        comments: true,
        supports: true,
        amendments: false,
    };

    themes::create(
        state,
        &staff,
        ThemeInput {
            slug: "sogo-keikaku".into(),
            title: "新しい総合計画".into(),
            description: "みどり市の今後10年のまちづくりの方向を、市民のみなさんと一緒に考えます。\n\n\
                **知る → 考える → 創る** の三つのフェーズで進めます。出されたアイデアがどのように計画に\
                反映されたかは、このページで公開します。"
                .into(),
            tags: vec!["総合計画".into(), "まちづくり".into()],
            status: Some("open".into()),
            phases: vec![
                phase("知る", "現状のデータと課題を知る", day(today, -40), day(today, -11), read_and_comment),
                phase("考える", "アイデアを出し合い、共感を集める", day(today, -10), day(today, 20), all),
                phase("創る", "計画のたたき台を一緒に磨く", day(today, 21), day(today, 50), create_only),
            ],
        },
    )
    .await?;
    let park = idea(
        state,
        hanako,
        "sogo-keikaku",
        "子育て世代が集まれる公園を",
        "子育て世代が気軽に集まれる公園の整備と、日よけのある休憩スペースを提案します。",
        &["子育て", "公園"],
        false,
    )
    .await?;
    let bikes = idea(
        state,
        taro,
        "sogo-keikaku",
        "駅前の駐輪場不足の解消",
        "朝の駅前は自転車があふれています。駐輪場の増設と、シェアサイクルの導入を提案します。",
        &["駅前", "交通"],
        false,
    )
    .await?;
    let quiet = idea(
        state,
        yuki,
        "sogo-keikaku",
        "高齢者が歩いて行ける買い物の場",
        "バス路線が減り、買い物に困っている高齢者が増えています。移動販売や地域の朝市はどうでしょうか。",
        &["高齢者", "買い物"],
        true,
    )
    .await?;
    idea(
        state,
        kenji,
        "sogo-keikaku",
        "空き家を地域の居場所に",
        "空き家を改修して、子どもの学習スペースや地域食堂として活用できないでしょうか。",
        &["空き家", "居場所"],
        false,
    )
    .await?;
    let first = comment(
        state,
        sakura,
        park,
        None,
        "賛成です。夏は日陰がなくて子どもを遊ばせにくいです。",
    )
    .await?;
    comment(
        state,
        npo,
        park,
        Some(first),
        "NPOで木陰づくりのボランティアを募集しています。一緒にやりませんか。",
    )
    .await?;
    comment(
        state,
        kenji,
        bikes,
        None,
        "シェアサイクルは坂の多い地区でも使えるように電動がいいと思います。",
    )
    .await?;
    comment(
        state,
        hanako,
        quiet,
        None,
        "移動販売、母の住む地区でも来てほしいです。",
    )
    .await?;
    for (who, what) in [
        (sakura, park),
        (taro, park),
        (kenji, park),
        (yuki, park),
        (hanako, bikes),
        (sakura, bikes),
        (taro, quiet),
        (npo, quiet),
    ] {
        proposals::set_support(state, who, what, true).await?;
    }

    themes::create(
        state,
        &staff,
        ThemeInput {
            slug: "ekimae-hiroba".into(),
            title: "駅前広場の再整備".into(),
            description: "駅前広場の再整備に向けて、まずは現状と計画の案を知ってください。\
                アイデアの募集は次のフェーズで始まります。"
                .into(),
            tags: vec!["駅前".into()],
            status: Some("open".into()),
            phases: vec![
                phase(
                    "知る",
                    "計画案を読み、質問やコメントを寄せる",
                    day(today, -3),
                    day(today, 27),
                    read_and_comment,
                ),
                phase(
                    "考える",
                    "アイデアを募集します",
                    day(today, 28),
                    day(today, 60),
                    all,
                ),
            ],
        },
    )
    .await?;

    let playground = "kodomo-asobiba";
    themes::create(
        state,
        &staff,
        ThemeInput {
            slug: playground.into(),
            title: "子どもの遊び場アンケート".into(),
            description:
                "2か月間、子どもの遊び場についての声を集めました。ご協力ありがとうございました。"
                    .into(),
            tags: vec!["子育て".into()],
            status: Some("open".into()),
            phases: vec![],
        },
    )
    .await?;
    let ball = idea(
        state,
        sakura,
        playground,
        "ボール遊びができる広場",
        "近所の公園はボール遊び禁止ばかりです。時間を決めて使える場所がほしいです。",
        &["公園"],
        false,
    )
    .await?;
    proposals::set_support(state, hanako, ball, true).await?;
    comment(
        state,
        taro,
        ball,
        None,
        "時間帯を分ければ近所の方の理解も得られそうですね。",
    )
    .await?;
    themes::update(
        state,
        &staff,
        playground,
        ThemeUpdate {
            title: "子どもの遊び場アンケート".into(),
            description:
                "2か月間、子どもの遊び場についての声を集めました。ご協力ありがとうございました。"
                    .into(),
            tags: vec!["子育て".into()],
            status: "closed".into(),
            phases: vec![phase(
                "考える",
                "アイデア募集",
                day(today, -90),
                day(today, -30),
                all,
            )],
        },
    )
    .await?;

    themes::create(
        state,
        &staff,
        ThemeInput {
            slug: "shiyakusho".into(),
            title: "新しい市役所（準備中）".into(),
            description: "職員が準備中の下書きです。公開前は職員だけが見られます。".into(),
            tags: vec![],
            status: Some("draft".into()),
            phases: vec![],
        },
    )
    .await?;
    let _ = (admin, moderator);
    Ok(())
}
