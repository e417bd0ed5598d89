// The example gallery.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, escapeHtml } = app;

  function applyExample(ex) {
    app.applyState({ v: 1, e: ex.expr, t: ex.target, u: { sample: ex.users.replace(/^sample:/, "") }, n: ex.now, x: ex.existing, tab: app.activeTab, sel: 0 });
    app.scheduleHashUpdate();
  }

  function wireGallery() {
    el.galleryList.innerHTML = window.ATTRMAP_EXAMPLES.map((ex, i) =>
      `<button type="button" role="menuitem" class="example" data-index="${i}" data-id="${ex.id}">` +
      `<span class="example-title">${escapeHtml(ex.title)}</span>` +
      `<span class="example-desc muted">${escapeHtml(ex.description)}</span></button>`).join("");
    el.galleryList.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-index]");
      if (!b) return;
      applyExample(window.ATTRMAP_EXAMPLES[Number(b.dataset.index)]);
      el.gallery.open = false;
      el.expr.focus();
    });
    el.gallery.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { el.gallery.open = false; el.gallery.querySelector("summary").focus(); }
    });
  }

  Object.assign(app, { applyExample, wireGallery });
})();
