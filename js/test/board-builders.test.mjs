// Tests of the board builders that the web demo uses: the Excalidraw
// import as one operation on a board that has shapes, and the rounding of
// coordinates and translation deltas to the 1/65536 px grid.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Board, BoardOp } from "echostream";
import { dataFile, readText } from "./support/data.mjs";

// A rectangle with a bound text inside, and an arrow that starts at it.
const SCENE = JSON.stringify({
  type: "excalidraw",
  elements: [
    { id: "box", type: "rectangle", x: 10, y: 20, width: 100, height: 50 },
    { id: "label", type: "text", x: 15, y: 25, width: 90, height: 20, text: "hi", originalText: "hi", containerId: "box" },
    {
      id: "link",
      type: "arrow",
      x: 110,
      y: 45,
      width: 50,
      height: 0,
      points: [
        [0, 0],
        [50, 0],
      ],
      startBinding: { elementId: "box", focus: 0, gap: 4 },
    },
  ],
});

function boardWithRectangle() {
  const board = new Board();
  const { id, op } = board.createOp({ kind: "rectangle", props: { x: { number: 0 }, y: { number: 0 } } });
  board.apply(op);
  op.free();
  return { board, id };
}

test("import op adds scene above shapes", () => {
  const { board, id } = boardWithRectangle();
  const op = board.importExcalidrawOp(SCENE);
  board.apply(op);
  const order = board.order();
  assert.equal(order.length, 4);
  assert.equal(order[0], id);
  const [rectangle, text, arrow] = order.slice(1).map((shapeId) => ({ id: shapeId, ...board.shape(shapeId) }));
  assert.equal(rectangle.kind, "rectangle");
  assert.deepEqual(rectangle.props.x, { number: 10 });
  assert.equal(text.kind, "text");
  assert.equal(text.text, "hi");
  assert.deepEqual(text.props.container, { shape: rectangle.id });
  assert.equal(arrow.kind, "arrow");
  assert.equal(arrow.props.startBinding.binding.shape, rectangle.id);
});

test("import op is one undoable step", () => {
  const { board } = boardWithRectangle();
  const before = board.clone();
  const op = board.importExcalidrawOp(SCENE);
  const inverse = op.invert(board);
  board.apply(op);
  board.apply(inverse);
  assert.ok(board.equals(before));
});

test("import op of a shared scene", () => {
  const path = dataFile("whiteboard/kubekey-architecture.excalidraw");
  if (path === null) return;
  const json = readText(path);
  const expected = Board.fromExcalidraw(json);
  const { board } = boardWithRectangle();
  board.apply(board.importExcalidrawOp(json));
  assert.equal(board.size, expected.size + 1);
});

test("import op rejects invalid json", () => {
  const board = new Board();
  assert.throws(() => board.importExcalidrawOp("{nope"), /invalid Excalidraw JSON/);
  assert.equal(board.size, 0);
});

test("translate rounds deltas to grid", () => {
  const { board, id } = boardWithRectangle();
  board.apply(BoardOp.translate(id, 0.1, -1 / 3));
  // 0.1 * 65536 = 6553.6 rounds to 6554; -21845.33 rounds to -21845.
  assert.deepEqual(board.shape(id).props.x, { number: 6554 / 65536 });
  assert.deepEqual(board.shape(id).props.y, { number: -21845 / 65536 });
});

test("translate rejects non-finite deltas", () => {
  const { id } = boardWithRectangle();
  assert.throws(() => BoardOp.translate(id, Number.NaN, 0), /invalid translation \(NaN, 0\)/);
  assert.throws(() => BoardOp.translate(id, 0, Number.POSITIVE_INFINITY), /invalid translation \(0, inf\)/);
});

test("setOp rounds coordinates", () => {
  const { board, id } = boardWithRectangle();
  board.apply(board.setOp(id, "y", { number: 12.3 }));
  // 12.3 * 65536 = 806092.8 rounds to 806093.
  assert.deepEqual(board.shape(id).props.y, { number: 806093 / 65536 });
  board.apply(board.setOp(id, "width", { number: 12.3 }));
  assert.deepEqual(board.shape(id).props.width, { number: 12.3 });
});

