// A text document kept in sync with an `echostream serve` server over a
// WebSocket. The state machine (pending operations, transforms, undo) is
// the engine's, in WebAssembly; this class carries its messages, reconnects
// with backoff, moves presence and emits events an editor binds to.

import { TextSyncClient, randomSiteId } from "../wasm/echostream_wasm.js";
import type {
  Selection,
  SubmissionJson,
  TextDocument,
  TextOp,
  TextOpJson,
  Utf16Change,
} from "../wasm/echostream_wasm.js";
import type { OfflineError } from "../offline/idb-backend.js";
import { openTextOfflineLog } from "../offline/open.js";
import type { OfflineLogOptions, OpenedOfflineLog } from "../offline/open.js";
import { Emitter } from "./events.js";
import { PROTOCOL_VERSION } from "./protocol.js";
import type { ClientMessage, ServerMessage, TextPresenceJson } from "./protocol.js";

/** The connection state. */
export type SyncStatus = "connecting" | "connected" | "disconnected" | "closed";

/** The part of the WebSocket interface the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Opens a WebSocket; in Node, pass one built on the `ws` package. */
export type WebSocketFactory = (url: string) => WebSocketLike;

/** How long to wait before each reconnection attempt. */
export interface BackoffOptions {
  /** The first delay, in milliseconds; 250 when omitted. */
  initialDelayMs?: number;
  /** The largest delay, in milliseconds; 10,000 when omitted. */
  maxDelayMs?: number;
  /** The factor between two delays; 2 when omitted. */
  factor?: number;
  /** The random share added or taken off each delay, 0 to 1; 0.2 when omitted. */
  jitter?: number;
}

/** Options of `TextSync.open`. */
export interface TextSyncOptions {
  /** The server's WebSocket URL, such as "ws://127.0.0.1:8080/ws". */
  url: string;
  /** The document id. */
  doc: string;
  /**
   * The offline log in IndexedDB: on by default where IndexedDB exists.
   * `false` keeps the document in memory only.
   */
  offline?: boolean | Omit<OfflineLogOptions, "doc" | "onError">;
  /** The site id without an offline log; a random one when omitted. */
  site?: string;
  /** Opens the WebSocket; `new WebSocket(url)` when omitted. */
  createSocket?: WebSocketFactory;
  /** The reconnection delays. */
  backoff?: BackoffOptions;
}

/** Where a change to the local document came from. */
export type ChangeOrigin = "remote" | "undo" | "redo" | "snapshot";

/** The events of a `TextSync`. */
export interface TextSyncEvents {
  /**
   * The local document changed other than by `applyChanges` and friends.
   * `changes` are UTF-16 ranges of the text before the change, for an
   * editor to replay; `op` is the same change in code points.
   */
  change: { op: TextOpJson; changes: Utf16Change[]; origin: ChangeOrigin };
  /** Another client's selections in UTF-16 offsets of the local text, or null when it left. */
  presence: { site: string; selections: Selection[] | null };
  /** The connection state changed. */
  status: { status: SyncStatus };
  /** The server acknowledged every local edit. */
  synced: { revision: number };
  /**
   * A problem that does not stop the document: a server error, a storage
   * error of the offline log, or local edits dropped because the server
   * sent a snapshot they cannot move onto.
   */
  error: {
    kind: "server" | "offline" | "dropped" | "protocol";
    message: string;
    code?: string;
    dropped?: SubmissionJson<TextOpJson>[];
  };
}

const OPEN = 1;

/** A text document synced with a server, with an offline log. */
export class TextSync extends Emitter<TextSyncEvents> {
  readonly #client: TextSyncClient;
  readonly #options: TextSyncOptions;
  readonly #offline: OpenedOfflineLog | null;
  #socket: WebSocketLike | null = null;
  #status: SyncStatus = "disconnected";
  #joined = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #selections: Selection[] | null = null;
  readonly #onHide = () => this.#saveBeforeHide();

