// The expression editor: colouring and bracket matching, the diagnostics list, completion.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, escapeHtml } = app;

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
        if (s[k] === "(") t = app.functionNames.has(word.toLowerCase()) ? "fn" : "fn-unknown";
        else t = app.KEYWORDS.some((kw) => kw.name.toLowerCase() === word.toLowerCase()) ? "kw" : "ident";
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
  // What the layer was last drawn from: the keyup and click that follow a
  // keystroke redraw it only when the caret moved (bracket matching).
  let drawnFrom = { src: null, caret: -1, diagnostics: null, focused: false };
  function renderHighlight() {
    const src = el.expr.value;
    const caret = el.expr.selectionStart === el.expr.selectionEnd ? el.expr.selectionEnd : -1;
    const diagnostics = app.compiled && app.compiled.diagnostics;
    const focused = document.activeElement === el.expr;
    const d = drawnFrom;
    if (d.src === src && d.caret === caret && d.diagnostics === diagnostics && d.focused === focused) return;
    drawnFrom = { src, caret, diagnostics, focused };
    if (!sizedByCss && el.expr.dataset.autosizedFor !== src) { el.expr.dataset.autosizedFor = src; autosize(); }
    const n = src.length;
    const tokens = tokenize(src);
    const partner = pairBrackets(tokens);
    const tok = new Array(n + 1).fill("");
    tokens.forEach((t) => { for (let i = t.s; i < t.e; i++) tok[i] = "t-" + t.t; });
    // Unmatched brackets and the pair at the caret.
    const extra = new Array(n + 1).fill("");
    tokens.forEach((t, idx) => { if (partner.get(idx) === -1) extra[t.s] = " bracket-bad"; });
    if (caret >= 0 && focused) {
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
    for (const d of (app.compiled && app.compiled.diagnostics) || []) {
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
    // Reading the textarea's scroll position now would lay the page out
    // before the rest of the keystroke changes it; the frame's callback
    // reads it after them.
    if (!syncScroll.frame) syncScroll.frame = requestAnimationFrame(() => { syncScroll.frame = 0; syncScroll(); });
  }

  // The editor grows with its content up to a dozen lines: by CSS
  // (field-sizing, style.css) where the browser has it, else here, which
  // costs a layout of the page per keystroke.
  const sizedByCss = typeof CSS !== "undefined" && CSS.supports("field-sizing", "content");
  function autosize() {
    if (sizedByCss) return;
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
    const list = (app.compiled && app.compiled.diagnostics) || [];
    if (!src.trim()) {
      el.diagnostics.innerHTML = `<li class="diag info">Type an expression, or pick one from Examples.</li>`;
      return;
    }
    // Compiling is not enough: users that fail at runtime are said first.
    const s = app.results && app.results.summary;
    const failing = s && s.errors
      ? `<li class="diag warning runtime">Compiles, but <b>${s.errors}</b> of ${s.users} users fail when it runs: see the errors in Results.</li>`
      : "";
    if (!list.length) {
      el.diagnostics.innerHTML = failing || `<li class="diag ok">✓ Compiles.</li>`;
      return;
    }
    el.diagnostics.innerHTML = failing + list.map((d, i) => {
      const where = `${d.span.line}:${d.span.column}`;
      return `<li class="diag ${d.severity}" data-index="${i}" data-code="${escapeHtml(d.code)}" data-start="${d.span.start}" data-end="${d.span.end}" tabindex="0" title="Go to ${where}">
        <span class="sev">${d.severity}</span>
        <span class="loc">${where}</span>
        <span class="message">${escapeHtml(d.message)}</span>${d.label ? ` <span class="label muted">— ${escapeHtml(d.label)}</span>` : ""}
        <button type="button" class="code-id code-link" data-code="${escapeHtml(d.code)}" title="Explain this code">${escapeHtml(d.code)}</button>
        ${d.help ? `<div class="help"><b>help:</b> ${escapeHtml(d.help)}</div>` : ""}
      </li>`;
    }).join("");
  }

  // Screen readers hear the outcome once typing pauses, not every keystroke's
  // intermediate state.
  const SETTLE_MS = 900;
  let announceTimer = 0;
  function announceWhenSettled() {
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      const list = (app.compiled && app.compiled.diagnostics) || [];
      const errors = list.filter((d) => d.severity === "error");
      let text;
      if (!el.expr.value.trim()) text = "The expression is empty.";
      else if (!list.length) text = "Compiles.";
      else {
        const first = errors[0] || list[0];
        text = `${errors.length} error${errors.length === 1 ? "" : "s"}, ${list.length - errors.length} other finding${list.length - errors.length === 1 ? "" : "s"}. ` +
          `${first.severity} at ${first.span.line}:${first.span.column}: ${first.message}`;
      }
      // Re-announce an unchanged outcome too: the user asked by typing.
      el.announce.textContent = el.announce.textContent === text ? text + "\u00a0" : text;
    }, SETTLE_MS);
  }

  function gotoSpan(start, end) {
    el.expr.focus();
    el.expr.setSelectionRange(start, Math.max(start, end));
    renderHighlight();
  }

  // ----------------------------------------------------------- completions
  let completion = null; // the open popup: { items, index, from, to, kind }

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
      items = app.userAttributes
        .filter((a) => a.toLowerCase().includes(p))
        .sort((a, b) => Number(!a.toLowerCase().startsWith(p)) - Number(!b.toLowerCase().startsWith(p)))
        .map((a) => ({ label: a, detail: "source attribute", insert: a + (el.expr.value[ctx.to] === "]" ? "" : "]") }));
    } else {
      // A complete, already-called name needs no popup.
      const after = el.expr.value.slice(ctx.to).match(/^\s*\(/);
      if (!explicit && after) return closeCompletions();
      const fns = app.FUNCTIONS.map((f) => ({ label: f.name, detail: f.signature, summary: f.summary, insert: f.name + (after ? "" : "("), kind: "fn" }));
      const kws = app.KEYWORDS.map((k) => ({ label: k.name, detail: "keyword", summary: k.summary, insert: k.name, kind: "kw" }));
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
    el.expr.setAttribute("aria-activedescendant", `completion-${c.index}`);
    const active = el.completions.querySelector('[aria-selected="true"]');
    if (active) active.scrollIntoView({ block: "nearest" });
  }

  function closeCompletions() {
    completion = null;
    el.completions.hidden = true;
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
    app.refresh();
  }

  function wireEditor() {
    el.expr.addEventListener("input", (e) => {
      // The event's own time stamp: when the keystroke reached the page,
      // so the measured time includes any wait before this handler ran.
      app.refresh(e.timeStamp);
      openCompletions(false);
      announceWhenSettled();
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
      if (e.target.closest(".code-link")) return; // opens the explanation instead
      const li = e.target.closest("li[data-start]");
      if (li && (e.type === "click" || e.key === "Enter")) gotoSpan(Number(li.dataset.start), Number(li.dataset.end));
    };
    el.diagnostics.addEventListener("click", onDiag);
    el.diagnostics.addEventListener("keydown", onDiag);
  }

  Object.assign(app, { renderHighlight, renderDiagnostics, gotoSpan, openCompletions, closeCompletions, wireEditor });
})();