test("setOp rejects non-finite values", () => {
  const { board, id } = boardWithRectangle();
  // Values cross into WebAssembly as JSON, where a non-finite number is null.
  const finite = "which JSON.stringify writes as null; pass a finite number";
  assert.throws(() => board.setOp(id, "x", { number: Number.NaN }), {
    message: `invalid property value: the value at number is NaN, ${finite}`,
  });
  assert.throws(() => board.setOp(id, "width", { number: Number.NEGATIVE_INFINITY }), {
    message: `invalid property value: the value at number is -Infinity, ${finite}`,
  });
  assert.throws(() => board.createOp({ kind: "rectangle", props: { y: { number: Infinity } } }), {
    message: `invalid shape: the value at props.y.number is Infinity, ${finite}`,
  });
  // A bare non-finite number would read as null, which removes the property.
  assert.throws(() => board.setOp(id, "x", Number.NaN), {
    message: `invalid property value: it is NaN, ${finite}`,
  });
  assert.throws(() => board.setOp(id, "x", Infinity), {
    message: `invalid property value: it is Infinity, ${finite}`,
  });
  assert.deepEqual(board.shape(id).props.x, { number: 0 });
});

test("createOp rounds coordinates", () => {
  const board = new Board();
  const { id, op } = board.createOp({ kind: "ellipse", props: { x: { number: 0.1 }, y: { number: 3 }, width: { number: 0.1 } } });
  board.apply(op);
  assert.deepEqual(board.shape(id).props, { x: { number: 6554 / 65536 }, y: { number: 3 }, width: { number: 0.1 } });
});

test("groupOp rejects a member already in the group", () => {
  const { board, id } = boardWithRectangle();
  const other = board.createOp({ kind: "ellipse", props: { x: { number: 5 }, y: { number: 5 } } });
  board.apply(other.op);
  const group = "B" + "x".repeat(21);
  board.apply(board.groupOp(group, [id]));

  assert.throws(() => board.groupOp(group, [other.id, id]), {
    message: `shape ${id} is already in group ${group}`,
  });
  assert.throws(() => board.groupOp(group, [other.id, other.id]), {
    message: `shape ${other.id} is already in group ${group}`,
  });
  assert.deepEqual(board.groupMembers(group), [id]);

  // The members not yet in it can join, and the operation applies.
  board.apply(board.groupOp(group, [other.id]));
  assert.deepEqual(board.groupMembers(group).sort(), [id, other.id].sort());
});

test("setOp rejects a reference that would not apply", () => {
  const { board, id } = boardWithRectangle();
  const missing = "C" + "y".repeat(21);
  assert.throws(() => board.setOp(id, "container", { shape: missing }), {
    message: `property container of shape ${id} refers to shape ${missing}, which is not on the board`,
  });
  assert.throws(() => board.setOp(id, "container", { shape: id }), {
    message: `property container of shape ${id} refers to the shape itself`,
  });
  assert.throws(() => board.setOp(id, "x", { string: "left" }), {
    message: `property x of shape ${id} must be a number, not {"string":"left"}`,
  });
  assert.deepEqual(board.shape(id).props, { x: { number: 0 }, y: { number: 0 } });
});

test("createOp rejects a shape that would not apply", () => {
  const { board, id } = boardWithRectangle();
  assert.throws(
    () => board.createOp({ kind: "text", props: { frame: { shape: id } }, text: "a" }),
    (error) => new RegExp(`^the frame of shape \\S+ must be a frame, but shape ${id} is a rectangle$`).test(error.message),
  );
  const group = "D" + "z".repeat(21);
  assert.throws(
    () => board.createOp({ kind: "ellipse", groups: [group, group] }),
    (error) => new RegExp(`^shape \\S+ is already in group ${group}$`).test(error.message),
  );
  assert.equal(board.size, 1);
});
