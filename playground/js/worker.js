// Evaluates large batches off the page's main thread, so typing stays
// responsive while 10 000 users are evaluated. Started by offload.js with
// the page's compiled WebAssembly.Module; holds its own copy of the users.
// Messages in: { type: "init", module }, { type: "users", text },
// { type: "run", seq, expr, options }. Out: { type: "ready" } and
// { type: "result", seq, out, error, evalMs }, `out` the batch result as
// JSON text (a string crosses to the page as one copy; the page parses it
// once).
/* global wasm_bindgen, importScripts */
"use strict";
importScripts("../pkg/classic/attrmap.js");

let ready = null;
let users = null;

self.onmessage = async (e) => {
  const m = e.data;
  if (m.type === "init") {
    ready = wasm_bindgen({ module_or_path: m.module });
    try {
      await ready;
      self.postMessage({ type: "ready" });
    } catch (err) {
      self.postMessage({ type: "failed", error: String(err && err.message || err) });
    }
    return;
  }
  await ready;
  if (m.type === "users") {
    if (users) users.free();
    users = new wasm_bindgen.Users(m.text);
  } else if (m.type === "run") {
    const started = performance.now();
    const c = wasm_bindgen.compile(m.expr);
    let out = null;
    let error = null;
    if (c.program && users) {
      try { out = c.program.evaluateUsersText(users, m.options); } catch (err) { error = String(err && err.message || err); }
      c.program.free();
    }
    self.postMessage({ type: "result", seq: m.seq, out, error, evalMs: performance.now() - started });
  }
};
