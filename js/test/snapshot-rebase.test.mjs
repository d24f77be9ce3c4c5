// End-to-end tests against `echostream serve` with a short history: a
// client that comes back after the others edited past the compaction
// keeps its pending edits, and every edit is committed exactly once.
// Each client's WebSocket goes through a gate that the test can close,
// mute (sent messages are lost) or make deaf (received acks are lost).

import assert from "node:assert/strict";
import { test } from "node:test";

import { WebSocket } from "ws";

import { BoardOp, BoardSync, TextOp, TextSync } from "echostream";
import { serverBinary, startRealServer } from "./support/real-server.mjs";
import { until as untilWithin } from "./support/wait.mjs";

const until = (condition, what) => untilWithin(condition, what, 15_000);

const bin = serverBinary();
const skip = bin === null ? "echostream serve missing" : false;
const backoff = { initialDelayMs: 30, maxDelayMs: 100, jitter: 0 };
// The server keeps 2 operations of history and compacts once it has more
// than 4.
const SHORT_HISTORY = ["--history", "2", "--snapshot-every", "3"];

// A switch between a session and its WebSockets.
class Gate {
  online = true;
  mute = false;
  deafToAcks = false;
  sockets = new Set();

  create = (url) => {
    if (!this.online) throw new Error("the test keeps this client offline");
    const ws = new WebSocket(url);
    const gate = this;
    const socket = {
      get readyState() {
        return ws.readyState;
      },
      send(data) {
        if (!gate.mute) ws.send(data);
      },
      close(code, reason) {
        ws.close(code, reason);
      },
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
    };
    ws.onopen = (event) => socket.onopen?.(event);
    ws.onmessage = (event) => {
      if (gate.deafToAcks && JSON.parse(String(event.data)).type === "ack") return;
      socket.onmessage?.(event);
    };
    ws.onerror = (event) => socket.onerror?.(event);
    ws.onclose = (event) => {
      this.sockets.delete(ws);
      socket.onclose?.(event);
    };
    this.sockets.add(ws);
    return socket;
  };

  goOffline() {
    this.online = false;
    for (const ws of this.sockets) ws.terminate();
  }

  reconnect() {
    for (const ws of this.sockets) ws.terminate();
  }
}

function openText(url, doc, gate = new Gate()) {
  return TextSync.open({ url, doc, offline: false, createSocket: gate.create, backoff });
}

// Collects a session's error events.
function errorsOf(session) {
  const errors = [];
  session.on("error", (event) => errors.push(event));
  return errors;
}

// Bob types `count` single characters at the end, one acknowledged
// edit at a time, so that the server commits `count` revisions.
async function typeAtEnd(session, count) {
  for (let i = 0; i < count; i += 1) {
    session.insert(session.text.length, String(i % 10));
    await until(() => !session.hasPending, `edit ${i} to be acknowledged`);
  }
}

