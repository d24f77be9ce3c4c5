// The entry point for browsers and bundlers: it fetches and compiles the
// WebAssembly module next to the generated glue, then exports the API.

import init from "./wasm/echostream_wasm.js";

await init();

export * from "./api.js";
