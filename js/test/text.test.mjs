// Tests of TextDocument and TextOp: both position units, the boundary
// checks and their error messages.

import assert from "node:assert/strict";
import { test } from "node:test";

import { TextDocument, TextOp } from "echostream";

test("document counts code points and UTF-16", () => {
  const doc = new TextDocument("a😀b");
  assert.equal(doc.length, 3);
  assert.equal(doc.lengthUtf16, 4);
  assert.equal(doc.toString(), "a😀b");
  assert.equal(JSON.stringify({ doc }), '{"doc":"a😀b"}');
  assert.equal(new TextDocument().length, 0);
});

test("positions convert between units", () => {
  const doc = new TextDocument("x😀y😀z");
  assert.equal(doc.utf16FromCodePoint(2), 3);
  assert.equal(doc.codePointFromUtf16(3), 2);
  assert.equal(doc.codePointFromUtf16(7), 5);
  assert.equal(doc.utf16FromCodePoint(5), 7);
});

test("offset inside surrogate pair is rejected", () => {
  const doc = new TextDocument("a😀b");
  assert.throws(() => doc.codePointFromUtf16(2), {
    name: "Error",
    message: "UTF-16 offset 2 is inside a surrogate pair",
  });
  assert.throws(() => doc.insertUtf16(2, "x"), /UTF-16 offset 2 is inside a surrogate pair/);
  assert.throws(() => doc.deleteUtf16(1, 2), /UTF-16 offset 2 is inside a surrogate pair/);
  assert.equal(doc.toString(), "a😀b");
});

test("offset past the end is rejected", () => {
  const doc = new TextDocument("abc");
  assert.throws(() => doc.codePointFromUtf16(4), /UTF-16 position 4 is past the end of the document \(3\)/);
  assert.throws(() => doc.utf16FromCodePoint(9), /code point position 9 is past the end of the document \(3\)/);
});

test("bad numbers name the value", () => {
  assert.throws(() => TextOp.insert(-1, "x"), {
    message: "invalid position -1: expected a non-negative integer",
  });
  assert.throws(() => TextOp.insert(1.5, "x"), /invalid position 1.5/);
  assert.throws(() => TextOp.delete(4, 2), /invalid range 4..2: the end is before the start/);
  assert.throws(() => TextOp.insert(Number.NaN, "x"), /invalid position NaN/);
});

test("lone surrogates are rejected", () => {
  assert.throws(() => TextOp.insert(0, "ab\ud800"), /lone UTF-16 surrogate at offset 2/);
  assert.throws(() => new TextDocument("\udc00"), /invalid document text/);
  assert.throws(() => TextOp.fromJSON([1, { d: "x\udc00" }]), /lone UTF-16 surrogate at offset 1/);
});

test("UTF-16 edits build code point ops", () => {
  const doc = new TextDocument("a😀b");
  const insert = doc.insertUtf16(3, "X");
  assert.deepEqual(insert.toJSON(), [2, "X"]);
  const remove = doc.deleteUtf16(1, 3);
  assert.deepEqual(remove.toJSON(), [1, { d: "😀" }]);
  const replace = doc.replaceUtf16(0, 1, "ñ");
  assert.deepEqual(replace.toJSON(), ["ñ", { d: "a" }]);
  doc.apply(insert);
  assert.equal(doc.toString(), "a😀Xb");
});

test("changes round trip through an op", () => {
  const doc = new TextDocument("héllo 😀 world");
  const changes = [
    { from: 0, to: 1, insert: "H" },
    { from: 6, to: 8, insert: "" },
    { from: 9, to: 9, insert: "big " },
  ];
  const op = doc.opFromChanges(changes);
  assert.deepEqual(op.toJSON(), ["H", { d: "h" }, 5, { d: "😀" }, 1, "big "]);
  assert.deepEqual(doc.changesFromOp(op), changes);
  doc.apply(op);
  assert.equal(doc.toString(), "Héllo  big world");
});

test("unsorted changes are rejected", () => {
  const doc = new TextDocument("abcdef");
  assert.throws(
    () => doc.opFromChanges([{ from: 3, to: 4, insert: "" }, { from: 1, to: 2, insert: "" }]),
    /invalid change 1: it starts at UTF-16 offset 1, before the end 4 of the change before it/,
  );
  assert.throws(() => doc.opFromChanges([{ from: 1 }]), /invalid change list: missing field `to`/);
});

test("apply rejects an op too long", () => {
  const doc = new TextDocument("abc");
  assert.throws(() => doc.apply(TextOp.delete(2, 5)), {
    message: "operation spans 5 code points but the document has 3",
  });
  assert.throws(() => doc.apply(TextOp.deleteText(0, "xy")), /delete of 2 code points at position 0 does not match/);
  assert.equal(doc.toString(), "abc");
});

