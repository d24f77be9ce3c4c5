// The one module of the demo that talks to the npm package `echostream`.
// It adapts the package's sync clients, with their offline logs in
// IndexedDB, to the small interfaces in model.ts. It contains no engine
// logic of its own.

import { BoardSync, TextSync } from "echostream";
import type { Connection, ConnectionStatus, Session } from "../model";
import { SyncedBoard } from "./board-model";
import { OnlineSwitch } from "./online-switch";
import { SyncedPresence } from "./presence";
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
  // The pad takes the board's site, so that other users see one site,
  // with one name, for this page's pointer and carets.
  const boardSync = await BoardSync.open({ url, doc: boardDocumentId, createSocket: online.createSocket });
  const padSync = await TextSync.open({ url, doc: padDocumentId, createSocket: online.createSocket, site: boardSync.site });

  const problemListeners: Array<(message: string) => void> = [];
  for (const sync of [boardSync, padSync]) {
    sync.on("error", (error) => {
      console.warn(`echostream ${error.kind} error: ${error.message}`);
      // Lost edits and a failing offline log concern the user. The other
      // kinds go to the console only.
      if (error.kind === "dropped" || error.kind === "offline") {
        problemListeners.forEach((listener) => listener(error.message));
      }
    });
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
    onProblem: (listener) => problemListeners.push(listener),
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

