// A page keeps edits made offline in IndexedDB while the server compacts
// the history below the page's revision and restarts. When the page goes
// back online, the server's welcome carries a snapshot instead of the
// missed operations, the page moves its pending edits onto it, and every
// edit ends up exactly once in both pages and on the server.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { serverWithUsers, User, waitUntil } from "./harness.mjs";
import { draw, focusPadEnd, padText, sortedCharacters, stagePoint } from "./ui.mjs";

let server;
let alice;
let bob;
let carol;

// The server keeps 2 operations of history per document and saves a
// snapshot every 3.
serverWithUsers(
  ["alice", "bob"],
  (started, users) => {
    server = started;
    [alice, bob] = users;
  },
  { serverArgs: ["--history", "2", "--snapshot-every", "3"] },
);

after(async () => {
  await carol?.close();
});

// Returns how often `part` occurs in `text`.
function occurrences(text, part) {
  return text.split(part).length - 1;
}

test("offline edits survive compaction and restart", { timeout: 120_000 }, async () => {
  const doc = `compaction-${Date.now()}`;
  const url = `${server.url}/?doc=${doc}`;
  await Promise.all([alice.open(url), bob.open(url)]);
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);
  await focusPadEnd(alice.page);
  await alice.page.keyboard.type("base. ");
  await alice.waitOnline();
  await waitUntil(async () => (await padText(bob.page)) === "base. ", 10_000, "bob to see the base");

  // Alice edits the pad and the board offline, then reloads: her edits
  // are pending in IndexedDB only.
  await alice.page.uncheck("[data-testid=online]");
  await alice.page.waitForSelector("[data-testid=connection][data-status=offline]");
  await focusPadEnd(alice.page);
  await alice.page.keyboard.type("alice offline. ");
  const offlineShape = await draw(alice.page, "ellipse", await stagePoint(alice.page, 0.2, 0.3), await stagePoint(alice.page, 0.3, 0.45));
  await alice.page.reload();
  await alice.waitReady();
  assert.equal(await alice.page.getAttribute("[data-testid=connection]", "data-status"), "offline");
  const reloaded = await alice.snapshot();
  assert.equal(reloaded.text, "base. alice offline. ");
  assert.deepEqual(
    reloaded.shapes.map((shape) => shape.id),
    [offlineShape],
  );

  // Bob commits one word at a time, far more revisions than the server
  // keeps, on the pad and on the board.
  const words = ["one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight "];
  for (const word of words) {
    await focusPadEnd(bob.page);
    await bob.page.keyboard.type(word);
    await bob.waitOnline();
  }
  const bobShapes = [];
  for (const fx of [0.5, 0.6, 0.7, 0.8]) {
    bobShapes.push(await draw(bob.page, "rectangle", await stagePoint(bob.page, fx, 0.6), await stagePoint(bob.page, fx + 0.05, 0.7)));
    await bob.waitOnline();
  }
  const bobText = `base. ${words.join("")}`;
  assert.equal(await padText(bob.page), bobText);

  await server.restart();
  await bob.waitOnline();

  // Alice goes back online. The welcome for her pad carries a snapshot,
  // because the history after her revision was compacted.
  const welcomes = [];
  alice.page.on("websocket", (socket) => {
    socket.on("framereceived", ({ payload }) => {
      const message = JSON.parse(String(payload));
      if (message.type === "welcome") welcomes.push(message);
    });
  });
  await alice.page.check("[data-testid=online]");
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);
  let a;
  let b;
  await waitUntil(
    async () => {
      [a, b] = await Promise.all([alice.snapshot(), bob.snapshot()]);
      return a.text === b.text && JSON.stringify(a.shapes) === JSON.stringify(b.shapes) && a.shapes.length === 5;
    },
    15_000,
    "both pages to converge",
  );
  const padWelcome = welcomes.find((w) => w.doc === `${doc}.text`);
  assert.ok(padWelcome !== undefined, `no pad welcome among ${welcomes.length}`);
  assert.equal(typeof padWelcome.snapshot?.revision, "number", "the pad welcome has no snapshot");
  assert.ok(padWelcome.snapshot.revision > 2, `snapshot at revision ${padWelcome.snapshot.revision}`);

  // Every edit appears exactly once.
  assert.equal(occurrences(a.text, "alice offline. "), 1, a.text);
  for (const word of words) {
    assert.equal(occurrences(a.text, word.trim()), 1, `${word} in ${a.text}`);
  }
  assert.ok(a.text.startsWith("base. "), a.text);
  assert.equal(sortedCharacters(a.text), sortedCharacters(`${bobText}alice offline. `));
  assert.deepEqual(a.shapes.map((shape) => shape.id).sort(), [offlineShape, ...bobShapes].sort());

  // The server's copy, as a new page loads it, is the same.
  carol = await User.launch("carol");
  await carol.open(url);
  await carol.waitOnline();
  const c = await carol.snapshot();
  assert.equal(c.text, a.text);
  assert.deepEqual(c.shapes, a.shapes);
  await Promise.all([alice.screenshot("compaction"), bob.screenshot("compaction")]);
  assert.deepEqual(alice.errors, []);
  assert.deepEqual(bob.errors, []);
  assert.deepEqual(carol.errors, []);
});
