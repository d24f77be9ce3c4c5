// Tests of the offline op log in headless Chromium: it survives a reload
// and a browser restart, two tabs keep their pending operations apart,
// and storage problems arrive as error events while the document keeps
// working.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { chromiumMissing, launchBrowser, serveFolder } from "./support/browser.mjs";
import { root } from "./support/data.mjs";

const missing = chromiumMissing();
let server;
let browser;

before(async () => {
  if (missing) return;
  server = await serveFolder(root);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage() {
  const page = await browser.context.newPage();
  await loadPage(page);
  return page;
}

async function loadPage(page) {
  await page.goto(`${server.url}/js/test/browser/page.html`);
  await page.waitForFunction(() => window.ready === true);
}

// Opens the log of `doc` in the page as window.opened and returns what it
// restored.
function openLog(page, doc, dbName = "echostream") {
  return page.evaluate(
    async ({ doc, dbName }) => {
      const { openTextOfflineLog } = window.echostream;
      window.opened = await openTextOfflineLog({ doc, dbName, onError: (e) => window.errors.push(e) });
      const { log } = window.opened;
      return {
        site: log.site,
        nextSeq: log.nextSeq,
        head: log.head,
        text: log.document().toString(),
        pending: log.pending(),
      };
    },
    { doc, dbName },
  );
}

// Records a local insert at the end of the restored document.
function typeAtEnd(page, text) {
  return page.evaluate((text) => {
    const { TextOp } = window.echostream;
    const { log } = window.opened;
    const doc = log.document();
    const op = TextOp.insert(doc.length, text);
    log.recordLocal({
      id: { site: log.site, seq: log.nextSeq },
      base: log.head,
      clock: {},
      op: op.toJSON(),
    });
  }, text);
}

test("pending ops survive a reload", { skip: missing ?? false }, async () => {
  const page = await openPage();
  const first = await openLog(page, "reload-doc");
  assert.equal(first.text, "");
  assert.equal(first.nextSeq, 1);
  await typeAtEnd(page, "Hello");
  await typeAtEnd(page, ", wörld 😀");
  // Reload at once, without waiting for the writes.
  await loadPage(page);
  const second = await openLog(page, "reload-doc");
  assert.equal(second.site, first.site);
  assert.equal(second.text, "Hello, wörld 😀");
  assert.equal(second.nextSeq, 3);
  assert.deepEqual(
    second.pending.map((p) => [p.id.site, p.id.seq, p.op]),
    [
      [first.site, 1, ["Hello"]],
      [first.site, 2, [5, ", wörld 😀"]],
    ],
  );
  await page.close();
});

test("log survives a browser restart", { skip: missing ?? false }, async () => {
  let page = await openPage();
  await openLog(page, "restart-doc");
  await typeAtEnd(page, "kept");
  await page.evaluate(() => window.opened.close());
  await browser.restart();
  page = await openPage();
  const restored = await openLog(page, "restart-doc");
  assert.equal(restored.text, "kept");
  assert.equal(restored.pending.length, 1);
  await page.close();
});

test("committed ops and snapshot restore", { skip: missing ?? false }, async () => {
  const page = await openPage();
  const { site } = await openLog(page, "commit-doc");
  const state = await page.evaluate(async (site) => {
    const { log } = window.opened;
    log.saveSnapshot({ revision: 2, document: "ab", last_seq: {} });
    log.recordLocal({ id: { site, seq: 1 }, base: 2, clock: {}, op: [2, "!"] });
    // Another site's op arrives first; ours is transformed past it.
    log.recordCommit(
      { revision: 3, id: { site: "ff", seq: 1 }, clock: { ff: 1 }, op: ["X"] },
      [{ id: { site, seq: 1 }, base: 3, clock: { ff: 1 }, op: [3, "!"] }],
    );
    await log.flush();
    return { head: log.head, text: log.document().toString() };
  }, site);
  assert.deepEqual(state, { head: 3, text: "Xab!" });
  await loadPage(page);
  const restored = await openLog(page, "commit-doc");
  assert.equal(restored.head, 3);
  assert.equal(restored.text, "Xab!");
  assert.deepEqual(restored.pending.map((p) => [p.base, p.op]), [[3, [3, "!"]]]);
  const errors = await page.evaluate(() => {
    const { log } = window.opened;
    const caught = [];
    for (const call of [
      () => log.append({ revision: 9, id: { site: "ff", seq: 2 }, clock: {}, op: [] }),
      () => log.compact(5),
      () => log.recordLocal({ id: { site: "ab", seq: 7 }, base: 3, clock: {}, op: [] }),
    ]) {
      try {
        call();
      } catch (e) {
        caught.push(e.message);
      }
    }
    return caught;
  });
  assert.deepEqual(errors, [
    "operation for revision 9 does not follow the head 3",
    "cannot compact up to revision 5: the latest snapshot is at revision 2",
    `pending operation 00000000000000ab:7 does not belong to site ${restored.site} after sequence number 1`,
  ]);
  await page.close();
});

test("two tabs keep pending ops apart", { skip: missing ?? false }, async () => {
  const tabA = await openPage();
  const tabB = await openPage();
  const a = await openLog(tabA, "shared-doc");
  const b = await openLog(tabB, "shared-doc");
  assert.notEqual(a.site, b.site);
  await typeAtEnd(tabA, "from A");
  await typeAtEnd(tabB, "from B");
  await typeAtEnd(tabA, "!");
  // Tab A reloads while B stays open: A takes back its own site.
  await loadPage(tabA);
  const a2 = await openLog(tabA, "shared-doc");
  assert.equal(a2.site, a.site);
  assert.equal(a2.text, "from A!");
  assert.deepEqual(a2.pending.map((p) => p.op), [["from A"], [6, "!"]]);
  const b2 = await tabB.evaluate(() => window.opened.log.pending().map((p) => p.op));
  assert.deepEqual(b2, [["from B"]]);
  // A third tab gets a new site: both are held.
  const tabC = await openPage();
  const c = await openLog(tabC, "shared-doc");
  assert.notEqual(c.site, a.site);
  assert.notEqual(c.site, b.site);
  assert.equal(c.text, "");
  // Tab B closes; a new tab takes over its site and its pending op.
  await tabB.close();
  const tabD = await openPage();
  const d = await openLog(tabD, "shared-doc");
  assert.equal(d.site, b.site);
  assert.equal(d.text, "from B");
  for (const page of [tabA, tabC, tabD]) await page.close();
});

test("version change is an error event", { skip: missing ?? false }, async () => {
  const page = await openPage();
  await openLog(page, "upgrade-doc", "upgrade-db");
  await typeAtEnd(page, "before");
  const result = await page.evaluate(async () => {
    await window.opened.log.flush();
    // What a newer release in another tab does: open a higher version.
    await new Promise((resolve, reject) => {
      const request = indexedDB.open("upgrade-db", 3);
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    const { log } = window.opened;
    // The log keeps working in memory.
    log.recordLocal({ id: { site: log.site, seq: 2 }, base: 0, clock: {}, op: [6, " after"] });
    await log.flush();
    return { errors: window.errors, text: log.document().toString(), open: window.opened.backend.isOpen };
  });
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0].kind, "versionchange");
  assert.match(result.errors[0].message, /IndexedDB database "upgrade-db" was closed because another tab opened version 3 or later/);
  assert.equal(result.text, "before after");
  assert.equal(result.open, false);
  await page.close();
});

test("blocked upgrade is an error event", { skip: missing ?? false }, async () => {
  const page = await openPage();
  const result = await page.evaluate(async () => {
    // An old tab holds version 1 open and ignores version changes.
    await new Promise((resolve) => {
      const request = indexedDB.open("blocked-db", 1);
      request.onsuccess = () => {
        window.oldConnection = request.result;
        resolve();
      };
    });
    const { openTextOfflineLog } = window.echostream;
    try {
      await openTextOfflineLog({ doc: "d", dbName: "blocked-db", version: 2, onError: (e) => window.errors.push(e) });
      return { opened: true, errors: window.errors };
    } catch (e) {
      return { opened: false, message: e.message, errors: window.errors };
    }
  });
  assert.equal(result.opened, false);
  assert.match(result.message, /opening IndexedDB database "blocked-db" at version 2 is blocked by another tab/);
  assert.deepEqual(result.errors.map((e) => e.kind), ["blocked"]);
  await page.close();
});

test("full quota is an error event", { skip: missing ?? false }, async () => {
  // A browser of its own: the quota override did not take effect on an
  // origin that earlier tests of the same browser had used.
  const own = await launchBrowser();
  const page = await own.context.newPage();
  await loadPage(page);
  const cdp = await own.context.newCDPSession(page);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url, quotaSize: 64 * 1024 });
  await openLog(page, "quota-doc", "quota-db");
  const result = await page.evaluate(async () => {
    const { log } = window.opened;
    let big = "";
    while (big.length < 2 * 1024 * 1024) big += Math.random().toString(36).slice(2);
    big = big.slice(0, 2 * 1024 * 1024);
    log.recordLocal({ id: { site: log.site, seq: 1 }, base: 0, clock: {}, op: [big] });
    await log.flush();
    return { errors: window.errors, length: log.document().length };
  });
  await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url });
  assert.equal(result.length, 2 * 1024 * 1024);
  assert.deepEqual(result.errors.map((e) => e.kind), ["quota"]);
  assert.match(result.errors[0].message, /failed to save 2 change\(s\) to IndexedDB database "quota-db": QuotaExceededError/);
  await own.close();
});

