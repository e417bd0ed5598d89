// What every browser test of the playground shares: a static server for
// playground/ on 127.0.0.1, headless /usr/bin/chromium through playwright-core
// with a fresh profile, a record of requests outside the server and of page
// errors, named checks that save a screenshot when they fail, and the helpers
// that drive the page as a user would.
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "..");
export const repo = path.resolve(root, "..");
const shots = path.join(repo, "target");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json", ".jsonl": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
};

export function assert(cond, message) { if (!cond) throw new Error(message); }
export function assertEq(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

// Starts the server and the browser. `name` prefixes the failure screenshots
// (target/<name>-<check>.png). `hold(pathname)`, when given, may return a
// promise the server waits for before answering that path: a test uses it to
// see the page while the wasm module is still on its way.
export async function createHarness({ name, hold } = {}) {
  if (!fs.existsSync(path.join(root, "pkg", "classic", "attrmap.js"))) {
    console.error("playground/pkg is missing: run playground/build.sh first");
    process.exit(2);
  }
  const requested = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    requested.push(url.pathname);
    if (url.pathname === "/__embedder.html") {
      res.writeHead(200, { "content-type": TYPES[".html"] }).end('<!doctype html><link rel="icon" href="data:,"><title>embedder</title>');
      return;
    }
    if (hold) await hold(url.pathname);
    const rel = decodeURIComponent(url.pathname === "/" ? "/index.html" : url.pathname);
    const file = path.resolve(root, "." + path.posix.normalize(rel));
    if (!file.startsWith(root + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end("not found"); return; }
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}/`;

  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "attrmap-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
  });

  // The page must never reach the network: every request has to be the local
  // server, a data: URL or the file:// page itself.
  const foreignRequests = [];
  context.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(base) && !u.startsWith("data:") && !u.startsWith("blob:") && !u.startsWith("file:")) foreignRequests.push(u);
  });
  const pageErrors = [];

  const h = {
    base, context, foreignRequests, pageErrors,
    // Every path the server was asked for, in order.
    requested,
    // The page a failing check screenshots.
    current: null,
    passed: 0,
    failed: 0,
    async newPage() {
      const page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      page.on("console", (m) => { if (m.type() === "error") pageErrors.push(m.text()); });
      page.on("dialog", (d) => d.dismiss());
      page.on("response", (r) => { if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} for ${r.url()}`); });
      return page;
    },
    async check(title, fn) {
      try {
        await fn();
        h.passed++;
        console.log(`ok   ${title}`);
      } catch (e) {
        h.failed++;
        console.log(`FAIL ${title}\n     ${String(e && e.stack || e).split("\n").slice(0, 4).join("\n     ")}`);
        if (h.current) {
          fs.mkdirSync(shots, { recursive: true });
          const file = path.join(shots, `${name}-${title.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`);
          await h.current.screenshot({ path: file, fullPage: true }).catch(() => {});
          console.log(`     screenshot: ${file}`);
        }
      }
    },
    // A failure outside any check.
    harnessFailure(e) {
      h.failed++;
      console.log(`FAIL (harness) ${e && e.stack || e}`);
    },
    // Closes everything, prints `N passed, N failed` and exits non-zero on a failure.
    async finish() {
      await context.close().catch(() => {});
      server.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
      console.log(`${h.passed} passed, ${h.failed} failed`);
      process.exit(h.failed ? 1 : 0);
    },
  };
  return h;
}

export async function ready(page) {
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
}
// Replaces the expression by typing it, as a user would.
export async function typeExpression(page, text) {
  await page.click("#expr");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type(text, { delay: 2 });
  await page.keyboard.press("Escape");
}
export async function setUsers(page, text, expected) {
  const n = expected === undefined ? text.split("\n").filter((l) => l.trim()).length : expected;
  if (text.length > 100000) {
    // Typing 1.5 MB into a textarea through the automation protocol takes
    // far longer than an admin's paste; set it as a paste would.
    await page.$eval("#users-text", (t, v) => { t.value = v; t.dispatchEvent(new Event("input", { bubbles: true })); }, text);
  } else {
    await page.fill("#users-text", text);
  }
  await page.waitForFunction((k) => document.querySelector("#users-status").textContent.startsWith(`${k} user`), n, { timeout: 30000 });
}
// Clicks Share and returns the link it made.
export async function share(page) {
  await page.$eval("#share", (b) => { delete b.dataset.link; });
  await page.click("#share");
  await page.waitForFunction(() => document.querySelector("#share").dataset.link);
  return page.$eval("#share", (b) => b.dataset.link);
}
// Picks an example from the gallery, replacing an edited expression (the
// page asks first) as a user who answers Replace would.
export async function openExample(page, id) {
  await page.click("#gallery summary");
  await page.click(`.example[data-id="${id}"]`);
  if (await page.$("#confirm[open]")) await page.click("#confirm-yes");
  await page.waitForFunction(() => document.querySelector("#toast").textContent.startsWith("Loaded") && !document.querySelector("#confirm").open);
}
