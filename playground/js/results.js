// The Results tab: the summary line, filters and search, the virtualized
// results table (only the rows in view are in the DOM, all of one height),
// the distribution of values, export, and "Copy for Entra". Every number,
// row, selection and value comes from the wasm batch (module.Batch, kept in
// wasm memory by the engine: its summary, select(), rows(), distribution());
// this file only asks for what is on screen and shows it. The engine may be
// in a worker (host.js), so every question is answered asynchronously, and
// an answer about a batch or a window that is no longer shown is dropped.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, $, escapeHtml } = app;

  const ROW_HEIGHT = 30; // px, as .results td in results.css
  const OVERSCAN = 6; // rows drawn above and below the visible ones
  const MAX_DISTRIBUTION = 500; // values listed in the distribution view
  const MAX_DISTRIBUTION_USERS = 200; // users listed under one value

  const ui = {
    scroll: $("results-scroll"), panel: $("panel-results"), summary: $("results-summary"),
    filter: $("results-filter"), search: $("results-search"), distribution: $("distribution"),
    viewTable: $("view-table"), viewDistribution: $("view-distribution"),
  };
  let view = "table";
  let shown = new Uint32Array(0); // indices of the users that pass the filter and the search (from Batch.select)
  let drawn = { first: -1, last: -1, shown: null };

  // What the tab shows: this expression's results, or (while a syntax error
  // is being typed) the last ones that compiled, dimmed.
  function current() {
    if (app.results) {
      return { run: app.results, attributes: app.programAttributes, labels: app.userLabels, stale: false };
    }
    if (app.lastGood && !app.program && el.expr.value.trim()) {
      const g = app.lastGood;
      return { run: g.results, attributes: g.attributes, labels: g.labels, stale: true };
    }
    return null;
  }

  // ---------------------------------------------------------------- cells
  function resultCell(r) {
    switch (r.status) {
      case "value": {
        let shown;
        if (r.type === "null") shown = `<span class="null">null</span>`;
        else if (r.type === "string") shown = r.text === "" ? `<span class="null">"" (empty)</span>` : escapeHtml(r.text);
        else if (r.type === "multiValued" || r.type === "complex") shown = `<code>${escapeHtml(JSON.stringify(r.value))}</code>`;
        else shown = escapeHtml(r.text);
        const warn = r.warnings.length ? ` <span class="warn-badge" title="${escapeHtml(r.warnings.map((w) => w.message).join("\n"))}">⚠ ${r.warnings.length}</span>` : "";
        const red = r.redacted ? ` <span class="tag">Redact</span>` : "";
        return { cls: "value", html: shown + red + warn, title: r.text };
      }
      case "notFlowed":
        return { cls: "not-flowed", html: `<span class="tag">not flowed</span>`, title: r.message };
      case "objectSkipped":
        return { cls: "skipped", html: `<span class="tag">object skipped</span>`, title: r.message };
      case "error":
        return {
          cls: "error",
          html: `<span class="err-msg">${escapeHtml(r.error.message)}</span> <button type="button" class="code-id code-link" data-code="${escapeHtml(r.error.code)}" title="Explain this code">${escapeHtml(r.error.code)}</button>`,
          title: r.error.message + (r.error.help ? `\nhelp: ${r.error.help}` : ""),
        };
      default:
        return { cls: "", html: escapeHtml(JSON.stringify(r)), title: "" };
    }
  }

  // The attributes the expression read, on one line, next to the result.
  function inputsText(inputs, names) {
    if (!names.length) return "none";
    return names.map((n) => {
      const has = inputs && Object.prototype.hasOwnProperty.call(inputs, n);
      return `${n} ${has ? JSON.stringify(inputs[n]) : "absent"}`;
    }).join(" · ");
  }

  function rowHtml(r, i, state) {
    const cell = resultCell(r);
    const type = r.status === "value" ? r.type : r.status === "error" ? "error" : "";
    const flags = (r.shared ? `<span class="flag shared" title="${r.shared} users get this value (compared without regard to case)">×${r.shared}</span>` : "") +
      (r.default ? `<span class="flag default" title="no Switch key matched: the default value">default</span>` : "");
    const inputs = inputsText(r.inputs, state.attributes);
    const label = state.labels[i] || "";
    return `<tr data-index="${i}" data-status="${r.status}"${r.default ? ' data-default="true"' : ""}${r.shared ? ` data-shared="${r.shared}"` : ""} tabindex="0"${i === app.selectedUser ? ' class="selected" aria-selected="true"' : ""}>` +
      `<td class="num">${i + 1}</td><td class="user" title="${escapeHtml(label)}">${escapeHtml(label)}</td>` +
      `<td class="inputs" title="${escapeHtml(inputs)}">${escapeHtml(inputs)}</td>` +
      `<td class="result ${cell.cls}" data-text="${r.status === "value" ? escapeHtml(r.text) : ""}" title="${escapeHtml(cell.title || "")}">${cell.html}${flags}</td>` +
      `<td class="type muted">${type}</td></tr>`;
  }

  // ---------------------------------------------------------------- summary
  function plural(n, one, many) { return `${n} ${n === 1 ? one : many || one + "s"}`; }
  function renderSummary(state) {
    if (!state) { ui.summary.innerHTML = ""; ui.summary.className = "summary"; return; }
    const s = state.run.summary;
    const parts = [`<span class="count"><b>${s.users}</b> user${s.users === 1 ? "" : "s"}:</span>`,
      `<span class="count"><b>${s.values}</b> value${s.values === 1 ? "" : "s"}</span>`];
    parts.push(`<span class="count${s.errors ? " bad" : ""}"><b>${s.errors}</b> error${s.errors === 1 ? "" : "s"}</span>`);
    parts.push(`<span class="count"><b>${s.notFlowed}</b> not flowed</span>`);
    if (s.objectSkipped) parts.push(`<span class="count"><b>${s.objectSkipped}</b> object skipped</span>`);
    if (s.defaultBranch !== null) parts.push(`<span class="count${s.defaultBranch ? " warn" : ""}" title="users no Switch key matched"><b>${s.defaultBranch}</b> default branch</span>`);
    const mustBeUnique = !!app.evalOptions().unique;
    if (s.sharedValues) parts.push(`<span class="count${mustBeUnique ? " warn" : ""}" title="values more than one user gets (compared without regard to case)"><b>${s.sharedValues}</b> shared value${s.sharedValues === 1 ? "" : "s"} (${plural(s.usersSharing, "user")})</span>`);
    if (s.uniqueClaimed) parts.push(`<span class="count muted" title="each value SelectUniqueValue gives is taken for the users after it, as attrmap map does">unique across these users</span>`);
    if (state.stale) parts.unshift(`<span class="stale-note">The expression does not compile; these are the results of the last one that did.</span>`);
    ui.summary.innerHTML = parts.join(" ");
    ui.summary.className = "summary" + (!s.errors && !(mustBeUnique && s.sharedValues) && !state.stale ? " ok" : "");
    Object.assign(document.body.dataset, {
      summaryUsers: s.users, summaryValues: s.values, summaryErrors: s.errors, summaryNotFlowed: s.notFlowed,
      summaryDefault: s.defaultBranch === null ? "" : s.defaultBranch, summaryShared: s.sharedValues,
    });
  }

  // ------------------------------------------------------------- the table
  // The rows to draw for the current scroll position: those in view plus
  // OVERSCAN above and below (the engine clamps `last` to the users shown).
  // The scroll position and height come from the last scroll event and
  // resize (`scrolled`): reading them here, after this keystroke changed the
  // page, would force a layout of the whole page before the one the frame
  // does anyway.
  const scrolled = { top: 0, height: 0 };
  function windowRange() {
    const top = Math.max(0, scrolled.top - ROW_HEIGHT);
    const height = scrolled.height || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    return { first, last: Math.floor(top / ROW_HEIGHT) + Math.ceil(height / ROW_HEIGHT) + OVERSCAN };
  }
  // The question for the selection and the rows in view of batch `gen`;
  // refresh() asks it with the evaluation, so a keystroke takes one round trip.
  function viewRequest(gen) {
    return { op: "view", gen, filter: ui.filter.value, search: ui.search.value, ...windowRange() };
  }
  function sameView(a, b) {
    return a && b && a.filter === b.filter && a.search === b.search && a.first === b.first && a.last === b.last;
  }

  // The two stand-ins for the rows not drawn, above and below; made once.
  function spacerRow() {
    const tr = document.createElement("tr");
    tr.className = "spacer";
    tr.setAttribute("aria-hidden", "true");
    const td = document.createElement("td");
    td.colSpan = 5;
    tr.appendChild(td);
    return tr;
  }
  const spacers = { above: spacerRow(), below: spacerRow() };
  function setSpacer(tr, height) {
    const px = `${height}px`;
    // CSSOM, which the CSP allows (style attributes it does not).
    if (tr.firstChild.style.height !== px) tr.firstChild.style.height = px;
    tr.hidden = height === 0;
  }

  // The row elements drawn, in order, and the markup each was made from.
  // Laying out a new row costs far more than building its markup, so a row
  // whose markup did not change (most rows, for most keystrokes) keeps its
  // element; only the others are replaced.
  let drawnRows = [];
  let drawnHtml = [];
  let drawnFirst = -1;
  const scratch = document.createElement("tbody");
  function clearRows() {
    el.resultsBody.textContent = "";
    drawnRows = [];
    drawnHtml = [];
    drawnFirst = -1;
  }

  // Draws the rows in view (plus some above and below) between two spacers
  // that stand for the others, so the scrollbar covers every user.
  function drawRows(state, first, rows) {
    const total = shown.length;
    const last = Math.min(total, first + rows.length);
    const html = rows.map((r) => rowHtml(r, r.index, state));
    if (first !== drawnFirst || html.length !== drawnRows.length) {
      el.resultsBody.innerHTML = html.join("");
      drawnRows = [...el.resultsBody.children];
      el.resultsBody.prepend(spacers.above);
      el.resultsBody.append(spacers.below);
    } else {
      const changed = [];
      for (let k = 0; k < html.length; k++) if (html[k] !== drawnHtml[k]) changed.push(k);
      if (changed.length) {
        scratch.innerHTML = changed.map((k) => html[k]).join("");
        const fresh = [...scratch.children];
        changed.forEach((k, j) => { drawnRows[k].replaceWith(fresh[j]); drawnRows[k] = fresh[j]; });
      }
    }
    drawnHtml = html;
    drawnFirst = first;
    setSpacer(spacers.above, first * ROW_HEIGHT);
    setSpacer(spacers.below, (total - last) * ROW_HEIGHT);
    document.body.dataset.rowsRendered = String(last - first);
    document.body.dataset.rowsShown = String(total);
  }

  // Shows the selection and rows of `view` (a view reply with its request).
  function showView(state, view) {
    shown = view.shown;
    const first = Math.min(view.first, shown.length);
    drawn = { first, last: Math.min(view.last, shown.length), shown };
    drawRows(state, first, view.rows);
  }

  // The table for the current filter, search and scroll position: from the
  // view refresh() fetched with the evaluation when it still fits, else
  // asked for now.
  let viewAsked = 0;
  function renderTable(state) {
    const want = viewRequest(state.run.gen);
    const token = ++viewAsked;
    if (sameView(state.run.view, want)) { showView(state, state.run.view); return; }
    app.host.run([want]).then(([reply]) => {
      if (token !== viewAsked || reply.stale || view !== "table" || !current() || current().run !== state.run) return;
      state.run.view = { ...want, ...reply };
      showView(state, state.run.view);
    });
  }

  // After a scroll: the rows now in view, unless they are drawn already.
  function drawWindow() {
    const state = current();
    if (!state || view !== "table" || drawn.shown !== shown) return;
    const range = windowRange();
    const first = Math.min(range.first, shown.length);
    const last = Math.min(range.last, shown.length);
    if (drawn.first === first && drawn.last === last) return;
    drawn = { first, last, shown };
    const token = ++viewAsked;
    app.host.run([{ op: "rows", gen: state.run.gen, indices: shown.slice(first, last) }]).then(([reply]) => {
      const now = current();
      if (token !== viewAsked || reply.stale || drawn.shown !== shown || !now || now.run !== state.run) return;
      drawRows(state, first, reply.rows);
    });
  }

  // --------------------------------------------------------- distribution
  let distributionAsked = 0;
  function renderDistribution(state) {
    const token = ++distributionAsked;
    app.host.run([{ op: "distribution", gen: state.run.gen, search: ui.search.value, maxValues: MAX_DISTRIBUTION, maxUsers: MAX_DISTRIBUTION_USERS }])
      .then(([found]) => {
        if (token !== distributionAsked || found.stale || view !== "distribution" || !current() || current().run !== state.run) return;
        drawDistribution(state, found);
      });
  }
  function drawDistribution(state, found) {
    const list = found.values;
    const max = list.length ? list[0].count : 1;
    const total = state.run.summary.users;
    const html = list.map((d, k) =>
      `<details data-k="${k}"><summary><span class="d-value" title="${escapeHtml(d.text)}">${d.text === "" ? '<span class="null">"" (empty)</span>' : escapeHtml(d.text)}</span>` +
      `<span class="d-count">${d.count}</span><span class="d-bar-track"><span class="d-bar"></span></span></summary><div class="d-users"></div></details>`).join("");
    const rest = state.run.summary.users - state.run.summary.values;
    ui.distribution.innerHTML = (html || `<p class="muted">No value matches.</p>`) +
      (found.total > list.length ? `<p class="muted">… and ${found.total - list.length} more values.</p>` : "") +
      (rest ? `<p class="muted">${rest} of ${total} users have no value (errors, not flowed, skipped): see the summary and the filters.</p>` : "");
    ui.distribution.querySelectorAll(".d-bar").forEach((bar, k) => { bar.style.width = `${Math.max(2, (100 * list[k].count) / max)}%`; bar.style.display = "block"; });
    ui.distribution.querySelectorAll("details").forEach((d) => d.addEventListener("toggle", () => {
      const entry = list[Number(d.dataset.k)];
      const box = d.querySelector(".d-users");
      if (!d.open || box.childElementCount || box.textContent) return;
      const names = entry.users.map((i) => state.labels[i] || `user ${i + 1}`);
      box.textContent = names.join(", ") + (entry.count > entry.users.length ? ` … and ${entry.count - entry.users.length} more` : "");
    }));
  }

  // ------------------------------------------------------------ rendering
  function renderResults() {
    const state = current();
    renderSummary(state);
    ui.panel.classList.toggle("stale", !!(state && state.stale));
    if (!state || !app.users || !app.users.length) {
      clearRows();
      ui.distribution.hidden = true;
      el.results.hidden = false;
      el.resultsEmpty.hidden = false;
      el.resultsEmpty.textContent = !app.users || !app.users.length
        ? "No users loaded: pick a sample set, paste users, or open a file on the left."
        : (el.expr.value.trim() ? "Fix the expression to see results." : "Type an expression to see one result per user.");
      shown = new Uint32Array(0);
      drawn = { first: -1, last: -1, shown: null };
      document.body.dataset.rowsRendered = "0";
      return;
    }
    el.resultsEmpty.hidden = true;
    el.results.hidden = view !== "table";
    ui.distribution.hidden = view !== "distribution";
    if (view === "distribution") renderDistribution(state);
    else renderTable(state);
  }

  function setScrollTop(top) {
    ui.scroll.scrollTop = top;
    scrolled.top = Math.max(0, top); // the scroll event that follows corrects a clamped value
  }

  function scrollToShown(k) {
    const top = k * ROW_HEIGHT;
    const view = ui.scroll.clientHeight - ROW_HEIGHT * 2; // the header row stays on top
    if (top < ui.scroll.scrollTop) setScrollTop(top);
    else if (top > ui.scroll.scrollTop + view) setScrollTop(top - view);
    drawWindow();
  }

  function selectUser(i, focusRow) {
    if (!app.users || i < 0 || i >= app.users.length) return;
    app.selectedUser = i;
    el.userPick.value = String(i);
    const k = shown.indexOf(i);
    if (k >= 0 && focusRow) scrollToShown(k);
    for (const tr of el.resultsBody.querySelectorAll("tr.selected")) { tr.classList.remove("selected"); tr.removeAttribute("aria-selected"); }
    const tr = el.resultsBody.querySelector(`tr[data-index="${i}"]`);
    if (tr) { tr.classList.add("selected"); tr.setAttribute("aria-selected", "true"); if (focusRow) tr.focus(); }
    app.renderActivePanel();
    app.scheduleHashUpdate();
  }

  // ----------------------------------------------------------- export
  async function exportRows() {
    const state = current();
    if (!state) return [];
    const [reply] = await app.host.run([{ op: "view", gen: state.run.gen, filter: ui.filter.value, search: ui.search.value, first: 0, last: Infinity }]);
    if (reply.stale) return [];
    return reply.rows.map((r) => {
      const i = r.index;
      return {
        index: i + 1, user: state.labels[i] || "", status: r.status,
        type: r.status === "value" ? r.type : null,
        value: r.status === "value" ? r.text : null,
        defaultBranch: r.default === undefined ? null : r.default,
        sharedBy: r.shared || 1,
        errorCode: r.status === "error" ? r.error.code : null,
        errorMessage: r.status === "error" ? r.error.message : null,
      };
    });
  }
  function csvCell(v) {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }
  async function exportText(kind) {
    return exportTextOf(kind, await exportRows());
  }
  function exportTextOf(kind, rows) {
    if (kind === "json") return JSON.stringify({ expression: el.expr.value, target: el.target.value, results: rows }, null, 2) + "\n";
    const cols = ["index", "user", "status", "type", "value", "defaultBranch", "sharedBy", "errorCode", "errorMessage"];
    return [cols.join(",")].concat(rows.map((r) => cols.map((c) => csvCell(r[c])).join(","))).join("\r\n") + "\r\n";
  }
  async function download(kind) {
    const rows = await exportRows();
    const text = exportTextOf(kind, rows);
    const blob = new Blob([kind === "csv" ? "\ufeff" + text : text], { type: kind === "csv" ? "text/csv" : "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `attrmap-results.${kind}`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    app.toast(`${rows.length} row${rows.length === 1 ? "" : "s"} exported as ${kind.toUpperCase()}.`);
  }

  async function copyForEntra() {
    const text = app.module.forPortal(el.expr.value);
    const button = $("copy-entra");
    button.dataset.copied = text;
    try {
      await navigator.clipboard.writeText(text);
      app.toast("Copied on one line, as the portal's Expression box takes it.");
    } catch (_) {
      window.prompt("Copy the expression for the portal's Expression box:", text);
    }
  }

  function setView(v) {
    view = v;
    ui.viewTable.setAttribute("aria-pressed", String(v === "table"));
    ui.viewDistribution.setAttribute("aria-pressed", String(v === "distribution"));
    renderResults();
  }

  function wireResults() {
    el.userPick.addEventListener("change", () => selectUser(Number(el.userPick.value)));
    let frame = 0;
    new ResizeObserver(() => { scrolled.height = ui.scroll.clientHeight; drawWindow(); }).observe(ui.scroll);
    ui.scroll.addEventListener("scroll", () => {
      scrolled.top = ui.scroll.scrollTop;
      if (frame) return;
      frame = requestAnimationFrame(() => { frame = 0; drawWindow(); });
    });
    ui.filter.addEventListener("change", () => { setScrollTop(0); renderResults(); });
    let searchTimer = 0;
    ui.search.addEventListener("input", () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => { setScrollTop(0); renderResults(); }, 120);
    });
    ui.viewTable.addEventListener("click", () => setView("table"));
    ui.viewDistribution.addEventListener("click", () => setView("distribution"));
    $("export-csv").addEventListener("click", () => download("csv"));
    $("export-json").addEventListener("click", () => download("json"));
    $("copy-entra").addEventListener("click", copyForEntra);

    el.resultsBody.addEventListener("click", (e) => {
      const tr = e.target.closest("tr[data-index]");
      if (tr) selectUser(Number(tr.dataset.index));
    });
    el.resultsBody.addEventListener("keydown", (e) => {
      const tr = e.target.closest("tr[data-index]");
      // An error's code is a button of its own: Enter opens its explanation.
      if (!tr || e.target.closest(".code-link")) return;
      const i = Number(tr.dataset.index);
      const k = shown.indexOf(i);
      if (e.key === "ArrowDown" && k + 1 < shown.length) { e.preventDefault(); selectUser(shown[k + 1], true); }
      else if (e.key === "ArrowUp" && k > 0) { e.preventDefault(); selectUser(shown[k - 1], true); }
      else if (e.key === "Enter") { selectUser(i, true); app.showTab("trace"); }
    });
  }

  Object.assign(app, { renderResults, selectUser, wireResults, exportText, viewRequest });
})();
