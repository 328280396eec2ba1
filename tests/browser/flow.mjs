// Drives Debian's Chromium through Hiroba as a resident and as staff, takes screenshots at
// phone and desktop widths, and scans pages with axe-core. Started by the Rust test
// `browser::residents_and_staff_in_chromium`, which prepares the server and the data.
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const base = process.env.HIROBA_URL;
const password = process.env.HIROBA_PASSWORD;
const ideaPath = process.env.HIROBA_IDEA_PATH;
const shots = process.env.HIROBA_SCREENSHOTS;
const chromePath = process.env.HIROBA_CHROMIUM || "/usr/bin/chromium";
const today = process.env.HIROBA_TODAY;
const later = process.env.HIROBA_LATER;
mkdirSync(shots, { recursive: true });

const violations = [];
let lastStep = "start";
const log = (step, detail = "") => {
  lastStep = `${step}${detail ? ": " + detail : ""}`;
  console.log(`[browser] ${lastStep}`);
};

async function scan(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } }),
  );
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      violations.push({ page: name, id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) });
    }
  }
  log("axe", `${name}: ${result.violations.length} violation(s), ${result.passes.length} passed rules`);
}

async function shoot(page, name) {
  for (const [label, width] of [["phone", 390], ["desktop", 1280]]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${shots}/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 390, height: 844 });
  // The header's menu folds again on the phone's width before the journey goes on.
  await page.waitForFunction(() => !document.querySelector(".nav-menu")?.open);
}

async function logIn(page, handle) {
  await page.goto(`${base}/login`);
  await page.fill("#login-handle", handle);
  await page.fill("#login-password", password);
  await page.click("main button[type=submit]");
  await page.waitForURL(`${base}/`);
}

// The header's links are in its menu, folded on a phone.
async function openMenu(page) {
  if (await page.locator(".nav-menu:not([open])").count()) {
    await page.click(".nav-menu > summary");
  }
}

async function logOut(page) {
  await openMenu(page);
  await page.click("form[action='/logout'] button");
}

// A refused form: the page opens at its error summary (in view, focused), and each of the
// summary's links leads to a field's error on the page.
async function expectSummaryInView(page, what) {
  await page.locator(".error-summary").waitFor();
  const place = await page.evaluate(() => {
    const summary = document.querySelector(".error-summary");
    const box = summary.getBoundingClientRect();
    const targets = [...summary.querySelectorAll("a[href^='#']")].map((a) => a.getAttribute("href").slice(1));
    return {
      focused: document.activeElement === summary,
      inView: box.top >= 0 && box.top < window.innerHeight,
      targets,
      missing: targets.filter((id) => !document.getElementById(id)),
    };
  });
  if (!place.focused || !place.inView || place.targets.length === 0 || place.missing.length > 0) {
    throw new Error(`${what}: the error summary is not where the page opens: ${JSON.stringify(place)}`);
  }
  await page.locator(".error-summary a").first().click();
  const reached = await page.evaluate((id) => {
    const box = document.getElementById(id).getBoundingClientRect();
    return box.top >= 0 && box.top < window.innerHeight;
  }, place.targets[0]);
  if (!reached) throw new Error(`${what}: the summary's first link does not lead to its field`);
}

async function expectText(page, text) {
  await page.getByText(text, { exact: false }).first().waitFor({ timeout: 10_000 });
}