test("transform converges concurrent inserts", () => {
  const alice = new TextDocument("Hello world");
  const bob = alice.clone();
  const comma = TextOp.insert(5, ",");
  const bang = TextOp.insert(11, "!");
  alice.apply(comma);
  bob.apply(bang);
  alice.apply(bang.transform(comma, "right"));
  bob.apply(comma.transform(bang, "left"));
  assert.equal(alice.toString(), "Hello, world!");
  assert.ok(alice.equals(bob));
  assert.throws(() => comma.transform(bang, "middle"), {
    message: 'invalid side "middle": expected "left" or "right"',
  });
});

test("insert tie goes to the left side", () => {
  const a = TextOp.insert(1, "A");
  const b = TextOp.insert(1, "B");
  assert.deepEqual(a.transform(b, "left").toJSON(), [1, "A"]);
  assert.deepEqual(a.transform(b, "right").toJSON(), [2, "A"]);
});

test("compose and invert", () => {
  const doc = new TextDocument("abc");
  const first = TextOp.insert(3, "d");
  const second = doc.withDeletedText(TextOp.delete(0, 1));
  const both = first.compose(second);
  assert.deepEqual(both.toJSON(), [{ d: "a" }, 2, "d"]);
  const inverse = both.invert();
  assert.deepEqual(inverse.toJSON(), ["a", 2, { d: "d" }]);
  const copy = doc.clone();
  copy.apply(both);
  assert.equal(copy.toString(), "bcd");
  copy.apply(inverse);
  assert.equal(copy.toString(), "abc");
  assert.throws(() => TextOp.delete(0, 2).invert(), /component 0 deletes 2 code points without their text/);
  assert.deepEqual(doc.invert(TextOp.delete(0, 2)).toJSON(), ["ab"]);
});

test("op properties and normalize", () => {
  const op = TextOp.fromJSON([2, 0, 1, "x", { d: 2 }, 3]);
  assert.equal(op.baseLength, 8);
  assert.equal(op.targetLength, 7);
  assert.deepEqual(op.normalize().toJSON(), [3, "x", { d: 2 }]);
  assert.equal(op.isNoop, false);
  assert.equal(new TextOp().isNoop, true);
  assert.equal(TextOp.fromJSON([4]).isNoop, true);
  assert.ok(TextOp.insert(1, "x").equals(TextOp.fromJSON([1, "x"])));
  assert.equal(String(TextOp.insert(1, "x")), '[1,"x"]');
  assert.equal(JSON.stringify({ op: TextOp.insert(0, "y") }), '{"op":["y"]}');
});

test("JSON errors name the component", () => {
  assert.throws(() => TextOp.fromJSON([1, { x: 1 }]), {
    message:
      'invalid text operation: invalid text operation component {"x":1}: expected a number (retain), a string (insert) or {"d": count or string} (delete)',
  });
  assert.throws(() => TextOp.fromJSON([-2]), /invalid retain -2: expected a non-negative integer/);
  assert.throws(() => TextOp.fromJSON("abc"), /invalid text operation/);
});

test("positions transform in code points", () => {
  const op = TextOp.fromJSON([2, "xy", { d: 1 }]);
  assert.equal(op.transformPosition(1, "left"), 1);
  assert.equal(op.transformPosition(2, "left"), 2);
  assert.equal(op.transformPosition(2, "right"), 4);
  assert.equal(op.transformPosition(3, "left"), 4);
  assert.equal(op.transformPosition(5, "left"), 6);
  assert.deepEqual(op.transformSelection({ anchor: 0, head: 2 }, "left"), { anchor: 0, head: 2 });
  assert.deepEqual(op.transformSelection({ anchor: 5, head: 1 }, "left"), { anchor: 6, head: 1 });
});

test("UTF-16 positions transform", () => {
  const doc = new TextDocument("😀ab😀cd");
  // Insert two emoji at code point 3 (UTF-16 4), delete "c" (code point 5).
  const op = TextOp.fromJSON([3, "🎉🎉", 1, { d: 1 }]);
  assert.equal(doc.transformPositionUtf16(op, 2, "left"), 2);
  assert.equal(doc.transformPositionUtf16(op, 4, "left"), 4);
  assert.equal(doc.transformPositionUtf16(op, 4, "right"), 8);
  assert.equal(doc.transformPositionUtf16(op, 6, "left"), 10);
  assert.equal(doc.transformPositionUtf16(op, 7, "left"), 10);
  assert.equal(doc.transformPositionUtf16(op, 8, "left"), 11);
  assert.deepEqual(doc.transformSelectionUtf16(op, { anchor: 8, head: 0 }, "left"), { anchor: 11, head: 0 });
  assert.throws(() => doc.transformPositionUtf16(op, 1, "left"), /UTF-16 offset 1 is inside a surrogate pair/);
  doc.apply(op);
  assert.equal(doc.toString(), "😀ab🎉🎉😀d");
  assert.equal(doc.slice(3, 5), "🎉🎉");
});
