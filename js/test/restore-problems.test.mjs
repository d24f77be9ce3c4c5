// Tests in Node, over fake-indexeddb, of an offline log that cannot be
// restored in full: the document keeps what can be read, keeps working,
// and an error event names exactly what was left out.

import assert from "node:assert/strict";
import { test } from "node:test";

import "fake-indexeddb/auto";

import { TextOp, TextSync, openTextOfflineLog } from "echostream";

const backoff = { initialDelayMs: 1000, maxDelayMs: 1000, jitter: 0 };

// Throws instead of opening a socket, so the client stays offline.
function failSocket() {
  throw new Error("the test keeps this client offline");
}

// Stores local inserts at the end through the log, then closes it, and
// returns the site.
async function storeEdits(dbName, doc, ops) {
  const { log, close } = await openTextOfflineLog({ doc, dbName, onError: () => {} });
  for (const op of ops) {
    log.recordLocal({ id: { site: log.site, seq: log.nextSeq }, base: log.head, clock: {}, op });
  }
  const site = log.site;
  await close();
  return site;
}

// Overwrites one stored record of the database.
function putRecord(dbName, store, record) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName);
    request.onsuccess = () => {
      const db = request.result;
      const tx = db.transaction(store, "readwrite");
      tx.objectStore(store).put(record);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onabort = () => reject(tx.error);
    };
    request.onerror = () => reject(request.error);
  });
}

async function openAndCollect(dbName, doc) {
  const sync = await TextSync.open({ url: "ws://127.0.0.1:9/ws", doc, offline: { dbName }, createSocket: failSocket, backoff });
  const errors = [];
  sync.on("error", (e) => {
    if (e.kind !== "protocol") errors.push(e);
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { sync, errors };
}

test("unreadable pending op is named", async () => {
  const site = await storeEdits("restore-db", "corrupt", [["one"], [3, " two"], [7, " three"]]);
  await putRecord("restore-db", "pending", { doc: "corrupt", site, seq: 2, value: "{not json" });

  const { sync, errors } = await openAndCollect("restore-db", "corrupt");
  // The first edit is kept; the second is unreadable and the third was
  // made on top of it.
  assert.equal(sync.text, "one");
  assert.equal(errors.length, 1);
  assert.equal(errors[0].kind, "offline");
  assert.equal(errors[0].code, "restore");
  assert.match(errors[0].message, new RegExp(`the pending operations 2, 3 of site ${site} were not restored`));
  // The document keeps working. The lost ids were never sent, because
  // only the first pending operation can have been, so they are reused.
  sync.insert(3, "!");
  assert.equal(sync.text, "one!");
  assert.deepEqual(
    sync.pending().map((p) => p.id.seq),
    [1, 2],
  );
  await sync.close();
});

test("pending op that does not apply is dropped", async () => {
  const site = await storeEdits("restore-db", "misfit", [["ab"], [50, "x"]]);

  const { sync, errors } = await openAndCollect("restore-db", "misfit");
  assert.equal(sync.text, "");
  assert.equal(errors.length, 1);
  assert.equal(errors[0].kind, "dropped");
  assert.match(errors[0].message, new RegExp(`the pending operations ${site}:1, ${site}:2 were not restored: pending operation ${site}:2`));
  assert.deepEqual(
    errors[0].dropped.map((p) => [p.id.seq, p.op]),
    [
      [1, ["ab"]],
      [2, [50, "x"]],
    ],
  );
  sync.applyOp(TextOp.insert(0, "works"));
  assert.equal(sync.text, "works");
  // The dropped ids are reused; the welcome's lastSeq moves them past any
  // that the server committed.
  assert.equal(sync.pending()[0].id.seq, 1);
  await sync.close();
});

test("damaged record shape is located", async () => {
  const site = await storeEdits("restore-db", "shape", [["one"], [3, " two"]]);
  await putRecord("restore-db", "pending", { doc: "shape", site, seq: 2, value: { op: [3, " two"] } });

  // A record of the wrong shape fails the whole load, so the log does not
  // open. The error names the list, the record and the field.
  await assert.rejects(openTextOfflineLog({ doc: "shape", dbName: "restore-db", onError: () => {} }), {
    message: "invalid stored records: record 1 of pending: invalid field `value`: invalid type: map, expected a string",
  });
});
