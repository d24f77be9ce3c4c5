// The one module of the demo that talks to the npm package `echostream`.
// It adapts the package's documents, sync clients and offline logs to the
// small interfaces in model.ts. It contains no engine logic of its own.

import type { Session } from "./model";

export interface SessionOptions {
  documentId: string;
  /** False to open from the offline log only, without connecting. */
  online: boolean;
}

/** Opens the board and the text pad of `documentId` and connects them to the server of this page. */
export async function openSession(options: SessionOptions): Promise<Session> {
  // TODO: fill in once the npm package exports boards and its sync client.
  throw new Error(`the npm package echostream has no board or sync client yet (document ${options.documentId})`);
}
