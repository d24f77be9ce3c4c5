// Tests of TextSync with its IndexedDB log in headless Chromium. Edits
// made while the server is down survive a reload. After the server comes
// back they are sent again under their original ids and committed once.
// Two tabs keep their pending operations apart.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { chromiumMissing, launchBrowser, serveFolder } from "./support/browser.mjs";
import { root } from "./support/data.mjs";
import { startMockServer } from "./support/mock-server.mjs";

const missing = chromiumMissing();
let files;
let browser;

before(async () => {
  if (missing) return;
  files = await serveFolder(root);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await files?.close();
});

async function openPage() {
  const page = await browser.context.newPage();
  await loadPage(page);
  return page;
}

async function loadPage(page) {
  await page.goto(`${files.url}/js/test/browser/page.html`);
  await page.waitForFunction(() => window.ready === true);
}

// Opens the document in the page as window.sync, and returns its text
// and pending operations right away, before any connection.
function openSync(page, url, doc) {
  return page.evaluate(
    async ({ url, doc }) => {
      const { TextSync } = window.echostream;
      window.syncErrors = [];
      window.sync = await TextSync.open({ url, doc, backoff: { initialDelayMs: 50, maxDelayMs: 200, jitter: 0 } });
      window.sync.on("error", (e) => window.syncErrors.push(e));
      return { site: window.sync.site, text: window.sync.text, pending: window.sync.pending() };
    },
    { url, doc },
  );
}

function waitFor(page, condition, arg) {
  return page.waitForFunction(condition, arg, { timeout: 10000 });
}

test("offline edits survive reload and resend", { skip: missing ?? false }, async () => {
  let server = await startMockServer();
  const { port, documents, submissions } = server;
  const page = await openPage();
  try {
    const first = await openSync(page, server.url, "notes");
    await waitFor(page, () => window.sync.status === "connected");
    await page.evaluate(() => window.sync.insert(0, "online"));
    await waitFor(page, () => !window.sync.hasPending);

    // The server goes down; the user keeps typing.
    await server.close();
    await waitFor(page, () => window.sync.status !== "connected");
    await page.evaluate(() => {
      window.sync.insert(6, " and offline 😀");
      window.sync.insert(21, "!");
    });
    const before = await page.evaluate(() => window.sync.pending());
    assert.equal(before.length, 1);

    // Reload at once: the log restores the text and the pending op.
    await loadPage(page);
    const restored = await openSync(page, `ws://127.0.0.1:${port}/ws`, "notes");
    assert.equal(restored.site, first.site);
    assert.equal(restored.text, "online and offline 😀!");
    assert.deepEqual(restored.pending, before);

    // The server comes back: the op is sent under its original id.
    server = await startMockServer({ port, documents, submissions });
    await waitFor(page, () => window.sync.status === "connected" && !window.sync.hasPending);
    assert.equal(server.text("notes"), "online and offline 😀!");
    const resent = submissions.filter((s) => s.id.site === first.site && s.id.seq === before[0].id.seq);
    assert.equal(resent.length, 1);
    assert.deepEqual(resent[0], before[0]);
    assert.equal(server.revision("notes"), 2);
    assert.deepEqual(await page.evaluate(() => window.syncErrors), []);
  } finally {
    await page.close();
    await server.close();
  }
});

test("two tabs keep pending ops apart", { skip: missing ?? false }, async () => {
  let server = await startMockServer();
  const { port, documents, submissions } = server;
  const url = server.url;
  const tabA = await openPage();
  const tabB = await openPage();
  try {
    const a = await openSync(tabA, url, "shared");
    const b = await openSync(tabB, url, "shared");
    assert.notEqual(a.site, b.site);
    await waitFor(tabA, () => window.sync.status === "connected");
    await waitFor(tabB, () => window.sync.status === "connected");
    await tabA.evaluate(() => window.sync.insert(0, "base"));
    await waitFor(tabB, () => window.sync.text === "base");

    await server.close();
    await waitFor(tabA, () => window.sync.status !== "connected");
    await waitFor(tabB, () => window.sync.status !== "connected");
    await tabA.evaluate(() => window.sync.insert(0, "A:"));
    await tabB.evaluate(() => window.sync.insert(4, ":B"));

    await loadPage(tabA);
    await loadPage(tabB);
    const a2 = await openSync(tabA, url, "shared");
    const b2 = await openSync(tabB, url, "shared");
    assert.deepEqual(new Set([a2.site, b2.site]), new Set([a.site, b.site]));
    const texts = new Set([a2.text, b2.text]);
    assert.deepEqual(texts, new Set(["A:base", "base:B"]));

    server = await startMockServer({ port, documents, submissions });
    await waitFor(tabA, () => window.sync.status === "connected" && !window.sync.hasPending);
    await waitFor(tabB, () => window.sync.status === "connected" && !window.sync.hasPending);
    await waitFor(tabA, () => window.sync.text === "A:base:B");
    await waitFor(tabB, () => window.sync.text === "A:base:B");
    assert.equal(server.text("shared"), "A:base:B");
  } finally {
    await tabA.close();
    await tabB.close();
    await server.close();
  }
});

test("blocked log is an error event", { skip: missing ?? false }, async () => {
  const server = await startMockServer();
  const page = await openPage();
  try {
    const result = await page.evaluate(async (url) => {
      // An old tab holds version 1 open and ignores version changes.
      await new Promise((resolve) => {
        const request = indexedDB.open("blocked-sync", 1);
        request.onsuccess = () => {
          window.oldConnection = request.result;
          resolve();
        };
      });
      const { TextSync } = window.echostream;
      const sync = await TextSync.open({ url, doc: "blocked", offline: { dbName: "blocked-sync", version: 2 } });
      const errors = [];
      sync.on("error", (e) => errors.push(e));
      await new Promise((resolve) => setTimeout(resolve, 50));
      sync.insert(0, "still works");
      await new Promise((resolve) => sync.on("synced", resolve));
      const text = sync.text;
      await sync.close();
      return { errors, text };
    }, server.url);
    assert.equal(result.text, "still works");
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0].kind, "offline");
    assert.equal(result.errors[0].code, "blocked");
    assert.match(result.errors[0].message, /opening IndexedDB database "blocked-sync" at version 2 is blocked by another tab/);
    assert.equal(server.text("blocked"), "still works");
  } finally {
    await page.close();
    await server.close();
  }
});
