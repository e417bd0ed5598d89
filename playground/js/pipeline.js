// Users → compile → evaluate → render: loading the source users, the evaluation options, and
// refresh(), the pipeline every change runs.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, escapeHtml, MAX_ROWS } = app;

  // --------------------------------------------------------------- options
  function evalOptions() {
    const opts = {};
    const now = el.now.value.trim();
    if (now) opts.now = now;
    const existing = el.existing.value;
    if (existing.trim()) opts.existing = existing;
    return opts;
  }

  // ------------------------------------------------------------- evaluation
  function loadUsers() {
    if (app.users) { app.users.free(); app.users = null; }
    app.users = new app.module.Users(el.usersText.value);
    app.userLabels = app.users.labels();
    app.userAttributes = app.users.attributes();
    const errors = app.users.errors;
    const parts = [`${app.users.length} user${app.users.length === 1 ? "" : "s"} loaded`];
    if (errors.length) parts.push(`${errors.length} skipped`);
    el.usersStatus.innerHTML = escapeHtml(parts.join(" · ")) +
      errors.slice(0, 5).map((e) => `<div class="input-error">${escapeHtml(e.message)}</div>`).join("") +
      (errors.length > 5 ? `<div class="input-error">… and ${errors.length - 5} more</div>` : "");
    el.usersStatus.classList.toggle("has-errors", errors.length > 0);
    if (app.selectedUser >= app.users.length) app.selectedUser = 0;
    el.userPick.innerHTML = app.userLabels.slice(0, MAX_ROWS)
      .map((l, i) => `<option value="${i}"${i === app.selectedUser ? " selected" : ""}>${i + 1}. ${escapeHtml(l)}</option>`).join("");
  }

  function compileExpression() {
    if (app.program) { app.program.free(); app.program = null; }
    const c = app.module.compile(el.expr.value);
    app.program = c.program || null;
    app.programAttributes = app.program ? app.program.attributes : [];
    app.compiled = { ok: c.ok, diagnostics: c.diagnostics };
  }

  function evaluate() {
    app.results = null;
    el.optionsStatus.textContent = "";
    if (!app.program || !app.users) return;
    try {
      app.results = app.program.evaluateUsers(app.users, evalOptions());
    } catch (e) {
      el.optionsStatus.textContent = String(e.message || e);
      el.optionsStatus.classList.add("has-errors");
    }
  }

  // Runs the whole pipeline after a change; `t0` is when the change happened.
  function refresh(t0) {
    const start = t0 === undefined ? performance.now() : t0;
    compileExpression();
    evaluate();
    const evaluated = performance.now();
    app.renderHighlight();
    app.renderDiagnostics();
    app.renderResults();
    app.renderActivePanel();
    void el.results.offsetHeight; // include layout in the measurement
    const done = performance.now();
    const count = app.users ? app.users.length : 0;
    el.timing.textContent = app.program && count ? `${count} user${count === 1 ? "" : "s"} · ${(done - start).toFixed(1)} ms` : "";
    el.timing.title = `compile + evaluate ${(evaluated - start).toFixed(2)} ms, render ${(done - evaluated).toFixed(2)} ms`;
    document.body.dataset.lastRunMs = (done - start).toFixed(3);
    document.body.dataset.lastEvalMs = (evaluated - start).toFixed(3);
    document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
    app.scheduleHashUpdate();
  }

  function wirePipeline() {
    el.usersSource.addEventListener("change", () => {
      const v = el.usersSource.value;
      if (v.startsWith("sample:")) el.usersText.value = window.ATTRMAP_SAMPLES[v.slice(7)] || "";
      else if (el.usersText.value === window.ATTRMAP_SAMPLES.users || el.usersText.value === window.ATTRMAP_SAMPLES.workday) el.usersText.select();
      loadUsers();
      refresh();
    });
    let usersTimer = null;
    el.usersText.addEventListener("input", () => {
      el.usersSource.value = "custom";
      clearTimeout(usersTimer);
      usersTimer = setTimeout(() => { loadUsers(); refresh(); }, 120);
    });
    el.now.addEventListener("input", () => refresh());
    el.existing.addEventListener("input", () => refresh());
  }

  Object.assign(app, { evalOptions, loadUsers, refresh, wirePipeline });
})();
