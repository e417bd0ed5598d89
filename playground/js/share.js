// The state in the URL fragment: share links, and restoring a state from one.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, toast } = app;

  // ----------------------------------------------------------------- share
  // State lives in the URL fragment (never sent to a server): the expression,
  // target, users, options and view. Pasted users are an admin's real
  // directory data: the fragment lands in browser history and in every link,
  // so it carries them only when "Include these users in the link" is ticked
  // (`u: { text }`); otherwise it says only that they were the admin's own
  // (`u: { custom: true }`). A sample set is named (`u: { sample }`).
  // `withUsers` is for in-page undo, which never leaves the tab.
  function currentState({ withUsers } = {}) {
    const source = el.usersSource.value;
    let u;
    if (source !== "custom") u = { sample: source.replace(/^sample:/, "") };
    else if (withUsers || el.shareUsers.checked) u = { text: el.usersText.value };
    else u = { custom: true };
    return {
      v: 1,
      e: el.expr.value,
      t: el.target.value,
      u,
      n: el.now.value,
      x: el.existing.value,
      tab: app.activeTab,
      sel: app.selectedUser,
    };
  }

  function b64urlFromBytes(bytes) {
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function bytesFromB64url(s) {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  async function pipeThrough(bytes, stream) {
    const piped = new Blob([bytes]).stream().pipeThrough(stream);
    return new Uint8Array(await new Response(piped).arrayBuffer());
  }

  async function encodeState(state) {
    const bytes = new TextEncoder().encode(JSON.stringify(state));
    if (typeof CompressionStream === "function") {
      return "z=" + b64urlFromBytes(await pipeThrough(bytes, new CompressionStream("deflate-raw")));
    }
    return "j=" + b64urlFromBytes(bytes);
  }

  async function decodeState(fragment) {
    const m = fragment.match(/^#?([zj])=([A-Za-z0-9_-]*)$/);
    if (!m) return null;
    let bytes = bytesFromB64url(m[2]);
    if (m[1] === "z") bytes = await pipeThrough(bytes, new DecompressionStream("deflate-raw"));
    const state = JSON.parse(new TextDecoder().decode(bytes));
    return state && state.v === 1 ? state : null;
  }

  let hashTimer = null;
  let applyingState = false;
  function scheduleHashUpdate() {
    if (applyingState) return;
    clearTimeout(hashTimer);
    hashTimer = setTimeout(async () => {
      const frag = await encodeState(currentState());
      lastWrittenHash = "#" + frag;
      history.replaceState(null, "", lastWrittenHash);
    }, 250);
  }
  let lastWrittenHash = "";

  async function shareLink() {
    clearTimeout(hashTimer);
    const frag = await encodeState(currentState());
    lastWrittenHash = "#" + frag;
    history.replaceState(null, "", lastWrittenHash);
    const link = location.href;
    el.share.dataset.link = link;
    try {
      await navigator.clipboard.writeText(link);
      toast(el.usersSource.value === "custom" && !el.shareUsers.checked
        ? "Link copied: expression, target and options. Your users are not in it (tick \u201cInclude these users in the link\u201d to share them)."
        : "Link copied. It holds the whole state; nothing is stored anywhere else.");
    } catch (_) {
      window.prompt("Copy this link:", link);
    }
  }

  function applyState(state) {
    applyingState = true;
    try {
      el.expr.value = state.e || "";
      el.target.value = state.t || "";
      el.now.value = state.n || "";
      el.existing.value = state.x || "";
      if (state.u && typeof state.u.text === "string") {
        el.usersSource.value = "custom";
        el.usersText.value = state.u.text;
        el.shareUsers.checked = true;
      } else if (state.u && state.u.custom) {
        // The link left the users out: keep whatever this tab already has.
        if (el.usersSource.value !== "custom") el.usersText.value = "";
        el.usersSource.value = "custom";
        el.shareUsers.checked = false;
        if (!el.usersText.value.trim()) toast("This link does not include users: paste your own on the left.");
      } else {
        const name = (state.u && state.u.sample) || "users";
        el.usersSource.value = "sample:" + (window.ATTRMAP_SAMPLES[name] !== undefined ? name : "users");
        el.usersText.value = window.ATTRMAP_SAMPLES[el.usersSource.value.slice(7)];
      }
      app.selectedUser = Number(state.sel) || 0;
      // What "edited" is measured against before an example replaces it.
      app.loadedExpression = el.expr.value;
      app.loadUsers();
      app.refresh();
      app.showTab(app.TABS.includes(state.tab) ? state.tab : "results");
    } finally {
      applyingState = false;
    }
  }

  function wireShare() {
    el.share.addEventListener("click", shareLink);
    el.shareUsers.addEventListener("change", scheduleHashUpdate);
    document.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); shareLink(); }
    });
    window.addEventListener("hashchange", async () => {
      if (location.hash === lastWrittenHash) return;
      const state = await decodeState(location.hash).catch(() => null);
      if (state) applyState(state);
    });
  }

  Object.assign(app, { currentState, encodeState, decodeState, scheduleHashUpdate, shareLink, applyState, wireShare });
})();
