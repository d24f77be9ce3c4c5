// Tests in Node, over fake-indexeddb, of the undo history kept in the
// offline log: after a reload a client can undo and redo its own edits,
// transformed past the edits of others that arrived since.

import assert from "node:assert/strict";
import { test } from "node:test";

import "fake-indexeddb/auto";
import { WebSocket } from "ws";

import { BoardOp, BoardSync, TextSync } from "echostream";
import { startMockServer } from "./support/mock-server.mjs";
import { until } from "./support/wait.mjs";

const backoff = { initialDelayMs: 30, maxDelayMs: 100, jitter: 0 };

test("text undo survives a reload", async () => {
  const server = await startMockServer();
  const open = (offline) =>
    TextSync.open({ url: server.url, doc: "undo-text", offline, createSocket: (u) => new WebSocket(u), backoff });
  const alice = await open({ dbName: "undo-db" });
  await until(() => alice.status === "connected", "alice to join");
  alice.insert(0, "hello");
  alice.insert(5, " world");
  await until(() => !alice.hasPending, "alice's edits to be acknowledged");
  const site = alice.site;
  await alice.close();

  // Another user edits while alice is away.
  const bob = await open(false);
  await until(() => bob.text === "hello world", "bob to join");
  bob.insert(0, "Bob: ");
  await until(() => !bob.hasPending, "bob's edit to be acknowledged");

  const reloaded = await open({ dbName: "undo-db" });
  assert.equal(reloaded.site, site);
  assert.equal(reloaded.canUndo, true);
  await until(() => reloaded.text === "Bob: hello world", "the reloaded client to catch up");
  assert.equal(reloaded.undo(), true);
  assert.equal(reloaded.text, "Bob: hello");
  assert.equal(reloaded.undo(), true);
  assert.equal(reloaded.text, "Bob: ");
  assert.equal(reloaded.canUndo, false);
  assert.equal(reloaded.redo(), true);
  assert.equal(reloaded.text, "Bob: hello");
  await until(() => !reloaded.hasPending && bob.text === "Bob: hello", "bob to see the undo");
  await reloaded.close();
  await bob.close();
  await server.close();
});

test("board undo survives a reload offline", async () => {
  const failSocket = () => {
    throw new Error("the test keeps this client offline");
  };
  const open = () => BoardSync.open({ url: "ws://127.0.0.1:9/ws", doc: "undo-board", offline: { dbName: "undo-db" }, createSocket: failSocket, backoff });
  const first = await open();
  const { id, op } = first.board.createOp({ kind: "rectangle", props: { x: { number: 0 }, y: { number: 0 } } });
  first.apply(op);
  first.apply(BoardOp.translate(id, 10, 0));
  assert.equal(first.undo(), true);
  await first.close();

  const second = await open();
  assert.equal(second.board.shape(id).props.x.number, 0);
  assert.equal(second.canRedo, true);
  assert.equal(second.redo(), true);
  assert.equal(second.board.shape(id).props.x.number, 10);
  assert.equal(second.undo(), true);
  assert.equal(second.undo(), true);
  assert.equal(second.board.size, 0);
  assert.equal(second.canUndo, false);
  await second.close();
});
