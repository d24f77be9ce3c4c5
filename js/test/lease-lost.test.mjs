// Tests of a tab that lost its site lease in Node (no Web Locks), over
// fake-indexeddb. The tab is suspended: its renewal timer does not run
// while the lease expires and another tab adopts the site's pending
// operations. When it wakes up and writes or sends, the adopter's
// pending operations must stay as they are, and nothing may be sent
// twice under one id.

import assert from "node:assert/strict";
import { mock, test } from "node:test";

import "fake-indexeddb/auto";
import { WebSocket } from "ws";

import { IdbBackend, TextOp, TextSync, openTextOfflineLog } from "echostream";
import { startMockServer } from "./support/mock-server.mjs";
import { sleep, until } from "./support/wait.mjs";

const DB = "lease-lost-db";
const LEASE_MS = 150;

// Records an insert at the end of the log's document.
function typeAtEnd(log, text) {
  const op = TextOp.insert(log.document().length, text);
  log.recordLocal({ id: { site: log.site, seq: log.nextSeq }, base: log.head, clock: {}, op: op.toJSON() });
}

function open(doc, errors, leaseMs = LEASE_MS) {
  return openTextOfflineLog({ doc, dbName: DB, leaseMs, onError: (e) => errors.push(e) });
}

// Opens a log whose renewal timer never runs, as in a suspended tab:
// setInterval is mocked while the log starts it. With `keepMock` the
// mock stays on, so that `mock.timers.tick` can run the timer later.
async function openSuspended(doc, errors, { keepMock = false, leaseMs = LEASE_MS } = {}) {
  mock.timers.enable({ apis: ["setInterval"] });
  try {
    return await open(doc, errors, leaseMs);
  } finally {
    if (!keepMock) mock.timers.reset();
  }
}

// Returns the stored pending operations of `doc` as [site, seq, op].
async function storedPending(doc) {
  const backend = await IdbBackend.open(DB, (e) => assert.fail(e.message));
  try {
    const records = await backend.load(doc);
    return records.pending.map((r) => [r.site, r.seq, JSON.parse(r.value).op]);
  } finally {
    backend.close();
  }
}

test("woken log leaves adopted ops alone", async () => {
  const sleeperErrors = [];
  const sleeper = await openSuspended("woken-write", sleeperErrors);
  const site = sleeper.log.site;
  typeAtEnd(sleeper.log, "a1");
  await sleeper.log.flush();

  await sleep(LEASE_MS * 2);
  const adopterErrors = [];
  const adopter = await open("woken-write", adopterErrors);
  assert.equal(adopter.log.site, site);
  assert.equal(adopter.log.document().toString(), "a1");
  typeAtEnd(adopter.log, "b1");
  await adopter.log.flush();

  // The sleeper wakes up and writes before its renewal timer runs. Its
  // next sequence number is the one the adopter just used.
  assert.equal(sleeper.log.nextSeq, 2);
  typeAtEnd(sleeper.log, "a2");
  await sleeper.log.flush();
  typeAtEnd(sleeper.log, "a3");
  await sleeper.log.flush();

  assert.deepEqual(await storedPending("woken-write"), [
    [site, 1, ["a1"]],
    [site, 2, [2, "b1"]],
  ]);
  assert.deepEqual(
    sleeperErrors.map((e) => e.kind),
    ["lease"],
  );
  assert.match(sleeperErrors[0].message, /another tab took over site [0-9a-f]{16} of document "woken-write"/);
  // The sleeper's document keeps working in memory.
  assert.equal(sleeper.log.document().toString(), "a1a2a3");
  assert.equal(sleeper.backend.isOpen, false);
  assert.deepEqual(adopterErrors, []);

  await adopter.close();
  await sleeper.close();
  const next = await open("woken-write", []);
  assert.equal(next.log.site, site);
  assert.equal(next.log.document().toString(), "a1b1");
  await next.close();
});

test("woken renewal stops later writes", async () => {
  const sleeperErrors = [];
  const adopterErrors = [];
  let sleeper;
  let adopter;
  try {
    sleeper = await openSuspended("woken-timer", sleeperErrors, { keepMock: true });
    typeAtEnd(sleeper.log, "a1");
    await sleeper.log.flush();
    await sleep(LEASE_MS * 2);
    adopter = await open("woken-timer", adopterErrors, 60_000);
    assert.equal(adopter.log.site, sleeper.log.site);
    typeAtEnd(adopter.log, "b1");
    await adopter.log.flush();

    // The sleeper wakes up and its renewal timer runs first.
    mock.timers.tick(LEASE_MS);
    await until(() => sleeperErrors.length > 0, "the sleeper's lease error");
  } finally {
    mock.timers.reset();
  }
  assert.deepEqual(
    sleeperErrors.map((e) => e.kind),
    ["lease"],
  );
  // An acknowledgement would clear the sleeper's pending operations; the
  // store keeps the adopter's.
  sleeper.log.recordCommit({ revision: 1, id: { site: sleeper.log.site, seq: 1 }, clock: {}, op: ["a1"] }, []);
  await sleeper.log.flush();
  assert.equal(sleeper.log.head, 1);
  assert.deepEqual(await storedPending("woken-timer"), [
    [adopter.log.site, 1, ["a1"]],
    [adopter.log.site, 2, [2, "b1"]],
  ]);
  assert.deepEqual(adopterErrors, []);
  await adopter.close();
  await sleeper.close();
});

