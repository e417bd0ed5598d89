// The example gallery, and replacing the expression without losing work:
// an edited expression is replaced only after asking, and Undo brings back
// the whole previous state.
(function () {
  "use strict";
  const app = window.attrmapPlayground;
  const { el, escapeHtml, toast, confirmReplace } = app;

  function exampleState(ex) {
    return { v: 1, e: ex.expr, t: ex.target, u: { sample: ex.users.replace(/^sample:/, "") }, n: ex.now, x: ex.existing, tab: app.activeTab, sel: 0 };
  }

  function applyExample(ex) {
    app.applyState(exampleState(ex));
    app.scheduleHashUpdate();
  }

  // True when the editor holds something the user typed since the last
  // example or link was loaded.
  function expressionEdited() {
    return el.expr.value.trim() !== "" && el.expr.value !== app.loadedExpression;
  }

  // Replaces the page's state by `state` (named `what` in messages), asking
  // first when the expression was edited, and offers Undo afterwards.
  // Resolves false when the user kept their expression.
  async function replaceState(state, what) {
    if (expressionEdited() && !(await confirmReplace(`Replace your edited expression with ${what}?`))) return false;
    // In-page only: undo may restore pasted users that links leave out.
    const previous = app.currentState({ withUsers: true });
    app.applyState(state);
    app.scheduleHashUpdate();
    toast(`Loaded ${what}.`, {
      label: "Undo",
      run: () => {
        app.applyState(previous);
        app.scheduleHashUpdate();
        // The Undo button disappears with its message; focus goes to what came back.
        el.expr.focus();
        toast("Restored your previous expression and users.");
      },
    });
    return true;
  }

  // ------------------------------------------------------- menu behaviour
  function items() {
    return [...el.galleryList.querySelectorAll('[role="menuitem"]')];
  }
  function closeGallery(focusButton) {
    if (!el.gallery.open) return;
    el.gallery.open = false;
    if (focusButton) el.gallery.querySelector("summary").focus();
  }

  function wireGallery() {
    el.galleryList.innerHTML = window.ATTRMAP_EXAMPLES.map((ex, i) =>
      `<button type="button" role="menuitem" tabindex="-1" class="example" data-index="${i}" data-id="${ex.id}">` +
      `<span class="example-title">${escapeHtml(ex.title)}</span>` +
      `<span class="example-desc muted">${escapeHtml(ex.description)}</span></button>`).join("");
    const summary = el.gallery.querySelector("summary");
    el.gallery.addEventListener("toggle", () => {
      summary.setAttribute("aria-expanded", String(el.gallery.open));
      // A menu button moves focus into its menu when it opens.
      if (el.gallery.open) items()[0].focus();
    });
    summary.setAttribute("aria-expanded", "false");
    el.galleryList.addEventListener("click", async (e) => {
      const b = e.target.closest("button[data-index]");
      if (!b) return;
      const ex = window.ATTRMAP_EXAMPLES[Number(b.dataset.index)];
      // Focus returns to the Examples button, where the user acted.
      closeGallery(true);
      await replaceState(exampleState(ex), `the example \u201c${ex.title}\u201d`);
    });
    el.gallery.addEventListener("keydown", (e) => {
      if (!el.gallery.open) return;
      const list = items();
      const at = list.indexOf(document.activeElement);
      let next = -1;
      if (e.key === "ArrowDown") next = (at + 1) % list.length;
      else if (e.key === "ArrowUp") next = (at + list.length - 1) % list.length;
      else if (e.key === "Home") next = 0;
      else if (e.key === "End") next = list.length - 1;
      else if (e.key === "Escape") { e.preventDefault(); closeGallery(true); return; }
      else if (e.key === "Tab") { closeGallery(false); return; }
      if (next >= 0) { e.preventDefault(); list[next].focus(); }
    });
    // A click anywhere else closes the menu; focus stays where that click put it.
    document.addEventListener("pointerdown", (e) => {
      if (el.gallery.open && !el.gallery.contains(e.target)) closeGallery(false);
    });
  }

  Object.assign(app, { applyExample, replaceState, wireGallery });
})();