const browser = await chromium.launch({
  executablePath: chromePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = false;
// A step that never settles (a page that keeps loading) fails the journey with its log
// instead of holding the suite until CI's own limit.
const watchdog = setTimeout(() => {
  console.error(`[browser] the journey took more than 5 minutes; stopped after: ${lastStep}`);
  process.exit(1);
}, 300_000);
watchdog.unref();
try {
  // axe is injected through the DevTools protocol; the site's CSP stays as served otherwise.
  const context = await browser.newContext({ locale: "ja-JP", viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);

  // A resident signs up.
  await page.goto(`${base}/signup`);
  await scan(page, "signup");
  await page.fill("#account-handle", "hanako");
  await page.fill("#account-email", "hanako@example.jp");
  await page.fill("#account-password", password);
  await page.click("main button[type=submit]");
  await page.waitForURL(`${base}/`);
  // On a phone the header's links are folded into a menu, so the header takes about a
  // tenth of the screen; opened, the menu shows who is signed in.
  const header = await page.locator(".site-header").boundingBox();
  if (header.height > 844 * 0.12) throw new Error(`the phone header is ${header.height}px tall`);
  await page.click(".nav-menu > summary");
  await expectText(page, "ログイン中");
  await scan(page, "home-menu-open");
  await page.click(".nav-menu > summary");
  // On a wide screen the links stand in one row, without the menu's button.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator(".nav-menu[open]").waitFor();
  if (await page.locator(".nav-menu > summary").isVisible()) throw new Error("the menu button shows on a wide screen");
  await expectText(page, "ログイン中");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => !document.querySelector(".nav-menu")?.open);
  await scan(page, "home");
  log("signed up");

  // She posts an idea anonymously.
  await page.goto(`${base}/themes/parks`);
  await page.fill("#idea-title", "木陰のベンチを増やしてほしい");
  await page.fill("#idea-body", "夏の公園は日差しが強く、**休める場所**が足りません。");
  await page.fill("#idea-tags", "公園、高齢者");
  await page.check("#idea-anonymous");
  await page.click(".post-idea button[type=submit]");
  await page.waitForURL(/\/proposals\/\d+$/);
  await expectText(page, "匿名さん（");
  if ((await page.innerText("main")).includes("anon-")) throw new Error("the anonymous author shows a code");
  log("posted anonymously", page.url());

  // She supports and comments on another resident's idea.
  await page.goto(`${base}${ideaPath}`);
  await page.click("#support button[type=submit]");
  await expectText(page, "共感を取り消す");
  await page.fill("#comment-body", "賛成です。駅前にもほしいです。");
  await page.click(".comment-form button[type=submit]");
  await expectText(page, "駅前にもほしいです");
  // And reports the rude comment.
  const rude = page.locator("article.comment", { hasText: "失礼な言葉" });
  await rude.locator("summary", { hasText: "通報する" }).click();
  await rude.locator("textarea[name=reason]").fill("人を傷つける表現です");
  await rude.locator("button[type=submit]", { hasText: "通報を送る" }).click();
  await expectText(page, "通報を受け付けました");
  log("supported, commented, reported");

  await page.goto(`${base}/themes/parks`);
  await scan(page, "theme");
  await shoot(page, "theme");
  await page.goto(`${base}${ideaPath}`);
  await scan(page, "idea");
  await shoot(page, "idea");

  await logOut(page);
  await page.waitForURL(`${base}/`);

  // Staff create a theme and hide the reported comment.
  await page.goto(`${base}/login`);
  await scan(page, "login");
  await page.fill("#login-handle", "staff_member");
  await page.fill("#login-password", password);
  await page.click("main button[type=submit]");
  await page.waitForURL(`${base}/`);
  await page.goto(`${base}/staff/themes/new`);
  await scan(page, "staff-theme-form");
  await page.fill("#theme-slug", "kodomo-no-koe");
  await page.fill("#theme-title", "子どもの声を聴く");
  await page.fill("#theme-description", "学校のタブレットで子どもたちの意見を集めます。");
  await page.selectOption("#theme-status", "open");
  await page.fill("#phase-name-0", "考える");
  await page.fill("#phase-starts-0", today);
  await page.fill("#phase-ends-0", later);
  await page.click("main form.stack > button[type=submit]");
  await page.waitForURL(`${base}/themes/kodomo-no-koe`);
  await expectText(page, "子どもの声を聴く");
  log("staff created a theme");

  // Staff save the theme as a method, read it, and start a new theme from it.
  await page.goto(`${base}/staff/themes/kodomo-no-koe/edit`);
  await page.click("a[href='/staff/themes/kodomo-no-koe/method']");
  await page.waitForURL(`${base}/staff/themes/kodomo-no-koe/method`);
  await page.locator("#method-lessons-empty").waitFor();
  await scan(page, "method-from-theme");
  await page.fill("#method-when", "子どもの声を集めたいとき");
  await page.fill("#method-lessons", "学校を通じた案内が届いた");
  await page.click("main form.stack > button[type=submit]");
  await page.waitForURL(/\/methods\/\d+$/);
  await expectText(page, "段階");
  await scan(page, "method");
  // A name already taken is explained at the field, and what was typed stays.
  await page.fill("#start-slug", "kodomo-no-koe");
  await page.fill("#start-date", later);
  await page.click("form[action$='/themes'] button[type=submit]");
  await page.locator("#error-slug").waitFor();
  await scan(page, "method-start-error");
  await page.fill("#start-slug", "kodomo-2027");
  await page.click("form[action$='/themes'] button[type=submit]");
  await page.waitForURL(`${base}/staff/themes/kodomo-2027/edit`);
  await expectText(page, "考える");
  await page.goto(`${base}/methods`);
  await expectText(page, "子どもの声を聴く");
  await scan(page, "methods");
  await page.goto(`${base}/methods/library`);
  await scan(page, "methods-library");
  await page.goto(`${base}/staff/methods/new`);
  await scan(page, "staff-method-form");
  // No phase: the server says so at the phases (the browser checks nothing of it).
  await page.fill("#method-title", "まち歩きで聞く");
  await page.fill("#method-summary", "公園を見て回る方法");
  await page.click("main form.stack > button[type=submit]");
  await expectSummaryInView(page, "staff method form");
  await scan(page, "staff-method-form-error");
  await page.goto(`${base}/staff/methods/import`);
  await scan(page, "staff-method-import");
  log("staff saved a theme as a method and started a theme from it");

  // Staff reference another city's theme: its card shows on the theme's page.
  await page.goto(`${base}/staff/themes/kodomo-no-koe/references`);
  await scan(page, "staff-references");
  await page.fill("#reference-target", "not a url or handle");
  await page.click("main form.stack > button[type=submit]");
  await page.locator("#error-target").waitFor();
  await scan(page, "staff-references-error");
  await page.fill("#reference-target", process.env.HIROBA_REFERENCE_URL);
  await page.click("main form.stack > button[type=submit]");
  await page.waitForURL(`${base}/staff/themes/kodomo-no-koe/references`);
  await expectText(page, "Theme shinchosha");
  await page.goto(`${base}/themes/kodomo-no-koe`);
  await expectText(page, "ほかの自治体の関連プロジェクト");
  await expectText(page, "Theme shinchosha");
  await scan(page, "theme-with-reference");
  await page.goto(`${base}/municipalities`);
  await scan(page, "municipalities");
  await page.goto(`${base}/staff/themes/kodomo-2027/remove`);
  await scan(page, "staff-theme-remove");
  await page.goto(`${base}/staff/themes/removed`);
  await scan(page, "staff-removed-themes");
  log("staff referenced another city's theme and looked at the directory");

  // Staff look at what the municipality follows; a wrong address is explained at the field.
  await page.goto(`${base}/staff/following`);
  await scan(page, "staff-following");
  await page.fill("#follow-actor", "not a handle");
  await page.click("main form.stack > button[type=submit]");
  await page.locator("#error-actor").waitFor();
  await expectText(page, "名前@ドメイン");
  await scan(page, "staff-following-error");
  await page.goto(`${base}/following`);
  await scan(page, "following");
  log("staff checked the following pages");

  // Staff answer the idea the resident supported, from the queue of ideas awaiting one.
  await page.goto(`${base}/staff`);
  await expectText(page, "回答待ち");
  await scan(page, "staff-home");
  await shoot(page, "staff-home");
  await page.goto(`${base}/staff/users?q=hana`);
  await expectText(page, "@hanako");
  await scan(page, "staff-users");
  await page.goto(`${base}/staff/moderation/log`);
  await scan(page, "staff-moderation-log");
  await page.goto(`${base}/staff/answers`);
  await scan(page, "staff-answers");
  await page.goto(`${base}${ideaPath}`);
  await page.locator("summary", { hasText: "回答する" }).click();
  await page.selectOption("#answer-state", "partly_accepted");
  await page.fill("#answer-body", "駅前の駐輪場は来年度に一部を整備します。");
  await page.fill("#answer-department", "交通政策課");
  await page.click("form[action$='/answer'] button[type=submit]");
  await expectText(page, "市からの回答");
  await expectText(page, "一部採用");
  await scan(page, "idea-answered");
  log("staff answered an idea");

  // Staff publish a result that takes the idea up; the results and summary pages are scanned.
  const ideaNumber = ideaPath.split("/").pop();
  await page.goto(`${base}/themes/parks/results`);
  await page.fill("#new-result-heading", "駐輪場の整備");
  await page.fill("#new-result-body", "駅前の駐輪場を**来年度**に整備します。");
  // The list of ideas narrows as staff type (the script); the chosen idea stays in it.
  await page.fill("#new-result-idea-filter", "zzz-no-such-idea");
  if (await page.locator(`#new-result-idea-${ideaNumber}`).isVisible()) {
    throw new Error("typing in the idea filter did not narrow the list");
  }
  await page.fill("#new-result-idea-filter", "");
  await page.check(`#new-result-idea-${ideaNumber}`);
  await page.fill(`#new-result-note-${ideaNumber}`, "整備計画に反映");
  await page.click("form[action='/themes/parks/results'] button[type=submit]:not([name=filter])");
  await expectText(page, "整備計画に反映");
  await page.locator("summary", { hasText: "進み具合を記録する" }).first().click();
  await page.locator("input[name=percent]").first().fill("30");
  await page.locator("form[action$='/progress'] button[type=submit]").first().click();
  await expectText(page, "30%");
  await scan(page, "results");
  // Staff correct the section on its own page: the heading changes, the idea stays chosen.
  await page.locator("a[href^='/staff/results/'][href$='/edit']").first().click();
  await scan(page, "staff-result-edit");
  await page.fill("form[action$='/edit'] input[name=heading]", "駅前駐輪場の整備");
  await page.click("form[action$='/edit'] button[type=submit]:not([name=filter])");
  await expectText(page, "駅前駐輪場の整備");
  await expectText(page, "整備計画に反映");
  await page.goto(`${base}/themes/parks/summary`);
  await expectText(page, "参加した住民");
  await scan(page, "summary");
  log("staff published a result; the summary lists it");

  // Staff put a draft up for amendments.
  await page.goto(`${base}/themes/parks/drafts`);
  await page.fill("#draft-title", "駅前広場整備計画（案）");
  await page.fill("#draft-text", "第1条 この計画は、駅前の広場を整えることを目的とする。\n\n第2条 市は、駅前に駐輪場を整備する。");
  await page.click("form[action='/themes/parks/drafts'] button[type=submit]");
  await expectText(page, "§2");
  const draftPath = new URL(page.url()).pathname;
  await scan(page, "draft");
  log("staff published a draft");

  await page.goto(`${base}/staff/moderation`);
  await scan(page, "staff-moderation");
  await expectText(page, "人を傷つける表現です");
  const report = page.locator("li.report", { hasText: "失礼な言葉" });
  await report.locator("input[name=note]").fill("誹謗中傷のため非表示");
  await report.locator("button[value=hide]").click();
  await expectText(page, "未対応の通報はありません");
  await page.goto(`${base}${ideaPath}`);
  await expectText(page, "このコメントは非表示です");
  await logOut(page);
  await page.goto(`${base}${ideaPath}`);
  await expectText(page, "このコメントはモデレーターにより非表示になっています");
  log("staff hid the reported comment");

  // The resident who supported it is told, in the header and on her notifications page.
  await page.goto(`${base}/login`);
  await page.fill("#login-handle", "hanako");
  await page.fill("#login-password", password);
  await page.click("main button[type=submit]");
  await page.waitForURL(`${base}/`);
  await expectText(page, "未読 1件");
  await openMenu(page);
  await page.click("header a[href='/notifications']");
  await expectText(page, "市が回答しました: 一部採用");
  await scan(page, "notifications");
  await page.click(`main a[href='${ideaPath}#answer']`);
  await expectText(page, "交通政策課");
  log("the resident read what the city answered");

  // She proposes an amendment to §2: first without a reason (shown at the field, her text
  // kept), then with one.
  await page.goto(`${base}${draftPath}`);
  await page.locator("summary", { hasText: "§2 に修正を提案する" }).click();
  await page.fill("#amend-2-replacement", "第2条 市は、駅前に屋根付きの駐輪場を整備する。");
  await page.click("#p-2 form button[type=submit]");
  await page.locator("#error-reason").waitFor();
  await scan(page, "draft-amendment-error");
  await page.fill("#amend-2-reason", "雨の日に自転車が濡れないように。");
  await page.click("#p-2 form button[type=submit]");
  await expectText(page, "修正の内容");
  await page.locator("ins", { hasText: "屋根付きの" }).waitFor();
  const amendmentPath = new URL(page.url()).pathname;
  await scan(page, "amendment");
  await logOut(page);
  log("the resident proposed an amendment");

  // Staff accept it: a new version, and the comparison marks what changed.
  await page.goto(`${base}/login`);
  await page.fill("#login-handle", "staff_member");
  await page.fill("#login-password", password);
  await page.click("main button[type=submit]");
  await page.waitForURL(`${base}/`);
  await page.goto(`${base}${amendmentPath}`);
  await page.check("#decision-accepted");
  await page.click("form[action$='/decision'] button[type=submit]");
  await expectText(page, "第2版に反映");
  await page.goto(`${base}${draftPath}/versions`);
  await scan(page, "draft-versions");
  await page.goto(`${base}${draftPath}/compare`);
  await expectText(page, "変更あり");
  await page.locator("ins", { hasText: "屋根付きの" }).waitFor();
  await scan(page, "draft-compare");
  await shoot(page, "draft-compare");
  log("staff accepted the amendment; the comparison shows it");

  // Staff build a survey on the page; a resident answers it (first without the required
  // answer); staff read the results; the word cloud's projector view is scanned.
  await page.goto(`${base}/staff/themes/parks/surveys/new`);
  await page.fill("#survey-title", "公園の使い方アンケート");
  await page.selectOption("#q-kind-0", "single_choice");
  await page.fill("#q-prompt-0", "よく使う公園");
  await page.check("#q-required-0");
  await page.fill("#q-options-0", "中央公園\n駅前広場");
  await page.selectOption("#q-kind-1", "scale");
  await page.fill("#q-prompt-1", "公園の満足度");
  await page.fill("#q-points-1", "5");
  await page.fill("#q-low-1", "不満");
  await page.fill("#q-high-1", "満足");
  await page.selectOption("#q-kind-2", "zero_to_ten");
  await page.fill("#q-prompt-2", "いまの暮らしの満足度");
  await page.fill("#q-low-2", "まったく満足していない");
  await page.fill("#q-high-2", "とても満足している");
  await scan(page, "survey-builder");
  await page.click("#survey-save");
  await expectText(page, "回答はアカウントと結び付けずに保存されます");
  const surveyPath = new URL(page.url()).pathname;
  await logOut(page);
  await logIn(page, "hanako");
  await page.goto(`${base}${surveyPath}`);
  await scan(page, "survey");
  // On a 320 px phone every choice is at least 24×24 px and 0–10 takes at most two rows,
  // the low end's words above its first point and the high end's below its last.
  await page.setViewportSize({ width: 320, height: 700 });
  const layout = await page.evaluate(() => {
    const small = [...document.querySelectorAll("input[type=radio], input[type=checkbox]")]
      .map((i) => i.getBoundingClientRect())
      .filter((r) => r.width < 24 || r.height < 24).length;
    const scales = [...document.querySelectorAll(".scale")].map((scale) => {
      const tops = new Set([...scale.querySelectorAll(".scale-point")].map((p) => Math.round(p.getBoundingClientRect().top)));
      const points = [...scale.querySelectorAll(".scale-point")].map((p) => p.getBoundingClientRect());
      const low = scale.querySelector(".scale-low")?.getBoundingClientRect();
      const high = scale.querySelector(".scale-high")?.getBoundingClientRect();
      return {
        count: points.length,
        rows: tops.size,
        lowBeside: !low || (low.bottom <= points[0].top + 1 && Math.abs(low.left - points[0].left) < 8),
        highBeside: !high || (high.top >= points[points.length - 1].bottom - 1 && Math.abs(high.right - points[points.length - 1].right) < 8),
        overflow: scale.scrollWidth > scale.clientWidth + 1,
      };
    });
    return { small, scales, pageOverflow: document.documentElement.scrollWidth > window.innerWidth };
  });
  if (layout.small > 0 || layout.pageOverflow || layout.scales.some((s) => s.rows > 2 || !s.lowBeside || !s.highBeside || s.overflow) || !layout.scales.some((s) => s.count === 11)) {
    throw new Error(`survey layout on a phone: ${JSON.stringify(layout)}`);
  }
  await shoot(page, "survey");
  await page.click("#survey-submit");
  await page.locator(".field-error").first().waitFor();
  await expectSummaryInView(page, "survey");
  await scan(page, "survey-error");
  await page.getByLabel("中央公園").check();
  await page.locator("form.survey-form .scale").first().getByLabel("4", { exact: true }).check();
  await page.locator("form.survey-form .scale").nth(1).getByLabel("7", { exact: true }).check();
  await page.click("#survey-submit");
  await expectText(page, "回答ありがとうございました");
  await scan(page, "survey-answered");
  await shoot(page, "survey-answered");
  await logOut(page);
  log("a resident answered the survey");
  await logIn(page, "staff_member");
  await page.goto(`${base}${surveyPath}/results`);
  await expectText(page, "回答 1件");
  await page.locator("svg.chart").first().waitFor();
  await scan(page, "survey-results");
  await shoot(page, "survey-results");
  // The projector view shows a new idea's words by itself within a few seconds. The idea
  // is posted by the same signed-in person through the API, so the projector stays the
  // page in front (a second tab would leave it in the background, where it waits).
  const csrf = await page.locator("input[name=csrf]").first().getAttribute("value");
  await page.goto(`${base}/themes/parks/words/live`);
  await scan(page, "word-cloud-projector");
  const posted = await page.context().request.post(`${base}/api/v1/themes/parks/proposals`, {
    headers: { "x-csrf-token": csrf },
    data: { title: "図書館の自習室を増やしてほしい", body: "図書館の自習室がいつも満席です。" },
    timeout: 15_000,
  });
  if (posted.status() !== 201) throw new Error(`posting the idea: ${posted.status()} ${await posted.text()}`);
  await page.locator("#live-cloud li", { hasText: "自習室" }).waitFor({ timeout: 15_000 });
  await page.click("#live-pause");
  await expectText(page, "再開");
  await scan(page, "word-cloud-projector-paused");
  await shoot(page, "word-cloud-projector");
  log("staff read the results; the projector view showed a new idea by itself");

  // Staff see the cloud's default list and may include a term again.
  await page.goto(`${base}/staff/word-cloud`);
  await page.locator("#included-terms").waitFor();
  await scan(page, "staff-word-cloud");
  await page.goto(`${base}/themes/parks/words`);
  await scan(page, "word-cloud");

  // Staff publish terms of use; a resident is asked to agree at the next login, and the
  // page opens at the refusal when the box is left unticked.
  await page.goto(`${base}/staff/policies/terms`);
  await scan(page, "staff-policy-form");
  await page.fill("#policy-body", "## 投稿のきまり\n\n- 個人情報は書かないでください。");
  await page.click("main form.stack > button[type=submit]");
  await page.waitForURL(`${base}/terms`);
  await expectText(page, "個人情報は書かないでください");
  await scan(page, "terms");
  await logOut(page);
  await page.goto(`${base}/login`);
  await page.fill("#login-handle", "hanako");
  await page.fill("#login-password", password);
  await page.click("main button[type=submit]");
  await page.waitForURL(/\/terms\/accept/);
  await scan(page, "terms-accept");
  await page.click("main form.stack > button[type=submit]");
  await expectSummaryInView(page, "terms agreement");
  await page.check("#terms-agree");
  await page.click("main form.stack > button[type=submit]");
  await page.waitForURL(`${base}/`);
  await logOut(page);
  await page.goto(`${base}/signup`);
  await page.locator("#signup-terms").waitFor();
  await scan(page, "signup-with-terms");
  log("staff published terms; a resident agreed at the next login");
} catch (error) {
  failed = true;
  console.error(`[browser] step failed: ${error.stack || error}`);
  for (const open of browser.contexts().flatMap((c) => c.pages())) {
    await open.screenshot({ path: `${shots}/failure.png`, fullPage: true }).catch(() => {});
    console.error(`[browser] at ${open.url()}:\n${(await open.innerText("main").catch(() => "")).slice(0, 2000)}`);
  }
} finally {
  await browser.close();
}

if (violations.length > 0) {
  failed = true;
  console.error(`[browser] serious or critical accessibility violations:\n${JSON.stringify(violations, null, 2)}`);
}
console.log(`[browser] screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
