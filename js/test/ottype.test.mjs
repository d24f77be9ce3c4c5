// Tests of the ottypes type object: the ottypes fuzzer, the 46 published
// text transform vectors and the text-unicode JSON-lines vectors.
//
// The fuzzer runs 1,000 iterations; for a longer run:
//   ECHOSTREAM_FUZZ_ITERATIONS=20000 node --test js/test/ottype.test.mjs

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { textType } from "echostream";
import { dataFile, readText } from "./support/data.mjs";

const require = createRequire(import.meta.url);
const referenceType = require("ot-text-unicode").type;

const iterations = Number(process.env.ECHOSTREAM_FUZZ_ITERATIONS ?? 1000);

test("type has the ottypes interface", () => {
  assert.equal(textType.name, "echostream-text");
  assert.equal(textType.uri, "urn:echostream:types:text");
  assert.equal(textType.create(), "");
  assert.equal(textType.create("abc"), "abc");
  assert.throws(() => textType.create(5), /invalid initial text 5: expected a string/);
  for (const name of ["apply", "transform", "compose", "invert", "normalize", "transformPosition", "transformCursor", "transformSelection"]) {
    assert.equal(typeof textType[name], "function", name);
  }
});

test("type errors name the value", () => {
  assert.throws(() => textType.apply("abc", [5, "x"]), {
    message: "operation spans 5 code points but the document has 3",
  });
  assert.throws(() => textType.apply("abc", [{ d: "xy" }]), /delete of 2 code points at position 0 does not match/);
  assert.throws(() => textType.transform([1], [2], "up"), /invalid side "up"/);
  assert.throws(() => textType.invert([{ d: 2 }]), /component 0 deletes 2 code points without their text/);
  assert.throws(() => textType.apply("abc", [true]), /invalid text operation component true/);
});

test("type positions match text-unicode", () => {
  const op = [2, "xy", { d: 1 }];
  for (const position of [0, 1, 2, 3, 4, 7]) {
    assert.equal(textType.transformPosition(position, op), referenceType.transformPosition(position, op), `position ${position}`);
  }
  assert.deepEqual(textType.transformSelection([2, 5], op), [2, 6]);
  assert.equal(textType.transformSelection(3, op), 4);
  assert.equal(textType.transformCursor(2, op, true), 4);
  assert.equal(textType.transformCursor(2, op, false), 2);
});

test("type invert with the document", () => {
  assert.deepEqual(textType.makeInvertible([1, { d: 2 }], "a😀bc"), [1, { d: "😀b" }]);
  assert.deepEqual(textType.invertWithDoc([1, { d: 2 }, "x"], "a😀bc"), [1, "😀b", { d: "x" }]);
  assert.equal(textType.isNoop([]), true);
  assert.equal(textType.isNoop([3]), true);
  assert.equal(textType.isNoop(["a"]), false);
});

// Words with code points outside the Basic Multilingual Plane, so that
// positions in code points and in UTF-16 differ.
const words = ["slithy", "toves", "gyre", "😀", "wabe", "🎉x", "borogoves", "ñ", " ", "mome 𝕏"];

// Returns a random operation on `snapshot` and the snapshot it makes,
// computed on arrays of code points rather than through the type.
function generateRandomOp(snapshot, randomInt) {
  const chars = Array.from(snapshot);
  const op = [];
  const out = [];
  let pos = 0;
  const parts = 1 + randomInt(3);
  for (let part = 0; part < parts && pos <= chars.length; part++) {
    const skip = randomInt(chars.length - pos + 1);
    if (skip > 0) {
      op.push(skip);
      out.push(...chars.slice(pos, pos + skip));
      pos += skip;
    }
    const removable = chars.length - pos;
    if (removable > 0 && randomInt(2) === 0) {
      const count = 1 + randomInt(Math.min(removable, 6));
      const removed = chars.slice(pos, pos + count).join("");
      op.push(randomInt(2) === 0 ? { d: count } : { d: removed });
      pos += count;
    }
    if (randomInt(chars.length > 80 ? 4 : 2) === 0) {
      const word = words[randomInt(words.length)];
      op.push(word);
      out.push(...Array.from(word));
    }
  }
  out.push(...chars.slice(pos));
  return [textType.normalize(op), out.join("")];
}

test("ottypes fuzzer", () => {
  const dir = mkdtempSync(join(tmpdir(), "echostream-fuzz-"));
  const cwd = process.cwd();
  // The fuzzer writes its crash state into the working folder.
  process.chdir(dir);
  try {
    const fuzzer = require("ot-fuzzer");
    fuzzer(textType, (snapshot) => generateRandomOp(snapshot, fuzzer.randomInt), iterations);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});

// The published transform vectors write an insert as {i: "text"}, the
// form of the older ottypes text types; text-unicode writes it as a bare
// string.
function fromOlderForm(op) {
  return op.map((c) => (typeof c === "object" && "i" in c ? c.i : c));
}

test("46 text transform vectors", (t) => {
  const path = dataFile("ot-vectors/text-transform-tests.json");
  if (!path) return t.skip("data missing");
  const lines = readText(path).split("\n").filter((line) => line.trim() !== "");
  assert.equal(lines.length, 46 * 4);
  for (let i = 0; i < lines.length; i += 4) {
    const op = fromOlderForm(JSON.parse(lines[i]));
    const other = fromOlderForm(JSON.parse(lines[i + 1]));
    const side = lines[i + 2].trim();
    const expected = fromOlderForm(JSON.parse(lines[i + 3]));
    const actual = textType.transform(op, other, side);
    assert.deepEqual(actual, textType.normalize(expected), `case ${i / 4}: ${lines[i]} against ${lines[i + 1]} (${side})`);
  }
});

// Runs every record of a JSON-lines vector file through `check` and
// returns the number of records.
function eachRecord(name, check) {
  const path = dataFile(`ot-vectors/text-unicode/${name}.jsonl`);
  if (!path) return 0;
  const lines = readFileSync(path, "utf8").split("\n").filter((line) => line !== "");
  for (const [index, line] of lines.entries()) {
    check(JSON.parse(line), `${name} line ${index + 1}: ${line}`);
  }
  return lines.length;
}

test("text-unicode apply vectors", (t) => {
  const count = eachRecord("apply", (record, context) => {
    if (record.error) {
      assert.throws(() => textType.apply(record.doc, record.op), Error, context);
    } else {
      assert.equal(textType.apply(record.doc, record.op), record.result, context);
    }
  });
  if (count === 0) return t.skip("data missing");
  assert.ok(count > 1000, `only ${count} apply records`);
});

test("text-unicode transform vectors", (t) => {
  const count = eachRecord("transform", (record, context) => {
    const actual = textType.transform(record.op, record.otherOp, record.side);
    assert.deepEqual(actual, textType.normalize(record.result), context);
  });
  if (count === 0) return t.skip("data missing");
});

test("text-unicode compose vectors", (t) => {
  const count = eachRecord("compose", (record, context) => {
    assert.deepEqual(textType.compose(record.op1, record.op2), textType.normalize(record.result), context);
  });
  if (count === 0) return t.skip("data missing");
});

test("text-unicode invert vectors", (t) => {
  const count = eachRecord("invert", (record, context) => {
    assert.deepEqual(textType.invert(record.op), textType.normalize(record.result), context);
  });
  if (count === 0) return t.skip("data missing");
});
