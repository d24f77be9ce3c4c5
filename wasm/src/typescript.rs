//! TypeScript declarations of the plain values that cross the boundary,
//! added to the generated `.d.ts` so that public signatures name real
//! types.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/**
 * One component of a text operation in the ottypes text-unicode JSON form:
 * a number retains that many code points, a string inserts it, and
 * `{d: n}` or `{d: "text"}` deletes n code points or exactly that text.
 */
export type TextOpComponent = number | string | { d: number | string };

/** A text operation in the ottypes text-unicode JSON form. */
export type TextOpJson = TextOpComponent[];

/**
 * The tie-break side of a transform. "left" keeps this operation's insert
 * first, and keeps a position before an insert made exactly at it.
 */
export type Side = "left" | "right";

/** A selection: where it started (anchor) and where the cursor is (head). */
export interface Selection { anchor: number; head: number }

/** The relation of two vector clocks in the happened-before order. */
export type ClockOrdering = "before" | "after" | "equal" | "concurrent";

/** A vector clock: site id (16 hex digits) to the count of its operations seen. */
export type VectorClockJson = Record<string, number>;

/**
 * One change to a text in UTF-16 code units, as JavaScript editors count:
 * replace [from, to) of the text before all changes of the list by insert.
 */
export interface Utf16Change { from: number; to: number; insert: string }
"#;
