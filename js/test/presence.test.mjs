// Tests of presence in TextSync and BoardSync: a caller-chosen site, the
// user's name and color, and peers' selections that follow every edit the
// client applies. Text runs against the in-process test server
// (support/mock-server.mjs), which relays presence as sent; boards run
// against the repository's `echostream serve`.

import assert from "node:assert/strict";
import { test } from "node:test";

import { WebSocket } from "ws";

import { BoardOp, BoardSync, BoardSyncClient, TextOp, TextSync } from "echostream";
import { startMockServer } from "./support/mock-server.mjs";
import { serverBinary, startRealServer } from "./support/real-server.mjs";
import { until } from "./support/wait.mjs";

const createSocket = (url) => new WebSocket(url);
const backoff = { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 };
const bin = serverBinary();
const skipBoard = bin === null ? "echostream serve missing" : false;

function openText(server, doc, extra = {}) {
  return TextSync.open({ url: server.url, doc, offline: false, createSocket, backoff, ...extra });
}

function openBoard(server, doc, extra = {}) {
  return BoardSync.open({ url: server.url, doc, offline: false, createSocket, backoff, ...extra });
}

// Returns the selections `sync` stores for the peer `site`, or undefined.
function peerSelections(sync, site) {
  return sync.peers().find((peer) => peer.site === site)?.selections;
}

test("site option sets the site", async () => {
  const server = await startMockServer();
  const sync = await openText(server, "site", { site: "ABC" });
  try {
    assert.equal(sync.site, "0000000000000abc");
  } finally {
    await sync.close();
    await server.close();
  }
});

test("site option rejects invalid sites", async () => {
  for (const site of ["xyz", "", "12345678901234567", 7]) {
    await assert.rejects(
      TextSync.open({ url: "ws://127.0.0.1:9/ws", doc: "d", offline: false, site, createSocket }),
      { message: `invalid site ${JSON.stringify(site)}: expected 1 to 16 hexadecimal digits` },
    );
    await assert.rejects(
      BoardSync.open({ url: "ws://127.0.0.1:9/ws", doc: "d", offline: false, site, createSocket }),
      { message: `invalid site ${JSON.stringify(site)}: expected 1 to 16 hexadecimal digits` },
    );
  }
});

