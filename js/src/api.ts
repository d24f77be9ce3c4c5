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
export { BoardOfflineLog, TextOfflineLog } from "./wasm/echostream_wasm.js";
export type {
  LoggedOpJson,
  OpIdJson,
  SnapshotJson,
  StoredRecords,
  SubmissionJson,
} from "./wasm/echostream_wasm.js";
export { IdbBackend, SCHEMA_VERSION } from "./offline/idb-backend.js";
export type { OfflineError, OfflineErrorKind } from "./offline/idb-backend.js";
export { openBoardOfflineLog, openTextOfflineLog } from "./offline/open.js";
export type { OfflineLogOptions, OpenedOfflineLog } from "./offline/open.js";
export { BoardSyncClient, TextAuthority, TextSyncClient } from "./wasm/echostream_wasm.js";
export type { AppliedChange, ClientState, ReceiptJson } from "./wasm/echostream_wasm.js";
export { TextSync } from "./sync/text-sync.js";
export type { ChangeOrigin, TextPeer, TextSyncEvents, TextSyncOptions } from "./sync/text-sync.js";
export { BoardSync } from "./sync/board-sync.js";
export type { BoardPresenceJson, BoardSyncEvents, BoardSyncOptions } from "./sync/board-sync.js";
export type {
  BackoffOptions,
  EngineClient,
  SessionEvents,
  SyncOptions,
  SyncStatus,
  WebSocketFactory,
  WebSocketLike,
} from "./sync/session.js";
export type { Unsubscribe } from "./sync/events.js";
export { MAX_USER_NAME_CHARS, PROTOCOL_VERSION } from "./sync/protocol.js";
export type { ClientMessage, PresenceUserJson, ServerMessage, TextPresenceJson } from "./sync/protocol.js";
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
