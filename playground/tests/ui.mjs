// Browser test of the playground's page around the engine: layout at every
// width, privacy of share links, accessibility, loading. The engine's answers
// are tests/e2e.mjs's subject. Run playground/build.sh first, then `npm test`
// in playground/ (which runs both files).
//
// Prints `N passed, N failed` last and exits non-zero on any failure. A
// failing check saves a screenshot to target/playground-ui-<check>.png.
// UPDATE_SCREENSHOTS=1 also rewrites docs/playground/*.png, the screenshots
// docs/playground.md shows.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { createHarness, root, repo, assert, assertEq, ready, typeExpression, setUsers, share, openExample } from "./harness.mjs";

// While `holdWasm` is set, the server keeps the module's response back, so a
// check can see the page before the engine is ready.
let holdWasm = null;
const h = await createHarness({
  name: "playground-ui",
  hold: (pathname) => (pathname === "/pkg/attrmap_bg.wasm" && holdWasm ? holdWasm.promise : null),
});
const { base } = h;
const docShots = path.join(repo, "docs", "playground");
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

// A second local server standing for "somewhere outside": it counts what
// reaches it. The playground's CSP must keep the page from asking it for
// anything.
const outsideHits = [];
const outside = http.createServer((req, res) => { outsideHits.push(req.url); res.writeHead(204).end(); });
await new Promise((resolve) => outside.listen(0, "127.0.0.1", resolve));
const outsideBase = `http://127.0.0.1:${outside.address().port}/`;

// Runs axe-core in the page (through the DevTools protocol, which the page's
// CSP does not govern) and returns its violations, one line each.
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")} (${v.help})`));
  return violations;
}
async function decodedHash(page) {
  return page.evaluate(async () => JSON.stringify(await window.attrmapPlayground.decodeState(location.hash)));
}

