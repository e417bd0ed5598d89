// Large batches are evaluated in a Web Worker (worker.js), so the page
// stays responsive; small ones on the main thread, where they take a few
// milliseconds and a round trip would only add latency. Pages opened from
// file:// cannot start a worker from a file, so they evaluate on the main
// thread whatever the size (the result is the same).
(function () {
  "use strict";
  const app = window.attrmapPlayground;

  // From this many users on, a keystroke's evaluation goes to the worker.
  const WORKER_FROM_USERS = 2000;
  let worker = null;
  let ready = false;
  let seq = 0;
  let pending = null; // { seq, done }
  let usersText = null; // the text the worker holds

  function start(module) {
    if (location.protocol === "file:" || typeof Worker !== "function") return;
    try {
      worker = new Worker("js/worker.js");
    } catch (_) {
      worker = null; // a CSP or browser that refuses: main thread
      return;
    }
    worker.onmessage = (e) => {
      const m = e.data;
      if (m.type === "ready") {
        ready = true;
        if (usersText !== null) worker.postMessage({ type: "users", text: usersText });
        document.body.dataset.worker = "ready";
      } else if (m.type === "failed") {
        stop();
      } else if (m.type === "result" && pending && m.seq === pending.seq) {
        const p = pending;
        pending = null;
        p.done(m);
      }
    };
    worker.onerror = () => stop();
    worker.postMessage({ type: "init", module });
  }

  // Falls back to the main thread for good; a run in flight is redone there.
  function stop() {
    if (worker) worker.terminate();
    worker = null;
    ready = false;
    document.body.dataset.worker = "off";
    if (pending) {
      const p = pending;
      pending = null;
      p.fallback();
    }
  }

  function setUsers(text) {
    usersText = text;
    if (worker && ready) worker.postMessage({ type: "users", text });
  }

  function wanted() {
    return !!(worker && ready && app.users && app.users.length >= WORKER_FROM_USERS);
  }

  // Evaluates `expr` for the users in the worker; `done(message)` gets the
  // result unless a newer run replaced this one first.
  function run(expr, options, done, fallback) {
    seq += 1;
    pending = { seq, done, fallback };
    worker.postMessage({ type: "run", seq, expr, options });
  }

  Object.assign(app, { offload: { start, setUsers, wanted, run, WORKER_FROM_USERS } });
})();
