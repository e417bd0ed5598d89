// The batch engine: holds the users and the latest evaluated batch (a
// module.Batch, in wasm memory) and answers the page's questions about it.
// The same code runs in two places: on the page's main thread (small
// batches, and every batch on file:// pages, which cannot start a worker
// from a file) and in worker.js (large batches, so typing never waits for
// an evaluation). Both call the same wasm API; neither computes anything
// the core does.
//
// A request is a list of operations, answered in order with one reply
// each; replies are plain data (structured-clonable):
//   { op: "evaluate", gen, expr, options }  → { gen, length, summary, findings } or { gen, error }
//   { op: "view", gen, filter, search, first, last }
//                                           → { gen, shown: Uint32Array, rows } (rows of shown[first..last))
//   { op: "rows", gen, indices }            → { gen, rows }
//   { op: "distribution", gen, search, maxValues, maxUsers } → { gen, total, values }
// `gen` names the batch: evaluate makes the batch of its gen current, and
// the other operations answer `{ gen, stale: true }` unless they name the
// current batch (a newer one replaced it).
(function (scope) {
  "use strict";

  function createEngine(module) {
    let users = null;
    let batch = null;
    let batchGen = -1;

    // `u` is a module.Users; the engine does not free it (its owner does).
    function setUsers(u) {
      users = u;
    }

    function run(req) {
      if (req.op === "evaluate") {
        if (!users) return { gen: req.gen, error: "no users" };
        const c = module.compile(req.expr);
        if (!c.program) return { gen: req.gen, error: "the expression does not compile" };
        let next;
        try {
          next = c.program.evaluateBatch(users, req.options);
        } catch (e) {
          return { gen: req.gen, error: String((e && e.message) || e) };
        } finally {
          c.program.free();
        }
        // Only the latest batch is kept: every question names a gen, and
        // older ones are answered as stale.
        if (batch) batch.free();
        batch = next;
        batchGen = req.gen;
        return { gen: req.gen, length: batch.length, summary: batch.summary, findings: batch.findings };
      }
      if (!batch || req.gen !== batchGen) return { gen: req.gen, stale: true };
      if (req.op === "view") {
        const shown = batch.select(req.filter, req.search);
        return { gen: req.gen, shown, rows: batch.rows(shown.subarray(req.first, req.last)) };
      }
      if (req.op === "rows") return { gen: req.gen, rows: batch.rows(req.indices) };
      if (req.op === "distribution") {
        const d = batch.distribution(req.search, req.maxValues, req.maxUsers);
        return { gen: req.gen, total: d.total, values: d.values };
      }
      return { gen: req.gen, error: `unknown operation ${req.op}` };
    }

    return { setUsers, run: (ops) => ops.map(run) };
  }

  scope.createAttrmapEngine = createEngine;
})(self);
