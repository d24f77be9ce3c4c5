// A board kept in sync with an `echostream serve` server, with an offline
// log, presence (selected shapes, pointer) and undo.

import { BoardSyncClient, randomSiteId } from "../wasm/echostream_wasm.js";
import type {
  Board,
  BoardJson,
  BoardOp,
  BoardOpJson,
  LoggedOpJson,
  Selection,
  ShapeIdJson,
} from "../wasm/echostream_wasm.js";
import type { OfflineError } from "../offline/idb-backend.js";
import { openBoardOfflineLog } from "../offline/open.js";
import { SyncSession, openOffline } from "./session.js";
import type { SessionEvents, SyncOptions } from "./session.js";

/** A client's presence on a board, as the server relays it. */
export interface BoardPresenceJson {
  /** The selected shapes. */
  selected: ShapeIdJson[];
  /** The pointer on the canvas, [x, y] in px. */
  pointer: [number, number] | null;
  /** The selections, in code points, in the text of the shape being edited. */
  text: { shape: ShapeIdJson; selections: Selection[] } | null;
}

/** Options of `BoardSync.open`. */
export type BoardSyncOptions = SyncOptions;

/** The events of a `BoardSync`. */
export interface BoardSyncEvents extends SessionEvents<BoardOpJson> {
  /** The local board changed other than by `apply`: `op` is the change as applied here. */
  change: { op: BoardOpJson; origin: "remote" | "undo" | "redo" | "snapshot" };
  /** Another client's presence, or null when it left. */
  presence: { site: string; presence: BoardPresenceJson | null };
}

const EMPTY_BOARD: BoardJson = { shapes: [] };

/** A board synced with a server, with an offline log. */
export class BoardSync extends SyncSession<BoardOpJson, BoardSyncEvents> {
  readonly #board: BoardSyncClient;
  #presence: BoardPresenceJson | null = null;

  private constructor(client: BoardSyncClient, options: SyncOptions, offline: Awaited<ReturnType<typeof openBoardOfflineLog>> | null) {
    super(client, "board", options, offline);
    this.#board = client;
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
    client ??= new BoardSyncClient(options.site ?? randomSiteId(), EMPTY_BOARD, 0);

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

  /** Sets this client's presence and sends it to the others; null clears it. */
  setPresence(presence: BoardPresenceJson | null): void {
    this.#presence = presence;
    this.sendPresence();
  }

  protected applyRemote(entry: LoggedOpJson<BoardOpJson>): void {
    const op = this.#board.receiveRemote(entry);
    if (op.length > 0) this.emit("change", { op, origin: "remote" });
  }

  protected applySnapshot(document: unknown, revision: number, lastSeq: number): void {
    const op = this.#board.rebaseOntoSnapshot(document as BoardJson, revision, lastSeq);
    this.emit("change", { op, origin: "snapshot" });
  }

  // NOTE: a peer's presence is passed on as the server sent it, without
  // moving text selections past local edits not yet acknowledged.
  protected peerPresence(site: string, presence: unknown): void {
    this.emit("presence", { site, presence: (presence ?? null) as BoardPresenceJson | null });
  }

  protected localPresence(): BoardPresenceJson | null {
    return this.#presence;
  }

  #history(op: BoardOpJson | undefined, origin: "undo" | "redo"): boolean {
    if (op === undefined) return false;
    this.emit("change", { op, origin });
    this.pump();
    return true;
  }
}
