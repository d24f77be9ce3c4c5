// The WebAssembly features that binaryen's tools must accept in the
// module that rustc and wasm-bindgen write, for the build and the size
// report alike.
export const WASM_FEATURES = [
  "--enable-bulk-memory",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-reference-types",
  "--enable-multivalue",
];