test("text user reaches peers", async () => {
  const server = await startMockServer();
  const alice = await openText(server, "user");
  const bob = await openText(server, "user");
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    const seen = [];
    bob.on("presence", (event) => seen.push(event));
    alice.setUser({ name: "Alice", color: "#1e90ff" });
    await until(() => seen.length === 1, "bob to see alice's user");
    assert.deepEqual(seen[0], { site: alice.site, selections: [], user: { name: "Alice", color: "#1e90ff" } });
    assert.deepEqual(bob.peers(), [{ site: alice.site, selections: [], user: { name: "Alice", color: "#1e90ff" } }]);
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

test("text peer caret follows edits", async () => {
  const server = await startMockServer();
  const alice = await openText(server, "follow");
  const bob = await openText(server, "follow");
  const carol = await openText(server, "follow");
  try {
    await until(() => [alice, bob, carol].every((s) => s.status === "connected"), "all connected");
    alice.insert(0, "hello world");
    await until(() => bob.text === "hello world" && carol.text === "hello world" && !alice.hasPending, "the text everywhere");

    // Bob's caret before "world".
    bob.setSelections([{ anchor: 6, head: 6 }]);
    await until(() => peerSelections(alice, bob.site) !== undefined, "alice to see bob's caret");
    assert.deepEqual(peerSelections(alice, bob.site), [{ anchor: 6, head: 6 }]);

    // A local edit before the caret moves it at once, before any ack.
    const events = [];
    alice.on("presence", (event) => events.push(event));
    alice.insert(0, "😀 ");
    assert.deepEqual(peerSelections(alice, bob.site), [{ anchor: 9, head: 9 }]);
    assert.deepEqual(events.at(-1), { site: bob.site, selections: [{ anchor: 9, head: 9 }], user: null });

    // A remote edit before the caret moves it too; one after it does not.
    await until(() => !alice.hasPending && carol.text === alice.text, "alice's edit at carol");
    carol.insert(0, ">> ");
    await until(() => alice.text.startsWith(">> "), "carol's edit at alice");
    assert.deepEqual(peerSelections(alice, bob.site), [{ anchor: 12, head: 12 }]);
    await until(() => !carol.hasPending, "carol's edit acknowledged");
    carol.insert(carol.text.length, "!");
    await until(() => alice.text.endsWith("!"), "carol's second edit at alice");
    assert.deepEqual(peerSelections(alice, bob.site), [{ anchor: 12, head: 12 }]);

    // Text inserted exactly at another user's caret goes after it.
    alice.insert(12, "big ");
    assert.deepEqual(peerSelections(alice, bob.site), [{ anchor: 12, head: 12 }]);
  } finally {
    await alice.close();
    await bob.close();
    await carol.close();
    await server.close();
  }
});

test("text presence resent after ack", async () => {
  const server = await startMockServer();
  const alice = await openText(server, "resend");
  const bob = await openText(server, "resend");
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    alice.insert(0, "hello");
    await until(() => bob.text === "hello" && !alice.hasPending, "the text at bob");

    // The caret sits after an insert the server has not acknowledged, so
    // the first presence can only place it before that insert.
    server.hooks.ignoreSubmits = true;
    alice.insert(5, " world");
    alice.setSelections([{ anchor: 11, head: 11 }]);
    await until(() => peerSelections(bob, alice.site) !== undefined, "bob to see alice's caret");
    assert.deepEqual(peerSelections(bob, alice.site), [{ anchor: 5, head: 5 }]);

    server.hooks.ignoreSubmits = false;
    server.dropConnections();
    await until(() => bob.text === "hello world", "the insert at bob");
    await until(() => peerSelections(bob, alice.site)?.[0].head === 11, "alice's caret to be sent again");
    assert.deepEqual(peerSelections(bob, alice.site), [{ anchor: 11, head: 11 }]);
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

test("board peer caret follows edits", { skip: skipBoard }, async () => {
  const server = await startRealServer(bin);
  const alice = await openBoard(server, "board-follow");
  const bob = await openBoard(server, "board-follow");
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    const { id, op } = alice.board.createOp({ kind: "sticky_note", props: { x: { number: 0 }, y: { number: 0 } }, text: "buy milk" });
    alice.apply(op);
    await until(() => bob.board.size === 1 && !alice.hasPending, "the note at bob");

    // Bob's caret before "milk", and his name.
    bob.setUser({ name: "Bob", color: "#aa3300" });
    bob.setPresence({ selected: [id], pointer: [5, 5], text: { shape: id, selections: [{ anchor: 4, head: 4 }] } });
    const bobAt = () => alice.peers().find((peer) => peer.site === bob.site)?.presence;
    await until(() => bobAt()?.text !== null && bobAt()?.text !== undefined, "alice to see bob's caret");
    assert.deepEqual(bobAt(), {
      selected: [id],
      pointer: [5, 5],
      text: { shape: id, selections: [{ anchor: 4, head: 4 }] },
      user: { name: "Bob", color: "#aa3300" },
    });

    // Alice's local edit before the caret moves it at once.
    alice.apply(BoardOp.editText(id, TextOp.insert(0, "please ")));
    assert.deepEqual(bobAt().text, { shape: id, selections: [{ anchor: 11, head: 11 }] });

    // Bob's own edit reaches alice as a remote edit and moves it too.
    const bobEdit = BoardOp.editText(id, TextOp.insert(0, "1. "));
    await until(() => bob.board.shape(id).text === "please buy milk", "alice's edit at bob");
    bob.apply(bobEdit);
    await until(() => alice.board.shape(id).text === "1. please buy milk", "bob's edit at alice");
    assert.deepEqual(bobAt().text, { shape: id, selections: [{ anchor: 14, head: 14 }] });

    // A delete takes the shape out of the selection and the caret away.
    await until(() => !alice.hasPending && !bob.hasPending, "both acknowledged");
    alice.apply(alice.board.deleteOp(id));
    assert.deepEqual(bobAt().selected, []);
    assert.equal(bobAt().text, null);
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

test("board user rejected by server", { skip: skipBoard }, async () => {
  const server = await startRealServer(bin);
  const alice = await openBoard(server, "board-user");
  try {
    await until(() => alice.status === "connected", "connected");
    const errors = [];
    alice.on("error", (error) => errors.push(error));
    alice.setUser({ name: "Alice", color: "blue" });
    await until(() => errors.length === 1, "the server's error");
    assert.equal(errors[0].kind, "server");
    assert.equal(errors[0].code, "invalid_message");
    assert.equal(errors[0].message, 'presence user color "blue" is invalid: expected #rrggbb with 6 hexadecimal digits');
  } finally {
    await alice.close();
    await server.close();
  }
});

test("board client moves selections past pending edits", () => {
  const id = "AAAAAAAAAAAAAAAAAAAAAA";
  const board = { shapes: [{ id, kind: "sticky_note", text: "buy milk" }] };
  const client = new BoardSyncClient("a1", board, 3);
  const caret = [{ anchor: 4, head: 4 }];
  assert.deepEqual(client.textSelectionsToLocal(id, caret), caret);

  // A pending insert before the caret: a peer's caret moves past it, and
  // this client's own caret is taken back out of it.
  client.applyLocal(BoardOp.editText(id, TextOp.insert(0, "please ")));
  assert.deepEqual(client.textSelectionsToLocal(id, caret), [{ anchor: 11, head: 11 }]);
  assert.deepEqual(client.textSelectionsFromLocal(id, [{ anchor: 11, head: 11 }]), caret);
  // A caret inside the pending insert goes to its start.
  assert.deepEqual(client.textSelectionsFromLocal(id, [{ anchor: 3, head: 5 }]), [{ anchor: 0, head: 0 }]);

  // Once the insert is acknowledged nothing is taken out.
  const sent = client.nextSubmission();
  client.acknowledge(sent.id, 4);
  assert.deepEqual(client.textSelectionsFromLocal(id, [{ anchor: 11, head: 11 }]), [{ anchor: 11, head: 11 }]);

  // A pending delete of the shape leaves no place for the selections.
  client.applyLocal(BoardOp.fromJSON([{ delete: { id, shape: { kind: "sticky_note", text: "please buy milk" }, z: 0 } }]));
  assert.equal(client.textSelectionsToLocal(id, caret), undefined);
  assert.throws(() => client.textSelectionsToLocal("nope", caret), /nope/);
});
