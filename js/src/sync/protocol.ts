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

/** The maximum length of `PresenceUserJson.name`, in characters (code points). */
export const MAX_USER_NAME_CHARS = 64;

/**
 * The user behind a presence, as other clients show them. The server
 * rejects a name of 0 or more than `MAX_USER_NAME_CHARS` characters or
 * with control characters, and a color not of the form `#rrggbb`.
 */
export interface PresenceUserJson {
  /** The display name. */
  name: string;
  /** The color, `#rrggbb` in hexadecimal digits. */
  color: string;
}

/** A client's cursors and selections in code points. */
export interface TextPresenceJson {
  selections: Selection[];
  /** The user's name and color, when the client set them. */
  user?: PresenceUserJson;
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
