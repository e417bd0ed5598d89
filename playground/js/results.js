// The results table (one row per user) and the selected user.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, escapeHtml, MAX_ROWS } = app;

  // ---------------------------------------------------------------- results
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
        return { cls: "value", html: shown + red + warn };
      }
      case "notFlowed":
        return { cls: "not-flowed", html: `<span class="tag">not flowed</span>` };
      case "objectSkipped":
        return { cls: "skipped", html: `<span class="tag">object skipped</span>` };
      case "error":
        return {
          cls: "error",
          html: `<span class="err-msg">${escapeHtml(r.error.message)}</span> <code class="code-id">${escapeHtml(r.error.code)}</code>` +
            (r.error.help ? `<div class="help"><b>help:</b> ${escapeHtml(r.error.help)}</div>` : ""),
        };
      default:
        return { cls: "", html: escapeHtml(JSON.stringify(r)) };
    }
  }

  // The attributes the expression read, next to the result they caused.
  function inputsHtml(inputs) {
    const names = app.programAttributes;
    if (!names.length) return `<span class="null">none</span>`;
    const shown = names.slice(0, 3).map((n) => {
      const has = inputs && Object.prototype.hasOwnProperty.call(inputs, n);
      const v = has ? JSON.stringify(inputs[n]) : "absent";
      return `<span class="in-name">${escapeHtml(n)}</span> ${has ? escapeHtml(v.length > 48 ? v.slice(0, 47) + "…" : v) : `<span class="null">absent</span>`}`;
    });
    return shown.join("<br>") + (names.length > 3 ? `<br><span class="null">+${names.length - 3} more</span>` : "");
  }

  function rowHtml(r, i) {
    const cell = resultCell(r);
    const type = r.status === "value" ? r.type : r.status === "error" ? "error" : "";
    return `<tr data-index="${i}" data-status="${r.status}" tabindex="0"${i === app.selectedUser ? ' class="selected" aria-selected="true"' : ""}>` +
      `<td class="num">${i + 1}</td><td class="user">${escapeHtml(app.userLabels[i] || "")}</td>` +
      `<td class="inputs">${inputsHtml(r.inputs)}</td>` +
      `<td class="result ${cell.cls}" data-text="${r.status === "value" ? escapeHtml(r.text) : ""}">${cell.html}</td>` +
      `<td class="type muted">${type}</td></tr>`;
  }

  // The first screenful is rendered at once; the remaining rows follow in
  // the next frames, so a keystroke never waits for a thousand-row layout.
  const FIRST_ROWS = 60;
  const CHUNK_ROWS = 400;
  let pendingRows = 0;
  function renderResults() {
    clearTimeout(pendingRows);
    const rows = app.results ? app.results.results : [];
    if (!app.program || !app.users || !app.users.length) {
      el.resultsBody.innerHTML = "";
      el.resultsEmpty.hidden = false;
      el.resultsEmpty.textContent = !app.users || !app.users.length
        ? "No users loaded: pick a sample set or paste users on the left."
        : (el.expr.value.trim() ? "Fix the expression to see results." : "Type an expression to see one result per user.");
      document.body.dataset.rowsRendered = "0";
      return;
    }
    el.resultsEmpty.hidden = true;
    const total = Math.min(rows.length, MAX_ROWS);
    const started = performance.now();
    let done = Math.min(total, FIRST_ROWS);
    let html = "";
    for (let i = 0; i < done; i++) html += rowHtml(rows[i], i);
    el.resultsBody.innerHTML = html;
    const finish = () => {
      if (rows.length > total) {
        el.resultsBody.insertAdjacentHTML("beforeend", `<tr class="more"><td colspan="5" class="muted">… ${rows.length - total} more users evaluated; the table shows the first ${total}.</td></tr>`);
      }
      document.body.dataset.rowsRendered = String(total);
      document.body.dataset.allRowsMs = (performance.now() - started).toFixed(3);
    };
    if (done >= total) { finish(); return; }
    document.body.dataset.rowsRendered = String(done);
    const more = () => {
      const end = Math.min(total, done + CHUNK_ROWS);
      let chunk = "";
      for (let i = done; i < end; i++) chunk += rowHtml(rows[i], i);
      el.resultsBody.insertAdjacentHTML("beforeend", chunk);
      done = end;
      if (done < total) { document.body.dataset.rowsRendered = String(done); pendingRows = setTimeout(more, 0); } else finish();
    };
    pendingRows = setTimeout(more, 0);
  }

  function selectUser(i, focusRow) {
    if (!app.users || i < 0 || i >= app.users.length) return;
    app.selectedUser = i;
    el.userPick.value = String(i);
    for (const tr of el.resultsBody.querySelectorAll("tr.selected")) { tr.classList.remove("selected"); tr.removeAttribute("aria-selected"); }
    const tr = el.resultsBody.querySelector(`tr[data-index="${i}"]`);
    if (tr) { tr.classList.add("selected"); tr.setAttribute("aria-selected", "true"); if (focusRow) tr.focus(); }
    app.renderActivePanel();
    app.scheduleHashUpdate();
  }

  function wireResults() {
    el.userPick.addEventListener("change", () => selectUser(Number(el.userPick.value)));

    el.resultsBody.addEventListener("click", (e) => {
      const tr = e.target.closest("tr[data-index]");
      if (tr) selectUser(Number(tr.dataset.index));
    });
    el.resultsBody.addEventListener("keydown", (e) => {
      const tr = e.target.closest("tr[data-index]");
      if (!tr) return;
      const i = Number(tr.dataset.index);
      if (e.key === "ArrowDown") { e.preventDefault(); selectUser(i + 1, true); }
      else if (e.key === "ArrowUp") { e.preventDefault(); selectUser(i - 1, true); }
      else if (e.key === "Enter") { selectUser(i, true); app.showTab("trace"); }
    });
  }

  Object.assign(app, { renderResults, selectUser, wireResults });
})();
