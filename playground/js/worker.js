// Runs the batch engine (engine.js) off the page's main thread, for large
// batches: evaluating 10 000 users then never delays a keystroke's echo,
// the editor's colouring or its diagnostics. Started by host.js with the
// page's compiled WebAssembly.Module (no second download or compilation).
// Messages in: { type: "init", module }, { type: "users", text } (read
// once per change of the users, here), { type: "run", id, ops }.
// Out: { type: "ready" } or { type: "failed", error }, and
// { type: "reply", id, replies } (engine.js describes ops and replies).
/* global wasm_bindgen, importScripts, createAttrmapEngine */
"use strict";
importScripts("../pkg/classic/attrmap.js", "engine.js");

let engine = null;
let users = null;

self.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.type === "init") {
      // Synchronous instantiation is allowed off the main thread, so the
      // messages after this one find the module ready.
      wasm_bindgen.initSync({ module: m.module });
      engine = createAttrmapEngine(wasm_bindgen);
      self.postMessage({ type: "ready" });
    } else if (m.type === "users") {
      if (users) users.free();
      users = new wasm_bindgen.Users(m.text);
      engine.setUsers(users);
    } else if (m.type === "run") {
      self.postMessage({ type: "reply", id: m.id, replies: engine.run(m.ops) });
    }
  } catch (err) {
    self.postMessage({ type: "failed", id: m.id, error: String((err && err.message) || err) });
  }
};
