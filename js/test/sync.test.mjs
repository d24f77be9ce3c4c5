// Tests of TextSync, the sync client, against a sync server in the same
// process (support/mock-server.mjs) over real WebSockets on 127.0.0.1.

import assert from "node:assert/strict";
import { test } from "node:test";

import { WebSocket } from "ws";

import { TextOp, TextSync, TextSyncClient } from "echostream";
import { startMockServer } from "./support/mock-server.mjs";
import { until as untilWithin } from "./support/wait.mjs";

const until = (condition, what) => untilWithin(condition, what, 5_000);

const createSocket = (url) => new WebSocket(url);
const fastBackoff = { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 };

function open(server, doc, extra = {}) {
  return TextSync.open({ url: server.url, doc, offline: false, createSocket, backoff: fastBackoff, ...extra });
}

test("two clients converge", async () => {
  const server = await startMockServer();
  const alice = await open(server, "converge");
  const bob = await open(server, "converge");
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    const bobChanges = [];
    bob.on("change", (event) => bobChanges.push(event));

    alice.insert(0, "Hello world");
    await until(() => bob.text === "Hello world", "bob to see alice's text");
    assert.deepEqual(bobChanges.at(-1), { op: ["Hello world"], changes: [{ from: 0, to: 0, insert: "Hello world" }], origin: "remote" });

    // Concurrent edits on both sides, with a character outside the BMP.
    alice.insert(5, ",");
    bob.insert(11, " 😀");
    bob.insert(14, "!");
    await until(() => !alice.hasPending && !bob.hasPending && alice.text === bob.text, "convergence");
    assert.equal(alice.text, "Hello, world 😀!");
    assert.equal(server.text("converge"), "Hello, world 😀!");
    assert.equal(alice.revision, server.revision("converge"));
    assert.equal(bob.revision, server.revision("converge"));
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

test("lost submit is resent once", async () => {
  const server = await startMockServer();
  const alice = await open(server, "resend");
  try {
    await until(() => alice.status === "connected", "connected");
    server.hooks.ignoreSubmits = true;
    alice.insert(0, "typed");
    await until(() => server.submissions.length === 1, "the submit to arrive");
    server.hooks.ignoreSubmits = false;
    const statuses = [];
    alice.on("status", ({ status }) => statuses.push(status));
    server.dropConnections();
    await until(() => !alice.hasPending, "the resent op to be acknowledged");
    assert.deepEqual(statuses.slice(0, 3), ["disconnected", "connecting", "connected"]);
    assert.equal(server.text("resend"), "typed");
    assert.equal(server.submissions.length, 2);
    assert.deepEqual(server.submissions[1].id, server.submissions[0].id);
    assert.equal(server.submissions[1].base, server.submissions[0].base);
  } finally {
    await alice.close();
    await server.close();
  }
});

test("rejected hello is tried again", async () => {
  // A server node replies to a hello with `unavailable` when it cannot
  // welcome the client yet, and keeps the connection open. The client
  // must connect again rather than wait for a welcome that never comes.
  const server = await startMockServer();
  server.hooks.rejectHellos = 2;
  const alice = await open(server, "busy");
  const errors = [];
  alice.on("error", (error) => errors.push(error));
  try {
    alice.insert(0, "kept");
    await until(() => alice.status === "connected", "connected after two rejected hellos");
    await until(() => !alice.hasPending, "the edit to be acknowledged");
    assert.equal(server.text("busy"), "kept");
    assert.equal(server.hooks.rejectHellos, 0);
    assert.deepEqual(
      errors.map((e) => [e.kind, e.code]),
      [
        ["server", "unavailable"],
        ["server", "unavailable"],
      ],
    );
  } finally {
    await alice.close();
    await server.close();
  }
});

test("lost ack is not applied twice", async () => {
  const server = await startMockServer();
  const alice = await open(server, "lost-ack");
  try {
    await until(() => alice.status === "connected", "connected");
    server.hooks.dropAfterCommit = true;
    alice.insert(0, "once");
    await until(() => server.revision("lost-ack") === 1, "the commit");
    await until(() => alice.status === "connected" && !alice.hasPending, "the welcome to acknowledge the op");
    alice.insert(4, " more");
    await until(() => !alice.hasPending, "the second op");
    assert.equal(server.text("lost-ack"), "once more");
    assert.equal(alice.text, "once more");
    assert.equal(server.revision("lost-ack"), 2);
  } finally {
    await alice.close();
    await server.close();
  }
});

test("edits while offline sync on connect", async () => {
  // Find a free port, then start the server on it only after the client
  // has failed to connect a few times.
  const probe = await startMockServer();
  const { port } = probe;
  await probe.close();
  const url = `ws://127.0.0.1:${port}/ws`;
  const alice = await TextSync.open({ url, doc: "late", offline: false, createSocket, backoff: fastBackoff });
  const statuses = [];
  alice.on("status", ({ status }) => statuses.push(status));
  alice.insert(0, "written offline");
  assert.equal(alice.text, "written offline");
  await until(() => statuses.filter((s) => s === "disconnected").length >= 2, "two failed attempts");
  const server = await startMockServer({ port });
  try {
    await until(() => alice.status === "connected" && !alice.hasPending, "sync after the server started");
    assert.equal(server.text("late"), "written offline");
  } finally {
    await alice.close();
    await server.close();
  }
});

test("presence moves in UTF-16", async () => {
  const server = await startMockServer();
  const alice = await open(server, "presence");
  const bob = await open(server, "presence");
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    alice.insert(0, "😀 abc");
    await until(() => bob.text === "😀 abc" && !alice.hasPending, "text on both");
    const seen = [];
    bob.on("presence", (event) => seen.push(event));
    alice.setSelections([{ anchor: 3, head: 5 }]);
    await until(() => seen.length === 1, "alice's presence at bob");
    assert.deepEqual(seen[0], { site: alice.site, selections: [{ anchor: 3, head: 5 }], user: null });
    assert.throws(() => alice.setSelections([{ anchor: 1, head: 1 }]), /UTF-16 offset 1 is inside a surrogate pair/);
    await alice.close();
    await until(() => seen.length === 2, "alice leaving");
    assert.deepEqual(seen[1], { site: alice.site, selections: null, user: null });
  } finally {
    await bob.close();
    await server.close();
  }
});

test("undo and redo sync", async () => {
  const server = await startMockServer();
  const alice = await open(server, "undo");
  const bob = await open(server, "undo");
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    alice.insert(0, "abc");
    await until(() => bob.text === "abc", "bob sees abc");
    bob.insert(3, "XYZ");
    await until(() => alice.text === "abcXYZ", "alice sees bob's edit");
    const changes = [];
    alice.on("change", (event) => changes.push(event));
    assert.equal(alice.canUndo, true);
    assert.equal(alice.undo(), true);
    // Only alice's own edit is undone.
    assert.equal(alice.text, "XYZ");
    assert.deepEqual(changes.at(-1), { op: [{ d: "abc" }], changes: [{ from: 0, to: 3, insert: "" }], origin: "undo" });
    await until(() => bob.text === "XYZ", "bob sees the undo");
    assert.equal(alice.redo(), true);
    await until(() => bob.text === "abcXYZ" && !alice.hasPending, "bob sees the redo");
    assert.equal(alice.undo(), true);
    assert.equal(alice.undo(), false);
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

test("invalid url is an Error", async () => {
  await assert.rejects(() => TextSync.open({ url: "", doc: "x", offline: false }), {
    message: 'invalid url "": expected a ws:// or wss:// URL',
  });
});

test("client state machine directly", () => {
  const client = new TextSyncClient("a1", "abc", 4);
  assert.equal(client.state, "synchronized");
  client.applyLocal(TextOp.insert(3, "d"));
  assert.equal(client.state, "pending");
  const sent = client.nextSubmission();
  assert.deepEqual(sent, { id: { site: "00000000000000a1", seq: 1 }, base: 4, clock: { "00000000000000a1": 1 }, op: [3, "d"] });
  assert.equal(client.nextSubmission(), undefined);
  const applied = client.receiveRemote({ revision: 5, id: { site: "b2", seq: 1 }, clock: { b2: 1 }, op: ["😀"] });
  assert.deepEqual(applied, { op: ["😀"], changes: [{ from: 0, to: 0, insert: "😀" }] });
  assert.equal(client.text, "😀abcd");
  // After a reconnect the in-flight op is sent again under the same id
  // and clock, based on the revision received and moved past the insert.
  client.reconnect();
  assert.deepEqual(client.nextSubmission(), { ...sent, base: 5, op: [4, "d"] });
  client.acknowledge({ site: "a1", seq: 1 }, 6);
  assert.equal(client.state, "synchronized");
  assert.equal(client.revision, 6);
  assert.throws(() => client.acknowledge({ site: "a1", seq: 2 }, 7), {
    message: "acknowledgement for operation 00000000000000a1:2, but nothing is in flight",
  });
  assert.throws(() => client.receiveRemote({ revision: 9, id: { site: "b2", seq: 2 }, clock: {}, op: [] }), {
    message: "revision gap: expected revision 7, got 9; fetch the operations in between first",
  });
});
