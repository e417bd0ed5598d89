// The output tabs and the trace and bytecode panels.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, $, escapeHtml } = app;

  // ----------------------------------------------------------------- trace
  function renderTrace() {
    if (!app.program || !app.users || !app.users.length) {
      el.trace.innerHTML = `<li class="muted">Nothing to trace yet.</li>`;
      return;
    }
    let out;
    try {
      out = app.program.trace(app.users.getJson(app.selectedUser), app.evalOptions());
    } catch (e) {
      el.trace.innerHTML = `<li class="error">${escapeHtml(e.message || e)}</li>`;
      return;
    }
    const r = out.result;
    const summary = r.status === "value" ? `= ${escapeHtml(r.text === "" && r.type === "null" ? "null" : JSON.stringify(r.value))}`
      : r.status === "error" ? `failed: ${escapeHtml(r.error.message)}` : escapeHtml(r.message);
    el.trace.innerHTML = `<li class="trace-summary"><b>${escapeHtml(app.userLabels[app.selectedUser])}</b> ${summary}</li>` +
      out.trace.nodes.map((node) =>
        `<li class="trace-node" tabindex="0" data-start="${node.span.start}" data-end="${node.span.end}" data-depth="${node.depth}">` +
        `<span class="trace-label">${escapeHtml(node.label)}</span>` +
        (node.inputs.length ? ` <span class="trace-inputs muted">← (${escapeHtml(node.inputs.join(", "))})</span>` : "") +
        ` <span class="trace-output">= ${escapeHtml(node.output)}</span></li>`).join("");
    // The indent goes through the CSSOM: the page's CSP refuses style
    // attributes in markup.
    for (const li of el.trace.querySelectorAll("li[data-depth]")) li.style.setProperty("--depth", li.dataset.depth);
  }

  function renderDisasm() {
    el.disasm.textContent = app.program ? app.program.disasm() : "The expression does not compile yet.";
  }

  function renderActivePanel() {
    if (app.activeTab === "scim") app.renderScim();
    else if (app.activeTab === "trace") renderTrace();
    else if (app.activeTab === "disasm") renderDisasm();
    else if (app.activeTab === "reference") app.renderReference();
  }

  // ------------------------------------------------------------------ tabs
  const TABS = ["results", "scim", "trace", "disasm", "reference"];
  function showTab(name, focus) {
    app.activeTab = name;
    for (const t of TABS) {
      const tab = $("tab-" + t);
      const on = t === name;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      $("panel-" + t).hidden = !on;
      if (on && focus) tab.focus();
    }
    renderActivePanel();
    app.scheduleHashUpdate();
  }

  function wirePanels() {
    el.target.addEventListener("input", () => { renderActivePanel(); app.scheduleHashUpdate(); });
    el.trace.addEventListener("click", (e) => {
      const li = e.target.closest("li[data-start]");
      if (li) app.gotoSpan(Number(li.dataset.start), Number(li.dataset.end));
    });
    el.trace.addEventListener("keydown", (e) => {
      const li = e.target.closest("li[data-start]");
      if (li && e.key === "Enter") app.gotoSpan(Number(li.dataset.start), Number(li.dataset.end));
    });

    for (const t of TABS) $("tab-" + t).addEventListener("click", () => showTab(t));
    document.querySelector(".tabs").addEventListener("keydown", (e) => {
      const focused = TABS.indexOf((document.activeElement.id || "").replace(/^tab-/, ""));
      const i = focused >= 0 ? focused : TABS.indexOf(app.activeTab);
      if (e.key === "ArrowRight") showTab(TABS[(i + 1) % TABS.length], true);
      else if (e.key === "ArrowLeft") showTab(TABS[(i + TABS.length - 1) % TABS.length], true);
    });
  }

  Object.assign(app, { renderActivePanel, TABS, showTab, wirePanels });
})();
