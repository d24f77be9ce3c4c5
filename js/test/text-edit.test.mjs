// Tests of TextDocument.edit and editUtf16, which change the document in
// one call without a TextOp object: their results against a JavaScript
// string, and the checks of every argument.

import assert from "node:assert/strict";
import { test } from "node:test";

import { TextDocument, TextOp } from "echostream";

test("edit counts code points", () => {
  const doc = new TextDocument("ab😀cd");
  doc.edit(2, 3, "XY");
  assert.equal(doc.toString(), "abXYcd");
  doc.edit(0, 0, "🎉");
  assert.equal(doc.toString(), "🎉abXYcd");
  doc.edit(1, 3, "");
  assert.equal(doc.toString(), "🎉XYcd");
  doc.edit(5, 5, "!");
  assert.equal(doc.toString(), "🎉XYcd!");
  assert.equal(doc.length, 6);
});

test("editUtf16 counts code units", () => {
  const doc = new TextDocument("ab😀cd");
  doc.editUtf16(2, 4, "XY");
  assert.equal(doc.toString(), "abXYcd");
  doc.editUtf16(0, 0, "🎉");
  assert.equal(doc.toString(), "🎉abXYcd");
  doc.editUtf16(2, 4, "");
  assert.equal(doc.toString(), "🎉XYcd");
  doc.editUtf16(6, 6, "!");
  assert.equal(doc.toString(), "🎉XYcd!");
  assert.equal(doc.lengthUtf16, 7);
});

// A small deterministic generator (a 32-bit linear congruential one), so
// that a failure replays the same edits.
function random(seed) {
  let state = seed;
  return (limit) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % limit;
  };
}

// Replays random edits through edit, editUtf16 and TextOp.replace, and
// checks each document against a JavaScript string after every edit.
function replayRandomEdits(seed, alphabet) {
  const next = random(seed);
  let model = "";
  const byEdit = new TextDocument();
  const byEditUtf16 = new TextDocument();
  const byOp = new TextDocument();
  for (let step = 0; step < 500; step++) {
    const points = [...model];
    const from = next(points.length + 1);
    const to = from + next(Math.min(4, points.length - from) + 1);
    let text = "";
    for (let i = next(6); i > 0; i--) text += alphabet[next(alphabet.length)];
    const fromUtf16 = points.slice(0, from).join("").length;
    const toUtf16 = points.slice(0, to).join("").length;

    model = points.slice(0, from).join("") + text + points.slice(to).join("");
    byEdit.edit(from, to, text);
    byEditUtf16.editUtf16(fromUtf16, toUtf16, text);
    const op = TextOp.replace(from, to, text);
    byOp.apply(op);
    op.free();

    assert.equal(byEdit.toString(), model, `edit, seed ${seed}, step ${step}`);
    assert.equal(byEditUtf16.toString(), model, `editUtf16, seed ${seed}, step ${step}`);
    assert.equal(byOp.toString(), model, `TextOp, seed ${seed}, step ${step}`);
  }
  assert.equal(byEdit.lengthUtf16, model.length);
}

test("random edits match a string", () => {
  for (const seed of [1, 2, 3]) {
    replayRandomEdits(seed, ["a", "b", " ", "\n", "é", "\ufffd"]);
    replayRandomEdits(seed, ["a", "b", "😀", "🎉", "é"]);
  }
});

test("editUtf16 rejects offsets", () => {
  const astral = new TextDocument("ab😀cd");
  const plain = new TextDocument("abc");
  const cases = [
    [() => astral.editUtf16(3, 3, "x"), "UTF-16 offset 3 is inside a surrogate pair"],
    [() => astral.editUtf16(0, 3, ""), "UTF-16 offset 3 is inside a surrogate pair"],
    [() => astral.editUtf16(0, 7, ""), "UTF-16 position 7 is past the end of the document (6)"],
    [() => astral.editUtf16(4, 2, ""), "invalid UTF-16 range 4..2: the end is before the start"],
    [() => plain.editUtf16(4, 4, "x"), "UTF-16 position 4 is past the end of the document (3)"],
    [() => plain.editUtf16(1, 4, ""), "UTF-16 position 4 is past the end of the document (3)"],
    [() => plain.codePointFromUtf16(4), "UTF-16 position 4 is past the end of the document (3)"],
    [() => plain.utf16FromCodePoint(4), "code point position 4 is past the end of the document (3)"],
  ];
  for (const [index, [call, message]] of cases.entries()) {
    assert.throws(call, (error) => error instanceof Error && error.message === message, `case ${index}: ${message}`);
  }
  assert.equal(astral.toString(), "ab😀cd");
  assert.equal(plain.toString(), "abc");
});

