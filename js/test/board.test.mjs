// Tests of Board and BoardOp: building, applying, transforming and
// inverting board operations, and Excalidraw scenes.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Board, BoardOp, TextOp, randomShapeId } from "echostream";
import { dataFile, readText } from "./support/data.mjs";

function boardWithRectangle() {
  const board = new Board();
  const { id, op } = board.createOp({ kind: "rectangle", props: { x: { number: 0 }, y: { number: 0 } } });
  board.apply(op);
  return { board, id };
}

test("board creates and reads shapes", () => {
  const { board, id } = boardWithRectangle();
  assert.match(id, /^[A-D][A-Za-z0-9_-]{21}$/);
  assert.equal(board.size, 1);
  assert.deepEqual(board.order(), [id]);
  assert.deepEqual(board.shape(id), { kind: "rectangle", props: { x: { number: 0 }, y: { number: 0 } } });
  assert.equal(board.shape(randomShapeId()), undefined);
  const json = board.toJSON();
  assert.deepEqual(json, { shapes: [{ id, kind: "rectangle", props: { x: { number: 0 }, y: { number: 0 } } }] });
  assert.ok(Board.fromJSON(json).equals(board));
});

test("concurrent translations add up", () => {
  const { board, id } = boardWithRectangle();
  const alice = BoardOp.translate(id, 10, 2.5);
  const bob = BoardOp.translate(id, -4, 1);
  const first = board.clone();
  const second = board.clone();
  first.apply(alice);
  first.apply(bob.transform(alice, "right"));
  second.apply(bob);
  second.apply(alice.transform(bob, "left"));
  assert.deepEqual(first.shape(id).props, { x: { number: 6 }, y: { number: 3.5 } });
  assert.ok(first.equals(second));
});

test("delete beats a concurrent set", () => {
  const { board, id } = boardWithRectangle();
  const alice = board.deleteOp(id);
  const bob = board.setOp(id, "strokeColor", { color: "#ff0000" });
  const first = board.clone();
  const second = board.clone();
  first.apply(alice);
  first.apply(bob.transform(alice, "right"));
  second.apply(bob);
  second.apply(alice.transform(bob, "left"));
  assert.equal(first.size, 0);
  assert.ok(first.equals(second));
});

test("text edits and invert", () => {
  const board = new Board();
  const { id, op } = board.createOp({ kind: "sticky_note", text: "buy milk" });
  board.apply(op);
  const edit = BoardOp.editText(id, TextOp.insert(0, "please "));
  const before = board.clone();
  board.apply(edit);
  assert.equal(board.shape(id).text, "please buy milk");
  board.apply(edit.invert(before));
  assert.ok(board.equals(before));
  assert.deepEqual(edit.toJSON(), [{ edit_text: { id, op: ["please "] } }]);
  assert.ok(BoardOp.fromJSON(edit.toJSON()).compose(new BoardOp()).toJSON().length === 1);
});

test("z-order and groups", () => {
  const board = new Board();
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const { id, op } = board.createOp({ kind: "ellipse" });
    board.apply(op);
    ids.push(id);
  }
  board.apply(board.bringToFrontOp(ids[0]));
  assert.deepEqual(board.order(), [ids[1], ids[2], ids[0]]);
  board.apply(board.moveOp(ids[0], 0));
  assert.deepEqual(board.order(), ids);
  const group = randomShapeId();
  board.apply(board.groupOp(group, [ids[0], ids[2]]));
  assert.deepEqual(board.groupMembers(group).sort(), [ids[0], ids[2]].sort());
  board.apply(board.ungroupOp(group));
  assert.deepEqual(board.groupMembers(group), []);
});

test("board errors name the value", () => {
  const { board, id } = boardWithRectangle();
  assert.throws(() => board.deleteOp("nope"), /invalid id "nope": expected 22 URL-safe base64 characters/);
  assert.throws(() => board.deleteOp(randomShapeId()), /shape .* (not found|does not exist|unknown)/i);
  assert.throws(() => board.moveOp(id, -1), /invalid z-order position -1: expected a non-negative integer/);
  assert.throws(() => BoardOp.fromJSON([{ fly: {} }]), /invalid board operation/);
  const size = board.size;
  assert.throws(() => board.apply(BoardOp.translate(randomShapeId(), 1, 1)));
  assert.equal(board.size, size);
});

test("Excalidraw scene round trips", (t) => {
  const path = dataFile("whiteboard/txtai-install.excalidraw");
  if (!path) return t.skip("data missing");
  const scene = readText(path);
  const elements = JSON.parse(scene).elements.filter((e) => !e.isDeleted);
  const board = Board.fromExcalidraw(scene);
  assert.ok(board.size > 0);
  assert.ok(board.size <= elements.length);
  const exported = JSON.parse(board.toExcalidraw());
  assert.equal(exported.type, "excalidraw");
  const again = Board.fromExcalidraw(JSON.stringify(exported));
  assert.equal(again.size, board.size);
  const kinds = (b) => b.toJSON().shapes.map((s) => s.kind);
  assert.deepEqual(kinds(again), kinds(board));
  const texts = (b) => b.toJSON().shapes.map((s) => s.text ?? null);
  assert.deepEqual(texts(again), texts(board));
  assert.throws(() => Board.fromExcalidraw("{"), Error);
});