// Elements outside the results panel that stick out of the viewport; the page
// itself must not scroll sideways.
async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const sticking = [...document.querySelectorAll("body *")]
      .filter((e) => !e.closest(".panel, [hidden]") && e.getClientRects().length && e.getBoundingClientRect().right > width + 0.5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : ""}`);
    return { pageWidth: document.documentElement.scrollWidth, width, sticking: sticking.slice(0, 6) };
  });
}

try {
  const page = await h.newPage();
  h.current = page;
  await page.goto(base);
  await ready(page);

  for (const [width, height] of [[360, 760], [960, 800], [1366, 768]]) {
    await h.check(`layout at ${width} px: no horizontal page scrolling, every control reachable`, async () => {
      await page.setViewportSize({ width, height });
      await page.waitForFunction(() => document.body.dataset.ready === "true");
      const o = await horizontalOverflow(page);
      assertEq([o.pageWidth, o.sticking], [width, []], `page width and elements past the right edge at ${width} px`);
      // Share and the target field are on screen (they were cut off before).
      for (const sel of ["#share", "#target", "#tab-results"]) {
        const box = await page.$eval(sel, (e) => { const r = e.getBoundingClientRect(); return [r.left, r.right]; });
        assert(box[0] >= 0 && box[1] <= width, `${sel} spans ${box} at ${width} px`);
      }
      // Long values wrap or scroll inside the results panel, never the page.
      const table = await page.$eval("#panel-results", (p) => ({ client: p.clientWidth, right: p.getBoundingClientRect().right }));
      assert(table.right <= width, `results panel ends at ${table.right}`);
      if (process.env.UPDATE_SCREENSHOTS) {
        fs.mkdirSync(docShots, { recursive: true });
        await page.screenshot({ path: path.join(docShots, `playground-${width}.png`), fullPage: width < 900 });
      }
    });
  }

  await h.check("layout at 1280×650: the options pane stays inside its pane, above the footer", async () => {
    await page.setViewportSize({ width: 1280, height: 650 });
    await page.evaluate(() => { document.querySelector("#options").open = true; });
    const r = await page.evaluate(() => {
      const pane = document.querySelector(".users-section").getBoundingClientRect();
      const options = document.querySelector("#options").getBoundingClientRect();
      const footer = document.querySelector(".footer").getBoundingClientRect();
      return { paneBottom: pane.bottom, footerTop: footer.top, optionsBottom: options.bottom, pageHeight: document.documentElement.scrollHeight, height: innerHeight };
    });
    assert(r.paneBottom <= r.footerTop, `users pane ends at ${r.paneBottom}, footer starts at ${r.footerTop}`);
    assertEq(r.pageHeight, r.height, "page height (the panes scroll inside, the page does not)");
    // What does not fit scrolls inside the pane instead of painting over the footer.
    const clipped = await page.$eval(".users-section", (p) => getComputedStyle(p).overflowY);
    assert(clipped === "auto" || r.optionsBottom <= r.paneBottom, `options end at ${r.optionsBottom}, pane overflow ${clipped}`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await h.check("loading: the module streams over http, inputs wait for it", async () => {
    let release;
    holdWasm = { promise: new Promise((resolve) => { release = resolve; }) };
    const slow = await h.newPage();
    h.current = slow;
    await slow.addInitScript(() => {
      window.__streamed = [];
      const original = WebAssembly.instantiateStreaming;
      WebAssembly.instantiateStreaming = function (source, imports) { window.__streamed.push(true); return original.call(this, source, imports); };
    });
    const before = h.requested.length;
    await slow.goto(base);
    await slow.waitForSelector("#loading:not([hidden])");
    assert(await slow.$eval("#expr", (e) => e.disabled), "the editor is disabled while the engine loads");
    assert(await slow.$eval("#users-text", (e) => e.disabled), "the users are disabled while the engine loads");
    assertEq(await slow.getAttribute("main", "aria-busy"), "true", "main is busy");
    release();
    holdWasm = null;
    await ready(slow);
    assert(await slow.$eval("#loading", (e) => e.hidden), "the loading line goes away");
    assert(!(await slow.$eval("#expr", (e) => e.disabled)), "the editor is enabled once ready");
    assertEq(await slow.evaluate(() => [window.attrmapPlayground.loadedBy, window.__streamed.length]), ["streaming", 1], "loaded by");
    const fetched = h.requested.slice(before);
    assert(fetched.includes("/pkg/attrmap_bg.wasm"), `fetched: ${fetched}`);
    assert(!fetched.some((p) => p.includes("base64")), `the base64 copy is not fetched over http: ${fetched}`);
    await slow.close();
    h.current = page;
  });

  await h.check("loading: from file:// the base64 copy is the fallback", async () => {
    const filePage = await h.newPage();
    h.current = filePage;
    await filePage.goto(pathToFileURL(path.join(root, "index.html")).href);
    await ready(filePage);
    assertEq(await filePage.evaluate(() => window.attrmapPlayground.loadedBy), "base64", "loaded by");
    await filePage.close();
    h.current = page;
  });

  await h.check("privacy: pasted users stay out of the address bar and links unless asked", async () => {
    await page.selectOption("#users-source", "custom");
    const secret = '{"userPrincipalName":"secret.person@contoso.com","department":"Legal"}';
    await setUsers(page, secret);
    await typeExpression(page, 'Switch([department], "r", "Legal", "e")');
    await page.waitForFunction(() => location.hash.length > 3);
    await page.waitForTimeout(400); // past the address-bar update's delay
    let state = await decodedHash(page);
    assert(!state.includes("secret.person") && state.includes('"custom":true'), `address bar state: ${state}`);
    assert(!(await page.isChecked("#share-users")), "off by default");
    const link = await share(page);
    assert((await page.textContent("#toast")).includes("not in it"), "the toast says the users are left out");
    const fresh = await h.newPage();
    h.current = fresh;
    await fresh.goto(link);
    await ready(fresh);
    assertEq(await fresh.inputValue("#expr"), 'Switch([department], "r", "Legal", "e")', "the expression travels");
    assertEq(await fresh.inputValue("#users-text"), "", "the users do not");
    assert((await fresh.textContent("#toast")).includes("does not include users"), "the receiver is told");
    await fresh.close();
    h.current = page;
    // Ticked: the admin asked, the users go into the link.
    await page.check("#share-users");
    await share(page);
    state = await decodedHash(page);
    assert(state.includes("secret.person"), `ticked: ${state}`);
    await page.uncheck("#share-users");
    await page.selectOption("#users-source", "sample:users");
  });

  await h.check("privacy: the CSP blocks an injected image from an outside host", async () => {
    const blocked = await page.evaluate(async (url) => new Promise((resolve) => {
      const seen = [];
      document.addEventListener("securitypolicyviolation", (e) => seen.push(e.violatedDirective));
      const img = document.createElement("img");
      img.src = url;
      document.body.appendChild(img);
      img.onerror = () => setTimeout(() => { img.remove(); resolve(seen); }, 100);
      img.onload = () => { img.remove(); resolve(["loaded"]); };
    }), outsideBase + "pixel.png?from=playground");
    await page.waitForTimeout(300);
    assertEq(outsideHits, [], "requests that reached the outside host");
    assert(blocked.some((d) => d.startsWith("img-src") || d.startsWith("default-src")), `violations: ${blocked}`);
    // The same injection in a page without the CSP does reach it: the check can fail.
    const bare = await h.newPage();
    await bare.goto(base + "__embedder.html");
    await bare.evaluate((url) => new Promise((resolve) => {
      const img = document.createElement("img");
      img.onerror = img.onload = resolve;
      img.src = url;
      document.body.appendChild(img);
    }), outsideBase + "pixel.png?from=bare");
    await bare.close();
    assertEq(outsideHits, ["/pixel.png?from=bare"], "the bare page's request");
    // That request was deliberate; the final check looks for any other.
    for (const list of [h.foreignRequests, h.pageErrors]) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i].includes(outsideBase)) list.splice(i, 1);
    }
  });

  await h.check("don't lose work: an edited expression is replaced only after asking, and Undo restores it", async () => {
    const mine = 'Join(" ", [givenName], [surname])';
    await typeExpression(page, mine);
    await page.click("#gallery summary");
    await page.click('.example[data-id="upn-unique"]');
    await page.waitForSelector("#confirm[open]");
    await page.click("#confirm-no");
    assertEq(await page.inputValue("#expr"), mine, "Keep mine keeps it");
    assertEq(await page.evaluate(() => document.activeElement.textContent.trim()), "Examples ▾", "focus back on the Examples button");
    await openExample(page, "upn-unique");
    assert((await page.inputValue("#expr")).includes("SelectUniqueValue"), "replaced after Replace");
    await page.click("#toast .toast-action");
    assertEq(await page.inputValue("#expr"), mine, "Undo restores the expression");
    // An expression nobody edited is replaced without a question.
    await page.click("#gallery summary");
    await page.click('.example[data-id="dilitrust-role"]');
    await page.waitForFunction(() => document.querySelector("#toast").textContent.startsWith("Loaded"));
    // `mine` was restored by Undo, which counts as loaded, not edited.
    assertEq(await page.$("#confirm[open]"), null, "no question for an unedited expression");
  });

  await h.check("gallery: arrow keys move, Escape and an outside click close", async () => {
    await page.focus("#gallery summary");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#gallery").open);
    const focused = () => page.evaluate(() => document.activeElement.dataset.id || document.activeElement.tagName);
    // Focus moves in a task after the key event: wait for it (up to 5 s)
    // before comparing, or a loaded machine reads the previous element.
    const focusIs = async (want, what) => {
      await page.waitForFunction((w) => (document.activeElement.dataset.id || document.activeElement.tagName) === w, want, { timeout: 5000 }).catch(() => {});
      assertEq(await focused(), want, what);
    };
    const ids = await page.$$eval(".example", (b) => b.map((x) => x.dataset.id));
    await focusIs(ids[0], "focus on the first example");
    await page.keyboard.press("ArrowDown");
    await focusIs(ids[1], "ArrowDown");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    await focusIs(ids[ids.length - 1], "ArrowUp wraps");
    await page.keyboard.press("Home");
    await focusIs(ids[0], "Home");
    await page.keyboard.press("Escape");
    assert(!(await page.$eval("#gallery", (g) => g.open)), "Escape closes");
    await focusIs("SUMMARY", "focus back on the button");
    await page.click("#gallery summary");
    await page.click(".footer");
    assert(!(await page.$eval("#gallery", (g) => g.open)), "an outside click closes");
  });

  await h.check("reference: every catalogue function with an example, searchable; codes open their explanation", async () => {
    // A gallery left open by a failed check above would cover the tab.
    await page.evaluate(() => { document.querySelector("#gallery").open = false; });
    await page.click("#tab-reference");
    const counts = await page.evaluate(() => [window.attrmapPlayground.module.functions().length, document.querySelectorAll("#reference .ref-entry:not(.ref-code)").length,
      window.attrmapPlayground.module.codes().length, document.querySelectorAll("#reference .ref-code").length]);
    assertEq([counts[1], counts[3]], [counts[0], counts[2]], "entries for every function and code");
    const noExample = await page.$$eval("#reference .ref-entry:not(.ref-code)", (e) => e.filter((x) => !x.querySelector(".ref-example")).map((x) => x.id));
    assertEq(noExample, [], "functions without an example");
    await page.fill("#reference-search", "join");
    const visible = await page.$$eval("#reference .ref-entry", (e) => e.filter((x) => !x.hidden).map((x) => x.querySelector(".ref-name").textContent));
    assert(visible.includes("Join") && !visible.includes("Switch"), `search "join": ${visible}`);
    // Try an example: it runs, and the page gives the result the catalogue promises.
    await page.click("#ref-fn-join summary");
    const expected = await page.evaluate(() => window.attrmapPlayground.module.functions().find((f) => f.name === "Join").examples[0]);
    await page.click("#ref-fn-join .ref-try");
    if (await page.$("#confirm[open]")) await page.click("#confirm-yes");
    await page.waitForFunction((e) => document.querySelector("#expr").value === e, expected.expression);
    const got = await page.$eval("#results tbody tr[data-index] td.result", (c) => c.dataset.text);
    assertEq(got, JSON.parse(expected.result), "the example's result in the table");
    assertEq(await page.evaluate(() => document.activeElement.id), "tab-results", "focus on the tab that shows the result");
    // A diagnostic's code opens the registry's explanation (`attrmap lint --explain`'s text).
    await typeExpression(page, "Jion([a])");
    await page.click("#diagnostics .code-link");
    const shown = await page.evaluate(() => {
      const open = document.querySelector("#reference .ref-code[open]");
      return { code: open.dataset.code, text: open.querySelector(".ref-explain").textContent, focused: document.activeElement === open.querySelector("summary") };
    });
    const explained = await page.evaluate((c) => window.attrmapPlayground.module.explain(c), shown.code);
    assertEq(await page.$eval("#tab-reference", (t) => t.getAttribute("aria-selected")), "true", "reference tab");
    assertEq(shown.text, explained.text, "explanation text");
    assert(shown.text.startsWith(`${shown.code} (error)`) && shown.text.includes("Bad:"), `explanation: ${shown.text}`);
    assert(shown.focused, "focus on the opened explanation");
    await page.fill("#reference-search", "");
    await page.click("#tab-results");
    // A runtime error's code in the results is a button: Tab from its row
    // reaches it, Enter opens the same explanation.
    await typeExpression(page, "RandomString(10, 9223372036854775807, 9223372036854775807, 0, 0)");
    await page.focus('#results tr[data-index="0"]');
    await page.keyboard.press("Tab");
    const code = await page.evaluate(() => document.activeElement.matches("#results td.result .code-link") && document.activeElement.dataset.code);
    assert(code, "Tab reaches the error's code");
    await page.keyboard.press("Enter");
    await page.waitForFunction((c) => [...document.querySelectorAll("#reference .ref-code[open]")].some((e) => e.dataset.code === c), code);
    assertEq(await page.$eval("#tab-reference", (t) => t.getAttribute("aria-selected")), "true", "reference tab from a result's code");
    await page.click("#tab-results");
  });

  await h.check("live region: announces once typing settles, not per keystroke", async () => {
    // The check before typed too: its announcement, 0.9 s after its last
    // keystroke, must not land in this one.
    await page.waitForTimeout(1200);
    await page.evaluate(() => {
      window.__announcements = [];
      new MutationObserver(() => window.__announcements.push(document.querySelector("#announce").textContent))
        .observe(document.querySelector("#announce"), { childList: true, characterData: true, subtree: true });
    });
    await page.click("#expr");
    await page.keyboard.press("Control+A");
    await page.keyboard.type('Join(",", [a]', { delay: 20 });
    assertEq(await page.evaluate(() => window.__announcements.length), 0, "nothing while typing");
    await page.waitForFunction(() => window.__announcements.length > 0, null, { timeout: 5000 });
    await page.waitForTimeout(1200);
    const said = await page.evaluate(() => window.__announcements);
    assertEq(said.length, 1, `announcements: ${JSON.stringify(said)}`);
    assert(said[0].includes("1 error"), `announcement: ${said[0]}`);
    assert(!(await page.$eval("#diagnostics", (d) => d.hasAttribute("aria-live"))), "the diagnostics list itself is not live");
  });

  await h.check("accessibility: axe-core finds no violations (light, dark, gallery, reference, error rows)", async () => {
    const found = [];
    // Rows whose result is an error (message and code button) first.
    await typeExpression(page, "RandomString(10, 9223372036854775807, 9223372036854775807, 0, 0)");
    for (const theme of ["light", "dark"]) {
      await page.evaluate((t) => { document.documentElement.dataset.theme = t; }, theme);
      found.push(...(await axeViolations(page)).map((v) => `${theme}, error rows: ${v}`));
    }
    await openExample(page, "dilitrust-role");
    for (const theme of ["light", "dark"]) {
      await page.evaluate((t) => { document.documentElement.dataset.theme = t; }, theme);
      found.push(...(await axeViolations(page)).map((v) => `${theme}: ${v}`));
      await page.click("#gallery summary");
      found.push(...(await axeViolations(page)).map((v) => `${theme}, gallery open: ${v}`));
      await page.keyboard.press("Escape");
      await page.click("#tab-reference");
      await page.click("#reference .ref-entry summary");
      found.push(...(await axeViolations(page)).map((v) => `${theme}, reference: ${v}`));
      await page.click("#tab-results");
    }
    await page.evaluate(() => { document.documentElement.dataset.theme = "light"; });
    assertEq(found, [], "axe-core violations");
  });

  await h.check("no network requests and no page errors", async () => {
    assertEq(h.foreignRequests, [], "requests outside the local server");
    assertEq(h.pageErrors, [], "page errors");
  });
} catch (e) {
  h.harnessFailure(e);
} finally {
  outside.close();
  await h.finish();
}
