// Presence of the board and the pad, as one list of other users.

import { TextDocument } from "echostream";
import type { BoardPresenceJson, BoardSync, PresenceUserJson, TextSync } from "echostream";
import { identityOf } from "../identity";
import type { BoardModel, Peer, PresenceChannel, PresenceState, TextCursor } from "../model";

/**
 * Presence of both documents. A page opens its pad on the site of its
 * board, so peers are keyed by site. A peer's name and color are the ones
 * it sent, or else derived from its site. The package moves the others'
 * selections through every edit and emits them again.
 */
export class SyncedPresence implements PresenceChannel {
  private readonly boardPeers = new Map<
    string,
    { pointer: PresenceState["pointer"]; selection: string[]; text: BoardPresenceJson["text"]; user: PresenceUserJson | null }
  >();
  private readonly padCursors = new Map<string, { cursor: TextCursor | null; user: PresenceUserJson | null }>();
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
          // Converted to UTF-16 when read: the board model may not show
          // the edit that moved it yet.
          text: presence.text,
          user: presence.user ?? null,
        });
      }
      this.notify();
    });
    padSync.on("presence", ({ site, selections, user }) => {
      if (selections === null) {
        this.padCursors.delete(site);
      } else {
        const selection = selections[0];
        const cursor: TextCursor | null = selection ? { target: { kind: "pad" }, anchor: selection.anchor, head: selection.head } : null;
        this.padCursors.set(site, { cursor, user });
      }
      this.notify();
    });
  }

  setUser(user: PresenceUserJson): void {
    this.boardSync.setUser(user);
    this.padSync.setUser(user);
  }

  update(state: Partial<PresenceState>): void {
    const before = this.own;
    this.own = { ...this.own, ...state };
    const cursor = this.own.cursor;
    const cursorMoved = state.cursor !== undefined;
    const inShape = cursor?.target.kind === "shape" || before.cursor?.target.kind === "shape";
    if (state.pointer !== undefined || state.selection !== undefined || (cursorMoved && inShape)) {
      this.sendBoardPresence();
    }
    if (cursorMoved && (cursor?.target.kind === "pad" || before.cursor?.target.kind === "pad")) {
      this.sendPadCursor();
    }
  }

  private sendBoardPresence(): void {
    const cursor = this.own.cursor;
    this.boardSync.setPresence({
      selected: this.own.selection,
      pointer: this.own.pointer ? [this.own.pointer.x, this.own.pointer.y] : null,
      text: cursor?.target.kind === "shape" ? this.shapeCursorToBoard(cursor.target.id, cursor) : null,
    });
  }

  private sendPadCursor(): void {
    const cursor = this.own.cursor;
    this.padSync.setSelections(cursor?.target.kind === "pad" ? [{ anchor: cursor.anchor, head: cursor.head }] : null);
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
      const pad = this.padCursors.get(site);
      const user = board?.user ?? pad?.user ?? identityOf(site);
      return {
        site,
        name: user.name,
        color: user.color,
        onBoard: board !== undefined,
        pointer: board?.pointer ?? null,
        selection: board?.selection ?? [],
        cursor: (board && this.shapeCursorFromBoard(board.text)) ?? pad?.cursor ?? null,
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
