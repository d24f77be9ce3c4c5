// Times how long JSON values take to cross into the module and back.
// `Board.fromJSON` and `toJSON` run on a board of 1,200 shapes: the
// shared kubekey-architecture scene imported 20 times. `TextOp.fromJSON`
// and `textType.transform` are timed per call, beside ot-text-unicode's
// `transform` on the same operations as the JavaScript peer.
//
// Usage: npm run bench:json   (needs npm run build first, and the shared
// data: set ECHOSTREAM_DATA to the folder that contains whiteboard/)
// ECHOSTREAM_BENCH_BASELINE=DIR also times the package built into DIR (a
// copy of another build's dist/), in the same process, for a before and
// after. ECHOSTREAM_BENCH_RUNS sets the runs per figure (default 5); the
// fastest run counts.

import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { dataFile, readText, root } from "../test/support/data.mjs";

const require = createRequire(import.meta.url);
const otTextUnicode = require("ot-text-unicode").type;

const runs = Number(process.env.ECHOSTREAM_BENCH_RUNS ?? 5);
const COPIES = 20;
const CALLS = 1000;

const scenePath = dataFile("whiteboard/kubekey-architecture.excalidraw");
if (!scenePath) process.exit(0);
const scene = readText(scenePath);

// The same operations in the text-unicode JSON form for both types.
const op = [100, "hello", { d: 3 }, 20, "x"];
const other = [50, "abc"];

// Returns the fastest of `runs` runs of `body`, in milliseconds.
function fastest(body) {
  body();
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    body();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

async function measure(label, dist) {
  const { Board, TextOp, textType } = await import(pathToFileURL(join(dist, "node.js")).href);
  const board = new Board();
  for (let copy = 0; copy < COPIES; copy++) {
    const created = board.importExcalidrawOp(scene);
    board.apply(created);
    created.free();
  }
  const json = board.toJSON();
  const fromJson = fastest(() => Board.fromJSON(json).free());
  const toJson = fastest(() => board.toJSON());
  const opFromJson = fastest(() => {
    for (let call = 0; call < CALLS; call++) TextOp.fromJSON(op).free();
  });
  const transform = fastest(() => {
    for (let call = 0; call < CALLS; call++) textType.transform(op, other, "left");
  });
  console.log(`${label} (${dist}), board of ${board.size} shapes:`);
  console.log(`  Board.fromJSON: ${fromJson.toFixed(1)} ms`);
  console.log(`  Board.toJSON: ${toJson.toFixed(1)} ms`);
  console.log(`  TextOp.fromJSON: ${((opFromJson * 1000) / CALLS).toFixed(2)} µs per call`);
  console.log(`  textType.transform: ${((transform * 1000) / CALLS).toFixed(2)} µs per call`);
  board.free();
}

await measure("this build", join(root, "dist"));
if (process.env.ECHOSTREAM_BENCH_BASELINE) {
  await measure("baseline", resolve(process.env.ECHOSTREAM_BENCH_BASELINE));
}
const peer = fastest(() => {
  for (let call = 0; call < CALLS; call++) otTextUnicode.transform(op, other, "left");
});
console.log(`ot-text-unicode transform: ${((peer * 1000) / CALLS).toFixed(2)} µs per call`);
