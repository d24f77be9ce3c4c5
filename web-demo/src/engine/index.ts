// The one module of the demo that talks to the npm package `echostream`.
// It adapts the package's sync clients, with their offline logs in
// IndexedDB, to the small interfaces in model.ts. It contains no engine
// logic of its own.

import { BoardSync, TextDocument, TextSync } from "echostream";
import type { BoardPresenceJson } from "echostream";
import { identityOf } from "../identity";
import type { BoardModel, Connection, ConnectionStatus, Peer, PresenceChannel, PresenceState, Session, TextCursor } from "../model";
import { SyncedBoard } from "./board-model";
import { OnlineSwitch } from "./online-switch";
import { PadModel } from "./text-pad";

export interface SessionOptions {
  documentId: string;
  /** False to open from the offline log only, without connecting. */
  online: boolean;
}

/** Returns the WebSocket URL of the server that served this page. */
function serverUrl(): string {
  const url = new URL("/ws", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** Opens the board and the text pad of `documentId` and connects them to the server of this page. */
export async function openSession(options: SessionOptions): Promise<Session> {
  const online = new OnlineSwitch(options.online);
  const url = serverUrl();
  const boardDocumentId = `${options.documentId}.board`;
  const padDocumentId = `${options.documentId}.text`;
  const [boardSync, padSync] = await Promise.all([
    BoardSync.open({ url, doc: boardDocumentId, createSocket: online.createSocket }),
    TextSync.open({ url, doc: padDocumentId, createSocket: online.createSocket }),
  ]);
  for (const sync of [boardSync, padSync]) {
    sync.on("error", (error) => console.warn(`echostream ${error.kind} error: ${error.message}`));
  }
  const board = new SyncedBoard(boardSync);
  const pad = new PadModel(padSync);
  const connection = new SyncedConnection(online, [boardSync, padSync]);
  // A local edit leaves an operation pending, which the indicator shows.
  board.subscribe((event) => event.local && connection.changed());
  pad.subscribe((event) => event.local && connection.changed());
  return {
    documentId: options.documentId,
    boardDocumentId,
    padDocumentId,
    site: boardSync.site,
    board,
    pad,
    presence: new SyncedPresence(boardSync, padSync, board),
    connection,
  };
}

/** The link state of both documents, as one indicator shows it. */
class SyncedConnection implements Connection {
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly online: OnlineSwitch,
    private readonly syncs: ReadonlyArray<BoardSync | TextSync>,
  ) {
    const notify = () => this.listeners.forEach((listener) => listener());
    online.subscribe(notify);
    for (const sync of syncs) {
      sync.on("status", notify);
      sync.on("synced", notify);
      sync.on("change", notify);
    }
  }

  status(): ConnectionStatus {
    if (!this.online.isOnline) {
      return "offline";
    }
    if (this.syncs.some((sync) => sync.status !== "connected")) {
      return "connecting";
    }
    return this.syncs.some((sync) => sync.hasPending) ? "syncing" : "online";
  }

  setOnline(online: boolean): void {
    this.online.set(online);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  /** Tells the listeners to look again, after a local edit made something pending. */
  changed(): void {
    this.listeners.forEach((listener) => listener());
  }
}

/**
 * Presence of both documents. Peers are keyed by the site of their board
 * client, whose id also gives their name and color.
 *
 * NOTE: the package picks the pad's site apart from the board's (each
 * offline log claims its own), so a user's pad cursor shows under the name
 * of their pad site until the package lets one page use one site for both.
 */
class SyncedPresence implements PresenceChannel {
  private readonly boardPeers = new Map<string, { pointer: PresenceState["pointer"]; selection: string[]; shapeCursor: TextCursor | null }>();
  private readonly padCursors = new Map<string, TextCursor>();
  private readonly listeners: Array<() => void> = [];
  private own: PresenceState = { pointer: null, selection: [], cursor: null };

  constructor(
    private readonly boardSync: BoardSync,
    private readonly padSync: TextSync,
    private readonly board: BoardModel,
  ) {
    boardSync.on("presence", ({ site, presence }) => {
      if (presence === null) {
        this.boardPeers.delete(site);
      } else {
        this.boardPeers.set(site, {
          pointer: presence.pointer ? { x: presence.pointer[0], y: presence.pointer[1] } : null,
          selection: presence.selected,
          shapeCursor: this.shapeCursorFromBoard(presence.text),
        });
      }
      this.notify();
    });
    padSync.on("presence", ({ site, selections }) => {
      const selection = selections?.[0];
      if (selection) {
        this.padCursors.set(site, { target: { kind: "pad" }, anchor: selection.anchor, head: selection.head });
      } else {
        this.padCursors.delete(site);
      }
      this.notify();
    });
  }

  update(state: Partial<PresenceState>): void {
    const before = this.own;
    this.own = { ...this.own, ...state };
    const cursor = this.own.cursor;
    const boardChanged = state.pointer !== undefined || state.selection !== undefined || (state.cursor !== undefined && (cursor?.target.kind === "shape" || before.cursor?.target.kind === "shape"));
    if (boardChanged) {
      this.boardSync.setPresence({
        selected: this.own.selection,
        pointer: this.own.pointer ? [this.own.pointer.x, this.own.pointer.y] : null,
        text: cursor?.target.kind === "shape" ? this.shapeCursorToBoard(cursor.target.id, cursor) : null,
      });
    }
    if (state.cursor !== undefined && (cursor?.target.kind === "pad" || before.cursor?.target.kind === "pad")) {
      this.padSync.setSelections(cursor?.target.kind === "pad" ? [{ anchor: cursor.anchor, head: cursor.head }] : null);
    }
  }

  /** Converts a caret in a shape's text from UTF-16 offsets to the code points that presence carries. */
  private shapeCursorToBoard(shape: string, cursor: TextCursor): BoardPresenceJson["text"] {
    const document = new TextDocument(this.board.shape(shape)?.text ?? "");
    try {
      const clamp = (n: number): number => document.codePointFromUtf16(Math.min(n, document.lengthUtf16));
      const anchor = clamp(cursor.anchor);
      const head = clamp(cursor.head);
      return { shape, selections: [{ anchor, head }] };
    } finally {
      document.free();
    }
  }

  private shapeCursorFromBoard(text: BoardPresenceJson["text"]): TextCursor | null {
    const selection = text?.selections[0];
    if (!text || !selection) {
      return null;
    }
    const document = new TextDocument(this.board.shape(text.shape)?.text ?? "");
    try {
      const clamp = (n: number): number => document.utf16FromCodePoint(Math.min(n, document.length));
      return { target: { kind: "shape", id: text.shape }, anchor: clamp(selection.anchor), head: clamp(selection.head) };
    } finally {
      document.free();
    }
  }

  peers(): readonly Peer[] {
    const sites = new Set([...this.boardPeers.keys(), ...this.padCursors.keys()]);
    return [...sites].map((site) => {
      const board = this.boardPeers.get(site);
      return {
        site,
        ...identityOf(site),
        onBoard: board !== undefined,
        pointer: board?.pointer ?? null,
        selection: board?.selection ?? [],
        cursor: board?.shapeCursor ?? this.padCursors.get(site) ?? null,
      };
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  private notify(): void {
    this.listeners.forEach((listener) => listener());
  }
}
