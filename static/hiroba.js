// Progressive enhancement only: every page works without this script.
"use strict";
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  // The header's menu stands open on a wide screen (its button is then hidden) and folds
  // on a narrow one.
  const menu = document.querySelector(".nav-menu");
  if (menu && window.matchMedia) {
    const wide = window.matchMedia("(min-width: 48rem)");
    if (wide.matches) menu.open = true;
    wide.addEventListener("change", () => { menu.open = wide.matches; });
  }
  // A copy button next to fediverse handles.
  for (const el of document.querySelectorAll("[data-copy]")) {
    if (!navigator.clipboard) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button-link";
    const label = document.documentElement.lang === "ja" ? "コピー" : "Copy";
    const done = document.documentElement.lang === "ja" ? "コピーしました" : "Copied";
    button.textContent = label;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(el.textContent.trim());
      button.textContent = done;
      setTimeout(() => { button.textContent = label; }, 2000);
    });
    el.after(" ", button);
  }
  // The projector view of a word cloud reads itself again every few seconds and shows the
  // new counts, unless paused (without this script, a link shows the latest).
  const live = document.getElementById("live-cloud");
  if (live && window.fetch && window.DOMParser) {
    const seconds = Math.max(2, Number(live.dataset.liveSeconds) || 5);
    const pause = document.getElementById("live-pause");
    let paused = false;
    document.getElementById("live-hint").hidden = false;
    document.getElementById("live-reload").hidden = true;
    pause.addEventListener("click", () => {
      paused = !paused;
      pause.textContent = paused ? pause.dataset.resume : pause.dataset.pause;
      pause.setAttribute("aria-pressed", String(paused));
    });
    const reload = async () => {
      try {
        const reply = await fetch(location.href, { headers: { accept: "text/html" }, cache: "no-store" });
        if (reply.ok) {
          const fresh = new DOMParser().parseFromString(await reply.text(), "text/html").getElementById("live-cloud");
          if (fresh) live.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
        }
      } catch {
        // The next round tries again.
      }
    };
    const refresh = async () => {
      if (!paused && !document.hidden) await reload();
      setTimeout(refresh, seconds * 1000);
    };
    setTimeout(refresh, seconds * 1000);
    // A projector tab brought back to the front shows the latest at once.
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && !paused) reload();
    });
  }
  // A list to choose from narrows as one types in its search box (ticked items stay).
  for (const box of document.querySelectorAll("[data-filter-list]")) {
    const list = document.getElementById(box.dataset.filterList);
    if (!list) continue;
    const narrow = () => {
      const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      for (const item of list.querySelectorAll("[data-filter-text]")) {
        const text = item.dataset.filterText.toLowerCase();
        const ticked = item.querySelector("input[type=checkbox]:checked");
        item.hidden = !ticked && !words.every((w) => text.includes(w));
      }
    };
    box.addEventListener("input", narrow);
    // Enter filters in place instead of sending the form.
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        narrow();
      }
    });
  }
  // Move focus to a form's error summary so screen readers announce it (the page opens
  // there without JavaScript too, by the summary's autofocus).
  const summary = document.querySelector(".error-summary");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
});
