// The ottypes type object for plain text, in the text-unicode JSON form,
// backed by the engine. ShareDB registers it with
// `ShareDB.types.register(textType)`.

import {
  textApply,
  textCompose,
  textInvert,
  textIsNoop,
  textMakeInvertible,
  textNormalize,
  textTransform,
  textTransformPosition,
} from "./wasm/echostream_wasm.js";
import type { Side, TextOpJson } from "./wasm/echostream_wasm.js";

/** A selection in the ottypes form: a cursor, or [anchor, head]. */
export type OtSelection = number | [number, number];

/** The ottypes type interface, as ShareDB and the ottypes fuzzer use it. */
export interface TextType {
  readonly name: string;
  readonly uri: string;
  /** Returns a snapshot: the initial text, or the empty string. */
  create(initial?: string): string;
  /** Returns `snapshot` after `op`; throws an Error naming the misfit. */
  apply(snapshot: string, op: TextOpJson): string;
  /** Returns `op` rewritten to apply after `other`. */
  transform(op: TextOpJson, other: TextOpJson, side: Side): TextOpJson;
  /** Returns one operation with the effect of `a` then `b`. */
  compose(a: TextOpJson, b: TextOpJson): TextOpJson;
  /** Returns the inverse; every delete must carry its text. */
  invert(op: TextOpJson): TextOpJson;
  /** Returns the inverse of `op`, reading deleted text from `snapshot`. */
  invertWithDoc(op: TextOpJson, snapshot: string): TextOpJson;
  /** Returns `op` with deleted text filled in from `snapshot`. */
  makeInvertible(op: TextOpJson, snapshot: string): TextOpJson;
  /** Returns the normalized form of `op`. */
  normalize(op: TextOpJson): TextOpJson;
  /** True if `op` changes nothing. */
  isNoop(op: TextOpJson): boolean;
  /** Returns where a code point position moves; it stays before an insert made exactly at it. */
  transformPosition(position: number, op: TextOpJson): number;
  /** Returns where a cursor or an [anchor, head] pair moves. */
  transformSelection(selection: OtSelection, op: TextOpJson): OtSelection;
  /**
   * The older ottypes cursor API: the user's own insert at the cursor
   * moves it after the text, another user's insert does not.
   */
  transformCursor(cursor: number, op: TextOpJson, isOwnOp: boolean): number;
}

/**
 * Plain text with positions in code points. The name and uri are this
 * engine's own, so that it can be registered beside ot-text-unicode; the
 * operations are in that type's JSON form and transform the same way.
 */
export const textType: TextType = {
  name: "echostream-text",
  uri: "urn:echostream:types:text",
  create(initial?: string): string {
    if (initial === undefined || initial === null) return "";
    if (typeof initial !== "string") {
      throw new Error(
        `invalid initial text ${String(initial)}: expected a string`,
      );
    }
    return initial;
  },
  apply: (snapshot, op) => textApply(snapshot, op),
  transform: (op, other, side) => textTransform(op, other, side),
  compose: (a, b) => textCompose(a, b),
  invert: (op) => textInvert(op),
  invertWithDoc: (op, snapshot) =>
    textInvert(textMakeInvertible(op, snapshot)),
  makeInvertible: (op, snapshot) => textMakeInvertible(op, snapshot),
  normalize: (op) => textNormalize(op),
  isNoop: (op) => textIsNoop(op),
  transformPosition: (position, op) =>
    textTransformPosition(position, op, "left"),
  transformSelection(selection, op) {
    if (typeof selection === "number") {
      return textTransformPosition(selection, op, "left");
    }
    return [
      textTransformPosition(selection[0], op, "left"),
      textTransformPosition(selection[1], op, "left"),
    ];
  },
  transformCursor: (cursor, op, isOwnOp) =>
    textTransformPosition(cursor, op, isOwnOp ? "right" : "left"),
};