test("edit rejects ranges", () => {
  const doc = new TextDocument("ab😀cd");
  assert.throws(() => doc.edit(3, 1, "x"), { message: "invalid range 3..1: the end is before the start" });
  assert.throws(() => doc.edit(0, 6, ""), { message: "invalid range end 6: the document has 5 code points" });
  assert.throws(() => doc.edit(6, 6, "x"), { message: "invalid range end 6: the document has 5 code points" });
  assert.throws(() => doc.edit(6, 6, ""), { message: "invalid range end 6: the document has 5 code points" });
  assert.throws(() => doc.editUtf16(7, 7, ""), { message: "UTF-16 position 7 is past the end of the document (6)" });
  assert.equal(doc.toString(), "ab😀cd");
});

test("edit positions must be integers", () => {
  const doc = new TextDocument("ab😀cd");
  const cases = [
    [null, "null", "expected a non-negative integer"],
    ["3", '"3"', "expected a non-negative integer"],
    [true, "true", "expected a non-negative integer"],
    [[2], "[2]", "expected a non-negative integer"],
    [undefined, "undefined", "expected a non-negative integer"],
    [NaN, "NaN", "expected a non-negative integer"],
    [1.5, "1.5", "expected a non-negative integer"],
    [-1, "-1", "expected a non-negative integer"],
    [Infinity, "Infinity", "expected a non-negative integer"],
    [2 ** 32, "4294967296", "the maximum is 4294967295"],
    [2 ** 53, "9007199254740992", "the maximum is 4294967295"],
    [new Number(1), "new Number(1)", "expected a non-negative integer"],
    [new Boolean(false), "new Boolean(false)", "expected a non-negative integer"],
    [{ valueOf: () => 1 }, "{}", "expected a non-negative integer"],
  ];
  for (const [value, shown, expected] of cases) {
    assert.throws(() => doc.edit(value, 1, "x"), { message: `invalid range start ${shown}: ${expected}` });
    assert.throws(() => doc.edit(0, value, "x"), { message: `invalid range end ${shown}: ${expected}` });
    assert.throws(() => doc.editUtf16(value, 1, "x"), { message: `invalid UTF-16 range start ${shown}: ${expected}` });
    assert.throws(() => doc.editUtf16(0, value, "x"), { message: `invalid UTF-16 range end ${shown}: ${expected}` });
    assert.throws(() => TextOp.replace(value, 1, "x"), { message: `invalid range start ${shown}: ${expected}` });
  }
  doc.edit(-0, -0, "<");
  assert.equal(doc.toString(), "<ab😀cd");
});

test("edit text must be a string", () => {
  const doc = new TextDocument("abc");
  const cases = [
    [5, "5"],
    [null, "null"],
    [undefined, "undefined"],
    [{}, "{}"],
    [["a"], '["a"]'],
    [new String("a"), 'new String("a")'],
    [new Number(1), "new Number(1)"],
  ];
  for (const [value, shown] of cases) {
    assert.throws(() => doc.edit(0, 0, value), { message: `invalid inserted text ${shown}: expected a string` });
    assert.throws(() => doc.editUtf16(0, 0, value), { message: `invalid inserted text ${shown}: expected a string` });
  }
  assert.equal(doc.toString(), "abc");
});

// Texts up to 4 code units are read one unit at a time and longer ones
// are copied, so both lengths are tried, with and without a real U+FFFD.
test("edit rejects lone surrogates", () => {
  const doc = new TextDocument("abc");
  const rejected = [
    ["\ud800", 0],
    ["a\udc00", 1],
    ["ab😀\ud83d", 4],
    ["\udc00😀", 0],
    ["abcdefg\udc00", 7],
    ["😀\ufffd\ud800xyz", 3],
    ["😀😀\udc00", 4],
  ];
  for (const [text, offset] of rejected) {
    const message = `invalid inserted text: it holds a lone UTF-16 surrogate at offset ${offset}, which is no code point`;
    assert.throws(() => doc.edit(0, 0, text), { message }, JSON.stringify(text));
    assert.throws(() => doc.editUtf16(0, 0, text), { message }, JSON.stringify(text));
    assert.throws(() => TextOp.insert(0, text), { message }, JSON.stringify(text));
  }
  assert.equal(doc.toString(), "abc");

  const accepted = ["", "\ufffd", "😀😀", "😀😀a", "a\ufffdbcdef", "\ufffd".repeat(9)];
  let expected = "abc";
  for (const text of accepted) {
    doc.edit(0, 0, text);
    expected = text + expected;
    assert.equal(doc.toString(), expected, JSON.stringify(text));
  }
});