  private constructor(client: TextSyncClient, options: TextSyncOptions, offline: OpenedOfflineLog | null) {
    super();
    this.#client = client;
    this.#options = options;
    this.#offline = offline;
    if (typeof addEventListener === "function") addEventListener("pagehide", this.#onHide);
  }

  /**
   * Restores the document from the offline log (every local edit shows at
   * once, also offline), then connects. Rejects only for invalid options;
   * storage problems arrive as error events.
   */
  static async open(options: TextSyncOptions): Promise<TextSync> {
    if (typeof options.url !== "string" || options.url === "") {
      throw new Error(`invalid url ${JSON.stringify(options.url)}: expected a ws:// or wss:// URL`);
    }
    const errors: OfflineError[] = [];
    let sync: TextSync | null = null;
    const onError = (error: OfflineError) => {
      if (sync === null) errors.push(error);
      else sync.#offlineError(error);
    };

    let offline: OpenedOfflineLog | null = null;
    const wanted = options.offline ?? typeof indexedDB !== "undefined";
    if (wanted !== false) {
      const settings = typeof wanted === "object" ? wanted : {};
      try {
        offline = await openTextOfflineLog({ ...settings, doc: options.doc, onError });
      } catch {
        // Reported through onError; the document works in memory.
        offline = null;
      }
    }

    let client: TextSyncClient;
    if (offline !== null) {
      try {
        client = TextSyncClient.restore(offline.log);
      } catch (error) {
        errors.push({ kind: "write", message: `failed to restore the offline log: ${(error as Error).message}` });
        await offline.close();
        offline = null;
        client = new TextSyncClient(options.site ?? randomSiteId(), "", 0);
      }
    } else {
      client = new TextSyncClient(options.site ?? randomSiteId(), "", 0);
    }

    sync = new TextSync(client, options, offline);
    for (const error of errors) sync.#offlineError(error);
    sync.#connect();
    return sync;
  }

  /** The local text, with every local edit. O(n). */
  get text(): string {
    return this.#client.text;
  }

  /** A copy of the local document, to read positions from. */
  get document(): TextDocument {
    return this.#client.document;
  }

  /** The site id of this client. */
  get site(): string {
    return this.#client.site;
  }

  /** The last server revision received. */
  get revision(): number {
    return this.#client.revision;
  }

  /** True while a local edit waits for the server's acknowledgement. */
  get hasPending(): boolean {
    return this.#client.hasPending;
  }

  /** The connection state. */
  get status(): SyncStatus {
    return this.#status;
  }

  /** True if there is a local edit to undo. */
  get canUndo(): boolean {
    return this.#client.canUndo;
  }

  /** True if there is an undone edit to redo. */
  get canRedo(): boolean {
    return this.#client.canRedo;
  }

  /** The operations not yet acknowledged. */
  pending(): SubmissionJson<TextOpJson>[] {
    return this.#client.pending();
  }

  /**
   * Applies changes an editor made, in UTF-16 offsets of the text before
   * them (sorted, not overlapping), and returns the operation.
   */
  applyChanges(changes: Utf16Change[]): TextOp {
    const doc = this.#client.document;
    try {
      const op = doc.opFromChanges(changes);
      this.applyOp(op);
      return op;
    } finally {
      doc.free();
    }
  }

  /** Inserts `text` at a UTF-16 offset. */
  insert(offset: number, text: string): TextOp {
    return this.applyChanges([{ from: offset, to: offset, insert: text }]);
  }

  /** Deletes the UTF-16 range from `from` up to `to`. */
  delete(from: number, to: number): TextOp {
    return this.applyChanges([{ from, to, insert: "" }]);
  }

  /** Applies an operation in code points as a local edit. */
  applyOp(op: TextOp): void {
    this.#client.applyLocal(op);
    this.#pump();
  }

  /** Undoes the latest local edit, as a new local edit; emits a change. */
  undo(): boolean {
    return this.#history(this.#client.undo(), "undo");
  }

  /** Redoes the latest undone edit; emits a change. */
  redo(): boolean {
    return this.#history(this.#client.redo(), "redo");
  }

  /**
   * Sets this client's cursors and selections, in UTF-16 offsets of the
   * local text, and sends them to the others; null clears them.
   */
  setSelections(selections: Selection[] | null): void {
    if (selections === null) {
      this.#selections = null;
    } else {
      const doc = this.#client.document;
      try {
        this.#selections = selections.map((s) => ({
          anchor: doc.codePointFromUtf16(s.anchor),
          head: doc.codePointFromUtf16(s.head),
        }));
      } finally {
        doc.free();
      }
    }
    this.#sendPresence();
  }

  /**
   * Resolves when every write to the offline log started so far has
   * finished or failed.
   */
  flush(): Promise<void> {
    return this.#client.flush();
  }

  /** Closes the connection and the offline log, after its writes. */
  async close(): Promise<void> {
    this.#setStatus("closed");
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (typeof removeEventListener === "function") removeEventListener("pagehide", this.#onHide);
    const socket = this.#socket;
    this.#socket = null;
    if (socket !== null) {
      socket.onclose = null;
      socket.close(1000, "closed by the client");
    }
    this.#client.saveSnapshot();
    await this.#client.flush();
    await this.#offline?.close();
  }

  #connect(): void {
    if (this.#status === "closed") return;
    this.#setStatus("connecting");
    this.#joined = false;
    const create = this.#options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as WebSocketLike);
    let socket: WebSocketLike;
    try {
      socket = create(this.#options.url);
    } catch (error) {
      this.emit("error", { kind: "protocol", message: `failed to open a WebSocket to ${this.#options.url}: ${(error as Error).message}` });
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => this.#sendHello();
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#joined = false;
      this.#setStatus("disconnected");
      this.#scheduleReconnect();
    };
  }

  #scheduleReconnect(): void {
    if (this.#status === "closed" || this.#timer !== null) return;
    const { initialDelayMs = 250, maxDelayMs = 10_000, factor = 2, jitter = 0.2 } = this.#options.backoff ?? {};
    const base = Math.min(maxDelayMs, initialDelayMs * factor ** this.#attempt);
    const delay = base * (1 + jitter * (2 * Math.random() - 1));
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#connect();
    }, delay);
  }

  #sendHello(): void {
    const revision = this.#client.revision;
    const known = revision > 0 || this.#client.hasPending;
    this.#send({
      type: "hello",
      version: PROTOCOL_VERSION,
      doc: this.#options.doc,
      docType: "text",
      site: this.#client.site,
      revision: known ? revision : null,
    });
  }

  #send(message: ClientMessage): void {
    if (this.#socket !== null && this.#socket.readyState === OPEN) {
      this.#socket.send(JSON.stringify(message));
    }
  }

  #receive(data: unknown): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(data)) as ServerMessage;
    } catch (error) {
      this.emit("error", { kind: "protocol", message: `invalid message from the server: ${(error as Error).message}` });
      return;
    }
    try {
      this.#handle(message);
    } catch (error) {
      // A message the state machine rejects: start again from a new
      // connection, which replays what was missed.
      this.emit("error", { kind: "protocol", message: `failed to apply a ${message.type} message: ${(error as Error).message}` });
      this.#socket?.close(4001, "client state out of step");
    }
  }

  #handle(message: ServerMessage): void {
    switch (message.type) {
      case "welcome":
        this.#welcome(message);
        break;
      case "ack":
        this.#client.acknowledge(message.id, message.revision);
        this.#afterServerMessage();
        break;
      case "op": {
        const applied = this.#client.receiveRemote(message);
        if (applied.changes.length > 0) this.emit("change", { ...applied, origin: "remote" });
        this.#afterServerMessage();
        break;
      }
      case "presence":
        this.#peerPresence(message.site, message.presence);
        break;
      case "resync":
        this.#joined = false;
        this.#sendHello();
        break;
      case "error":
        this.emit("error", { kind: "server", code: message.code, message: message.message });
        break;
      default:
        this.emit("error", { kind: "protocol", message: `unknown message type ${JSON.stringify((message as { type: unknown }).type)}` });
    }
  }

  #welcome(message: Extract<ServerMessage, { type: "welcome" }>): void {
    if (message.snapshot !== undefined) {
      const before = this.#client.text;
      const dropped = this.#client.resetToSnapshot(message.snapshot.document, message.snapshot.revision);
      if (dropped.length > 0) {
        this.emit("error", {
          kind: "dropped",
          message: `the server sent a snapshot at revision ${message.snapshot.revision}, so ${dropped.length} local operation(s) could not be moved onto it and were dropped`,
          dropped,
        });
      }
      const after = this.#client.text;
      if (after !== before) {
        const removed = [...before].length;
        const op: TextOpJson = [];
        if (after !== "") op.push(after);
        if (removed > 0) op.push({ d: removed });
        this.emit("change", { op, changes: [{ from: 0, to: before.length, insert: after }], origin: "snapshot" });
      }
    }
    for (const entry of message.ops) {
      const applied = this.#client.receiveRemote(entry);
      if (applied.changes.length > 0) this.emit("change", { ...applied, origin: "remote" });
    }
    this.#joined = true;
    this.#attempt = 0;
    this.#setStatus("connected");
    for (const peer of message.presence) this.#peerPresence(peer.site, peer.presence);
    this.#client.reconnect();
    this.#pump();
    this.#sendPresence();
    if (!this.#client.hasPending) this.emit("synced", { revision: this.#client.revision });
  }

  #afterServerMessage(): void {
    this.#pump();
    if (!this.#client.hasPending) this.emit("synced", { revision: this.#client.revision });
  }

  #peerPresence(site: string, presence: TextPresenceJson | null): void {
    if (presence === null) {
      this.emit("presence", { site, selections: null });
      return;
    }
    const local = this.#client.presenceToLocal(presence.selections);
    const doc = this.#client.document;
    try {
      const selections = local.map((s) => ({
        anchor: doc.utf16FromCodePoint(Math.min(s.anchor, doc.length)),
        head: doc.utf16FromCodePoint(Math.min(s.head, doc.length)),
      }));
      this.emit("presence", { site, selections });
    } finally {
      doc.free();
    }
  }

  #sendPresence(): void {
    if (!this.#joined) return;
    const presence = this.#selections === null ? null : { selections: this.#client.presenceFromLocal(this.#selections) };
    this.#send({ type: "presence", revision: this.#client.revision, presence });
  }

  #pump(): void {
    if (!this.#joined) return;
    const submission = this.#client.nextSubmission();
    if (submission !== undefined) this.#send({ type: "submit", ...submission });
  }

  #history(change: { op: TextOpJson; changes: Utf16Change[] } | undefined, origin: "undo" | "redo"): boolean {
    if (change === undefined) return false;
    this.emit("change", { ...change, origin });
    this.#pump();
    return true;
  }

  #offlineError(error: OfflineError): void {
    this.emit("error", { kind: "offline", code: error.kind, message: error.message });
  }

  #saveBeforeHide(): void {
    this.#client.saveSnapshot();
    void this.#client.flush();
  }

  #setStatus(status: SyncStatus): void {
    if (this.#status === status) return;
    if (this.#status === "closed") return;
    this.#status = status;
    this.emit("status", { status });
  }
}
