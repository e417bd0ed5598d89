// The Reference tab: every function and every diagnostic code, searchable.
// Everything in it comes from the wasm module (the function catalogue, its
// runnable examples, the code registry and `explain`, the text
// `attrmap lint --explain` prints): the page keeps no list of its own.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, escapeHtml } = app;

  let built = false;
  let codes = [];

  // Ids safe for the DOM from a function name or a code string.
  const fnId = (name) => "ref-fn-" + name.toLowerCase();
  const codeId = (code) => "ref-code-" + code.replace(/[^A-Za-z0-9-]+/g, "_");

  function paramsText(f) {
    return f.params.map((p) => `${p.name}${p.optional ? " (optional)" : ""}${p.repeating ? " (repeats)" : ""}`).join(", ");
  }

  function functionHtml(f) {
    const examples = f.examples.map((ex, i) =>
      `<li class="ref-example"><code class="ref-expr">${escapeHtml(ex.expression)}</code>` +
      `<div class="muted">user <code>${escapeHtml(ex.user)}</code> → <code>${escapeHtml(ex.result)}</code></div>` +
      `<button type="button" class="btn small ref-try" data-fn="${escapeHtml(f.name)}" data-example="${i}">Try it</button></li>`).join("");
    const search = `${f.name} ${f.summary}`.toLowerCase();
    return `<details class="ref-entry" id="${fnId(f.name)}" data-search="${escapeHtml(search)}">` +
      `<summary><code class="ref-name">${escapeHtml(f.name)}</code> <span class="ref-summary">${escapeHtml(f.summary)}</span></summary>` +
      `<div class="ref-body"><pre class="ref-sig">${escapeHtml(f.signature)}</pre>` +
      (f.params.length ? `<div class="muted">Parameters: ${escapeHtml(paramsText(f))}</div>` : "") +
      `<div class="muted">Returns ${escapeHtml(String(f.result))}</div>` +
      `<ul class="ref-examples" aria-label="Examples of ${escapeHtml(f.name)}">${examples}</ul></div></details>`;
  }

  function codeHtml(c) {
    const search = `${c.code} ${c.summary}`.toLowerCase();
    return `<details class="ref-entry ref-code" id="${codeId(c.code)}" data-code="${escapeHtml(c.code)}" data-search="${escapeHtml(search)}">` +
      `<summary><code class="ref-name">${escapeHtml(c.code)}</code> <span class="ref-summary">${escapeHtml(c.summary)}</span></summary>` +
      `<pre class="ref-explain"></pre></details>`;
  }

  function build() {
    if (built) return;
    built = true;
    codes = app.module.codes();
    el.reference.innerHTML =
      `<h2 class="ref-heading">Functions</h2>${app.FUNCTIONS.map(functionHtml).join("")}` +
      `<h2 class="ref-heading">Diagnostic codes</h2>${codes.map(codeHtml).join("")}`;
    // An explanation is filled in when its entry opens.
    el.reference.addEventListener("toggle", (e) => {
      const entry = e.target;
      if (entry.open && entry.dataset.code) fillExplanation(entry);
    }, true);
    filter();
  }

  function fillExplanation(entry) {
    const pre = entry.querySelector(".ref-explain");
    if (pre.textContent) return;
    const explained = app.module.explain(entry.dataset.code);
    pre.textContent = explained ? explained.text : "No explanation is registered for this code.";
  }

  function filter() {
    const words = el.referenceSearch.value.toLowerCase().split(/\s+/).filter(Boolean);
    let fns = 0;
    let shownCodes = 0;
    for (const entry of el.reference.querySelectorAll(".ref-entry")) {
      const hit = words.every((w) => entry.dataset.search.includes(w));
      entry.hidden = !hit;
      if (hit) { if (entry.dataset.code) shownCodes++; else fns++; }
    }
    el.referenceCount.textContent = `${fns} function${fns === 1 ? "" : "s"}, ${shownCodes} code${shownCodes === 1 ? "" : "s"}`;
  }

  function renderReference() {
    build();
  }

  // Opens a diagnostic code's explanation in the Reference tab.
  function openCode(code) {
    const explained = app.module.explain(code);
    if (!explained) return;
    app.showTab("reference");
    build();
    el.referenceSearch.value = "";
    filter();
    const entry = document.getElementById(codeId(explained.code));
    entry.open = true;
    fillExplanation(entry);
    entry.scrollIntoView({ block: "nearest" });
    // The user asked to read it: focus goes to what opened.
    entry.querySelector("summary").focus();
  }

  async function tryExample(button) {
    const f = app.FUNCTIONS.find((x) => x.name === button.dataset.fn);
    const ex = f.examples[Number(button.dataset.example)];
    const options = app.module.exampleOptions();
    const replaced = await app.replaceState(
      { v: 1, e: ex.expression, t: el.target.value, u: { text: ex.user }, n: options.now, x: "", tab: "results", sel: 0 },
      `the ${f.name} example`);
    // An example's user is not the admin's data, but what they paste next may
    // be: leave sharing users off.
    if (replaced) {
      el.shareUsers.checked = false;
      app.scheduleHashUpdate();
      // The Try button's panel is hidden now; focus goes to the tab showing the result.
      app.$("tab-results").focus();
    }
  }

  function wireReference() {
    el.referenceSearch.addEventListener("input", filter);
    el.reference.addEventListener("click", (e) => {
      const button = e.target.closest(".ref-try");
      if (button) tryExample(button);
    });
    // A code anywhere on the page (diagnostics, results, the mapping file's
    // findings) opens its explanation.
    document.addEventListener("click", (e) => {
      const code = e.target.closest(".code-id");
      if (code && !code.closest("#reference")) openCode(code.dataset.code || code.textContent.trim());
    });
  }

  Object.assign(app, { renderReference, openCode, wireReference });
})();
