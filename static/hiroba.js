// Progressive enhancement only: every page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
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
  // Move focus to a form's error summary so screen readers announce it.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
});
