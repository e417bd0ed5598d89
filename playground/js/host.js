// Where the batch engine (engine.js) runs. Large batches go to a Web Worker
// (worker.js), so that evaluating them never holds up typing; small ones
// stay on the main thread, where a round trip would only add latency. Pages
// opened from file:// cannot start a worker from a file (and the page's CSP
// refuses blob: workers), so there every batch is evaluated on the page:
// the same engine code, the same answers.
//
// app.host.run(ops, latest) → Promise of the replies (engine.js lists the
// operations). With `latest` set, a request that is still waiting for the
// worker is superseded by the next one marked `latest`: its promise
// resolves to null, so a burst of keystrokes evaluates only the last
// expression, never one per keystroke.
(function () {
  "use strict";
  const app = window.attrmapPlayground;

  // From this many users on, the worker evaluates. Measured (docs/playground.md):
  // below it a keystroke's evaluation takes a few milliseconds on the page,
  // less than the two message hops and the copy of the rows it would cost.
  app.WORKER_FROM_USERS = 2000;

  let page = null; // the engine on the main thread
  let worker = null;
  let workerHasUsers = false; // the worker holds the current users
  let nextId = 1;
  const waiting = new Map(); // id → { resolve, ops }
  let inFlight = 0; // id of the `latest` request the worker is answering
  let queued = null; // { ops, resolve }: the `latest` request waiting for it

  /* global wasm_bindgen, createAttrmapEngine */
  function start() {
    page = createAttrmapEngine(app.module);
    const compiled = wasm_bindgen.__wbindgen_wasm_module;
    if (!/^https?:$/.test(location.protocol) || typeof Worker !== "function" || !compiled) return;
    try {
      worker = new Worker("js/worker.js");
    } catch (_) {
      worker = null; // a browser or policy that refuses workers: the page evaluates
      return;
    }
    worker.onmessage = (e) => {
      const m = e.data;
      if (m.type === "reply") answer(m.id, m.replies);
      else if (m.type === "failed") stop();
    };
    worker.onerror = () => stop();
    // The module the page compiled; messages after this one wait for it.
    worker.postMessage({ type: "init", module: compiled });
  }

  // The worker is gone for good: whatever it was answering is answered on
  // the page, and the page evaluates again (the batches it held are lost).
  function stop() {
    if (!worker) return;
    worker.terminate();
    worker = null;
    workerHasUsers = false;
    const open = [...waiting.values()];
    waiting.clear();
    inFlight = 0;
    if (queued) open.push(queued);
    queued = null;
    for (const w of open) w.resolve(null);
    app.refresh();
  }

  // `users` is the page's module.Users, read from `text`. The worker reads
  // its own copy, once per change of the users, when it will evaluate them.
  function setUsers(users, text) {
    page.setUsers(users);
    workerHasUsers = false;
    if (worker && users && users.length >= app.WORKER_FROM_USERS) {
      worker.postMessage({ type: "users", text });
      workerHasUsers = true;
    }
  }

  function where() { return worker && workerHasUsers ? "worker" : "page"; }

  function send(ops, resolve) {
    const id = nextId++;
    waiting.set(id, { resolve, ops });
    worker.postMessage({ type: "run", id, ops });
    return id;
  }

  function answer(id, replies) {
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    w.resolve(replies);
    if (id === inFlight) {
      inFlight = 0;
      if (queued) {
        const q = queued;
        queued = null;
        inFlight = send(q.ops, q.resolve);
      }
    }
  }

  function run(ops, latest) {
    if (where() === "page") return Promise.resolve(page.run(ops));
    return new Promise((resolve) => {
      if (!latest) { send(ops, resolve); return; }
      if (inFlight) {
        if (queued) queued.resolve(null);
        queued = { ops, resolve };
        return;
      }
      inFlight = send(ops, resolve);
    });
  }

  app.host = { start, setUsers, run, where };
})();
