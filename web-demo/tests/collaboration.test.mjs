// Two users on one document draw, move the same shape, and type into the
// same sticky note and the text pad at the same time. Both must end with
// the same board and text, with every typed character kept.

import assert from "node:assert/strict";
import { test } from "node:test";
import { serverWithUsers, waitUntil } from "./harness.mjs";
import {
  drag,
  draw,
  focusPadEnd,
  isSubsequence,
  padText,
  shapeCenter,
  shapes,
  sortedCharacters,
  stagePoint,
} from "./ui.mjs";

let server;
let alice;
let bob;

serverWithUsers(["alice", "bob"], (started, users) => {
  server = started;
  [alice, bob] = users;
});

/** Returns the text drawn in a shape, without the carets of other users. */
async function labelText(page, id) {
  return page.evaluate((shapeId) => {
    const label = document.querySelector(`g[data-shape-id="${CSS.escape(shapeId)}"] .shape-text`).cloneNode(true);
    label.querySelectorAll(".peer-caret").forEach((caret) => caret.remove());
    return label.textContent.replace(/\u200b/g, "");
  }, id);
}

/** Waits until both pages hold the same board and pad, and returns Alice's copy. */
async function converged(timeoutMs = 10_000) {
  let last = null;
  await waitUntil(
    async () => {
      const [a, b] = await Promise.all([alice.snapshot(), bob.snapshot()]);
      last = { a, b };
      return a.status === "online" && b.status === "online" && JSON.stringify(a.shapes) === JSON.stringify(b.shapes) && a.text === b.text;
    },
    timeoutMs,
    "both pages to hold the same board and text",
  ).catch((error) => {
    throw new Error(`${error.message}\nalice: ${JSON.stringify(last?.a)}\nbob: ${JSON.stringify(last?.b)}`);
  });
  return last.a;
}

