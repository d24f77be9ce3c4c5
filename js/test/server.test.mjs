// End-to-end tests against the repository's `echostream serve`. Clients
// in Node and in headless Chromium (with the IndexedDB log) edit one
// document. Edits made while the server is down survive a page reload,
// and they are committed once after it restarts.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { WebSocket } from "ws";

import { BoardOp, BoardSync, TextSync } from "echostream";
import { chromiumMissing, launchBrowser, serveFolder } from "./support/browser.mjs";
import { root } from "./support/data.mjs";
import { serverBinary, startRealServer } from "./support/real-server.mjs";
import { until as untilWithin } from "./support/wait.mjs";

const until = (condition, what) => untilWithin(condition, what, 15_000);

const bin = serverBinary();
const skipNode = bin === null ? "echostream serve missing" : false;
const skipBrowser = skipNode || (chromiumMissing() ?? false);
const backoff = { initialDelayMs: 50, maxDelayMs: 300, jitter: 0 };

let files;
let browser;

before(async () => {
  if (skipBrowser) return;
  files = await serveFolder(root);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await files?.close();
});

function openNode(url, doc) {
  return TextSync.open({ url, doc, offline: false, createSocket: (u) => new WebSocket(u), backoff });
}

// Joins the document with a fresh Node client and returns its text and
// revision as the server has them.
async function readBack(url, doc) {
  const reader = await openNode(url, doc);
  try {
    await until(() => reader.status === "connected", "the reader to join");
    return { text: reader.text, revision: reader.revision };
  } finally {
    await reader.close();
  }
}

