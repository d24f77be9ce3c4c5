// The JSON messages of the EchoStream sync protocol, version 1, for text
// documents (PROTOCOL.md in the repository describes them).

import type {
  LoggedOpJson,
  OpIdJson,
  Selection,
  SubmissionJson,
  TextOpJson,
} from "../wasm/echostream_wasm.js";

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;

/** A client's cursors and selections in code points. */
export interface TextPresenceJson {
  selections: Selection[];
}

export type ClientMessage =
  | { type: "hello"; version: number; doc: string; docType: "text"; site: string; revision: number | null }
  | ({ type: "submit" } & SubmissionJson<TextOpJson>)
  | { type: "presence"; revision: number; presence: TextPresenceJson | null };

export type ServerMessage =
  | {
      type: "welcome";
      version: number;
      doc: string;
      docType: string;
      revision: number;
      snapshot?: { revision: number; document: string };
      ops: LoggedOpJson<TextOpJson>[];
      presence: { site: string; presence: TextPresenceJson }[];
    }
  | { type: "ack"; id: OpIdJson; revision: number }
  | ({ type: "op" } & LoggedOpJson<TextOpJson>)
  | { type: "presence"; site: string; revision: number; presence: TextPresenceJson | null }
  | { type: "resync"; revision: number }
  | { type: "error"; code: string; message: string; id?: OpIdJson };