test("expired lease nobody took still writes", async () => {
  const sleeperErrors = [];
  const sleeper = await openSuspended("woken-alone", sleeperErrors, { leaseMs: 400 });
  typeAtEnd(sleeper.log, "a1");
  await sleep(600);
  // The write finds its own lease, expired but not taken, and renews it.
  typeAtEnd(sleeper.log, "a2");
  await sleeper.log.flush();
  const other = await open("woken-alone", []);
  assert.notEqual(other.log.site, sleeper.log.site);
  assert.deepEqual(await storedPending("woken-alone"), [
    [sleeper.log.site, 1, ["a1"]],
    [sleeper.log.site, 2, [2, "a2"]],
  ]);
  assert.deepEqual(sleeperErrors, []);
  assert.equal(sleeper.backend.isOpen, true);
  await other.close();
  await sleeper.close();
});

// A WebSocket factory whose sockets can be paused: messages received
// while paused are queued and delivered on `resume()`, as a suspended tab
// receives them once it wakes up.
class PausableSockets {
  paused = false;
  queued = [];

  create = (url) => {
    const ws = new WebSocket(url);
    const socket = {
      get readyState() {
        return ws.readyState;
      },
      send: (data) => ws.send(data),
      close: (code, reason) => ws.close(code, reason),
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
    };
    ws.onopen = (event) => socket.onopen?.(event);
    ws.onmessage = (event) => {
      if (this.paused) this.queued.push(() => socket.onmessage?.(event));
      else socket.onmessage?.(event);
    };
    ws.onerror = (event) => socket.onerror?.(event);
    ws.onclose = (event) => socket.onclose?.(event);
    return socket;
  };

  resume() {
    this.paused = false;
    for (const deliver of this.queued.splice(0)) deliver();
  }
}

test("woken session sends no colliding id", async () => {
  const server = await startMockServer();
  const backoff = { initialDelayMs: 20, maxDelayMs: 50, jitter: 0 };
  const offline = { dbName: DB, leaseMs: LEASE_MS };
  const sockets = new PausableSockets();
  let sleeper;
  let adopter;
  try {
    mock.timers.enable({ apis: ["setInterval"] });
    try {
      sleeper = await TextSync.open({ url: server.url, doc: "woken-sync", offline, createSocket: sockets.create, backoff });
    } finally {
      mock.timers.reset();
    }
    const sleeperErrors = [];
    sleeper.on("error", (e) => sleeperErrors.push(e));
    await until(() => sleeper.status === "connected", "the sleeper to connect");

    // The server loses the sleeper's edit, which stays pending and stored.
    server.hooks.ignoreSubmits = true;
    sleeper.insert(0, "a1");
    await sleeper.flush();
    await until(() => server.submissions.length === 1, "the sleeper's submission");
    server.hooks.ignoreSubmits = false;

    // The sleeper is suspended past its lease. The adopter takes its site,
    // sends its edit again under the same id, and adds one of its own.
    sockets.paused = true;
    await sleep(LEASE_MS * 2);
    adopter = await TextSync.open({ url: server.url, doc: "woken-sync", offline, createSocket: (url) => new WebSocket(url), backoff });
    assert.equal(adopter.site, sleeper.site);
    assert.equal(adopter.text, "a1");
    await until(() => adopter.status === "connected" && !adopter.hasPending, "the adopter to resend");
    adopter.insert(2, "b1");
    await until(() => !adopter.hasPending, "the adopter's edit");
    assert.equal(server.text("woken-sync"), "a1b1");

    // The sleeper wakes up: its user types first, then the messages that
    // arrived meanwhile are delivered.
    sleeper.insert(2, "a2");
    sockets.resume();
    await until(() => sleeperErrors.some((e) => e.code === "lease"), "the sleeper's lease error");
    await sleep(100);

    const lease = sleeperErrors.find((e) => e.code === "lease");
    assert.equal(lease.kind, "offline");
    assert.match(lease.message, /stopped syncing/);
    assert.equal(sleeper.status, "closed");
    // The edit made after the lease was lost was never sent: its id
    // would be the adopter's.
    const texts = server.submissions.map((s) => JSON.stringify(s.op));
    assert.equal(
      texts.some((t) => t.includes("a2")),
      false,
      texts.join(" "),
    );
    const ids = server.submissions.map((s) => `${s.id.site}:${s.id.seq}`);
    assert.deepEqual(ids, [`${sleeper.site}:1`, `${sleeper.site}:1`, `${sleeper.site}:2`]);
    assert.equal(server.text("woken-sync"), "a1b1");
    // The sleeper's document keeps working in memory.
    sleeper.insert(0, ">");
    assert.ok(sleeper.text.startsWith(">a1"), sleeper.text);
    assert.ok(sleeper.text.includes("a2"), sleeper.text);
    assert.equal(adopter.text, "a1b1");
  } finally {
    await sleeper?.close();
    await adopter?.close();
    await server.close();
  }
});