// Opens the log of `doc` as window.opened with Web Locks hidden, as in a
// browser without them, and returns its site and restored text.
function openLeasedLog(page, doc) {
  return page.evaluate(async (doc) => {
    Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined, configurable: true });
    const { openTextOfflineLog } = window.echostream;
    window.opened = await openTextOfflineLog({ doc, dbName: "lease-db", leaseMs: 300, onError: (e) => window.errors.push(e) });
    const { log } = window.opened;
    return { site: log.site, text: log.document().toString() };
  }, doc);
}

test("lease hands a closed tab's ops over", { skip: missing ?? false }, async () => {
  const first = await openPage();
  const opened = await openLeasedLog(first, "lease-doc");
  await typeAtEnd(first, "from a closed tab");
  await first.evaluate(() => window.opened.log.flush());

  // A second tab while the first lives gets a site of its own.
  const second = await openPage();
  const live = await openLeasedLog(second, "lease-doc");
  assert.notEqual(live.site, opened.site);
  assert.equal(live.text, "");

  // The first tab closes without releasing; its lease runs out.
  await first.close();
  await new Promise((resolve) => setTimeout(resolve, 700));
  const third = await openPage();
  const adopted = await openLeasedLog(third, "lease-doc");
  assert.equal(adopted.site, opened.site);
  assert.equal(adopted.text, "from a closed tab");
  const errors = await second.evaluate(() => window.errors);
  assert.deepEqual(errors, []);
  await second.close();
  await third.close();
});
