// The transport shared by TextSync and BoardSync: one WebSocket to an
// `echostream serve` server, the hello and welcome of the protocol,
// reconnection with backoff, and the events every document has. The state
// machine is the engine's, in WebAssembly; subclasses bind its document
// type.

import type { LoggedOpJson, OpIdJson, SubmissionJson } from "../wasm/echostream_wasm.js";
import type { OfflineError } from "../offline/idb-backend.js";
import type { OfflineLogOptions, OpenedOfflineLog } from "../offline/open.js";
import { Emitter } from "./events.js";
import { PROTOCOL_VERSION } from "./protocol.js";

/**
 * The connection state. "closed" follows `close()`, a lost lease on the
 * offline log's site (an error with code "lease"), or a newer client of
 * the same site (an error with code "site_replaced").
 */
export type SyncStatus = "connecting" | "connected" | "disconnected" | "closed";

/** The close code of a connection that a newer one of its site replaced. */
const CLOSE_REPLACED = 4003;

/** The error codes of a hello that may succeed on a new connection. */
const RETRY_CODES = new Set(["unavailable", "document_unavailable"]);

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

/** Options of `TextSync.open` and `BoardSync.open`. */
export interface SyncOptions {
  /** The server's WebSocket URL, such as "ws://127.0.0.1:8080/ws". */
  url: string;
  /** The document id. */
  doc: string;
  /**
   * The offline log in IndexedDB: on by default where IndexedDB exists.
   * `false` keeps the document in memory only.
   */
  offline?: boolean | Omit<OfflineLogOptions, "doc" | "onError">;
  /**
   * The site id (1 to 16 hexadecimal digits) to use, so that one page can
   * use one site for several documents. Without an offline log it is the
   * site. With one, the log first takes over a stored site that has
   * pending operations, then claims this site unless another tab uses
   * it. A Web Lock shows whether another tab uses the site, or a lease in
   * IndexedDB where Web Locks are missing. A random site when omitted or
   * taken.
   */
  site?: string;
  /** Opens the WebSocket; `new WebSocket(url)` when omitted. */
  createSocket?: WebSocketFactory;
  /** The reconnection delays. */
  backoff?: BackoffOptions;
}

/** The events every synced document has. */
export interface SessionEvents<OpJson> {
  /** The connection state changed. */
  status: { status: SyncStatus };
  /** The server acknowledged every local edit. */
  synced: { revision: number };
  /**
   * A problem that does not stop the document: a server error, a storage
   * error of the offline log, a message the client could not apply, or
   * stored local edits that could not be restored from the offline log
   * (listed in `dropped`).
   */
  error: {
    kind: "server" | "offline" | "dropped" | "protocol";
    message: string;
    code?: string;
    dropped?: SubmissionJson<OpJson>[];
  };
}

/** The part of the engine's client that the transport uses. */
export interface EngineClient<OpJson> {
  readonly site: string;
  readonly revision: number;
  readonly hasPending: boolean;
  nextSubmission(): SubmissionJson<OpJson> | undefined;
  acknowledge(id: OpIdJson, revision: number): void;
  reconnect(): void;
  alignSeqs(lastSeq: number): boolean;
  saveSnapshot(): boolean;
  flush(): Promise<void>;
  pending(): SubmissionJson<OpJson>[];
  readonly restoreProblems: string[];
  droppedOnRestore(): SubmissionJson<OpJson>[];
}

/** The messages of the server that a session handles. */
type ServerMessage<OpJson> =
  | {
      type: "welcome";
      revision: number;
      snapshot?: { revision: number; document: unknown };
      ops: LoggedOpJson<OpJson>[];
      lastSeq?: number;
      presence: { site: string; presence: unknown }[];
    }
  | { type: "ack"; id: OpIdJson; revision: number }
  | ({ type: "op" } & LoggedOpJson<OpJson>)
  | { type: "presence"; site: string; revision: number; presence: unknown }
  | { type: "resync"; revision: number }
  | { type: "error"; code: string; message: string; id?: OpIdJson };

const OPEN = 1;

/**
 * Returns a site id as the engine writes it, 16 lowercase hexadecimal
 * digits, or throws an error naming the value when it is not 1 to 16
 * hexadecimal digits.
 */
export function canonicalSite(site: unknown): string {
  if (typeof site !== "string" || !/^[0-9a-fA-F]{1,16}$/.test(site)) {
    throw new Error(`invalid site ${JSON.stringify(site)}: expected 1 to 16 hexadecimal digits`);
  }
  return site.toLowerCase().padStart(16, "0");
}

/**
 * Opens the offline log when the options ask for it, or returns null.
 * Throws for an invalid url or site.
 */
export async function openOffline<Log>(
  options: SyncOptions,
  open: (options: OfflineLogOptions) => Promise<OpenedOfflineLog<Log>>,
  onError: (error: OfflineError) => void,
): Promise<OpenedOfflineLog<Log> | null> {
  if (typeof options.url !== "string" || options.url === "") {
    throw new Error(`invalid url ${JSON.stringify(options.url)}: expected a ws:// or wss:// URL`);
  }
  const site = options.site === undefined ? undefined : canonicalSite(options.site);
  const wanted = options.offline ?? typeof indexedDB !== "undefined";
  if (wanted === false) return null;
  const settings = typeof wanted === "object" ? wanted : {};
  try {
    return await open({ ...settings, doc: options.doc, onError, site });
  } catch {
    // Reported through onError; the document works in memory.
    return null;
  }
}

