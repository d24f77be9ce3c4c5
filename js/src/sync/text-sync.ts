// A text document kept in sync with an `echostream serve` server, with an
// offline log, presence in UTF-16 offsets and undo, and change events an
// editor binds to.

import { TextOp, TextSyncClient, randomSiteId } from "../wasm/echostream_wasm.js";
import type {
  LoggedOpJson,
  Selection,
  TextDocument,
  TextOpJson,
  Utf16Change,
} from "../wasm/echostream_wasm.js";
import type { OfflineError } from "../offline/idb-backend.js";
import { openTextOfflineLog } from "../offline/open.js";
import type { PresenceUserJson, TextPresenceJson } from "./protocol.js";
import { SyncSession, canonicalSite, openOffline } from "./session.js";
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
  /**
   * Another client's selections in UTF-16 offsets of the local text, or
   * null when it left. It arrives when the client sends them and again
   * whenever an edit applied here moves them.
   */
  presence: { site: string; selections: Selection[] | null; user: PresenceUserJson | null };
}

/** Another client's presence in a `TextSync`, in UTF-16 offsets of the local text. */
export interface TextPeer {
  /** The site of the client. */
  site: string;
  /** The cursors and selections. */
  selections: Selection[];
  /** The user's name and color, if the client sent them. */
  user: PresenceUserJson | null;
}

/** A peer's presence as stored: selections in code points of the local text. */
interface StoredPeer {
  selections: Selection[];
  user: PresenceUserJson | null;
}

/** A text document synced with a server, with an offline log. */
export class TextSync extends SyncSession<TextOpJson, TextSyncEvents> {
  readonly #text: TextSyncClient;
  /** This client's selections, in code points of the local text. */
  #selections: Selection[] | null = null;
  #user: PresenceUserJson | null = null;
  /** True when the last presence sent took out pending edits, which loses places inside them. */
  #presenceBeforePending = false;
  readonly #peers = new Map<string, StoredPeer>();

  private constructor(client: TextSyncClient, options: SyncOptions, offline: Awaited<ReturnType<typeof openTextOfflineLog>> | null) {
    super(client, "text", options, offline);
    this.#text = client;
    // Once every edit is acknowledged the presence can be sent exactly.
    this.on("synced", () => {
      if (this.#presenceBeforePending) this.sendPresence();
    });
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
    client ??= new TextSyncClient(options.site === undefined ? randomSiteId() : canonicalSite(options.site), "", 0);

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
    this.#moveSelections(op, "right");
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
   * Returns the other clients' presence, in UTF-16 offsets of the local text,
   * moved through every edit applied since it arrived. O(p·s) in the
   * peers and their selections.
   */
  peers(): TextPeer[] {
    const doc = this.#text.document;
    try {
      return [...this.#peers].map(([site, peer]) => ({ site, selections: toUtf16(doc, peer.selections), user: peer.user }));
    } finally {
      doc.free();
    }
  }

  /**
   * Sets the name and color that other clients show for this one, and
   * sends them; null removes them. The server rejects an invalid one with
   * an error event.
   */
  setUser(user: PresenceUserJson | null): void {
    this.#user = user === null ? null : { name: user.name, color: user.color };
    this.sendPresence();
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
    if (applied.changes.length > 0) {
      this.#moveSelectionsJson(applied.op);
      this.emit("change", { ...applied, origin: "remote" });
    }
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
      this.#peers.delete(site);
      this.emit("presence", { site, selections: null, user: null });
      return;
    }
    const sent = presence as TextPresenceJson;
    const peer = { selections: this.#text.presenceToLocal(sent.selections), user: sent.user ?? null };
    this.#peers.set(site, peer);
    this.#emitPeer(site, peer);
  }

  protected localPresence(): TextPresenceJson | null {
    this.#presenceBeforePending = this.#text.hasPending;
    if (this.#selections === null && this.#user === null) return null;
    const selections = this.#selections === null ? [] : this.#text.presenceFromLocal(this.#selections);
    return this.#user === null ? { selections } : { selections, user: this.#user };
  }

  #history(change: { op: TextOpJson; changes: Utf16Change[] } | undefined, origin: "undo" | "redo"): boolean {
    if (change === undefined) return false;
    this.#moveSelectionsJson(change.op, "right");
    this.emit("change", { ...change, origin });
    this.pump();
    return true;
  }

  #moveSelectionsJson(json: TextOpJson, ownSide: "left" | "right" = "left"): void {
    if (this.#selections === null && this.#peers.size === 0) return;
    const op = TextOp.fromJSON(json);
    try {
      this.#moveSelections(op, ownSide);
    } finally {
      op.free();
    }
  }

  /**
   * Moves the stored selections through an operation applied to the
   * local text, and emits the peers that moved. A peer's cursor stays
   * before text inserted at it. This client's cursor moves past its own
   * inserts (`ownSide` "right") but not past remote ones.
   */
  #moveSelections(op: TextOp, ownSide: "left" | "right"): void {
    if (this.#selections !== null) {
      this.#selections = this.#selections.map((s) => op.transformSelection(s, ownSide));
    }
    for (const [site, peer] of this.#peers) {
      const selections = peer.selections.map((s) => op.transformSelection(s, "left"));
      const moved = selections.some((s, i) => s.anchor !== peer.selections[i].anchor || s.head !== peer.selections[i].head);
      if (moved) {
        const next = { ...peer, selections };
        this.#peers.set(site, next);
        this.#emitPeer(site, next);
      }
    }
  }

  #emitPeer(site: string, peer: StoredPeer): void {
    const doc = this.#text.document;
    try {
      this.emit("presence", { site, selections: toUtf16(doc, peer.selections), user: peer.user });
    } finally {
      doc.free();
    }
  }
}

/** Converts selections from code points to UTF-16 offsets of `doc`, clamped to its end. */
function toUtf16(doc: TextDocument, selections: Selection[]): Selection[] {
  const clamp = (position: number) => doc.utf16FromCodePoint(Math.min(position, doc.length));
  return selections.map((s) => ({ anchor: clamp(s.anchor), head: clamp(s.head) }));
}