test("Node clients converge on the server", { skip: skipNode }, async () => {
  const server = await startRealServer(bin);
  const alice = await openNode(server.url, "e2e-node");
  const bob = await openNode(server.url, "e2e-node");
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    alice.insert(0, "Hello world");
    await until(() => bob.text === "Hello world", "bob to see the text");
    alice.insert(5, ",");
    bob.insert(11, " 😀!");
    await until(() => !alice.hasPending && !bob.hasPending && alice.text === bob.text && alice.text === "Hello, world 😀!", "convergence");
    assert.equal(alice.text, "Hello, world 😀!");

    // The server restarts; an edit made meanwhile is committed once.
    await server.stop();
    await until(() => alice.status !== "connected", "alice to notice");
    alice.insert(0, ">> ");
    await server.start();
    await until(() => alice.status === "connected" && !alice.hasPending, "alice to resend");
    await until(() => bob.text === ">> Hello, world 😀!", "bob to see the resent edit");
    const stored = await readBack(server.url, "e2e-node");
    assert.equal(stored.text, ">> Hello, world 😀!");
    assert.equal(stored.revision, 4);
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

test("browser offline edits reach the server", { skip: skipBrowser }, async () => {
  const server = await startRealServer(bin);
  const page = await browser.context.newPage();
  const load = async () => {
    await page.goto(`${files.url}/js/test/browser/page.html`);
    await page.waitForFunction(() => window.ready === true);
  };
  const open = (url) =>
    page.evaluate(
      async ({ url, backoff }) => {
        window.sync = await window.echostream.TextSync.open({ url, doc: "e2e-browser", backoff });
        return { site: window.sync.site, text: window.sync.text, pending: window.sync.pending() };
      },
      { url, backoff },
    );
  try {
    await load();
    const first = await open(server.url);
    await page.waitForFunction(() => window.sync.status === "connected");
    await page.evaluate(() => window.sync.insert(0, "online"));
    await page.waitForFunction(() => !window.sync.hasPending);

    await server.stop();
    await page.waitForFunction(() => window.sync.status !== "connected");
    await page.evaluate(() => window.sync.insert(6, ", then offline 😀"));
    const pending = await page.evaluate(() => window.sync.pending());
    assert.equal(pending.length, 1);

    await load();
    const restored = await open(server.url);
    assert.equal(restored.site, first.site);
    assert.equal(restored.text, "online, then offline 😀");
    assert.deepEqual(restored.pending, pending);

    await server.start();
    await page.waitForFunction(() => window.sync.status === "connected" && !window.sync.hasPending, null, { timeout: 15000 });
    const stored = await readBack(server.url, "e2e-browser");
    assert.equal(stored.text, "online, then offline 😀");
    assert.equal(stored.revision, 2);
  } finally {
    await page.close();
    await server.close();
  }
});

function openBoard(url, doc) {
  return BoardSync.open({ url, doc, offline: false, createSocket: (u) => new WebSocket(u), backoff });
}

test("boards converge on the server", { skip: skipNode }, async () => {
  const server = await startRealServer(bin);
  const alice = await openBoard(server.url, "e2e-board");
  const bob = await openBoard(server.url, "e2e-board");
  try {
    await until(() => alice.status === "connected" && bob.status === "connected", "both connected");
    const board = alice.board;
    const { id, op } = board.createOp({ kind: "rectangle", props: { x: { number: 0 }, y: { number: 0 } } });
    alice.apply(op);
    await until(() => bob.board.size === 1, "bob to see the shape");

    // Concurrent drags add up; a concurrent color change applies too.
    const changes = [];
    bob.on("change", (event) => changes.push(event));
    alice.apply(BoardOp.translate(id, 10, 5));
    bob.apply(BoardOp.translate(id, -4, 1));
    bob.apply(bob.board.setOp(id, "strokeColor", { color: "#ff0000" }));
    await until(() => !alice.hasPending && !bob.hasPending && alice.board.equals(bob.board) && alice.board.shape(id).props.x.number === 6, "convergence");
    assert.deepEqual(alice.board.shape(id).props, { x: { number: 6 }, y: { number: 6 }, strokeColor: { color: "#ff0000" } });
    assert.ok(changes.some((c) => c.origin === "remote" && c.op.length > 0));

    // Undo takes back only bob's own change.
    assert.equal(bob.undo(), true);
    await until(() => !bob.hasPending && alice.board.shape(id).props.strokeColor === undefined, "the undo to reach alice");
    assert.equal(alice.board.shape(id).props.x.number, 6);
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

test("browser board survives reload offline", { skip: skipBrowser }, async () => {
  const server = await startRealServer(bin);
  await server.stop();
  const page = await browser.context.newPage();
  const load = async () => {
    await page.goto(`${files.url}/js/test/browser/page.html`);
    await page.waitForFunction(() => window.ready === true);
  };
  const open = (url) =>
    page.evaluate(
      async ({ url, backoff }) => {
        window.boardSync = await window.echostream.BoardSync.open({ url, doc: "e2e-board-offline", backoff });
        return { site: window.boardSync.site, board: window.boardSync.board.toJSON(), pending: window.boardSync.pending() };
      },
      { url, backoff },
    );
  try {
    await load();
    const first = await open(server.url);
    const id = await page.evaluate(() => {
      const { id, op } = window.boardSync.board.createOp({ kind: "sticky_note", text: "offline idea" });
      window.boardSync.apply(op);
      return id;
    });
    await load();
    const restored = await open(server.url);
    assert.equal(restored.site, first.site);
    assert.deepEqual(restored.board, { shapes: [{ id, kind: "sticky_note", text: "offline idea" }] });
    assert.equal(restored.pending.length, 1);

    await server.start();
    await page.waitForFunction(() => window.boardSync.status === "connected" && !window.boardSync.hasPending, null, { timeout: 15000 });
    const reader = await openBoard(server.url, "e2e-board-offline");
    try {
      await until(() => reader.status === "connected", "the reader to join");
      assert.deepEqual(reader.board.toJSON(), { shapes: [{ id, kind: "sticky_note", text: "offline idea" }] });
      assert.equal(reader.revision, 1);
    } finally {
      await reader.close();
    }
  } finally {
    await page.close();
    await server.close();
  }
});
