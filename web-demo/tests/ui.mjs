// Drives the page as a person does: toolbar clicks, mouse drags on the
// board, typing into the sticky notes and the text pad.

/** Returns the screen position of a board point in `page`. */
export async function toScreen(page, point) {
  return page.evaluate(({ x, y }) => {
    const { view } = window.echostream;
    const rect = view.svg.getBoundingClientRect();
    const { originX, originY, zoom } = view.viewport;
    return { x: rect.left + (x - originX) * zoom, y: rect.top + (y - originY) * zoom };
  }, point);
}

/** Returns the screen position of the centre of a shape. */
export async function shapeCenter(page, id) {
  return page.evaluate((shapeId) => {
    const element = document.querySelector(`g.shapes > g[data-shape-id="${CSS.escape(shapeId)}"]`);
    if (!element) {
      throw new Error(`shape ${shapeId} is not drawn`);
    }
    const box = element.getBoundingClientRect();
    return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
  }, id);
}

/** Returns a point on the board area, `fx` and `fy` being fractions of its width and height. */
export async function stagePoint(page, fx, fy) {
  const box = await page.locator("[data-testid=board-stage]").boundingBox();
  return { x: box.x + box.width * fx, y: box.y + box.height * fy };
}

export async function pickTool(page, tool) {
  await page.click(`[data-tool=${tool}]`);
}

/** Drags the mouse from `from` to `to` in `steps` moves. */
export async function drag(page, from, to, steps = 8) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

/** Draws a shape with `tool` from `from` to `to` and returns the id of the new shape, which the page selects. */
export async function draw(page, tool, from, to) {
  const before = new Set((await shapes(page)).map((shape) => shape.id));
  await pickTool(page, tool);
  await drag(page, from, to);
  const selected = await page.evaluate(() => window.echostream.view.selection);
  if (selected.length !== 1 || before.has(selected[0])) {
    throw new Error(`drawing a ${tool} left ${JSON.stringify(selected)} selected, expected one new shape`);
  }
  const shape = (await shapes(page)).find((candidate) => candidate.id === selected[0]);
  if (shape?.kind !== tool) {
    throw new Error(`drawing a ${tool} made ${JSON.stringify(shape)}`);
  }
  return selected[0];
}

export async function shapes(page) {
  return page.evaluate(() => window.echostream.snapshot().shapes);
}

export async function padText(page) {
  return page.evaluate(() => window.echostream.snapshot().text);
}

/** Puts the caret at the end of the text pad. */
export async function focusPadEnd(page) {
  await page.click("[data-testid=pad]");
  await page.keyboard.press("Control+End");
}

/** Returns true when `part` is a subsequence of `whole`: its characters appear in order. */
export function isSubsequence(part, whole) {
  let at = 0;
  for (const character of whole) {
    if (at < part.length && character === part[at]) {
      at++;
    }
  }
  return at === part.length;
}

/** Returns the characters of `text` sorted, to compare multisets. */
export function sortedCharacters(text) {
  return [...text].sort().join("");
}
