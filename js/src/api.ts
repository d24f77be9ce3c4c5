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
export { TextOfflineLog } from "./wasm/echostream_wasm.js";
export type {
  LoggedOpJson,
  OpIdJson,
  SnapshotJson,
  StoredRecords,
  SubmissionJson,
} from "./wasm/echostream_wasm.js";
export { IdbBackend, SCHEMA_VERSION } from "./offline/idb-backend.js";
export type { OfflineError, OfflineErrorKind } from "./offline/idb-backend.js";
export { openTextOfflineLog } from "./offline/open.js";
export type { OfflineLogOptions, OpenedOfflineLog } from "./offline/open.js";
export { TextAuthority, TextSyncClient } from "./wasm/echostream_wasm.js";
export type { AppliedChange, ClientState, ReceiptJson } from "./wasm/echostream_wasm.js";
export { TextSync } from "./sync/text-sync.js";
export type {
  BackoffOptions,
  ChangeOrigin,
  SyncStatus,
  TextSyncEvents,
  TextSyncOptions,
  WebSocketFactory,
  WebSocketLike,
} from "./sync/text-sync.js";
export type { Unsubscribe } from "./sync/events.js";
export { PROTOCOL_VERSION } from "./sync/protocol.js";
export type { ClientMessage, ServerMessage, TextPresenceJson } from "./sync/protocol.js";
export { Board, BoardOp, randomShapeId } from "./wasm/echostream_wasm.js";
export type {
  BoardJson,
  BoardOpJson,
  ChangeJson,
  CreatedShape,
  MemberJson,
  PropertyValueJson,
  ShapeIdJson,
  ShapeJson,
  ShapeKindJson,
} from "./wasm/echostream_wasm.js";
