// A board kept in sync with an `echostream serve` server, with an offline
// log, presence (selected shapes, pointer) and undo.

import { BoardOp, BoardSyncClient, randomSiteId } from "../wasm/echostream_wasm.js";
import type {
  Board,
  BoardJson,
  BoardOpJson,
  LoggedOpJson,
  Selection,
  ShapeIdJson,
} from "../wasm/echostream_wasm.js";
import type { OfflineError } from "../offline/idb-backend.js";
import { openBoardOfflineLog } from "../offline/open.js";
import type { PresenceUserJson } from "./protocol.js";
import { SyncSession, canonicalSite, openOffline } from "./session.js";
import type { SessionEvents, SyncOptions } from "./session.js";

/** A client's presence on a board, as the server relays it. */
export interface BoardPresenceJson {
  /** The selected shapes. */
  selected: ShapeIdJson[];
  /** The pointer on the canvas, [x, y] in px. */
  pointer: [number, number] | null;
  /** The selections, in code points, in the text of the shape being edited. */
  text: { shape: ShapeIdJson; selections: Selection[] } | null;
  /** The user's name and color, when the client set them. */
  user?: PresenceUserJson;
}

/** Options of `BoardSync.open`. */
export type BoardSyncOptions = SyncOptions;

/** The events of a `BoardSync`. */
export interface BoardSyncEvents extends SessionEvents<BoardOpJson> {
  /** The local board changed other than by `apply`: `op` is the change as applied here. */
  change: { op: BoardOpJson; origin: "remote" | "undo" | "redo" | "snapshot" };
  /**
   * Another client's presence on the local board, or null when it left.
   * It arrives when the client sends it and again whenever an edit
   * applied here moves its text selections or deletes a selected shape.
   */
  presence: { site: string; presence: BoardPresenceJson | null };
}

const EMPTY_BOARD: BoardJson = { shapes: [] };

/** A board synced with a server, with an offline log. */
export class BoardSync extends SyncSession<BoardOpJson, BoardSyncEvents> {
  readonly #board: BoardSyncClient;
  /** This client's presence, with text selections in code points of the local board. */
  #presence: BoardPresenceJson | null = null;
  #user: PresenceUserJson | null = null;
  /** True when the last presence sent took out pending edits, which loses places inside them. */
  #presenceBeforePending = false;
  /** The other clients' presence on the local board. */
  readonly #peers = new Map<string, BoardPresenceJson>();

