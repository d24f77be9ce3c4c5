// Everything the package exports, once the WebAssembly module is loaded
// by the entry point (index.ts for browsers and bundlers, node.ts for
// Node).

export {
  TextDocument,
  TextOp,
  VectorClock,
  randomSiteId,
} from "./wasm/echostream_wasm.js";
export type {
  ClockOrdering,
  Selection,
  Side,
  TextOpComponent,
  TextOpJson,
  Utf16Change,
  VectorClockJson,
} from "./wasm/echostream_wasm.js";
export { textType } from "./text-type.js";
export type { OtSelection, TextType } from "./text-type.js";
