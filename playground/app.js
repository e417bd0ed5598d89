// attrmap playground. Plain JavaScript, no dependencies, no network: the
// expression engine is the attrmap WebAssembly module (pkg/classic/).
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const el = {
    expr: $("expr"), highlight: $("highlight"), editor: $("editor"), completions: $("completions"),
    diagnostics: $("diagnostics"), target: $("target"), usersSource: $("users-source"),
    usersText: $("users-text"), usersStatus: $("users-status"), now: $("now"), existing: $("existing"),
    optionsStatus: $("options-status"), results: $("results"), resultsBody: document.querySelector("#results tbody"),
    resultsEmpty: $("results-empty"), scim: $("scim"), scimNote: $("scim-note"), trace: $("trace"),
    disasm: $("disasm"), userPick: $("user-pick"), timing: $("timing"), share: $("share"), theme: $("theme"),
    gallery: $("gallery"), galleryList: $("gallery-list"), toast: $("toast"), fatal: $("fatal"),
    version: $("version"),
  };

  const SCIM_CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
  // The results table shows this many rows; the rest are summarised. Every
  // user is still evaluated (the counts cover all of them).
  const MAX_ROWS = 2000;

  let am = null; // the wasm module
  let FUNCTIONS = [];
  let KEYWORDS = [];
  let functionNames = new Map(); // lower-case name → canonical name
  let users = null; // am.Users
  let userLabels = [];
  let userAttributes = [];
  let program = null; // am.Program of the current expression
  let programAttributes = []; // the attributes it reads
  let compiled = null; // { ok, diagnostics }
  let results = null; // { results, inputErrors }
  let selectedUser = 0;
  let activeTab = "results";
  let completion = null; // { items, index, from, to, kind }

  // ---------------------------------------------------------------- helpers
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  function toast(message) {
    el.toast.textContent = message;
    el.toast.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.toast.hidden = true; }, 2600);
  }
  function fatal(html) {
    el.fatal.innerHTML = html;
    el.fatal.hidden = false;
  }

  // --------------------------------------------------------------- tokenizer
  // Only for colouring and bracket matching; the real parser is in Rust and
  // its diagnostics are what the page reports.
  function tokenize(s) {
    const out = [];
    let i = 0;
    const n = s.length;
    while (i < n) {
      const c = s[i];
      if (c === '"') {
        let j = i + 1;
        while (j < n && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
        j = Math.min(j + 1, n);
        out.push({ t: "str", s: i, e: j });
        i = j;
      } else if (c === "[") {
        let j = i + 1;
        while (j < n && s[j] !== "]" && s[j] !== "[" && s[j] !== "\n") j++;
        out.push({ t: "open", s: i, e: i + 1, b: "[" });
        if (j > i + 1) out.push({ t: "attr", s: i + 1, e: j });
        if (s[j] === "]") { out.push({ t: "close", s: j, e: j + 1, b: "]" }); j++; }
        i = j;
      } else if (c === "]") {
        out.push({ t: "close", s: i, e: i + 1, b: "]" }); i++;
      } else if (/[A-Za-z_]/.test(c)) {
        let j = i + 1;
        while (j < n && /[A-Za-z0-9_]/.test(s[j])) j++;
        const word = s.slice(i, j);
        let k = j;
        while (k < n && /\s/.test(s[k])) k++;
        let t;
        if (s[k] === "(") t = functionNames.has(word.toLowerCase()) ? "fn" : "fn-unknown";
        else t = KEYWORDS.some((kw) => kw.name.toLowerCase() === word.toLowerCase()) ? "kw" : "ident";
        out.push({ t, s: i, e: j });
        i = j;
      } else if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(s[i + 1] || ""))) {
        let j = i + 1;
        while (j < n && /[0-9]/.test(s[j])) j++;
        out.push({ t: "num", s: i, e: j }); i = j;
      } else if (c === "&" && /[Hh]/.test(s[i + 1] || "")) {
        let j = i + 2;
        while (j < n && /[0-9A-Fa-f]/.test(s[j])) j++;
        out.push({ t: "num", s: i, e: j }); i = j;
      } else if (c === "(") {
        out.push({ t: "open", s: i, e: i + 1, b: "(" }); i++;
      } else if (c === ")") {
        out.push({ t: "close", s: i, e: i + 1, b: ")" }); i++;
      } else if (c === ",") {
        out.push({ t: "comma", s: i, e: i + 1 }); i++;
      } else if ("<>=".includes(c)) {
        const two = s.slice(i, i + 2);
        const len = two === "<>" || two === "<=" || two === ">=" ? 2 : 1;
        out.push({ t: "op", s: i, e: i + len }); i += len;
      } else {
        i++;
      }
    }
    return out;
  }

  // Pairs brackets; returns Map(tokenIndex → partner index or -1).
  function pairBrackets(tokens) {
    const partner = new Map();
    const stack = [];
    tokens.forEach((tok, idx) => {
      if (tok.t === "open") stack.push(idx);
      else if (tok.t === "close") {
        const want = tok.b === ")" ? "(" : "[";
        if (stack.length && tokens[stack[stack.length - 1]].b === want) {
          const o = stack.pop();
          partner.set(o, idx);
          partner.set(idx, o);
        } else partner.set(idx, -1);
      }
    });
    for (const o of stack) partner.set(o, -1);
    return partner;
  }

  // ------------------------------------------------------------ highlighting
  function renderHighlight() {
    const src = el.expr.value;
    if (el.expr.dataset.autosizedFor !== src) { el.expr.dataset.autosizedFor = src; autosize(); }
    const n = src.length;
    const tokens = tokenize(src);
    const partner = pairBrackets(tokens);
    const tok = new Array(n + 1).fill("");
    tokens.forEach((t) => { for (let i = t.s; i < t.e; i++) tok[i] = "t-" + t.t; });
    // Unmatched brackets and the pair at the caret.
    const extra = new Array(n + 1).fill("");
    tokens.forEach((t, idx) => { if (partner.get(idx) === -1) extra[t.s] = " bracket-bad"; });
    const caret = el.expr.selectionStart === el.expr.selectionEnd ? el.expr.selectionEnd : -1;
    if (caret >= 0 && document.activeElement === el.expr) {
      for (const pos of [caret - 1, caret]) {
        const idx = tokens.findIndex((t) => (t.t === "open" || t.t === "close") && t.s === pos);
        if (idx >= 0 && partner.get(idx) >= 0) {
          extra[tokens[idx].s] = " bracket-match";
          extra[tokens[partner.get(idx)].s] = " bracket-match";
          break;
        }
      }
    }
    // Diagnostic underlines (UTF-16 spans from the wasm module).
    const diag = new Array(n + 1).fill("");
    let pastEnd = "";
    for (const d of (compiled && compiled.diagnostics) || []) {
      if (!src.trim() && d.code === "attrmap::parse::empty") continue;
      const cls = d.severity === "error" ? "u-error" : "u-warning";
      let { start, end } = d.span;
      if (end <= start) end = start + 1; // a point: underline one character
      for (let i = start; i < Math.min(end, n); i++) if (diag[i] !== "u-error") diag[i] = cls;
      if (end > n) pastEnd = pastEnd === "u-error" ? pastEnd : cls;
    }
    let html = "";
    let runStart = 0;
    const classAt = (i) => [tok[i], diag[i], extra[i]].join(" ").trim();
    for (let i = 1; i <= n; i++) {
      if (i === n || classAt(i) !== classAt(runStart) || extra[i] || extra[runStart]) {
        const cls = classAt(runStart);
        const text = escapeHtml(src.slice(runStart, i));
        html += cls ? `<span class="${cls}">${text}</span>` : text;
        runStart = i;
      }
    }
    // A point past the end (for example "the expression ends here") gets a
    // visible marker; a trailing newline needs a character to take up height.
    if (pastEnd) html += `<span class="${pastEnd} past-end"> </span>`;
    html += "\n";
    el.highlight.innerHTML = html;
    syncScroll();
  }

  // The editor grows with its content up to a dozen lines.
  function autosize() {
    el.expr.style.height = "auto";
    el.expr.style.height = Math.min(Math.max(el.expr.scrollHeight + 2, 64), 290) + "px";
  }

  function syncScroll() {
    el.highlight.scrollTop = el.expr.scrollTop;
    el.highlight.scrollLeft = el.expr.scrollLeft;
  }

  // Pixel position of a character offset inside the editor, measured on a
  // mirror of the highlight layer.
  function caretCoords(offset) {
    const mirror = el.highlight.cloneNode(false);
    mirror.style.visibility = "hidden";
    mirror.style.position = "absolute";
    mirror.textContent = el.expr.value.slice(0, offset);
    const mark = document.createElement("span");
    mark.textContent = "\u200b";
    mirror.appendChild(mark);
    el.editor.appendChild(mirror);
    const top = mark.offsetTop - el.expr.scrollTop;
    const left = mark.offsetLeft - el.expr.scrollLeft;
    const height = mark.offsetHeight;
    el.editor.removeChild(mirror);
    return { top, left, height };
  }

  // ------------------------------------------------------------ diagnostics
  function renderDiagnostics() {
    const src = el.expr.value;
    const list = (compiled && compiled.diagnostics) || [];
    if (!src.trim()) {
      el.diagnostics.innerHTML = `<li class="diag info">Type an expression, or pick one from Examples.</li>`;
      return;
    }
    if (!list.length) {
      el.diagnostics.innerHTML = `<li class="diag ok">✓ Compiles. ${program ? "" : ""}</li>`;
      return;
    }
    el.diagnostics.innerHTML = list.map((d, i) => {
      const where = `${d.span.line}:${d.span.column}`;
      return `<li class="diag ${d.severity}" data-index="${i}" data-code="${escapeHtml(d.code)}" data-start="${d.span.start}" data-end="${d.span.end}" tabindex="0" title="Go to ${where}">
        <span class="sev">${d.severity}</span>
        <span class="loc">${where}</span>
        <span class="message">${escapeHtml(d.message)}</span>${d.label ? ` <span class="label muted">— ${escapeHtml(d.label)}</span>` : ""}
        <code class="code-id">${escapeHtml(d.code)}</code>
        ${d.help ? `<div class="help"><b>help:</b> ${escapeHtml(d.help)}</div>` : ""}
      </li>`;
    }).join("");
  }

  function gotoSpan(start, end) {
    el.expr.focus();
    el.expr.setSelectionRange(start, Math.max(start, end));
    renderHighlight();
  }

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
    if (users) { users.free(); users = null; }
    users = new am.Users(el.usersText.value);
    userLabels = users.labels();
    userAttributes = users.attributes();
    const errors = users.errors;
    const parts = [`${users.length} user${users.length === 1 ? "" : "s"} loaded`];
    if (errors.length) parts.push(`${errors.length} skipped`);
    el.usersStatus.innerHTML = escapeHtml(parts.join(" · ")) +
      errors.slice(0, 5).map((e) => `<div class="input-error">${escapeHtml(e.message)}</div>`).join("") +
      (errors.length > 5 ? `<div class="input-error">… and ${errors.length - 5} more</div>` : "");
    el.usersStatus.classList.toggle("has-errors", errors.length > 0);
    if (selectedUser >= users.length) selectedUser = 0;
    el.userPick.innerHTML = userLabels.slice(0, MAX_ROWS)
      .map((l, i) => `<option value="${i}"${i === selectedUser ? " selected" : ""}>${i + 1}. ${escapeHtml(l)}</option>`).join("");
  }

  function compileExpression() {
    if (program) { program.free(); program = null; }
    const c = am.compile(el.expr.value);
    program = c.program || null;
    programAttributes = program ? program.attributes : [];
    compiled = { ok: c.ok, diagnostics: c.diagnostics };
  }

  function evaluate() {
    results = null;
    el.optionsStatus.textContent = "";
    if (!program || !users) return;
    try {
      results = program.evaluateUsers(users, evalOptions());
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
    renderHighlight();
    renderDiagnostics();
    renderResults();
    renderActivePanel();
    void el.results.offsetHeight; // include layout in the measurement
    const done = performance.now();
    const count = users ? users.length : 0;
    el.timing.textContent = program && count ? `${count} user${count === 1 ? "" : "s"} · ${(done - start).toFixed(1)} ms` : "";
    el.timing.title = `compile + evaluate ${(evaluated - start).toFixed(2)} ms, render ${(done - evaluated).toFixed(2)} ms`;
    document.body.dataset.lastRunMs = (done - start).toFixed(3);
    document.body.dataset.lastEvalMs = (evaluated - start).toFixed(3);
    document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
    scheduleHashUpdate();
  }

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
    const names = programAttributes;
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
    return `<tr data-index="${i}" data-status="${r.status}" tabindex="0"${i === selectedUser ? ' class="selected" aria-selected="true"' : ""}>` +
      `<td class="num">${i + 1}</td><td class="user">${escapeHtml(userLabels[i] || "")}</td>` +
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
    const rows = results ? results.results : [];
    if (!program || !users || !users.length) {
      el.resultsBody.innerHTML = "";
      el.resultsEmpty.hidden = false;
      el.resultsEmpty.textContent = !users || !users.length
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
    if (!users || i < 0 || i >= users.length) return;
    selectedUser = i;
    el.userPick.value = String(i);
    for (const tr of el.resultsBody.querySelectorAll("tr.selected")) { tr.classList.remove("selected"); tr.removeAttribute("aria-selected"); }
    const tr = el.resultsBody.querySelector(`tr[data-index="${i}"]`);
    if (tr) { tr.classList.add("selected"); tr.setAttribute("aria-selected", "true"); if (focusRow) tr.focus(); }
    renderActivePanel();
    scheduleHashUpdate();
  }

  // ------------------------------------------------------------------ SCIM
  // Places `value` at a SCIM attribute path: `roleId`, `name.givenName`,
  // `emails[type eq "work"].value`, or a URN-qualified attribute.
  function scimResource(target, value) {
    const resource = { schemas: [SCIM_CORE_USER] };
    let holder = resource;
    let path = target.trim();
    const urn = path.match(/^(urn:[^[\]]*):([^:[\]]+(?:\[[^\]]*\])?(?:\.[A-Za-z0-9_$-]+)*)$/i);
    if (urn) {
      const schema = urn[1];
      path = urn[2];
      if (schema.toLowerCase() !== SCIM_CORE_USER.toLowerCase()) {
        resource.schemas.push(schema);
        resource[schema] = resource[schema] || {};
        holder = resource[schema];
      }
    }
    const filtered = path.match(/^([A-Za-z0-9_$-]+)\[\s*([A-Za-z0-9_$-]+)\s+eq\s+"([^"]*)"\s*\]\.([A-Za-z0-9_$-]+)$/i);
    if (filtered) {
      const [, multi, key, keyValue, sub] = filtered;
      const entry = { [key]: keyValue, [sub]: value };
      if (multi === "emails" || multi === "phoneNumbers" || multi === "addresses") entry.primary = true;
      holder[multi] = [entry];
      return resource;
    }
    const parts = path.split(".");
    for (let i = 0; i < parts.length - 1; i++) {
      holder[parts[i]] = holder[parts[i]] || {};
      holder = holder[parts[i]];
    }
    holder[parts[parts.length - 1]] = value;
    return resource;
  }

  // JSON text where numbers beyond 2^53 (carried as strings) print as numbers.
  function scimJson(resource, bigNumbers) {
    const marks = new Map();
    const text = JSON.stringify(resource, (k, v) => {
      if (typeof v === "string" && bigNumbers.has(v)) {
        const mark = `\u0000big${marks.size}`;
        marks.set(mark, v);
        return mark;
      }
      return v;
    }, 2);
    return text.replace(/"\\u0000big\d+"/g, (m) => marks.get(JSON.parse(m)));
  }

  // With a mapping file loaded, the SCIM tab shows the whole resource the
  // file builds for the selected user, and the file's lint findings.
  function renderMappedScim(text) {
    const diagList = $("mapping-diagnostics");
    const lint = am.lint(text);
    diagList.innerHTML = lint.diagnostics.map((d) =>
      `<li class="diag ${d.severity}" data-code="${escapeHtml(d.code)}"><span class="sev">${d.severity}</span>` +
      `<span class="loc">${d.span.line}:${d.span.column}</span> <span class="message">${escapeHtml(d.message)}</span>` +
      `<code class="code-id">${escapeHtml(d.code)}</code>${d.help ? `<div class="help"><b>help:</b> ${escapeHtml(d.help)}</div>` : ""}</li>`).join("");
    if (!users || !users.length) { el.scimNote.textContent = "No users loaded."; el.scim.textContent = ""; return; }
    let out;
    try {
      out = am.map(text, users.getJson(selectedUser), evalOptions());
    } catch (e) {
      el.scimNote.textContent = String(e.message || e);
      el.scim.textContent = "";
      return;
    }
    const who = userLabels[selectedUser];
    if (!out.ok) {
      el.scimNote.textContent = "The mapping file cannot be used; see its diagnostics above.";
      el.scim.textContent = "";
      return;
    }
    const r = out.results[0];
    if (r.status === "skipped") {
      el.scimNote.textContent = `${who}: skipped (${r.reason === "scope" ? "outside the scoping filter" : "IgnoreObjectFlow"}); Entra sends nothing.`;
      el.scim.textContent = "";
    } else if (r.status === "error") {
      el.scimNote.textContent = `${who}: ${r.errors.length} attribute(s) failed; Entra would report this user as failed.`;
      el.scim.textContent = r.errors.map((e) => `${e.attribute}: ${e.message} (${e.code}, file ${e.span.line}:${e.span.column})`).join("\n");
    } else {
      el.scimNote.textContent = `${who}: the resource the mapping file builds${r.matchFilter ? `; matched in the target by ${r.matchFilter}` : ""}.`;
      el.scim.textContent = "POST /scim/v2/Users\nContent-Type: application/scim+json\n\n" + JSON.stringify(r.resource, null, 2);
    }
  }

  function renderScim() {
    const mappingText = $("mapping-text").value;
    if (mappingText.trim()) { renderMappedScim(mappingText); return; }
    $("mapping-diagnostics").innerHTML = "";
    const target = el.target.value.trim();
    if (!target) {
      el.scimNote.textContent = "Bind the expression to a target attribute (the field above the editor, for example roleId) to see the SCIM request each user produces.";
      el.scim.textContent = "";
      return;
    }
    if (!results || !users || !users.length) {
      el.scimNote.textContent = "No result to send yet.";
      el.scim.textContent = "";
      return;
    }
    const r = results.results[selectedUser];
    const who = userLabels[selectedUser];
    if (r.status === "objectSkipped") {
      el.scimNote.textContent = `${who}: IgnoreObjectFlow was evaluated, so Entra sends no request for this user.`;
      el.scim.textContent = "";
      return;
    }
    if (r.status === "error") {
      el.scimNote.textContent = `${who}: the expression failed (${r.error.message}); Entra would report this user as failed and send nothing.`;
      el.scim.textContent = "";
      return;
    }
    const notSent = r.status === "notFlowed";
    const big = new Set();
    let value = null;
    if (!notSent) {
      value = r.value;
      if (r.type === "number" && typeof r.value === "string") big.add(r.value);
    }
    // SCIM's `active` is a boolean; Entra converts "True"/"False" when it writes it.
    if (/(^|:)active$/i.test(target) && typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
      value = value.trim().toLowerCase() === "true";
    }
    const resource = notSent ? { schemas: [SCIM_CORE_USER] } : scimResource(target, value);
    el.scimNote.textContent = notSent
      ? `${who}: ${target} is not flowed, so the request leaves it out.`
      : `${who}: the attribute this expression contributes to POST /Users (other mapped attributes are not shown).`;
    el.scim.textContent = "POST /scim/v2/Users\nContent-Type: application/scim+json\n\n" + scimJson(resource, big);
  }

  // ----------------------------------------------------------------- trace
  function renderTrace() {
    if (!program || !users || !users.length) {
      el.trace.innerHTML = `<li class="muted">Nothing to trace yet.</li>`;
      return;
    }
    let out;
    try {
      out = program.trace(users.getJson(selectedUser), evalOptions());
    } catch (e) {
      el.trace.innerHTML = `<li class="error">${escapeHtml(e.message || e)}</li>`;
      return;
    }
    const r = out.result;
    const summary = r.status === "value" ? `= ${escapeHtml(r.text === "" && r.type === "null" ? "null" : JSON.stringify(r.value))}`
      : r.status === "error" ? `failed: ${escapeHtml(r.error.message)}` : escapeHtml(r.message);
    el.trace.innerHTML = `<li class="trace-summary"><b>${escapeHtml(userLabels[selectedUser])}</b> ${summary}</li>` +
      out.trace.nodes.map((node) =>
        `<li class="trace-node" tabindex="0" data-start="${node.span.start}" data-end="${node.span.end}" style="--depth:${node.depth}">` +
        `<span class="trace-label">${escapeHtml(node.label)}</span>` +
        (node.inputs.length ? ` <span class="trace-inputs muted">← (${escapeHtml(node.inputs.join(", "))})</span>` : "") +
        ` <span class="trace-output">= ${escapeHtml(node.output)}</span></li>`).join("");
  }

  function renderDisasm() {
    el.disasm.textContent = program ? program.disasm() : "The expression does not compile yet.";
  }

  function renderActivePanel() {
    if (activeTab === "scim") renderScim();
    else if (activeTab === "trace") renderTrace();
    else if (activeTab === "disasm") renderDisasm();
  }

  // ------------------------------------------------------------------ tabs
  const TABS = ["results", "scim", "trace", "disasm"];
  function showTab(name, focus) {
    activeTab = name;
    for (const t of TABS) {
      const tab = $("tab-" + t);
      const on = t === name;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      $("panel-" + t).hidden = !on;
      if (on && focus) tab.focus();
    }
    renderActivePanel();
    scheduleHashUpdate();
  }

  // ----------------------------------------------------------- completions
  function completionContext() {
    const src = el.expr.value;
    const caret = el.expr.selectionEnd;
    if (el.expr.selectionStart !== caret) return null;
    const before = src.slice(0, caret);
    // Inside a string? Count unescaped quotes.
    let inString = false;
    for (let i = 0; i < before.length; i++) {
      if (before[i] === "\\" && inString) { i++; continue; }
      if (before[i] === '"') inString = !inString;
    }
    if (inString) return null;
    const attr = before.match(/\[([^\][\n]*)$/);
    if (attr) return { kind: "attribute", prefix: attr[1], from: caret - attr[1].length, to: caret };
    const word = before.match(/[A-Za-z_][A-Za-z0-9_]*$/);
    if (word) return { kind: "function", prefix: word[0], from: caret - word[0].length, to: caret };
    return { kind: "function", prefix: "", from: caret, to: caret };
  }

  function openCompletions(explicit) {
    const ctx = completionContext();
    if (!ctx || (!explicit && ctx.kind === "function" && !ctx.prefix)) return closeCompletions();
    const p = ctx.prefix.toLowerCase();
    let items;
    if (ctx.kind === "attribute") {
      items = userAttributes
        .filter((a) => a.toLowerCase().includes(p))
        .sort((a, b) => Number(!a.toLowerCase().startsWith(p)) - Number(!b.toLowerCase().startsWith(p)))
        .map((a) => ({ label: a, detail: "source attribute", insert: a + (el.expr.value[ctx.to] === "]" ? "" : "]") }));
    } else {
      // A complete, already-called name needs no popup.
      const after = el.expr.value.slice(ctx.to).match(/^\s*\(/);
      if (!explicit && after) return closeCompletions();
      const fns = FUNCTIONS.map((f) => ({ label: f.name, detail: f.signature, summary: f.summary, insert: f.name + (after ? "" : "("), kind: "fn" }));
      const kws = KEYWORDS.map((k) => ({ label: k.name, detail: "keyword", summary: k.summary, insert: k.name, kind: "kw" }));
      items = fns.concat(kws)
        .filter((it) => it.label.toLowerCase().includes(p))
        .sort((a, b) => Number(!a.label.toLowerCase().startsWith(p)) - Number(!b.label.toLowerCase().startsWith(p)) || a.label.localeCompare(b.label));
      if (!explicit && items.length === 1 && items[0].label === ctx.prefix) items = [];
    }
    if (!items.length) return closeCompletions();
    completion = { items: items.slice(0, 50), index: 0, from: ctx.from, to: ctx.to, kind: ctx.kind };
    renderCompletions();
  }

  function renderCompletions() {
    const c = completion;
    el.completions.innerHTML = c.items.map((it, i) =>
      `<li role="option" id="completion-${i}" data-index="${i}" aria-selected="${i === c.index}">` +
      `<span class="c-label">${escapeHtml(it.label)}</span> <span class="c-detail">${escapeHtml(it.detail)}</span>` +
      (it.summary && i === c.index ? `<div class="c-summary">${escapeHtml(it.summary)}</div>` : "") + `</li>`).join("");
    const pos = caretCoords(c.from);
    el.completions.style.top = `${pos.top + pos.height + 4}px`;
    el.completions.style.left = `${Math.max(0, Math.min(pos.left, el.editor.clientWidth - 360))}px`;
    el.completions.hidden = false;
    el.expr.setAttribute("aria-expanded", "true");
    el.expr.setAttribute("aria-activedescendant", `completion-${c.index}`);
    const active = el.completions.querySelector('[aria-selected="true"]');
    if (active) active.scrollIntoView({ block: "nearest" });
  }

  function closeCompletions() {
    completion = null;
    el.completions.hidden = true;
    el.expr.setAttribute("aria-expanded", "false");
    el.expr.removeAttribute("aria-activedescendant");
  }

  function acceptCompletion(i) {
    const c = completion;
    const it = c.items[i === undefined ? c.index : i];
    const src = el.expr.value;
    el.expr.value = src.slice(0, c.from) + it.insert + src.slice(c.to);
    const caret = c.from + it.insert.length;
    el.expr.setSelectionRange(caret, caret);
    closeCompletions();
    refresh();
  }

  // ----------------------------------------------------------------- share
  // State lives in the URL fragment (never sent to a server): the expression,
  // target, users (the sample's name, or the pasted text), options and view.
  function currentState() {
    const source = el.usersSource.value;
    return {
      v: 1,
      e: el.expr.value,
      t: el.target.value,
      u: source === "custom" ? { text: el.usersText.value } : { sample: source.replace(/^sample:/, "") },
      n: el.now.value,
      x: el.existing.value,
      tab: activeTab,
      sel: selectedUser,
    };
  }

  function b64urlFromBytes(bytes) {
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function bytesFromB64url(s) {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  async function pipeThrough(bytes, stream) {
    const piped = new Blob([bytes]).stream().pipeThrough(stream);
    return new Uint8Array(await new Response(piped).arrayBuffer());
  }

  async function encodeState(state) {
    const bytes = new TextEncoder().encode(JSON.stringify(state));
    if (typeof CompressionStream === "function") {
      return "z=" + b64urlFromBytes(await pipeThrough(bytes, new CompressionStream("deflate-raw")));
    }
    return "j=" + b64urlFromBytes(bytes);
  }

  async function decodeState(fragment) {
    const m = fragment.match(/^#?([zj])=([A-Za-z0-9_-]*)$/);
    if (!m) return null;
    let bytes = bytesFromB64url(m[2]);
    if (m[1] === "z") bytes = await pipeThrough(bytes, new DecompressionStream("deflate-raw"));
    const state = JSON.parse(new TextDecoder().decode(bytes));
    return state && state.v === 1 ? state : null;
  }

  let hashTimer = null;
  let applyingState = false;
  function scheduleHashUpdate() {
    if (applyingState) return;
    clearTimeout(hashTimer);
    hashTimer = setTimeout(async () => {
      const frag = await encodeState(currentState());
      lastWrittenHash = "#" + frag;
      history.replaceState(null, "", lastWrittenHash);
    }, 250);
  }
  let lastWrittenHash = "";

  async function shareLink() {
    clearTimeout(hashTimer);
    const frag = await encodeState(currentState());
    lastWrittenHash = "#" + frag;
    history.replaceState(null, "", lastWrittenHash);
    const link = location.href;
    el.share.dataset.link = link;
    try {
      await navigator.clipboard.writeText(link);
      toast("Link copied. It holds the whole state; nothing is stored anywhere else.");
    } catch (_) {
      window.prompt("Copy this link (it holds the whole state):", link);
    }
  }

  function applyState(state) {
    applyingState = true;
    try {
      el.expr.value = state.e || "";
      el.target.value = state.t || "";
      el.now.value = state.n || "";
      el.existing.value = state.x || "";
      if (state.u && typeof state.u.text === "string") {
        el.usersSource.value = "custom";
        el.usersText.value = state.u.text;
      } else {
        const name = (state.u && state.u.sample) || "users";
        el.usersSource.value = "sample:" + (window.ATTRMAP_SAMPLES[name] !== undefined ? name : "users");
        el.usersText.value = window.ATTRMAP_SAMPLES[el.usersSource.value.slice(7)];
      }
      selectedUser = Number(state.sel) || 0;
      loadUsers();
      refresh();
      showTab(TABS.includes(state.tab) ? state.tab : "results");
    } finally {
      applyingState = false;
    }
  }

  function applyExample(ex) {
    applyState({ v: 1, e: ex.expr, t: ex.target, u: { sample: ex.users.replace(/^sample:/, "") }, n: ex.now, x: ex.existing, tab: activeTab, sel: 0 });
    scheduleHashUpdate();
  }

  // ----------------------------------------------------------------- theme
  function initTheme() {
    let theme = null;
    try { theme = localStorage.getItem("attrmap-theme"); } catch (_) { /* file:// may refuse storage */ }
    if (!theme) theme = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
    document.documentElement.dataset.theme = theme;
    el.theme.addEventListener("click", () => {
      const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
      document.documentElement.dataset.theme = next;
      try { localStorage.setItem("attrmap-theme", next); } catch (_) { /* ignore */ }
    });
  }

  // ---------------------------------------------------------------- events
  function wire() {
    el.expr.addEventListener("input", () => {
      const t0 = performance.now();
      refresh(t0);
      openCompletions(false);
    });
    el.expr.addEventListener("scroll", syncScroll);
    for (const ev of ["keyup", "click", "focus", "blur"]) {
      el.expr.addEventListener(ev, (e) => {
        if (e.type === "keyup" && ["ArrowUp", "ArrowDown", "Enter", "Tab", "Escape"].includes(e.key) && completion) return;
        renderHighlight();
      });
    }
    el.expr.addEventListener("blur", () => setTimeout(closeCompletions, 150));
    el.expr.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && (e.key === " " || e.code === "Space")) {
        e.preventDefault();
        openCompletions(true);
        return;
      }
      if (!completion) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = completion.items.length;
        completion.index = (completion.index + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
        renderCompletions();
      } else if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        acceptCompletion();
      } else if (e.key === "Escape") {
        e.preventDefault();
        closeCompletions();
      }
    });
    el.completions.addEventListener("mousedown", (e) => {
      const li = e.target.closest("li[data-index]");
      if (li) { e.preventDefault(); acceptCompletion(Number(li.dataset.index)); }
    });
    new ResizeObserver(() => { el.highlight.style.height = el.expr.offsetHeight + "px"; syncScroll(); }).observe(el.expr);

    const onDiag = (e) => {
      const li = e.target.closest("li[data-start]");
      if (li && (e.type === "click" || e.key === "Enter")) gotoSpan(Number(li.dataset.start), Number(li.dataset.end));
    };
    el.diagnostics.addEventListener("click", onDiag);
    el.diagnostics.addEventListener("keydown", onDiag);

    el.target.addEventListener("input", () => { renderActivePanel(); scheduleHashUpdate(); });
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
      else if (e.key === "Enter") { selectUser(i, true); showTab("trace"); }
    });
    el.trace.addEventListener("click", (e) => {
      const li = e.target.closest("li[data-start]");
      if (li) gotoSpan(Number(li.dataset.start), Number(li.dataset.end));
    });
    el.trace.addEventListener("keydown", (e) => {
      const li = e.target.closest("li[data-start]");
      if (li && e.key === "Enter") gotoSpan(Number(li.dataset.start), Number(li.dataset.end));
    });

    for (const t of TABS) $("tab-" + t).addEventListener("click", () => showTab(t));
    document.querySelector(".tabs").addEventListener("keydown", (e) => {
      const focused = TABS.indexOf((document.activeElement.id || "").replace(/^tab-/, ""));
      const i = focused >= 0 ? focused : TABS.indexOf(activeTab);
      if (e.key === "ArrowRight") showTab(TABS[(i + 1) % TABS.length], true);
      else if (e.key === "ArrowLeft") showTab(TABS[(i + TABS.length - 1) % TABS.length], true);
    });

    $("mapping-text").addEventListener("input", () => renderScim());
    $("mapping-sample").addEventListener("click", () => {
      $("mapping-text").value = window.ATTRMAP_SAMPLES_FILES["dilitrust-mapping"] || "";
      renderScim();
    });
    $("mapping-clear").addEventListener("click", () => { $("mapping-text").value = ""; renderScim(); });
    el.share.addEventListener("click", shareLink);
    document.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); shareLink(); }
    });
    window.addEventListener("hashchange", async () => {
      if (location.hash === lastWrittenHash) return;
      const state = await decodeState(location.hash).catch(() => null);
      if (state) applyState(state);
    });

    el.galleryList.innerHTML = window.ATTRMAP_EXAMPLES.map((ex, i) =>
      `<button type="button" role="menuitem" class="example" data-index="${i}" data-id="${ex.id}">` +
      `<span class="example-title">${escapeHtml(ex.title)}</span>` +
      `<span class="example-desc muted">${escapeHtml(ex.description)}</span></button>`).join("");
    el.galleryList.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-index]");
      if (!b) return;
      applyExample(window.ATTRMAP_EXAMPLES[Number(b.dataset.index)]);
      el.gallery.open = false;
      el.expr.focus();
    });
    el.gallery.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { el.gallery.open = false; el.gallery.querySelector("summary").focus(); }
    });
  }

  // ------------------------------------------------------------------ boot
  async function boot() {
    initTheme();
    if (typeof wasm_bindgen === "undefined" || !window.ATTRMAP_WASM_BASE64 || !window.ATTRMAP_SAMPLES) {
      fatal("The WebAssembly module is not built yet. Run <code>playground/build.sh</code> in the attrmap repository, then reload this page.");
      return;
    }
    try {
      // Asynchronous instantiation: browsers refuse to compile large modules
      // synchronously on the main thread.
      // eslint-disable-next-line no-undef
      const bin = atob(window.ATTRMAP_WASM_BASE64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      // eslint-disable-next-line no-undef
      await wasm_bindgen({ module_or_path: bytes });
      // eslint-disable-next-line no-undef
      am = wasm_bindgen;
    } catch (e) {
      fatal("The WebAssembly module could not be loaded: " + escapeHtml(e.message || e));
      return;
    }
    FUNCTIONS = am.functions();
    KEYWORDS = am.keywords();
    functionNames = new Map(FUNCTIONS.map((f) => [f.name.toLowerCase(), f.name]));
    el.version.textContent = `attrmap ${am.version()} · ${FUNCTIONS.length} functions`;
    wire();
    let state = null;
    if (location.hash.length > 1) {
      state = await decodeState(location.hash).catch(() => null);
      if (!state) toast("The link's state could not be read; showing the default example.");
    }
    if (state) applyState(state);
    else applyExample(window.ATTRMAP_EXAMPLES[0]);
    document.body.dataset.ready = "true";
  }

  // For the browser test and for power users in the console.
  window.attrmapPlayground = {
    get module() { return am; },
    refresh: () => refresh(),
    state: currentState,
    encodeState,
  };

  boot();
})();
