//! Official answers on the pages, without a script: staff answer an idea on its page
//! (mistakes shown at the fields, what was typed kept) and revise it; the idea page shows
//! the answer and the earlier ones; the board shows a state badge and filters by state;
//! staff see what awaits an answer; the author sees an unread count in the header, reads
//! the notification, and it is read once the idea is opened.

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, phase_today, spawn_app};
use crate::two_instances::eventually;

async fn staff_answer_on_the_idea_page_and_the_author_is_told(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let first = app.idea(&hanako, "parks", "木陰にベンチを").await;
    let second = app.idea(&hanako, "parks", "噴水を直して").await;
    let idea = format!("/proposals/{first}");
    let action = format!("{idea}/answer");

    let mut staff_page = Browser::new(&app);
    staff_page.log_in("staff_member").await;
    let queue = staff_page.get("/staff/answers").await;
    assert_eq!(queue.status, 200);
    let (at_first, at_second) = (
        queue.html.find("木陰にベンチを").unwrap(),
        queue.html.find("噴水を直して").unwrap(),
    );
    assert!(at_first < at_second, "oldest first");

    let refused = staff_page
        .submit(
            &idea,
            &action,
            &[
                ("answer_state", "accepted"),
                ("answer_body", ""),
                ("answer_department", "公園緑地課"),
                ("answer_cost", "約300万円"),
                ("answer_cost_yen", "三百万"),
                ("answer_link", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("id=\"error-answer-cost-yen\"");
    refused.contains("value=\"公園緑地課\"");
    refused.contains("value=\"約300万円\"");
    let refused = staff_page
        .submit(
            &idea,
            &action,
            &[
                ("answer_state", "accepted"),
                ("answer_body", " "),
                ("answer_department", "公園緑地課"),
                ("answer_cost", ""),
                ("answer_link", "ftp://city.example/plan"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("id=\"error-answer-body\"");
    refused.contains("id=\"error-answer-link\"");
    refused.contains(" open>");
    let answered = staff_page
        .submit(
            &idea,
            &action,
            &[
                ("answer_state", "accepted"),
                ("answer_body", "来年度に**10基**設置します。"),
                ("answer_department", "公園緑地課"),
                ("answer_cost", "約300万円"),
                ("answer_cost_yen", "３，０００，０００"),
                ("answer_link", "https://city.example/plan"),
            ],
        )
        .await;
    assert_eq!(answered.status, 303, "{}", answered.html);
    let page = Browser::new(&app).get(&idea).await;
    page.contains("市からの回答");
    page.contains("採用");
    page.contains("<strong>10基</strong>");
    page.contains("費用の見込み: 約300万円");
    let stored = app
        .get(&format!("/api/v1/proposals/{first}"), None)
        .await
        .expect(200);
    assert_eq!(
        stored["answer"]["cost_estimate_yen"], 3_000_000,
        "full-width digits read"
    );
    page.contains("href=\"https://city.example/plan\"");
    let revised = staff_page
        .submit(
            &idea,
            &action,
            &[
                ("answer_state", "implemented"),
                ("answer_body", "10基を設置しました。"),
                ("answer_department", "公園緑地課"),
                ("answer_cost", ""),
                ("answer_link", ""),
            ],
        )
        .await;
    assert_eq!(revised.status, 303, "{}", revised.html);
    let page = Browser::new(&app).get(&idea).await;
    page.contains("実施済み");
    page.contains("第2版");
    page.contains("以前の回答");

    // The board: a badge, and a filter by state.
    let board = Browser::new(&app).get("/themes/parks").await;
    board.contains("市からの回答: 実施済み");
    board.contains("state=unanswered");
    let done = Browser::new(&app)
        .get("/themes/parks?state=implemented")
        .await;
    done.contains("木陰にベンチを");
    assert!(!done.html.contains("噴水を直して"), "{}", done.html);
    let open = Browser::new(&app)
        .get("/themes/parks?state=unanswered")
        .await;
    open.contains("噴水を直して");
    assert!(!open.html.contains("木陰にベンチを"), "{}", open.html);
    let queue = staff_page.get("/staff/answers").await;
    assert!(
        !queue.html.contains("木陰にベンチを"),
        "answered: {}",
        queue.html
    );
    let _ = second;

    // The author: an unread count in the header, the notifications, read once opened.
    let mut author = Browser::new(&app);
    author.log_in("hanako").await;
    let home = eventually("the unread count", || async {
        let mut author = Browser::new(&app);
        author.log_in("hanako").await;
        let home = author.get("/").await;
        home.html.contains("未読 2件").then_some(home)
    })
    .await;
    home.contains("href=\"/notifications\"");
    let list = author.get("/notifications").await;
    list.contains("市が回答しました: 実施済み");
    list.contains("木陰にベンチを");
    list.contains("すべて既読にする");
    author.get(&idea).await;
    let home = author.get("/").await;
    assert!(!home.html.contains("未読"), "{}", home.html);
    let resident_answers = author
        .submit(
            &idea,
            &action,
            &[
                ("answer_state", "accepted"),
                ("answer_body", "x"),
                ("answer_department", "x"),
            ],
        )
        .await;
    assert_eq!(resident_answers.status, 403);
}

both_databases!(staff_answer_on_the_idea_page_and_the_author_is_told);
