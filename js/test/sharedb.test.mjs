// Peer checks of textType: ShareDB (in-memory backend, two connections in
// one process) converges under concurrent edits, and the 46 published
// transform vectors hold in both directions.
//
// The ShareDB run makes 200 rounds of concurrent edits; for a longer run:
//   ECHOSTREAM_SHAREDB_ROUNDS=2000 node --test js/test/sharedb.test.mjs

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

import { textType } from "echostream";
import { dataFile, readText } from "./support/data.mjs";

const require = createRequire(import.meta.url);
const ShareDB = require("sharedb");
const referenceType = require("ot-text-unicode").type;

const rounds = Number(process.env.ECHOSTREAM_SHAREDB_ROUNDS ?? 200);

ShareDB.types.register(textType);

// A small deterministic generator (mulberry32), so that a failure repeats.
function randomSource(seed) {
  let state = seed >>> 0;
  return (bound) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % bound;
  };
}

const pieces = ["a", "bc", "😀", "ñ", " ", "🎉x", "\n"];

// Returns a random operation on `text`, positions in code points.
function randomOp(text, randomInt) {
  const length = Array.from(text).length;
  const at = randomInt(length + 1);
  const removable = length - at;
  if (removable > 0 && randomInt(3) === 0) {
    return textType.normalize([at, { d: 1 + randomInt(Math.min(removable, 4)) }]);
  }
  return textType.normalize([at, pieces[randomInt(pieces.length)]]);
}

function promised(fn) {
  return new Promise((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));
}

test("sharedb converges with textType", async () => {
  const backend = new ShareDB();
  const first = backend.connect();
  const second = backend.connect();
  const docA = first.get("notes", "pad");
  const docB = second.get("notes", "pad");
  await promised((done) => docA.create("start 😀", textType.uri, done));
  await promised((done) => docB.subscribe(done));
  await promised((done) => docA.subscribe(done));
  assert.equal(docB.data, "start 😀");

  const randomInt = randomSource(7);
  for (let round = 0; round < rounds; round++) {
    // Both submit against the same version before either hears of the
    // other's operation, so that the backend has to transform.
    const opA = randomOp(docA.data, randomInt);
    const opB = randomOp(docB.data, randomInt);
    const submitted = [
      promised((done) => docA.submitOp(opA, { source: "a" }, done)),
      promised((done) => docB.submitOp(opB, { source: "b" }, done)),
    ];
    await Promise.all(submitted);
    await promised((done) => docA.fetch(done));
    await promised((done) => docB.fetch(done));
    assert.equal(docA.version, docB.version, `round ${round}: versions differ`);
    assert.equal(docA.data, docB.data, `round ${round}: ${JSON.stringify(opA)} and ${JSON.stringify(opB)}`);
  }

  const stored = await new Promise((resolve, reject) => {
    const reader = backend.connect().get("notes", "pad");
    reader.fetch((error) => (error ? reject(error) : resolve(reader)));
  });
  assert.equal(stored.data, docA.data);
  assert.equal(stored.version, rounds * 2 + 1);
  await promised((done) => backend.close(done));
});

test("sharedb rejects a misfit operation", async () => {
  const backend = new ShareDB();
  const doc = backend.connect().get("notes", "short");
  await promised((done) => doc.create("abc", textType.uri, done));
  await assert.rejects(
    promised((done) => doc.submitOp([10, "x"], done)),
    /operation spans 10 code points but the document has 3/,
  );
  await promised((done) => doc.fetch(done));
  assert.equal(doc.data, "abc");
  assert.equal(doc.version, 1);
  await promised((done) => backend.close(done));
});

// The published vectors write an insert as {i: "text"}, the form of the
// older ottypes text types. The text-unicode type writes it as a bare string.
function fromOlderForm(op) {
  return op.map((c) => (typeof c === "object" && "i" in c ? c.i : c));
}

const opposite = { left: "right", right: "left" };

test("transform vectors in both directions", (t) => {
  const path = dataFile("ot-vectors/text-transform-tests.json");
  if (!path) return t.skip("data missing");
  const lines = readText(path).split("\n").filter((line) => line.trim() !== "");
  assert.equal(lines.length, 46 * 4);
  for (let i = 0; i < lines.length; i += 4) {
    const op = fromOlderForm(JSON.parse(lines[i]));
    const other = fromOlderForm(JSON.parse(lines[i + 1]));
    const side = lines[i + 2].trim();
    const expected = textType.normalize(fromOlderForm(JSON.parse(lines[i + 3])));
    const context = `case ${i / 4}: ${lines[i]} against ${lines[i + 1]} (${side})`;

    const forward = textType.transform(op, other, side);
    assert.deepEqual(forward, expected, `${context}, forward`);
    const backward = textType.transform(other, op, opposite[side]);
    const reference = referenceType.transform(referenceType.normalize(other), referenceType.normalize(op), opposite[side]);
    assert.deepEqual(backward, textType.normalize(reference), `${context}, backward`);

    // Both orders must reach one document: op then the other's transform,
    // and the other then op's transform.
    const base = "0123456789".repeat(Math.ceil(Math.max(baseLength(op), baseLength(other)) / 10));
    const viaOp = applyCounted(applyCounted(base, op), backward);
    const viaOther = applyCounted(applyCounted(base, other), forward);
    assert.equal(viaOp, viaOther, `${context}, convergence`);
  }
});

// Applies `op` with each delete turned into a count, so that it applies to
// any document long enough, whatever text the vector's deletes name.
function applyCounted(doc, op) {
  const counted = op.map((c) => (typeof c === "object" && typeof c.d === "string" ? { d: Array.from(c.d).length } : c));
  return textType.apply(doc, counted);
}

// Returns the code points that `op` retains or deletes.
function baseLength(op) {
  let length = 0;
  for (const c of op) {
    if (typeof c === "number") length += c;
    else if (typeof c === "object") length += typeof c.d === "string" ? Array.from(c.d).length : c.d;
  }
  return length;
}