test("two pages edit one document at once", { timeout: 120_000 }, async () => {
  const url = `${server.url}/?doc=collab-${Date.now()}`;
  await Promise.all([alice.open(url), bob.open(url)]);
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);

  // Both draw at the same time.
  const [rectangle, ellipse] = await Promise.all([
    draw(alice.page, "rectangle", await stagePoint(alice.page, 0.2, 0.2), await stagePoint(alice.page, 0.35, 0.35)),
    draw(bob.page, "ellipse", await stagePoint(bob.page, 0.5, 0.2), await stagePoint(bob.page, 0.65, 0.4)),
  ]);
  let board = await converged();
  assert.equal(board.shapes.length, 2);
  assert.deepEqual(board.shapes.map((shape) => shape.kind).sort(), ["ellipse", "rectangle"]);

  // Both drag the rectangle at once: the moves add up.
  const start = board.shapes.find((shape) => shape.id === rectangle);
  const [fromA, fromB] = await Promise.all([shapeCenter(alice.page, rectangle), shapeCenter(bob.page, rectangle)]);
  await Promise.all([
    drag(alice.page, fromA, { x: fromA.x + 120, y: fromA.y }, 6),
    drag(bob.page, fromB, { x: fromB.x, y: fromB.y + 90 }, 6),
  ]);
  board = await converged();
  const moved = board.shapes.find((shape) => shape.id === rectangle);
  const zoomA = await alice.page.evaluate(() => window.echostream.view.viewport.zoom);
  const zoomB = await bob.page.evaluate(() => window.echostream.view.viewport.zoom);
  assert.ok(Math.abs(moved.x - start.x - 120 / zoomA) < 1, `rectangle x moved by ${moved.x - start.x}, expected ${120 / zoomA}`);
  assert.ok(Math.abs(moved.y - start.y - 90 / zoomB) < 1, `rectangle y moved by ${moved.y - start.y}, expected ${90 / zoomB}`);
  assert.ok(board.shapes.some((shape) => shape.id === ellipse));

  // Alice draws an arrow from the rectangle to the ellipse: its ends attach
  // to both, and follow the ellipse when Bob moves it.
  const arrow = await draw(alice.page, "arrow", await shapeCenter(alice.page, rectangle), await shapeCenter(alice.page, ellipse));
  board = await converged();
  const bound = board.shapes.find((shape) => shape.id === arrow);
  assert.equal(bound.startBinding, rectangle);
  assert.equal(bound.endBinding, ellipse);
  const ellipseBox = await bob.page.locator(`g.shapes > g[data-shape-id="${ellipse}"]`).boundingBox();
  const grip = { x: ellipseBox.x + ellipseBox.width / 2, y: ellipseBox.y + ellipseBox.height / 5 };
  await drag(bob.page, grip, { x: grip.x, y: grip.y + 100 }, 6);
  board = await converged();
  const arrowEnd = await alice.page.evaluate((id) => {
    const path = document.querySelector(`g.shapes > g[data-shape-id="${id}"] path`);
    const end = path.getPointAtLength(path.getTotalLength());
    return { x: end.x, y: end.y };
  }, arrow);
  const movedEllipse = board.shapes.find((shape) => shape.id === ellipse);
  const inflate = 6;
  assert.ok(
    arrowEnd.x >= movedEllipse.x - inflate && arrowEnd.x <= movedEllipse.x + movedEllipse.width + inflate,
    `the arrow ends at x ${arrowEnd.x}, beside the ellipse at ${movedEllipse.x}..${movedEllipse.x + movedEllipse.width}`,
  );
  assert.ok(
    arrowEnd.y >= movedEllipse.y - inflate && arrowEnd.y <= movedEllipse.y + movedEllipse.height + inflate,
    `the arrow ends at y ${arrowEnd.y}, beside the ellipse at ${movedEllipse.y}..${movedEllipse.y + movedEllipse.height}`,
  );

  // Alice adds a sticky note; both type into it at the same time.
  const stickyAt = await stagePoint(alice.page, 0.3, 0.7);
  await alice.page.click("[data-tool=sticky]");
  await alice.page.mouse.click(stickyAt.x, stickyAt.y);
  await alice.page.keyboard.type("plan: ");
  board = await converged();
  const sticky = board.shapes.find((shape) => shape.kind === "sticky");
  assert.ok(sticky, "the sticky note reached both pages");
  const bobSticky = await shapeCenter(bob.page, sticky.id);
  await bob.page.mouse.dblclick(bobSticky.x, bobSticky.y);
  await bob.page.keyboard.press("Control+End");
  const aliceWords = "ship the board ";
  const bobWords = "write the tests ";
  await Promise.all([
    alice.page.keyboard.type(aliceWords, { delay: 15 }),
    bob.page.keyboard.type(bobWords, { delay: 15 }),
  ]);
  board = await converged();
  const stickyText = board.shapes.find((shape) => shape.id === sticky.id).text;
  assert.equal(sortedCharacters(stickyText), sortedCharacters(`plan: ${aliceWords}${bobWords}`));
  assert.ok(isSubsequence(aliceWords, stickyText), `alice's words are in order in ${JSON.stringify(stickyText)}`);
  assert.ok(isSubsequence(bobWords, stickyText), `bob's words are in order in ${JSON.stringify(stickyText)}`);
  assert.equal(await bob.page.inputValue("[data-testid=shape-editor]"), stickyText);
  await bob.page.keyboard.press("Escape");
  assert.equal(await labelText(bob.page, sticky.id), stickyText);

  // Both type into the text pad at the same time.
  await Promise.all([focusPadEnd(alice.page), focusPadEnd(bob.page)]);
  const alicePad = "Alice types the agenda. ";
  const bobPad = "Bob adds his notes. ";
  await Promise.all([
    alice.page.keyboard.type(alicePad, { delay: 10 }),
    bob.page.keyboard.type(bobPad, { delay: 10 }),
  ]);
  board = await converged();
  assert.equal(sortedCharacters(board.text), sortedCharacters(alicePad + bobPad));
  assert.ok(isSubsequence(alicePad, board.text));
  assert.ok(isSubsequence(bobPad, board.text));
  assert.equal(await alice.page.inputValue("[data-testid=pad]"), board.text);
  assert.equal(await bob.page.inputValue("[data-testid=pad]"), board.text);

  // Undo takes back only the undoer's own edit; redo brings it back.
  const diamond = await draw(alice.page, "diamond", await stagePoint(alice.page, 0.7, 0.6), await stagePoint(alice.page, 0.8, 0.75));
  board = await converged();
  const bobLater = await draw(bob.page, "rectangle", await stagePoint(bob.page, 0.1, 0.8), await stagePoint(bob.page, 0.2, 0.9));
  board = await converged();
  assert.equal(board.shapes.length, 6);
  await alice.page.keyboard.press("Control+z");
  board = await converged();
  assert.ok(!board.shapes.some((shape) => shape.id === diamond), "alice's undo removes her diamond");
  assert.ok(board.shapes.some((shape) => shape.id === bobLater), "alice's undo keeps bob's later rectangle");
  assert.equal(board.shapes.length, 5);
  await alice.page.keyboard.press("Control+Shift+z");
  board = await converged();
  assert.ok(board.shapes.some((shape) => shape.id === diamond), "alice's redo brings the diamond back");
  assert.equal(board.shapes.length, 6);

  // Bob's page shows Alice: a roster chip, her pointer and her caret in the pad.
  await waitUntil(async () => (await bob.page.locator("[data-testid=roster] .peer-chip").count()) === 1, 5000, "bob to list alice");
  await alice.page.mouse.move(...Object.values(await stagePoint(alice.page, 0.5, 0.5)));
  await waitUntil(async () => (await bob.page.locator("g.peer-pointer").count()) === 1, 5000, "bob to see alice's pointer");
  await focusPadEnd(alice.page);
  await waitUntil(
    () =>
      bob.page.evaluate((length) => {
        const carets = window.echostream.session.presence.peers().filter((peer) => peer.cursor?.target.kind === "pad");
        return carets.length === 1 && carets[0].cursor.head === length;
      }, board.text.length),
    5000,
    "bob to see alice's caret at the end of the pad",
  );
  // The page draws presence on the next animation frame, after the data
  // above has arrived.
  await waitUntil(
    async () => (await bob.page.locator(".pad-mirror .peer-caret").count()) === 1,
    5000,
    "bob's pad to draw alice's caret",
  );

  await Promise.all([alice.screenshot("collaboration"), bob.screenshot("collaboration")]);
  assert.deepEqual(alice.errors, []);
  assert.deepEqual(bob.errors, []);
  assert.equal((await shapes(alice.page)).length, 6);
  assert.equal(await padText(bob.page), board.text);
});
