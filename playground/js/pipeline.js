// Users → compile → evaluate → render: loading the source users, the evaluation options, and
// refresh(), the pipeline every change runs.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, escapeHtml, MAX_ROWS } = app;

  // --------------------------------------------------------------- options
  // Target attributes that need one value per user: values several users
  // share are flagged (the matching attribute, and the usual unique ones).
  const UNIQUE_TARGETS = /(^|:)(userName|externalId|emails\[type eq "work"\]\.value|mail|userPrincipalName)$/i;

  function evalOptions() {
    const opts = {};
    const now = el.now.value.trim();
    if (now) opts.now = now;
    const existing = el.existing.value;
    if (existing.trim()) opts.existing = existing;
    if (UNIQUE_TARGETS.test(el.target.value.trim())) opts.unique = true;
    return opts;
  }

  // ------------------------------------------------------------- evaluation
  // The users are read by attrmap's own source readers (through wasm): JSON
  // Lines, JSON, Graph pages, PowerShell and az exports, the portal's CSV.
  function loadUsers() {
    if (app.users) { app.users.free(); app.users = null; }
    app.users = new app.module.Users(el.usersText.value);
    app.userLabels = app.users.labels();
    app.userAttributes = app.users.attributes();
    app.host.setUsers(app.users, el.usersText.value);
    app.lastGood = null; // results of other users mean nothing now
    const errors = app.users.errors;
    const n = app.users.length;
    const parts = [`${n} user${n === 1 ? "" : "s"} loaded`];
    if (app.users.format) parts.push(`read as ${app.users.format}`);
    if (errors.length) parts.push(`${errors.length} skipped`);
    el.usersStatus.innerHTML = escapeHtml(parts.join(" · ")) +
      errors.slice(0, 5).map((e) => `<div class="input-error">${escapeHtml(e.message)}</div>`).join("") +
      (errors.length > 5 ? `<div class="input-error">… and ${errors.length - 5} more</div>` : "");
    el.usersStatus.classList.toggle("has-errors", errors.length > 0);
    if (app.selectedUser >= n) app.selectedUser = 0;
    el.userPick.innerHTML = app.userLabels.slice(0, MAX_ROWS)
      .map((l, i) => `<option value="${i}"${i === app.selectedUser ? " selected" : ""}>${i + 1}. ${escapeHtml(l)}</option>`).join("");
  }

  // Reads a file the admin picked or dropped, as text, into the users box.
  function loadUsersFile(file) {
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      el.usersSource.value = "custom";
      el.usersText.value = String(reader.result);
      loadUsers();
      refresh();
      app.toast(`${file.name}: ${app.users.length} user${app.users.length === 1 ? "" : "s"} read${app.users.format ? ` as ${app.users.format}` : ""}.`);
    };
    reader.onerror = () => app.toast(`${file.name} could not be read.`);
    reader.readAsText(file);
  }

  function compileExpression() {
    if (app.program) { app.program.free(); app.program = null; }
    const c = app.module.compile(el.expr.value);
    app.program = c.program || null;
    app.programAttributes = app.program ? app.program.attributes : [];
    app.compiled = { ok: c.ok, diagnostics: c.diagnostics };
  }

  // The batch's results stay in wasm memory (a module.Batch, held by the
  // engine: engine.js, on the page or in the worker, host.js says which):
  // the page asks it for the summary, the rows in view and the values it
  // lists, never for every user's result. Every refresh is a new
  // generation; a reply for an older one is dropped, so only the latest
  // keystroke's results are painted.
  let generation = 0;

  function showOptionsError(message) {
    el.optionsStatus.textContent = message;
    el.optionsStatus.classList.add("has-errors");
  }

  // Takes an evaluation's replies as the current results. Findings about
  // the users (an attribute none of them has, values that collide) are
  // shown with the expression's own diagnostics.
  function accept(evaluated, view) {
    const out = { gen: evaluated.gen, length: evaluated.length, summary: evaluated.summary, findings: evaluated.findings, view };
    app.results = out;
    if (out.findings.length) {
      app.compiled.diagnostics = app.compiled.diagnostics.concat(out.findings)
        .sort((a, b) => a.span.start - b.span.start);
    }
    app.lastGood = { results: out, attributes: app.programAttributes, labels: app.userLabels };
  }

  // Runs the whole pipeline after a change; `t0` is when the change
  // happened. The expression is compiled here for the editor (colours,
  // diagnostics, trace, bytecode); the engine evaluates it over the users.
  function refresh(t0) {
    const start = t0 === undefined ? performance.now() : t0;
    const gen = ++generation;
    compileExpression();
    el.optionsStatus.textContent = "";
    el.optionsStatus.classList.remove("has-errors");
    if (!app.program || !app.users) {
      app.results = null;
      finish(start, performance.now() - start);
      return;
    }
    const ops = [{ op: "evaluate", gen, expr: el.expr.value, options: evalOptions() }, app.viewRequest(gen)];
    const engine = app.host.where();
    // The worker answers later: the typed text is coloured now (the
    // results' findings underline it again then).
    if (engine === "worker") app.renderHighlight();
    app.host.run(ops, true).then((replies) => {
      if (!replies || gen !== generation) return; // a newer change superseded this one
      const [evaluated, view] = replies;
      if (evaluated.error) { app.results = null; showOptionsError(evaluated.error); }
      else accept(evaluated, { ...ops[1], ...view }); // the view with the question it answers
      document.body.dataset.engine = engine;
      finish(start, performance.now() - start);
    });
  }

  // Draws everything after an evaluation and records the timings.
  function finish(start, evalMs) {
    const evaluated = performance.now();
    app.renderHighlight();
    app.renderDiagnostics();
    app.renderResults();
    app.renderActivePanel();
    // No layout is forced here: the frame lays the page out once, and
    // keystroke to paint (below) includes it.
    const done = performance.now();
    const count = app.users ? app.users.length : 0;
    el.timing.textContent = app.program && count ? `${count} user${count === 1 ? "" : "s"} · ${(done - start).toFixed(1)} ms` : "";
    el.timing.title = `compile + evaluate ${evalMs.toFixed(2)} ms (${app.host.where() === "worker" ? "in a worker" : "on the page"}), render ${(done - evaluated).toFixed(2)} ms`;
    document.body.dataset.lastRunMs = (done - start).toFixed(3);
    document.body.dataset.lastEvalMs = evalMs.toFixed(3);
    document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
    // Keystroke to paint: the frame that shows these results is painted
    // after the next animation frame callback; a task queued from it runs
    // once that frame is out. The browser test reads lastPaintMs, and the
    // measure is in the performance timeline as "attrmap:keystroke-to-paint".
    const run = document.body.dataset.runs;
    requestAnimationFrame(() => setTimeout(() => {
      const painted = performance.now();
      document.body.dataset.lastPaintMs = (painted - start).toFixed(3);
      document.body.dataset.paintedRun = run;
      try { performance.measure("attrmap:keystroke-to-paint", { start, end: painted }); } catch (_) { /* older browsers */ }
    }, 0));
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
    // A file: picked, or dropped anywhere on the users pane.
    const pick = app.$("users-file");
    pick.addEventListener("change", () => { loadUsersFile(pick.files[0]); pick.value = ""; });
    const pane = document.querySelector(".users-section");
    pane.addEventListener("dragover", (e) => {
      if (![...e.dataTransfer.types].includes("Files")) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      pane.classList.add("drop-target");
    });
    pane.addEventListener("dragleave", (e) => { if (!pane.contains(e.relatedTarget)) pane.classList.remove("drop-target"); });
    pane.addEventListener("drop", (e) => {
      pane.classList.remove("drop-target");
      if (!e.dataTransfer.files.length) return;
      e.preventDefault();
      loadUsersFile(e.dataTransfer.files[0]);
    });
  }

  Object.assign(app, { evalOptions, loadUsers, loadUsersFile, refresh, wirePipeline });
})();
