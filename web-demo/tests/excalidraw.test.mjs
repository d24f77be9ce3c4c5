// Importing a real Excalidraw scene in one page shows the whole scene in
// the other, and exporting gives back a scene with the same elements.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { dataDir, serverWithUsers, waitUntil } from "./harness.mjs";
import { draw, shapes, stagePoint } from "./ui.mjs";

const data = dataDir();
const scenePath = data ? join(data, "whiteboard", "kubekey-architecture.excalidraw") : null;

let server;
let alice;
let bob;

serverWithUsers(
  ["alice", "bob"],
  (started, users) => {
    server = started;
    [alice, bob] = users;
  },
  { skip: !data },
);

test("imported scene appears in the other page", { timeout: 120_000 }, async (t) => {
  if (!data) {
    t.skip("shared data missing: set ECHOSTREAM_DATA or put it at ../shared/data");
    console.log("skipped: the shared data folder is missing (set ECHOSTREAM_DATA or put it at ../shared/data)");
    return;
  }
  const scene = JSON.parse(readFileSync(scenePath, "utf8"));
  const elements = scene.elements.filter((element) => !element.isDeleted);
  const texts = elements.filter((element) => element.type === "text").map((element) => element.text.replace(/\s+/g, " ").trim());

  const url = `${server.url}/?doc=import-${Date.now()}`;
  await Promise.all([alice.open(url), bob.open(url)]);
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);

  // The scene goes on top of a board that already has a shape.
  const first = await draw(alice.page, "rectangle", await stagePoint(alice.page, 0.1, 0.1), await stagePoint(alice.page, 0.2, 0.2));
  await alice.page.setInputFiles("[data-testid=import-file]", scenePath);
  // The page reads the file asynchronously, so the shapes appear later.
  await waitUntil(async () => (await shapes(alice.page)).length > 1, 10_000, "alice's import to add shapes");
  const imported = await shapes(alice.page);
  assert.equal(imported[0].id, first, "the earlier shape stays at the bottom");
  await waitUntil(async () => (await shapes(bob.page)).length === imported.length, 10_000, "bob to receive every shape");
  await bob.waitOnline();
  assert.deepEqual(await shapes(bob.page), await shapes(alice.page));

  // Every text of the scene is drawn in Bob's page, and every shape lies in his view.
  const drawn = (await bob.page.locator("g.shapes .shape-text").allInnerTexts()).map((text) => text.replace(/\u200b/g, "").replace(/\s+/g, " ").trim());
  for (const text of texts) {
    assert.ok(drawn.some((shown) => shown.includes(text)), `bob's board shows ${JSON.stringify(text)}`);
  }
  const outside = await bob.page.evaluate(() => {
    const stage = document.querySelector("[data-testid=board-stage]").getBoundingClientRect();
    return [...document.querySelectorAll("g.shapes > g")].filter((element) => {
      const box = element.getBoundingClientRect();
      return box.left < stage.left - 1 || box.top < stage.top - 1 || box.right > stage.right + 1 || box.bottom > stage.bottom + 1;
    }).length;
  });
  assert.equal(outside, 0, "every shape is inside bob's view");
  assert.equal(await bob.page.locator("g.shapes > g[data-kind=arrow]").count(), elements.filter((element) => element.type === "arrow").length);
  await Promise.all([alice.screenshot("import"), bob.screenshot("import")]);

  // Export from Bob's page: an Excalidraw scene with a shape per element drawn.
  const [download] = await Promise.all([bob.page.waitForEvent("download"), bob.page.click("[data-action=export]")]);
  const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert.equal(exported.type, "excalidraw");
  const exportedTexts = exported.elements.filter((element) => element.type === "text" && !element.isDeleted).map((element) => element.text.replace(/\s+/g, " ").trim());
  for (const text of texts) {
    assert.ok(exportedTexts.includes(text), `the export keeps ${JSON.stringify(text)}`);
  }

  // The import is one edit: one undo takes every imported shape away.
  await alice.page.click("[data-action=undo]");
  await waitUntil(async () => (await shapes(bob.page)).length === 1, 10_000, "bob to see the import undone");
  assert.deepEqual((await shapes(alice.page)).map((shape) => shape.id), [first]);
  assert.deepEqual(alice.errors, []);
  assert.deepEqual(bob.errors, []);
});
