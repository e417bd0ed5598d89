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
import path from "node:path";
import { createHarness, repo, assert, assertEq, ready } from "./harness.mjs";

const h = await createHarness({ name: "playground-ui" });
const { base } = h;
const docShots = path.join(repo, "docs", "playground");

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

  await h.check("no network requests and no page errors", async () => {
    assertEq(h.foreignRequests, [], "requests outside the local server");
    assertEq(h.pageErrors, [], "page errors");
  });
} catch (e) {
  h.harnessFailure(e);
} finally {
  await h.finish();
}
