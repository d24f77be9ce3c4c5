// The lease-lost path of the offline log in headless Chromium. Web Locks
// are hidden from the pages, so that the log holds its site with a lease.
// One page skips its setInterval callbacks for a while, as a suspended
// tab runs no timers. Another page adopts the site meanwhile, and the
// first page wakes up and writes.
//
// NOTE: two other ways to stop the timers did not work here. The Chrome
// DevTools Protocol's Page.setWebLifecycleState "frozen" left the timers
// of a visible headless page running, and Playwright's clock pauses
// every page of the context, the adopter's too.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { chromiumMissing, launchBrowser, serveFolder } from "./support/browser.mjs";
import { root } from "./support/data.mjs";

const missing = chromiumMissing();
const LEASE_MS = 300;
let files;
let browser;

before(async () => {
  if (missing) return;
  files = await serveFolder(root);
  browser = await launchBrowser();
  await browser.context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined, configurable: true });
  });
});

after(async () => {
  await browser?.close();
  await files?.close();
});

// Opens the test page. With `suspendable`, setting window.suspended to
// true makes the page skip its setInterval callbacks until it is false.
async function openPage({ suspendable = false } = {}) {
  const page = await browser.context.newPage();
  if (suspendable) {
    await page.addInitScript(() => {
      const setIntervalOfPage = window.setInterval;
      window.suspended = false;
      window.setInterval = (callback, ms, ...args) =>
        setIntervalOfPage(() => {
          if (!window.suspended) callback(...args);
        }, ms);
    });
  }
  await page.goto(`${files.url}/js/test/browser/page.html`);
  await page.waitForFunction(() => window.ready === true);
  return page;
}

// Opens the offline log of `doc` in `page` as window.log, and returns its
// site and text.
function openLog(page, doc) {
  return page.evaluate(
    async ({ doc, leaseMs }) => {
      const { openTextOfflineLog } = window.echostream;
      window.logErrors = [];
      window.opened = await openTextOfflineLog({ doc, dbName: "lease-browser", leaseMs, onError: (e) => window.logErrors.push(e) });
      window.log = window.opened.log;
      return { site: window.log.site, text: window.log.document().toString(), locks: navigator.locks === undefined };
    },
    { doc, leaseMs: LEASE_MS },
  );
}

// Records an insert at the end of the page's log and waits for the write.
function typeAtEnd(page, text) {
  return page.evaluate(async (text) => {
    const { TextOp } = window.echostream;
    const log = window.log;
    const op = TextOp.insert(log.document().length, text);
    log.recordLocal({ id: { site: log.site, seq: log.nextSeq }, base: log.head, clock: {}, op: op.toJSON() });
    await log.flush();
    return log.document().toString();
  }, text);
}

// Returns the stored pending operations of `doc` as [site, seq, op].
function storedPending(page, doc) {
  return page.evaluate(async (doc) => {
    const { IdbBackend } = window.echostream;
    const backend = await IdbBackend.open("lease-browser", () => {});
    try {
      const records = await backend.load(doc);
      return records.pending.map((r) => [r.site, r.seq, JSON.parse(r.value).op]);
    } finally {
      backend.close();
    }
  }, doc);
}

test("suspended page leaves adopted ops alone", { skip: missing ?? false, timeout: 60_000 }, async () => {
  const sleeper = await openPage({ suspendable: true });
  const opened = await openLog(sleeper, "suspended");
  assert.equal(opened.locks, true, "Web Locks are still visible to the page");
  assert.equal(await typeAtEnd(sleeper, "a1"), "a1");

  // The sleeper's renewal timer stops while its lease expires.
  await sleeper.evaluate(() => {
    window.suspended = true;
  });
  await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 3));

  const adopter = await openPage();
  const adopted = await openLog(adopter, "suspended");
  assert.equal(adopted.site, opened.site);
  assert.equal(adopted.text, "a1");
  assert.equal(await typeAtEnd(adopter, "b1"), "a1b1");

  // The sleeper wakes up and writes under the site it had.
  assert.equal(await typeAtEnd(sleeper, "a2"), "a1a2");
  await sleeper.waitForFunction(() => window.logErrors.length > 0, null, { timeout: 5_000 });

  assert.deepEqual(await storedPending(adopter, "suspended"), [
    [opened.site, 1, ["a1"]],
    [opened.site, 2, [2, "b1"]],
  ]);
  const errors = await sleeper.evaluate(() => window.logErrors);
  assert.deepEqual(
    errors.map((e) => e.kind),
    ["lease"],
  );
  assert.equal(await adopter.evaluate(() => window.logErrors.length), 0);
  // The sleeper's document keeps working in memory.
  assert.equal(await typeAtEnd(sleeper, "a3"), "a1a2a3");
  assert.equal(await sleeper.evaluate(() => window.opened.backend.isOpen), false);

  await adopter.evaluate(() => window.opened.close());
  await sleeper.evaluate(() => window.opened.close());
  await Promise.all([sleeper.close(), adopter.close()]);
});
