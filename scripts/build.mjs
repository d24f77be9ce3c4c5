// Builds the npm package in place, into dist/ (ignored by git):
// cargo builds the engine for wasm32-unknown-unknown, wasm-bindgen writes
// the JavaScript glue into dist/wasm/, wasm-opt from the npm package
// binaryen optimizes the module, and tsc compiles js/src into dist/.
//
// Usage: npm run build

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { WASM_FEATURES } from "./wasm-features.mjs";

// The CLI must equal the version of the wasm-bindgen crate that
// wasm/Cargo.toml pins.
const BINDGEN_VERSION = "0.2.130";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "wasm");
const bin = join(root, "node_modules", ".bin");

function run(command, args, env = {}) {
  console.log(`> ${command} ${args.join(" ")}`);
  execFileSync(command, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
}

// Returns the path of a wasm-bindgen CLI of the pinned version, installing
// it with cargo when none is found.
function findBindgen() {
  const candidates = [
    "wasm-bindgen",
    join(homedir(), ".cargo", "bin", "wasm-bindgen"),
  ];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (probe.status === 0 && probe.stdout.trim() === `wasm-bindgen ${BINDGEN_VERSION}`) {
      return candidate;
    }
  }
  console.log(`wasm-bindgen ${BINDGEN_VERSION} not found: installing it with cargo`);
  run("cargo", ["install", "wasm-bindgen-cli", "--version", BINDGEN_VERSION]);
  return join(homedir(), ".cargo", "bin", "wasm-bindgen");
}

const bindgen = findBindgen();

run(
  "cargo",
  ["build", "-p", "echostream-wasm", "--target", "wasm32-unknown-unknown", "--release"],
  {
    // Smaller and faster code than the workspace's release profile, which
    // keeps debug information for native profiling.
    CARGO_PROFILE_RELEASE_DEBUG: "0",
    CARGO_PROFILE_RELEASE_LTO: "true",
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS: "1",
    CARGO_PROFILE_RELEASE_OPT_LEVEL: process.env.ECHOSTREAM_WASM_OPT_LEVEL ?? "z",
  },
);

const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const module = join(targetDir, "wasm32-unknown-unknown", "release", "echostream_wasm.wasm");

rmSync(join(root, "dist"), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
run(bindgen, [module, "--target", "web", "--out-dir", out, "--out-name", "echostream_wasm"]);

// Strips comments and indentation from the package's JavaScript, because
// the typings beside it keep the doc comments. Names stay for stack traces.
const { transform } = await import("esbuild");
async function stripJs(file) {
  const minified = await transform(readFileSync(file, "utf8"), {
    format: "esm",
    minifyWhitespace: true,
    legalComments: "none",
  });
  writeFileSync(file, minified.code);
}
await stripJs(join(out, "echostream_wasm.js"));
// The raw module's typings only serve bundlers that import the .wasm file,
// which the package never requires.
rmSync(join(out, "echostream_wasm_bg.wasm.d.ts"));

// Debian's wasm-opt (version 108) breaks wasm-bindgen 0.2.130 output, so
// only the one from the pinned npm package is used, by path.
const wasmOpt = join(bin, "wasm-opt");
if (!existsSync(wasmOpt)) {
  throw new Error(`wasm-opt not found at ${wasmOpt}: run npm install first`);
}
const wasmFile = join(out, "echostream_wasm_bg.wasm");
const before = statSync(wasmFile).size;
run(wasmOpt, [
  process.env.ECHOSTREAM_WASM_OPT ?? "-Oz",
  ...WASM_FEATURES,
  wasmFile,
  "-o",
  wasmFile,
]);
console.log(`wasm-opt: ${before} -> ${statSync(wasmFile).size} bytes`);

run(join(bin, "tsc"), ["-p", join(root, "js", "tsconfig.json")]);
for (const file of readdirSync(join(root, "dist"), { recursive: true })) {
  if (file.endsWith(".js") && file !== join("wasm", "echostream_wasm.js")) {
    await stripJs(join(root, "dist", file));
  }
}
