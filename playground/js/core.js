// attrmap playground. Plain JavaScript, no dependencies, no network: the
// expression engine is the attrmap WebAssembly module (pkg/classic/).
//
// The page is a set of classic scripts (ES modules do not load from file://),
// loaded in order by index.html. They share one namespace object,
// window.attrmapPlayground (`app` inside each file): this file creates it with
// the element handles, the shared state and the small helpers; every later
// file adds its functions to it; main.js wires the events and boots.
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
    version: $("version"), layout: document.querySelector("main.layout"), loading: $("loading"), announce: $("announce"),
    shareUsers: $("share-users"), confirm: $("confirm"), confirmMessage: $("confirm-message"),
    confirmYes: $("confirm-yes"), confirmNo: $("confirm-no"),
    reference: $("reference"), referenceSearch: $("reference-search"), referenceCount: $("reference-count"),
  };

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  // A short message at the bottom. With `action` ({ label, run }) it carries
  // a button (Undo) and stays long enough to reach it.
  function toast(message, action) {
    el.toast.textContent = message;
    if (action) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn toast-action";
      button.textContent = action.label;
      button.addEventListener("click", () => { el.toast.hidden = true; action.run(); });
      el.toast.append(" ", button);
    }
    el.toast.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.toast.hidden = true; }, action ? 10000 : 2600);
  }

  // Asks before replacing something the user wrote: resolves true for
  // Replace, false for Keep mine or Esc. Focus returns where it was.
  function confirmReplace(message) {
    const returnTo = document.activeElement;
    el.confirmMessage.textContent = message;
    return new Promise((resolve) => {
      const done = (answer) => {
        el.confirmYes.onclick = el.confirmNo.onclick = el.confirm.oncancel = null;
        if (el.confirm.open) el.confirm.close();
        if (returnTo && returnTo.isConnected && typeof returnTo.focus === "function") returnTo.focus();
        resolve(answer);
      };
      el.confirmYes.onclick = () => done(true);
      el.confirmNo.onclick = () => done(false);
      el.confirm.oncancel = (e) => { e.preventDefault(); done(false); };
      el.confirm.showModal();
      el.confirmNo.focus();
    });
  }
  function fatal(html) {
    el.fatal.innerHTML = html;
    el.fatal.hidden = false;
  }

  // Also the handle for the browser test and for power users in the console
  // (`attrmapPlayground.module` is the wasm module).
  window.attrmapPlayground = {
    $, el, escapeHtml, toast, confirmReplace, fatal,
    SCIM_CORE_USER: "urn:ietf:params:scim:schemas:core:2.0:User",
    // The results table shows this many rows; the rest are summarised. Every
    // user is still evaluated (the counts cover all of them).
    MAX_ROWS: 2000,

    // ----------------------------------------------------- shared state
    module: null, // the wasm module, once loaded
    FUNCTIONS: [],
    KEYWORDS: [],
    functionNames: new Map(), // lower-case name → canonical name
    users: null, // module.Users
    userLabels: [],
    userAttributes: [],
    program: null, // module.Program of the current expression
    programAttributes: [], // the attributes it reads
    compiled: null, // { ok, diagnostics }
    results: null, // { gen, length, summary, findings, view }: the engine's batch `gen` (host.js)
    // The last results that compiled, kept (dimmed) while a syntax error is
    // being typed: { results, attributes, labels }.
    lastGood: null,
    selectedUser: 0,
    activeTab: "results",
  };
})();
