// A text document kept in sync with an `echostream serve` server, with an
// offline log, presence in UTF-16 offsets and undo, and change events an
// editor binds to.

import { TextSyncClient, randomSiteId } from "../wasm/echostream_wasm.js";
import type {
  LoggedOpJson,
  Selection,
  TextDocument,
  TextOp,
  TextOpJson,
  Utf16Change,
} from "../wasm/echostream_wasm.js";
import type { OfflineError } from "../offline/idb-backend.js";
import { openTextOfflineLog } from "../offline/open.js";
import type { TextPresenceJson } from "./protocol.js";
import { SyncSession, openOffline } from "./session.js";
import type { SessionEvents, SyncOptions } from "./session.js";

/** Options of `TextSync.open`. */
export type TextSyncOptions = SyncOptions;

/** The source of a change to the local document. */
export type ChangeOrigin = "remote" | "undo" | "redo" | "snapshot";

/** The events of a `TextSync`. */
export interface TextSyncEvents extends SessionEvents<TextOpJson> {
  /**
   * The local document changed other than by `applyChanges` and friends.
   * `changes` are UTF-16 ranges of the text before the change, for an
   * editor to replay; `op` is the same change in code points.
   */
  change: { op: TextOpJson; changes: Utf16Change[]; origin: ChangeOrigin };
  /** Another client's selections in UTF-16 offsets of the local text, or null when it left. */
  presence: { site: string; selections: Selection[] | null };
}

/** A text document synced with a server, with an offline log. */
export class TextSync extends SyncSession<TextOpJson, TextSyncEvents> {
  readonly #text: TextSyncClient;
  #selections: Selection[] | null = null;

  private constructor(client: TextSyncClient, options: SyncOptions, offline: Awaited<ReturnType<typeof openTextOfflineLog>> | null) {
    super(client, "text", options, offline);
    this.#text = client;
  }

  /**
   * Restores the document from the offline log (every local edit shows at
   * once, also offline), then connects. Rejects only for invalid options;
   * storage problems arrive as error events.
   */
  static async open(options: TextSyncOptions): Promise<TextSync> {
    const errors: OfflineError[] = [];
    let sync: TextSync | null = null;
    const onError = (error: OfflineError) => (sync === null ? errors.push(error) : sync.offlineError(error));
    let offline = await openOffline(options, openTextOfflineLog, onError);

    let client: TextSyncClient | null = null;
    if (offline !== null) {
      try {
        client = TextSyncClient.restore(offline.log);
      } catch (error) {
        errors.push({ kind: "write", message: `failed to restore the offline log: ${(error as Error).message}` });
        await offline.close();
        offline = null;
      }
    }
    client ??= new TextSyncClient(options.site ?? randomSiteId(), "", 0);

    sync = new TextSync(client, options, offline);
    // Report storage problems met while opening once the caller has had
    // the chance to add listeners.
    const opened = sync;
    if (errors.length > 0) setTimeout(() => errors.forEach((error) => opened.offlineError(error)), 0);
    sync.connect();
    return sync;
  }

  /** The local text, with every local edit. O(n). */
  get text(): string {
    return this.#text.text;
  }

  /** A copy of the local document, to read positions from. */
  get document(): TextDocument {
    return this.#text.document;
  }

  /** True if there is a local edit to undo. */
  get canUndo(): boolean {
    return this.#text.canUndo;
  }

  /** True if there is an undone edit to redo. */
  get canRedo(): boolean {
    return this.#text.canRedo;
  }

  /**
   * Applies changes an editor made, in UTF-16 offsets of the text before
   * them (sorted, not overlapping), and returns the operation.
   */
  applyChanges(changes: Utf16Change[]): TextOp {
    const doc = this.#text.document;
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
    this.#text.applyLocal(op);
    this.pump();
  }

  /** Undoes the latest local edit, as a new local edit; emits a change. */
  undo(): boolean {
    return this.#history(this.#text.undo(), "undo");
  }

  /** Redoes the latest undone edit; emits a change. */
  redo(): boolean {
    return this.#history(this.#text.redo(), "redo");
  }

  /**
   * Sets this client's cursors and selections, in UTF-16 offsets of the
   * local text, and sends them to the others; null clears them.
   */
  setSelections(selections: Selection[] | null): void {
    if (selections === null) {
      this.#selections = null;
    } else {
      const doc = this.#text.document;
      try {
        this.#selections = selections.map((s) => ({
          anchor: doc.codePointFromUtf16(s.anchor),
          head: doc.codePointFromUtf16(s.head),
        }));
      } finally {
        doc.free();
      }
    }
    this.sendPresence();
  }

  protected applyRemote(entry: LoggedOpJson<TextOpJson>): void {
    const applied = this.#text.receiveRemote(entry);
    if (applied.changes.length > 0) this.emit("change", { ...applied, origin: "remote" });
  }

  protected applySnapshot(document: unknown, revision: number, lastSeq: number): void {
    if (typeof document !== "string") {
      throw new Error(`invalid text snapshot ${JSON.stringify(document)}: expected a string`);
    }
    const applied = this.#text.rebaseOntoSnapshot(document, revision, lastSeq);
    if (applied.changes.length > 0) this.emit("change", { ...applied, origin: "snapshot" });
  }

  protected peerPresence(site: string, presence: unknown): void {
    if (presence === null || presence === undefined) {
      this.emit("presence", { site, selections: null });
      return;
    }
    const local = this.#text.presenceToLocal((presence as TextPresenceJson).selections);
    const doc = this.#text.document;
    try {
      const clamp = (position: number) => doc.utf16FromCodePoint(Math.min(position, doc.length));
      const selections = local.map((s) => ({ anchor: clamp(s.anchor), head: clamp(s.head) }));
      this.emit("presence", { site, selections });
    } finally {
      doc.free();
    }
  }

  protected localPresence(): TextPresenceJson | null {
    if (this.#selections === null) return null;
    return { selections: this.#text.presenceFromLocal(this.#selections) };
  }

  #history(change: { op: TextOpJson; changes: Utf16Change[] } | undefined, origin: "undo" | "redo"): boolean {
    if (change === undefined) return false;
    this.emit("change", { ...change, origin });
    this.pump();
    return true;
  }
}
