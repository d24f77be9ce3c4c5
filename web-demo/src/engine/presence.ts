// Presence of the board and the pad, as one list of other users.

import { TextDocument } from "echostream";
import type { BoardPresenceJson, BoardSync, TextSync } from "echostream";
import { identityOf } from "../identity";
import type { BoardModel, Peer, PresenceChannel, PresenceState, TextCursor, TextRange } from "../model";

/**
 * Maps a UTF-16 position through ranges given against the text before all
 * of them; text inserted at the position goes after it.
 */
export function mapThroughRanges(position: number, ranges: readonly TextRange[]): number {
  let shift = 0;
  for (const range of ranges) {
    if (position <= range.from) {
      break;
    }
    if (position < range.to) {
      return range.from + shift + range.insert.length;
    }
    shift += range.insert.length - (range.to - range.from);
  }
  return position + shift;
}

export /**
 * Presence of both documents. Peers are keyed by the site of their board
 * client, whose id also gives their name and color.
 *
 * NOTE: each offline log of the package claims its own site, so a page has
 * one site on the board and another on the pad. A user's pad cursor then
 * shows under the name of the pad site, until the package lets one page
 * use one site for both.
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
    // A presence is sent against the last acknowledged revision, so a caret
    // placed after edits still in flight reaches the others behind them.
    // Sending it again once every edit is acknowledged puts it in place.
    padSync.on("synced", () => {
      if (this.own.cursor?.target.kind === "pad") {
        this.sendPadCursor();
      }
    });
    boardSync.on("synced", () => {
      if (this.own.cursor?.target.kind === "shape") {
        this.sendBoardPresence();
      }
    });
    // Other users' carets follow the edits that arrive after them.
    padSync.on("change", ({ changes }) => {
      for (const [site, cursor] of this.padCursors) {
        const anchor = mapThroughRanges(cursor.anchor, changes);
        const head = mapThroughRanges(cursor.head, changes);
        this.padCursors.set(site, { ...cursor, anchor, head });
      }
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
