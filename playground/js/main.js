// Theme, event wiring and boot: loads the wasm module and the first state. Loaded last.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, escapeHtml, toast, fatal } = app;

  // Each script wires its own elements' events; none depends on another's order.
  function wire() {
    app.wireEditor();
    app.wirePanels();
    app.wirePipeline();
    app.wireResults();
    app.wireScim();
    app.wireShare();
    app.wireGallery();
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
      // Compiled once: the page instantiates it, and so does the worker
      // that evaluates large batches (offload.js).
      const module = await WebAssembly.compile(bytes);
      // eslint-disable-next-line no-undef
      await wasm_bindgen({ module_or_path: module });
      app.offload.start(module);
      // eslint-disable-next-line no-undef
      app.module = wasm_bindgen;
    } catch (e) {
      fatal("The WebAssembly module could not be loaded: " + escapeHtml(e.message || e));
      return;
    }
    app.FUNCTIONS = app.module.functions();
    app.KEYWORDS = app.module.keywords();
    app.functionNames = new Map(app.FUNCTIONS.map((f) => [f.name.toLowerCase(), f.name]));
    el.version.textContent = `attrmap ${app.module.version()} · ${app.FUNCTIONS.length} functions`;
    wire();
    let state = null;
    if (location.hash.length > 1) {
      state = await app.decodeState(location.hash).catch(() => null);
      if (!state) toast("The link's state could not be read; showing the default example.");
    }
    if (state) app.applyState(state);
    else app.applyExample(window.ATTRMAP_EXAMPLES[0]);
    document.body.dataset.ready = "true";
  }

  boot();
})();
