// Tests of the offline log's site lease in Node, where there are no Web
// Locks, over fake-indexeddb: a log whose tab is gone hands its pending
// operations to the next one, and two live logs keep theirs apart.

import assert from "node:assert/strict";
import { test } from "node:test";

import "fake-indexeddb/auto";

import { TextOp, openTextOfflineLog } from "echostream";
import { sleep } from "./support/wait.mjs";

const LEASE_MS = 150;

// Records an insert at the end of the log's document.
function typeAtEnd(log, text) {
  const op = TextOp.insert(log.document().length, text);
  log.recordLocal({ id: { site: log.site, seq: log.nextSeq }, base: log.head, clock: {}, op: op.toJSON() });
}

function open(doc, errors = []) {
  return openTextOfflineLog({ doc, dbName: "lease-db", leaseMs: LEASE_MS, onError: (e) => errors.push(e) });
}

test("expired lease hands pending ops over", async () => {
  const first = await open("handover");
  typeAtEnd(first.log, "left behind");
  await first.log.flush();
  // The tab dies: its connection goes away without releasing the lease.
  first.backend.close();

  // Before the lease expires the site is still held.
  const early = await open("handover");
  assert.notEqual(early.log.site, first.log.site);
  assert.equal(early.log.document().toString(), "");
  await early.close();

  await sleep(LEASE_MS * 2);
  const later = await open("handover");
  assert.equal(later.log.site, first.log.site);
  assert.equal(later.log.document().toString(), "left behind");
  assert.deepEqual(
    later.log.pending().map((p) => [p.id.seq, p.op]),
    [[1, ["left behind"]]],
  );
  assert.equal(later.log.nextSeq, 2);
  await later.close();
});

test("closed log releases its site at once", async () => {
  const first = await open("release");
  typeAtEnd(first.log, "kept");
  await first.close();
  const next = await open("release");
  assert.equal(next.log.site, first.log.site);
  assert.equal(next.log.document().toString(), "kept");
  await next.close();
});

test("live logs keep pending ops apart", async () => {
  const errors = [];
  const a = await open("two-live", errors);
  const b = await open("two-live", errors);
  assert.notEqual(a.log.site, b.log.site);
  typeAtEnd(a.log, "from a");
  typeAtEnd(b.log, "from b");
  // Both renew their leases past several lease periods.
  await sleep(LEASE_MS * 3);
  const c = await open("two-live", errors);
  assert.notEqual(c.log.site, a.log.site);
  assert.notEqual(c.log.site, b.log.site);
  assert.equal(a.log.document().toString(), "from a");
  assert.equal(b.log.document().toString(), "from b");
  assert.deepEqual(errors, []);
  await Promise.all([a.close(), b.close(), c.close()]);

  // After all close, the next log adopts one of the stored sites.
  const d = await open("two-live", errors);
  assert.ok([a.log.site, b.log.site, c.log.site].includes(d.log.site));
  await d.close();
});

test("invalid lease duration is an Error", async () => {
  await assert.rejects(
    openTextOfflineLog({ doc: "bad", dbName: "lease-db", leaseMs: 0, onError: () => {} }),
    { message: "invalid leaseMs 0: expected a positive number of milliseconds" },
  );
});
