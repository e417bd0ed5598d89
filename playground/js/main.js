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
    app.wireReference();
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
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${src} could not be read`));
      document.body.appendChild(script);
    });
  }

  // Over http(s) the browser fetches pkg/attrmap_bg.wasm and compiles it while
  // it downloads (WebAssembly.instantiateStreaming, inside wasm-bindgen's glue).
  // A file:// page cannot fetch, so there, and only there, the module comes
  // from the base64 copy in a classic script.
  async function loadEngine() {
    /* global wasm_bindgen */
    if (location.protocol === "http:" || location.protocol === "https:") {
      await wasm_bindgen({ module_or_path: new URL("pkg/attrmap_bg.wasm", location.href) });
      app.loadedBy = "streaming";
    } else {
      await loadScript("pkg/classic/attrmap_wasm_base64.js");
      const bin = atob(window.ATTRMAP_WASM_BASE64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      // Asynchronous instantiation: browsers refuse to compile large modules
      // synchronously on the main thread.
      await wasm_bindgen({ module_or_path: bytes });
      app.loadedBy = "base64";
    }
    app.module = wasm_bindgen;
    app.host.start();
  }

  // Until the engine is ready the inputs are disabled (typing would be lost)
  // and the loading line says why.
  function setReady() {
    for (const control of [el.expr, el.target, el.usersSource, el.usersText, app.$("users-file"), el.shareUsers, el.now, el.existing, el.share, el.userPick]) {
      control.disabled = false;
    }
    el.gallery.inert = false;
    el.layout.removeAttribute("aria-busy");
    el.loading.hidden = true;
  }

  async function boot() {
    initTheme();
    if (typeof wasm_bindgen === "undefined" || !window.ATTRMAP_SAMPLES) {
      el.loading.hidden = true;
      fatal("The WebAssembly module is not built yet. Run <code>playground/build.sh</code> in the attrmap repository, then reload this page.");
      return;
    }
    try {
      await loadEngine();
    } catch (e) {
      el.loading.hidden = true;
      fatal("The WebAssembly module could not be loaded: " + escapeHtml(e.message || e));
      return;
    }
    app.FUNCTIONS = app.module.functions();
    app.KEYWORDS = app.module.keywords();
    app.functionNames = new Map(app.FUNCTIONS.map((f) => [f.name.toLowerCase(), f.name]));
    el.version.textContent = `attrmap ${app.module.version()} · ${app.FUNCTIONS.length} functions`;
    wire();
    setReady();
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
