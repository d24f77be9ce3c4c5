// A session under a site lease (Node has no Web Locks) whose IndexedDB
// connection closes, here because another tab opened a newer version of
// the database. The tab can no longer renew its lease, so once the lease
// expires another tab may adopt the site. The session must then stop
// syncing with an error instead of waiting silently.

import assert from "node:assert/strict";
import { test } from "node:test";

import "fake-indexeddb/auto";
import { WebSocket } from "ws";

import { IdbBackend, TextSync } from "echostream";
import { startMockServer } from "./support/mock-server.mjs";
import { sleep, until } from "./support/wait.mjs";

const DB = "lease-closed-db";
const LEASE_MS = 150;

test("closed database stops syncing with an error", async () => {
  const server = await startMockServer();
  const backoff = { initialDelayMs: 20, maxDelayMs: 50, jitter: 0 };
  const offline = { dbName: DB, leaseMs: LEASE_MS };
  const createSocket = (url) => new WebSocket(url);
  const sync = await TextSync.open({ url: server.url, doc: "closed-db", offline, createSocket, backoff });
  const errors = [];
  sync.on("error", (e) => errors.push(e));
  let newer;
  try {
    await until(() => sync.status === "connected", "the session to connect");
    sync.insert(0, "a");
    await until(() => !sync.hasPending, "the first edit to be acknowledged");

    // Another tab upgrades the database, which closes this tab's
    // connection to it.
    newer = await IdbBackend.open(DB, () => {}, 3);
    await until(() => errors.some((e) => e.code === "versionchange"), "the versionchange error");

    // The lease expires without renewal. An edit now must not be sent
    // under the site, and the session must report why.
    await sleep(LEASE_MS * 2);
    sync.insert(1, "b");
    await until(() => errors.some((e) => e.code === "lease"), "the lease error");
    const lease = errors.find((e) => e.code === "lease");
    assert.equal(lease.kind, "offline");
    assert.match(lease.message, /IndexedDB connection closed/);
    assert.match(lease.message, /stopped syncing/);
    assert.equal(sync.status, "closed");
    assert.equal(sync.text, "ab");
    const sent = server.submissions.map((s) => JSON.stringify(s.op));
    assert.deepEqual(sent, ['["a"]']);
  } finally {
    newer?.close();
    await sync.close();
    await server.close();
  }
});
