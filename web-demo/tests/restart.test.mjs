// The server restarts in the middle of a session: every acknowledged edit
// is still there afterwards, the pages reconnect on their own, and what was
// typed while the server was down is delivered once it is back.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { serverWithUsers, User, waitUntil } from "./harness.mjs";
import { draw, focusPadEnd, isSubsequence, padText, sortedCharacters, stagePoint } from "./ui.mjs";

let server;
let alice;
let bob;
let carol;

serverWithUsers(["alice", "bob"], (started, users) => {
  server = started;
  [alice, bob] = users;
});

after(async () => {
  await carol?.close();
});

test("server restart loses nothing acknowledged", { timeout: 120_000 }, async () => {
  const url = `${server.url}/?doc=restart-${Date.now()}`;
  await Promise.all([alice.open(url), bob.open(url)]);
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);

  const rectangle = await draw(alice.page, "rectangle", await stagePoint(alice.page, 0.2, 0.2), await stagePoint(alice.page, 0.4, 0.4));
  await focusPadEnd(bob.page);
  await bob.page.keyboard.type("acknowledged line. ");
  // "online" means connected with nothing left to acknowledge.
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);
  await waitUntil(async () => (await padText(alice.page)) === "acknowledged line. ", 10_000, "alice to see bob's line");

  await server.stop();
  await Promise.all([
    alice.page.waitForSelector("[data-testid=connection][data-status=connecting]", { timeout: 10_000 }),
    bob.page.waitForSelector("[data-testid=connection][data-status=connecting]", { timeout: 10_000 }),
  ]);
  // Edits made while the server is down wait in the pages.
  await focusPadEnd(alice.page);
  await alice.page.keyboard.type("typed while down. ");
  const ellipse = await draw(bob.page, "ellipse", await stagePoint(bob.page, 0.6, 0.2), await stagePoint(bob.page, 0.75, 0.4));
  await server.launch();

  // The pages reconnect with no help and converge.
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);
  let a;
  let b;
  await waitUntil(
    async () => {
      [a, b] = await Promise.all([alice.snapshot(), bob.snapshot()]);
      return JSON.stringify(a.shapes) === JSON.stringify(b.shapes) && a.text === b.text && a.shapes.length === 2;
    },
    15_000,
    "both pages to converge after the restart",
  );
  assert.deepEqual(a.shapes.map((shape) => shape.id).sort(), [rectangle, ellipse].sort());
  assert.equal(a.text, "acknowledged line. typed while down. ");

  // A new user loads everything from the restarted server's store.
  carol = await User.launch("carol");
  await carol.open(url);
  await carol.waitOnline();
  const c = await carol.snapshot();
  assert.equal(c.text, a.text);
  assert.deepEqual(c.shapes, a.shapes);
  await Promise.all([alice.screenshot("restart"), bob.screenshot("restart"), carol.screenshot("restart")]);
  assert.deepEqual(alice.errors, []);
  assert.deepEqual(bob.errors, []);
  assert.ok(isSubsequence("typed while down. ", c.text));
  assert.equal(sortedCharacters(c.text), sortedCharacters("acknowledged line. typed while down. "));
});
