// Reports what the package weighs and what each exported class of the
// WebAssembly module costs. For each class, the module is rebuilt without
// that class's exports (binaryen's wasm-metadce, then wasm-opt -Oz as in
// the build), and the script prints the bytes that go away, raw and
// gzipped.
// Code that two classes share counts for neither, so a group of classes
// (the last lines) can cost more than the sum of its members.
//
// Usage: npm run build && node js/bench/size.mjs

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = join(root, "dist");
const module = join(dist, "wasm", "echostream_wasm_bg.wasm");
const binaryen = join(root, "node_modules", "binaryen", "bin");
const FEATURES = [
  "--enable-bulk-memory",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-reference-types",
  "--enable-multivalue",
];

const gzipped = (bytes) => gzipSync(bytes, { level: 9 }).length;

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

if (!existsSync(module)) {
  console.error(`${module} is missing: run npm run build first`);
  process.exit(1);
}

const all = files(dist);
const sum = (list) => list.reduce((total, file) => total + gzipped(readFileSync(file)), 0);
const wasmBytes = readFileSync(module);
console.log(`module: ${wasmBytes.length} B raw, ${gzipped(wasmBytes)} B gzipped`);
console.log(`dist/: ${all.length} files, ${sum(all)} B gzipped file by file`);
console.log(`  JavaScript: ${sum(all.filter((f) => f.endsWith(".js")))} B gzipped`);
console.log(`  typings: ${sum(all.filter((f) => f.endsWith(".d.ts")))} B gzipped`);

const scratch = mkdtempSync(join(tmpdir(), "echostream-size-"));
try {
  const text = execFileSync(join(binaryen, "wasm-dis"), [...FEATURES, module], {
    maxBuffer: 1 << 28,
    encoding: "utf8",
  });
  const exports = [...text.matchAll(/\(export "([^"]+)"/g)].map((m) => m[1]);
  // Exports are named class_method; the rest (memory, table, start and
  // wasm-bindgen's own) stay in every variant.
  const classOf = (name) => (/^[a-z]+_[A-Za-z]/.test(name) ? name.split("_")[0] : null);

  const measure = (dropped) => {
    const graph = exports
      .filter((name) => !dropped(name))
      .map((name) => ({ name, root: true, export: name }));
    const graphFile = join(scratch, "graph.json");
    const reduced = join(scratch, "reduced.wasm");
    const optimized = join(scratch, "optimized.wasm");
    writeFileSync(graphFile, JSON.stringify(graph));
    execFileSync(join(binaryen, "wasm-metadce"), [...FEATURES, "-f", graphFile, module, "-o", reduced], {
      stdio: "ignore",
    });
    execFileSync(join(binaryen, "wasm-opt"), ["-Oz", ...FEATURES, reduced, "-o", optimized]);
    const bytes = readFileSync(optimized);
    return { raw: bytes.length, gz: gzipped(bytes) };
  };

  // The baseline goes through the same two tools, so that the differences
  // measure the dropped exports and not a second optimization pass.
  const base = measure(() => false);
  const row = (label, size) =>
    console.log(
      `${label.padEnd(44)} ${String(base.raw - size.raw).padStart(8)} ${String(base.gz - size.gz).padStart(8)}`,
    );
  console.log(`\nbytes that go away without ... (baseline ${base.raw} raw, ${base.gz} gzipped)`);
  console.log(`${"".padEnd(44)} ${"raw".padStart(8)} ${"gzipped".padStart(8)}`);
  const classes = [...new Set(exports.map(classOf).filter(Boolean))].sort();
  for (const name of classes) {
    row(name, measure((e) => classOf(e) === name));
  }
  const groups = {
    "every board class": (e) => /^board/.test(classOf(e) ?? ""),
    "Excalidraw import and export": (e) => /Excalidraw/.test(e),
    "sync clients, offline logs, authority": (e) =>
      /(syncclient|offlinelog|authority)$/.test(classOf(e) ?? ""),
    "offline logs": (e) => /offlinelog$/.test(classOf(e) ?? ""),
  };
  for (const [label, dropped] of Object.entries(groups)) {
    row(label, measure(dropped));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
