// Replays the automerge-paper editing trace (259,778 single-patch
// transactions) through the package's TextDocument, through
// ot-text-unicode and through ot.js, in one Node process, and prints the
// time of each. Every call into WebAssembly is included. The package is
// replayed three ways, one call or more per patch:
// - `editUtf16(from, to, text)`, the call an editor binding makes for a
//   change reported in UTF-16 offsets when it needs no operation object.
//   The trace has no characters outside the Basic Multilingual Plane, so
//   its code point positions are also its UTF-16 offsets.
// - `edit(from, to, text)`, the same in code points.
// - `TextOp.replace`, `apply` and `free`, the path of a binding that keeps
//   the operation, for example to send it to a server.
// The speedup lines compare each with the fastest JavaScript peer.
//
// Usage: npm run bench   (needs npm run build first, and the shared data:
// set ECHOSTREAM_DATA to the folder that holds traces/)
// ECHOSTREAM_BENCH_RUNS sets the runs per implementation (default 3); the
// fastest run counts.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import { TextDocument, TextOp } from "echostream";
import { dataFile, readText, root } from "../test/support/data.mjs";

const require = createRequire(import.meta.url);
const otTextUnicode = require("ot-text-unicode").type;
const { TextOperation } = require("ot");

// Prints the size of the WebAssembly module and of the whole built
// package, raw and gzipped (level 9, each file on its own).
function printSizes() {
  const wasm = readFileSync(join(root, "dist", "wasm", "echostream_wasm_bg.wasm"));
  console.log(`wasm module: ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} bytes gzipped`);
  let raw = 0;
  let gzipped = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (statSync(file).isDirectory()) {
        walk(file);
      } else {
        const bytes = readFileSync(file);
        raw += bytes.length;
        gzipped += gzipSync(bytes, { level: 9 }).length;
      }
    }
  };
  walk(join(root, "dist"));
  console.log(`whole package (dist/): ${raw} bytes raw, ${gzipped} bytes gzipped`);
}

printSizes();

const runs = Number(process.env.ECHOSTREAM_BENCH_RUNS ?? 3);

const path = dataFile("traces/sequential/automerge-paper.json.gz");
if (!path) process.exit(0);
const trace = JSON.parse(readText(path));
const patches = trace.txns.flatMap((txn) => txn.patches);

// ot.js counts UTF-16 code units and the trace counts code points; they
// agree only on a trace without characters outside the Basic
// Multilingual Plane, which automerge-paper is.
if (/[\ud800-\udfff]/.test(trace.endContent)) {
  throw new Error("the trace holds astral characters: ot.js positions would differ");
}

function replayWasmEditUtf16() {
  const doc = new TextDocument(trace.startContent);
  for (const [pos, deleted, inserted] of patches) {
    doc.editUtf16(pos, pos + deleted, inserted);
  }
  const text = doc.toString();
  doc.free();
  return text;
}

function replayWasmEdit() {
  const doc = new TextDocument(trace.startContent);
  for (const [pos, deleted, inserted] of patches) {
    doc.edit(pos, pos + deleted, inserted);
  }
  const text = doc.toString();
  doc.free();
  return text;
}

function replayWasmTextOp() {
  const doc = new TextDocument(trace.startContent);
  for (const [pos, deleted, inserted] of patches) {
    const op = TextOp.replace(pos, pos + deleted, inserted);
    doc.apply(op);
    op.free();
  }
  const text = doc.toString();
  doc.free();
  return text;
}

function replayOtTextUnicode() {
  let doc = trace.startContent;
  for (const [pos, deleted, inserted] of patches) {
    const op = [];
    if (pos > 0) op.push(pos);
    if (deleted > 0) op.push({ d: deleted });
    if (inserted !== "") op.push(inserted);
    doc = otTextUnicode.apply(doc, op);
  }
  return doc;
}

function replayOtJs() {
  let doc = trace.startContent;
  for (const [pos, deleted, inserted] of patches) {
    const op = new TextOperation()
      .retain(pos)
      .delete(deleted)
      .insert(inserted)
      .retain(doc.length - pos - deleted);
    doc = op.apply(doc);
  }
  return doc;
}

const wasmReplays = [
  ["echostream editUtf16", replayWasmEditUtf16],
  ["echostream edit", replayWasmEdit],
  ["echostream TextOp + apply", replayWasmTextOp],
];
const jsReplays = [
  ["ot-text-unicode 4.0.0", replayOtTextUnicode],
  ["ot (ot.js) 0.0.15", replayOtJs],
];

console.log(`automerge-paper: ${patches.length} patches, best of ${runs} runs`);
const results = new Map();
for (const [name, replay] of [...wasmReplays, ...jsReplays]) {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const text = replay();
    const elapsed = performance.now() - start;
    if (text !== trace.endContent) {
      throw new Error(`${name} replayed the trace to a wrong text`);
    }
    best = Math.min(best, elapsed);
  }
  results.set(name, best);
  console.log(`${name.padEnd(32)} ${best.toFixed(1).padStart(9)} ms  ${((patches.length / best) * 1000).toFixed(0).padStart(10)} patches/s`);
}

const fastestPeer = Math.min(...jsReplays.map(([name]) => results.get(name)));
for (const [name] of wasmReplays) {
  console.log(`speedup of ${name} over the fastest JavaScript peer: ${(fastestPeer / results.get(name)).toFixed(2)}x`);
}
