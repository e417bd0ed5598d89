// The SCIM payload tab: the request the bound target attribute, or a whole mapping file, produces.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, $, escapeHtml, SCIM_CORE_USER } = app;

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

  // With a mapping file loaded, the SCIM tab shows, for the selected user,
  // the whole resource the file builds (create or update mode, User or
  // Group), or the HTTP requests Entra would send (attrmap map --emit
  // requests, the same Rust code), and the file's lint findings. Every user
  // is mapped, in order, so SelectUniqueValue is unique across them.
  function scimOptions() {
    const show = $("scim-show").value;
    const opts = Object.assign(app.evalOptions(), { object: $("scim-object").value });
    delete opts.unique;
    if (show === "requests") {
      opts.dialect = $("scim-dialect").value;
      const state = $("target-state").value;
      if (state.trim()) opts.targetState = state;
    } else {
      opts.mode = show;
    }
    return { show, opts };
  }

  function renderMappedScim(text) {
    const diagList = $("mapping-diagnostics");
    const lint = app.module.lint(text);
    diagList.innerHTML = lint.diagnostics.map((d) =>
      `<li class="diag ${d.severity}" data-code="${escapeHtml(d.code)}"><span class="sev">${d.severity}</span>` +
      `<span class="loc">${d.span.line}:${d.span.column}</span> <span class="message">${escapeHtml(d.message)}</span>` +
      `<code class="code-id">${escapeHtml(d.code)}</code>${d.help ? `<div class="help"><b>help:</b> ${escapeHtml(d.help)}</div>` : ""}</li>`).join("");
    if (!app.users || !app.users.length) { el.scimNote.textContent = "No users loaded."; el.scim.textContent = ""; return; }
    const { show, opts } = scimOptions();
    const kind = opts.object === "group" ? "Groups" : "Users";
    let out;
    try {
      out = show === "requests" ? app.module.requestsUsers(text, app.users, opts) : app.module.mapUsers(text, app.users, opts);
    } catch (e) {
      el.scimNote.textContent = String(e.message || e);
      el.scim.textContent = "";
      return;
    }
    const who = app.userLabels[app.selectedUser];
    if (!out.ok) {
      // Why, in the file's own words (a Group asked of a Users-only file, …).
      el.scimNote.textContent = "The mapping file cannot be used: " +
        (out.diagnostics || []).filter((d) => d.severity === "error").map((d) => `${d.message} (${d.code}, ${d.span.line}:${d.span.column})`).join("; ");
      el.scim.textContent = "";
      return;
    }
    if (show === "requests") {
      const mine = out.lines.filter((l) => l.index === app.selectedUser);
      const c = out.counts;
      el.scimNote.textContent = `${who}: the requests Entra's SCIM client sends, in order (all ${c.input} objects: ${c.out} with requests, ${c.skipped} skipped, ${c.errors} failed).`;
      el.scim.textContent = mine.map((l) => {
        if (l.method) {
          return `${l.method} /scim/v2${l.path}` + (l.body ? `\nContent-Type: application/scim+json\n\n${JSON.stringify(l.body, null, 2)}` : "") +
            (l.unchanged ? `\n(the target already holds what the mapping gives: nothing else is sent)` : "") +
            (l.kept && l.kept.length ? `\n(left as the target has them: ${l.kept.join(", ")})` : "") +
            (l.warnings && l.warnings.length ? `\n(a strict SCIM server may refuse this: ${l.warnings.join(", ")})` : "");
        }
        if (l.skipped) return `skipped (${l.skipped}): nothing is sent`;
        if (l.error) return `failed: ${l.error.message} (${l.error.code})`;
        return JSON.stringify(l);
      }).join("\n\n");
      return;
    }
    const r = out.results[app.selectedUser];
    if (r.status === "skipped") {
      el.scimNote.textContent = `${who}: skipped (${r.reason === "scope" ? "outside the scoping filter" : "IgnoreObjectFlow"}); Entra sends nothing.`;
      el.scim.textContent = "";
    } else if (r.status === "error") {
      el.scimNote.textContent = `${who}: ${r.errors.length} attribute(s) failed; Entra would report this user as failed.`;
      el.scim.textContent = r.errors.map((e) => `${e.attribute}: ${e.message} (${e.code}, file ${e.span.line}:${e.span.column})`).join("\n");
    } else {
      const mode = opts.mode === "update" ? "update mode: attributes that apply on create only are left out" : "create mode";
      el.scimNote.textContent = `${who}: the resource the mapping file builds (${mode})${r.matchFilter ? `; matched in the target by ${r.matchFilter}` : ""}.`;
      el.scim.textContent = (opts.mode === "update" ? "" : `POST /scim/v2/${kind}\nContent-Type: application/scim+json\n\n`) + JSON.stringify(r.resource, null, 2);
    }
  }

  let scimAsked = 0;
  function renderScim() {
    scimAsked += 1;
    el.scim.removeAttribute("aria-busy");
    const mappingText = $("mapping-text").value;
    if (mappingText.trim()) { renderMappedScim(mappingText); return; }
    $("mapping-diagnostics").innerHTML = "";
    const target = el.target.value.trim();
    if (!target) {
      el.scimNote.textContent = "Bind the expression to a target attribute (the field above the editor, for example roleId) to see the SCIM request each user produces.";
      el.scim.textContent = "";
      return;
    }
    if (!app.results || !app.users || !app.users.length) {
      el.scimNote.textContent = "No result to send yet.";
      el.scim.textContent = "";
      return;
    }
    // The selected user's result, from the engine (maybe in a worker): an
    // answer that a newer render overtook is dropped.
    const results = app.results;
    const token = scimAsked;
    // What shows until the answer comes is the previous user's or
    // expression's request: marked busy meanwhile.
    el.scim.setAttribute("aria-busy", "true");
    app.host.run([{ op: "rows", gen: results.gen, indices: [app.selectedUser] }]).then(([reply]) => {
      if (token !== scimAsked) return;
      el.scim.removeAttribute("aria-busy");
      if (app.results === results && !reply.stale) showBound(target, reply.rows[0]);
    });
  }

  function showBound(target, r) {
    const who = app.userLabels[app.selectedUser];
    if (!r) {
      el.scimNote.textContent = "No result to send yet.";
      el.scim.textContent = "";
      return;
    }
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

  function wireScim() {
    $("mapping-text").addEventListener("input", () => renderScim());
    $("mapping-sample").addEventListener("click", () => {
      $("mapping-text").value = window.ATTRMAP_SAMPLES_FILES["dilitrust-mapping"] || "";
      renderScim();
    });
    $("mapping-clear").addEventListener("click", () => { $("mapping-text").value = ""; renderScim(); });
    for (const id of ["scim-object", "scim-show", "scim-dialect"]) $(id).addEventListener("change", () => renderScim());
    $("target-state").addEventListener("input", () => renderScim());
  }

  Object.assign(app, { renderScim, wireScim });
})();