  private constructor(client: BoardSyncClient, options: SyncOptions, offline: Awaited<ReturnType<typeof openBoardOfflineLog>> | null) {
    super(client, "board", options, offline);
    this.#board = client;
    // Once every edit is acknowledged the presence can be sent exactly.
    this.on("synced", () => {
      if (this.#presenceBeforePending) this.sendPresence();
    });
  }

  /**
   * Restores the board from the offline log, then connects. Rejects only
   * for invalid options; storage problems arrive as error events.
   */
  static async open(options: BoardSyncOptions): Promise<BoardSync> {
    const errors: OfflineError[] = [];
    let sync: BoardSync | null = null;
    const onError = (error: OfflineError) => (sync === null ? errors.push(error) : sync.offlineError(error));
    let offline = await openOffline(options, openBoardOfflineLog, onError);

    let client: BoardSyncClient | null = null;
    if (offline !== null) {
      try {
        client = BoardSyncClient.restore(offline.log);
      } catch (error) {
        errors.push({ kind: "write", message: `failed to restore the offline log: ${(error as Error).message}` });
        await offline.close();
        offline = null;
      }
    }
    client ??= new BoardSyncClient(options.site === undefined ? randomSiteId() : canonicalSite(options.site), EMPTY_BOARD, 0);

    sync = new BoardSync(client, options, offline);
    // Report storage problems met while opening once the caller has had
    // the chance to add listeners.
    const opened = sync;
    if (errors.length > 0) setTimeout(() => errors.forEach((error) => opened.offlineError(error)), 0);
    sync.connect();
    return sync;
  }

  /** A copy of the local board, with every local edit. */
  get board(): Board {
    return this.#board.board;
  }

  /** True if there is a local edit to undo. */
  get canUndo(): boolean {
    return this.#board.canUndo;
  }

  /** True if there is an undone edit to redo. */
  get canRedo(): boolean {
    return this.#board.canRedo;
  }

  /** Applies a board operation as a local edit. */
  apply(op: BoardOp): void {
    this.#board.applyLocal(op);
    if (this.#presence !== null || this.#peers.size > 0) this.#movePresence(op, op.toJSON(), "right");
    this.pump();
  }

  /** Undoes the latest local edit, as a new local edit; emits a change. */
  undo(): boolean {
    return this.#history(this.#board.undo(), "undo");
  }

  /** Redoes the latest undone edit; emits a change. */
  redo(): boolean {
    return this.#history(this.#board.redo(), "redo");
  }

  /**
   * Sets this client's presence, with text selections in code points of
   * the local board, and sends it to the others. Null clears it. A `user`
   * in it replaces the one `setUser` set.
   */
  setPresence(presence: BoardPresenceJson | null): void {
    this.#presence = presence;
    this.sendPresence();
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
   * Returns the other clients' presence on the local board, moved through
   * every edit applied since it arrived.
   */
  peers(): Array<{ site: string; presence: BoardPresenceJson }> {
    return [...this.#peers].map(([site, presence]) => ({ site, presence }));
  }

  protected applyRemote(entry: LoggedOpJson<BoardOpJson>): void {
    const op = this.#board.receiveRemote(entry);
    if (op.length > 0) {
      this.#movePresenceJson(op, "left");
      this.emit("change", { op, origin: "remote" });
    }
  }

  protected applySnapshot(document: unknown, revision: number, lastSeq: number): void {
    const op = this.#board.rebaseOntoSnapshot(document as BoardJson, revision, lastSeq);
    this.emit("change", { op, origin: "snapshot" });
  }

  /** Moves a peer's presence past the pending local edits, stores it and emits it. */
  protected peerPresence(site: string, presence: unknown): void {
    if (presence === null || presence === undefined) {
      this.#peers.delete(site);
      this.emit("presence", { site, presence: null });
      return;
    }
    const sent = presence as BoardPresenceJson;
    let text = sent.text ?? null;
    if (text !== null) {
      const selections = this.#board.textSelectionsToLocal(text.shape, text.selections);
      text = selections === undefined ? null : { shape: text.shape, selections };
    }
    const local: BoardPresenceJson = { ...sent, selected: sent.selected ?? [], pointer: sent.pointer ?? null, text };
    this.#peers.set(site, local);
    this.emit("presence", { site, presence: local });
  }

  /** Returns this client's presence at the server's revision: pending edits are taken out of its text selections. */
  protected localPresence(): BoardPresenceJson | null {
    this.#presenceBeforePending = this.#board.hasPending;
    const own = this.#presence;
    if (own === null) {
      return this.#user === null ? null : { selected: [], pointer: null, text: null, user: this.#user };
    }
    let text = own.text;
    if (text !== null) {
      const selections = this.#board.textSelectionsFromLocal(text.shape, text.selections);
      text = selections === undefined ? null : { shape: text.shape, selections };
    }
    const user = own.user ?? this.#user;
    return user === null ? { ...own, text } : { ...own, text, user };
  }

  #history(op: BoardOpJson | undefined, origin: "undo" | "redo"): boolean {
    if (op === undefined) return false;
    this.#movePresenceJson(op, "right");
    this.emit("change", { op, origin });
    this.pump();
    return true;
  }

  #movePresenceJson(json: BoardOpJson, ownSide: "left" | "right"): void {
    if (this.#presence === null && this.#peers.size === 0) return;
    const op = BoardOp.fromJSON(json);
    try {
      this.#movePresence(op, json, ownSide);
    } finally {
      op.free();
    }
  }

  /**
   * Moves the stored presence through an operation applied to the local
   * board, and emits the peers whose presence changed: text selections
   * follow edits of their shape's text, and deleted shapes leave the
   * selection. A peer's cursor stays before text inserted at it; this
   * client's moves past its own inserts (`ownSide` "right").
   */
  #movePresence(op: BoardOp, json: BoardOpJson, ownSide: "left" | "right"): void {
    const deleted = new Set(json.flatMap((change) => ("delete" in change ? [change.delete.id] : [])));
    const edited = new Set(json.flatMap((change) => ("edit_text" in change ? [change.edit_text.id] : [])));
    const move = (presence: BoardPresenceJson, side: "left" | "right"): BoardPresenceJson | null => {
      const text = presence.text;
      const textMoves = text !== null && (edited.has(text.shape) || deleted.has(text.shape));
      const selectionShrinks = presence.selected.some((id) => deleted.has(id));
      if (!textMoves && !selectionShrinks) return null;
      let movedText = text;
      if (text !== null && textMoves) {
        const selections = op.transformTextSelections(text.shape, text.selections, side);
        movedText = selections === undefined ? null : { shape: text.shape, selections };
      }
      const selected = selectionShrinks ? presence.selected.filter((id) => !deleted.has(id)) : presence.selected;
      return { ...presence, selected, text: movedText };
    };
    if (this.#presence !== null) {
      this.#presence = move(this.#presence, ownSide) ?? this.#presence;
    }
    for (const [site, presence] of this.#peers) {
      const moved = move(presence, "left");
      if (moved !== null) {
        this.#peers.set(site, moved);
        this.emit("presence", { site, presence: moved });
      }
    }
  }
}
