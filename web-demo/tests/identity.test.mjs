// A user's name: set in the page, kept across reloads, and shown by the
// pointer and the pad caret in the other page, as one person on one site.

import assert from "node:assert/strict";
import { test } from "node:test";
import { serverWithUsers, waitUntil } from "./harness.mjs";
import { focusPadEnd, stagePoint } from "./ui.mjs";

let server;
let alice;
let bob;

serverWithUsers(["alice", "bob"], (started, users) => {
  server = started;
  [alice, bob] = users;
});

/** Returns the peers that `user`'s page shows. */
function peers(user) {
  return user.page.evaluate(() => window.echostream.session.presence.peers());
}

test("chosen name reaches the other page", { timeout: 120_000 }, async () => {
  const url = `${server.url}/?doc=names-${Date.now()}`;
  await Promise.all([alice.open(url), bob.open(url)]);
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);
  // Headless Chromium sent no icon request in this test, so it reads the link
  // that keeps a desktop browser from requesting /favicon.ico.
  const icon = await alice.page.getAttribute("link[rel=icon]", "href");
  assert.match(icon, /^data:image\/svg\+xml,/);
  assert.deepEqual(alice.failedResponses, []);

  await alice.page.fill("[data-testid=own-name]", "  Alice Ö 🎨 ");
  await alice.page.press("[data-testid=own-name]", "Enter");
  assert.equal(await alice.page.inputValue("[data-testid=own-name]"), "Alice Ö 🎨");

  // Bob's page shows one peer: her pointer and her pad caret come from one site.
  const site = await alice.page.evaluate(() => window.echostream.session.site);
  await alice.page.mouse.move(...Object.values(await stagePoint(alice.page, 0.5, 0.5)));
  await waitUntil(async () => (await peers(bob)).some((shown) => shown.pointer !== null), 10_000, "bob to see alice's pointer");
  assert.equal(await bob.page.locator("g.peer-pointer .peer-pointer-name").textContent(), "Alice Ö 🎨");
  await focusPadEnd(alice.page);
  await waitUntil(
    async () => (await peers(bob)).some((shown) => shown.cursor?.target.kind === "pad"),
    10_000,
    "bob to see alice's caret",
  );
  const shown = await peers(bob);
  assert.equal(shown.length, 1, JSON.stringify(shown));
  assert.equal(shown[0].site, site);
  assert.equal(shown[0].name, "Alice Ö 🎨");
  assert.match(shown[0].color, /^#[0-9a-f]{6}$/);
  assert.equal(await bob.page.locator("[data-testid=roster] .peer-chip").innerText(), "Alice Ö 🎨");
  await waitUntil(async () => (await bob.page.locator(".pad-mirror .peer-caret").count()) === 1, 5000, "bob to draw alice's caret");
  assert.equal(await bob.page.locator(".pad-mirror .peer-caret .peer-caret-name").textContent(), "Alice Ö 🎨");

  // The name stays across a reload, and the others see it again.
  await alice.page.reload();
  await alice.waitReady();
  assert.equal(await alice.page.inputValue("[data-testid=own-name]"), "Alice Ö 🎨");
  await alice.page.mouse.move(...Object.values(await stagePoint(alice.page, 0.4, 0.4)));
  await waitUntil(
    async () => (await peers(bob)).some((shown) => shown.name === "Alice Ö 🎨" && shown.pointer !== null),
    10_000,
    "bob to see alice's name after her reload",
  );
  await Promise.all([alice.screenshot("names"), bob.screenshot("names")]);

  // A name of only spaces falls back to the name derived from the site.
  await alice.page.fill("[data-testid=own-name]", "   ");
  await alice.page.press("[data-testid=own-name]", "Enter");
  const fallback = await alice.page.inputValue("[data-testid=own-name]");
  assert.match(fallback, /^[A-Z][a-z]+ \d\d$/);
  assert.deepEqual(alice.errors, []);
  assert.deepEqual(bob.errors, []);
});
