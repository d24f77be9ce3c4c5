// The entry point for Node: it reads the WebAssembly module from the
// package folder and compiles it synchronously, then exports the API.

import { readFileSync } from "node:fs";
import { initSync } from "./wasm/echostream_wasm.js";

initSync({
  module: readFileSync(
    new URL("./wasm/echostream_wasm_bg.wasm", import.meta.url),
  ),
});

export * from "./api.js";