test("offline text edits move onto a snapshot", { skip }, async () => {
  const server = await startRealServer(bin, SHORT_HISTORY);
  const gate = new Gate();
  const alice = await openText(server.url, "rebase-text", gate);
  const bob = await openText(server.url, "rebase-text");
  const aliceErrors = errorsOf(alice);
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    alice.insert(0, "middle");
    await until(() => !alice.hasPending && bob.text === "middle", "bob to see the base");

    gate.goOffline();
    await until(() => alice.status !== "connected", "alice to go offline");
    alice.insert(0, "<");
    alice.insert(alice.text.length, ">");
    await typeAtEnd(bob, 8);
    assert.equal(bob.text, "middle01234567");

    const changes = [];
    alice.on("change", (event) => changes.push(event));
    gate.online = true;
    await until(() => alice.status === "connected" && !alice.hasPending, "alice to resend");
    await until(() => bob.text === alice.text, "convergence");
    // The snapshot welcome kept both offline edits; bob's text went in
    // between them.
    assert.equal(alice.text, "<middle01234567>");
    assert.ok(changes.some((c) => c.origin === "snapshot"), "no snapshot change event");
    // Only the gate's refusals to connect, no server error or lost edit.
    assert.deepEqual(
      aliceErrors.filter((e) => e.kind !== "protocol"),
      [],
    );
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

test("committed but unacknowledged edit applies once", { skip }, async () => {
  const server = await startRealServer(bin, SHORT_HISTORY);
  const gate = new Gate();
  const alice = await openText(server.url, "rebase-once", gate);
  const bob = await openText(server.url, "rebase-once");
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    alice.insert(0, "ab");
    await until(() => !alice.hasPending && bob.text === "ab", "bob to see the base");

    // The server commits alice's edit, but its ack never reaches her.
    gate.deafToAcks = true;
    alice.insert(1, "X");
    await until(() => bob.text === "aXb", "bob to see the edit");
    assert.equal(alice.hasPending, true);
    gate.goOffline();
    gate.deafToAcks = false;
    alice.insert(alice.text.length, "!");
    await typeAtEnd(bob, 8);

    gate.online = true;
    await until(() => alice.status === "connected" && !alice.hasPending, "alice to resend");
    await until(() => bob.text === alice.text, "convergence");
    assert.equal(alice.text, "aXb01234567!");
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

test("resend after compaction uses current base", { skip }, async () => {
  const server = await startRealServer(bin, SHORT_HISTORY);
  const gate = new Gate();
  const alice = await openText(server.url, "rebase-base", gate);
  const bob = await openText(server.url, "rebase-base");
  const aliceErrors = errorsOf(alice);
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    alice.insert(0, "base");
    await until(() => !alice.hasPending && bob.text === "base", "bob to see the base");

    // Alice's submission is lost, but she keeps receiving bob's edits,
    // which move the history past her submission's base.
    gate.mute = true;
    alice.insert(0, "A");
    await typeAtEnd(bob, 8);
    await until(() => alice.revision === bob.revision, "alice to catch up");
    assert.equal(alice.hasPending, true);

    gate.mute = false;
    gate.reconnect();
    await until(() => alice.status === "connected" && !alice.hasPending, "alice to resend");
    await until(() => bob.text === alice.text, "convergence");
    assert.equal(alice.text, "Abase01234567");
    assert.deepEqual(
      aliceErrors.filter((e) => e.kind === "server"),
      [],
    );
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

test("offline board edits move onto a snapshot", { skip }, async () => {
  const server = await startRealServer(bin, SHORT_HISTORY);
  const gate = new Gate();
  const open = (g) => BoardSync.open({ url: server.url, doc: "rebase-board", offline: false, createSocket: g.create, backoff });
  const alice = await open(gate);
  const bob = await open(new Gate());
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    const { id, op } = alice.board.createOp({ kind: "sticky_note", text: "note", props: { x: { number: 0 }, y: { number: 0 } } });
    alice.apply(op);
    await until(() => !alice.hasPending && bob.board.size === 1, "bob to see the note");

    gate.goOffline();
    await until(() => alice.status !== "connected", "alice to go offline");
    alice.apply(alice.board.setOp(id, "strokeColor", { color: "#00ff00" }));
    alice.apply(BoardOp.editText(id, TextOp.insert(0, "my ")));
    for (let i = 1; i <= 8; i += 1) {
      bob.apply(bob.board.setOp(id, "x", { number: i }));
      await until(() => !bob.hasPending, `bob's move ${i}`);
    }

    gate.online = true;
    await until(() => alice.status === "connected" && !alice.hasPending, "alice to resend");
    await until(() => alice.board.equals(bob.board), "convergence");
    const shape = bob.board.shape(id);
    assert.deepEqual(shape.props, { x: { number: 8 }, y: { number: 0 }, strokeColor: { color: "#00ff00" } });
    assert.equal(shape.text, "my note");
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});
