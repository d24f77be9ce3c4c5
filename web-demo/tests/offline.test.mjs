// One user works offline, reloads while still offline, and goes back
// online: the offline edits survive the reload through IndexedDB and then
// merge with what the other user did meanwhile.

import assert from "node:assert/strict";
import { test } from "node:test";
import { serverWithUsers, waitUntil } from "./harness.mjs";
import { draw, focusPadEnd, isSubsequence, padText, shapes, sortedCharacters, stagePoint } from "./ui.mjs";

let server;
let alice;
let bob;

serverWithUsers(["alice", "bob"], (started, users) => {
  server = started;
  [alice, bob] = users;
});

test("offline edits survive a reload and merge", { timeout: 120_000 }, async () => {
  const url = `${server.url}/?doc=offline-${Date.now()}`;
  await Promise.all([alice.open(url), bob.open(url)]);
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);
  await focusPadEnd(alice.page);
  await alice.page.keyboard.type("shared start. ");
  await waitUntil(async () => (await padText(bob.page)) === "shared start. ", 10_000, "bob to see the first line");

  // Alice switches offline and edits the board and the pad.
  await alice.page.uncheck("[data-testid=online]");
  await alice.page.waitForSelector("[data-testid=connection][data-status=offline]");
  const offlineShape = await draw(alice.page, "diamond", await stagePoint(alice.page, 0.2, 0.3), await stagePoint(alice.page, 0.3, 0.45));
  await focusPadEnd(alice.page);
  await alice.page.keyboard.type("alice offline. ");

  // Meanwhile Bob edits online.
  const onlineShape = await draw(bob.page, "rectangle", await stagePoint(bob.page, 0.6, 0.3), await stagePoint(bob.page, 0.7, 0.45));
  await focusPadEnd(bob.page);
  await bob.page.keyboard.type("bob online. ");
  await new Promise((wait) => setTimeout(wait, 300));
  assert.equal((await shapes(bob.page)).length, 1, "bob does not see offline edits");
  assert.equal((await shapes(alice.page)).length, 1, "alice does not see online edits while offline");

  // Alice reloads while still offline: her edits come back from IndexedDB.
  await alice.page.reload();
  await alice.waitReady();
  assert.equal(await alice.page.getAttribute("[data-testid=connection]", "data-status"), "offline");
  const reloaded = await alice.snapshot();
  assert.deepEqual(reloaded.shapes.map((shape) => shape.id), [offlineShape]);
  assert.equal(reloaded.text, "shared start. alice offline. ");
  await alice.screenshot("offline-reloaded");

  // Back online, both converge on everything.
  await alice.page.check("[data-testid=online]");
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);
  let a;
  let b;
  await waitUntil(
    async () => {
      [a, b] = await Promise.all([alice.snapshot(), bob.snapshot()]);
      return a.shapes.length === 2 && JSON.stringify(a.shapes) === JSON.stringify(b.shapes) && a.text === b.text && a.status === "online";
    },
    10_000,
    "both pages to merge the offline edits",
  );
  assert.deepEqual(a.shapes.map((shape) => shape.id).sort(), [offlineShape, onlineShape].sort());
  assert.ok(a.text.startsWith("shared start. "), a.text);
  assert.equal(sortedCharacters(a.text), sortedCharacters("shared start. alice offline. bob online. "));
  assert.ok(isSubsequence("alice offline. ", a.text));
  assert.ok(isSubsequence("bob online. ", a.text));
  await Promise.all([alice.screenshot("offline-merged"), bob.screenshot("offline-merged")]);
  assert.deepEqual(alice.errors, []);
  assert.deepEqual(bob.errors, []);
});