/** A document synced with a server over a WebSocket. */
export abstract class SyncSession<OpJson, Events extends SessionEvents<OpJson>> extends Emitter<Events> {
  protected readonly client: EngineClient<OpJson>;
  readonly #options: SyncOptions;
  readonly #offline: OpenedOfflineLog<unknown> | null;
  readonly #docType: "text" | "board";
  #socket: WebSocketLike | null = null;
  #status: SyncStatus = "disconnected";
  #joined = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #confirmingLease = false;
  readonly #onHide = () => {
    this.client.saveSnapshot();
    void this.client.flush();
  };

  protected constructor(
    client: EngineClient<OpJson>,
    docType: "text" | "board",
    options: SyncOptions,
    offline: OpenedOfflineLog<unknown> | null,
  ) {
    super();
    this.client = client;
    this.#docType = docType;
    this.#options = options;
    this.#offline = offline;
    if (typeof addEventListener === "function") addEventListener("pagehide", this.#onHide);
    // Report what the offline log could not restore once the caller has
    // had the chance to add listeners.
    setTimeout(() => this.#reportRestore(), 0);
  }

  #reportRestore(): void {
    const problems = this.client.restoreProblems;
    if (problems.length === 0) return;
    const dropped = this.client.droppedOnRestore();
    this.emitSession("error", {
      kind: dropped.length > 0 ? "dropped" : "offline",
      code: "restore",
      message: `the offline log was restored in part: ${problems.join("; ")}`,
      ...(dropped.length > 0 ? { dropped } : {}),
    });
  }

  /** The site id of this client. */
  get site(): string {
    return this.client.site;
  }

  /** The last server revision received. */
  get revision(): number {
    return this.client.revision;
  }

  /** True while a local edit waits for the server's acknowledgement. */
  get hasPending(): boolean {
    return this.client.hasPending;
  }

  /** The connection state. */
  get status(): SyncStatus {
    return this.#status;
  }

  /** The operations not yet acknowledged. */
  pending(): SubmissionJson<OpJson>[] {
    return this.client.pending();
  }

  /** Resolves when every write to the offline log started so far has finished or failed. */
  flush(): Promise<void> {
    return this.client.flush();
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
    this.client.saveSnapshot();
    await this.client.flush();
    await this.#offline?.close();
  }

  /** Applies a committed entry from the server and emits its change. */
  protected abstract applyRemote(entry: LoggedOpJson<OpJson>): void;

  /**
   * Moves onto a snapshot, keeping the local edits not yet acknowledged:
   * those up to `lastSeq` are in the snapshot, the others are sent again.
   */
  protected abstract applySnapshot(document: unknown, revision: number, lastSeq: number): void;

  /** Emits another client's presence, moved onto the local document. */
  protected abstract peerPresence(site: string, presence: unknown): void;

  /** Returns this client's presence as the server expects it, or null. */
  protected abstract localPresence(): unknown;

  /** Emits one of the events every session has. */
  protected emitSession<K extends keyof SessionEvents<OpJson>>(type: K, event: SessionEvents<OpJson>[K]): void {
    this.emit(type as keyof Events, event as unknown as Events[keyof Events]);
  }

  /**
   * Reports a storage problem of the offline log. A lost lease also stops
   * syncing: another tab now sends the pending operations under this
   * site, and new ones from both tabs would get the same ids.
   */
  protected offlineError(error: OfflineError): void {
    if (error.kind !== "lease") {
      this.emitSession("error", { kind: "offline", code: error.kind, message: error.message });
      return;
    }
    this.#stopSyncing("the offline log lost its site lease");
    this.emitSession("error", {
      kind: "offline",
      code: "lease",
      message: `${error.message}. This tab stopped syncing, so that the two tabs never send different operations under the same ids. Copy what was typed here since, then reload the tab to sync again`,
    });
  }

  /**
   * Sends the next local edit, if the connection is ready and, under a
   * lease, this tab still holds its site. A lease past its expiry by this
   * tab's clock (after a suspension) is renewed before anything is sent.
   */
  protected pump(): void {
    if (!this.#joined) return;
    const lease = this.#offline?.backend.leaseState ?? "none";
    if (lease === "lost") return;
    if (lease === "unconfirmed") {
      void this.#confirmLease();
      return;
    }
    const submission = this.client.nextSubmission();
    if (submission !== undefined) this.#send({ type: "submit", ...submission });
  }

  async #confirmLease(): Promise<void> {
    if (this.#confirmingLease || this.#offline === null) return;
    this.#confirmingLease = true;
    let held = false;
    try {
      held = await this.#offline.backend.confirmLease();
    } catch {
      // The store failed: send nothing until a later renewal succeeds.
    } finally {
      this.#confirmingLease = false;
    }
    if (held) this.pump();
  }

  // Closes the connection for good, with `reason` in the close frame, and
  // keeps the document in memory.
  #stopSyncing(reason: string): void {
    this.#setStatus("closed");
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const socket = this.#socket;
    this.#socket = null;
    this.#joined = false;
    if (socket !== null) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000, reason);
    }
  }

  /** Sends this client's presence, if the connection is ready. */
  protected sendPresence(): void {
    if (!this.#joined) return;
    this.#send({ type: "presence", revision: this.client.revision, presence: this.localPresence() });
  }

  /** Opens the first connection. */
  protected connect(): void {
    if (this.#status === "closed") return;
    this.#setStatus("connecting");
    this.#joined = false;
    const create = this.#options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as WebSocketLike);
    let socket: WebSocketLike;
    try {
      socket = create(this.#options.url);
    } catch (error) {
      this.emitSession("error", { kind: "protocol", message: `failed to open a WebSocket to ${this.#options.url}: ${(error as Error).message}` });
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => this.#sendHello();
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      if (event.code === CLOSE_REPLACED) {
        this.#stopSyncing("another client of this site joined");
        this.emitSession("error", {
          kind: "server",
          code: "site_replaced",
          message: `the server closed this connection because another connection of site ${this.client.site} joined document ${JSON.stringify(this.#options.doc)}: two clients share the site. This client stopped syncing, so that the two never send different operations under the same ids. Give each client its own site, then reload`,
        });
        return;
      }
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
      this.connect();
    }, delay);
  }

  #sendHello(): void {
    const revision = this.client.revision;
    const known = revision > 0 || this.client.hasPending;
    this.#send({
      type: "hello",
      version: PROTOCOL_VERSION,
      doc: this.#options.doc,
      docType: this.#docType,
      site: this.client.site,
      revision: known ? revision : null,
    });
  }

  #send(message: object): void {
    if (this.#socket !== null && this.#socket.readyState === OPEN) {
      this.#socket.send(JSON.stringify(message));
    }
  }

  #receive(data: unknown): void {
    let message: ServerMessage<OpJson>;
    try {
      message = JSON.parse(String(data)) as ServerMessage<OpJson>;
    } catch (error) {
      this.emitSession("error", { kind: "protocol", message: `invalid message from the server: ${(error as Error).message}` });
      return;
    }
    try {
      this.#handle(message);
    } catch (error) {
      // A message the state machine rejects: start again from a new
      // connection, which replays what was missed.
      this.emitSession("error", { kind: "protocol", message: `failed to apply a ${message.type} message: ${(error as Error).message}` });
      this.#socket?.close(4001, "client state out of step");
    }
  }

  #handle(message: ServerMessage<OpJson>): void {
    switch (message.type) {
      case "welcome":
        this.#welcome(message);
        break;
      case "ack":
        this.client.acknowledge(message.id, message.revision);
        this.#afterServerMessage();
        break;
      case "op":
        this.applyRemote(message);
        this.#afterServerMessage();
        break;
      case "presence":
        this.peerPresence(message.site, message.presence);
        break;
      case "resync":
        this.#joined = false;
        this.#sendHello();
        break;
      case "error":
        this.emitSession("error", { kind: "server", code: message.code, message: message.message });
        // A hello the server cannot serve yet (a node catching up with
        // Redis, a store that failed) gets no welcome, and the server
        // keeps the connection open. Closing it lets the backoff connect
        // again.
        if (!this.#joined && RETRY_CODES.has(message.code)) {
          this.#socket?.close(1000, "hello rejected; connecting again");
        }
        // The resend was based on history the server dropped meanwhile:
        // a new connection resends it based on the revision it catches up to.
        if (message.code === "history_compacted" && message.id !== undefined) {
          this.#socket?.close(4002, "history compacted");
        }
        break;
      default:
        this.emitSession("error", { kind: "protocol", message: `unknown message type ${JSON.stringify((message as { type: unknown }).type)}` });
    }
  }

  #welcome(message: Extract<ServerMessage<OpJson>, { type: "welcome" }>): void {
    if (message.snapshot !== undefined) {
      if (typeof message.lastSeq !== "number") {
        throw new Error(`invalid welcome: a snapshot needs lastSeq, got ${JSON.stringify(message.lastSeq)}`);
      }
      this.applySnapshot(message.snapshot.document, message.snapshot.revision, message.lastSeq);
    }
    for (const entry of message.ops) this.applyRemote(entry);
    if (typeof message.lastSeq === "number") this.client.alignSeqs(message.lastSeq);
    this.#joined = true;
    this.#attempt = 0;
    this.#setStatus("connected");
    for (const peer of message.presence) this.peerPresence(peer.site, peer.presence);
    this.client.reconnect();
    this.pump();
    this.sendPresence();
    if (!this.client.hasPending) this.emitSession("synced", { revision: this.client.revision });
  }

  #afterServerMessage(): void {
    this.pump();
    if (!this.client.hasPending) this.emitSession("synced", { revision: this.client.revision });
  }

  #setStatus(status: SyncStatus): void {
    if (this.#status === status || this.#status === "closed") return;
    this.#status = status;
    this.emitSession("status", { status });
  }
}
