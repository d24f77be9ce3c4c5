// The demo's view of a session: what the page reads and changes. The one
// implementation lives in engine.ts, on top of the npm package; every other
// module of the demo codes against these types only.

/** A point in board coordinates (CSS pixels at zoom 1). */
export interface Point {
  x: number;
  y: number;
}

/** The kinds of shape that the toolbar can draw. */
export type ShapeKind =
  | "rectangle"
  | "ellipse"
  | "diamond"
  | "line"
  | "arrow"
  | "freedraw"
  | "text"
  | "sticky";

/** One shape on the board, as the page draws it. */
export interface Shape {
  id: string;
  kind: ShapeKind;
  x: number;
  y: number;
  width: number;
  height: number;
  strokeColor: string;
  /** A CSS color, or "transparent" for no fill. */
  backgroundColor: string;
  strokeWidth: number;
  /** Points relative to (x, y), for line, arrow and freedraw. */
  points: Point[];
  /** Id of the shape that the first point of an arrow is attached to. */
  startBinding: string | null;
  /** Id of the shape that the last point of an arrow is attached to. */
  endBinding: string | null;
  /** For a text shape that labels another shape (Excalidraw's bound text), that shape's id. */
  containerId: string | null;
  /** Groups the shape belongs to, innermost first, as Excalidraw orders them. */
  groupIds: string[];
  /** The shape's collaborative text (text shapes, sticky notes, labels); "" when it has none. */
  text: string;
  /** False for shapes without a text: a box shape gets a label as a separate text shape. */
  hasText: boolean;
  fontSize: number;
}

/** Properties that can be set on an existing shape. */
export type ShapeProps = Partial<Omit<Shape, "id" | "kind" | "text" | "hasText">>;

/** A text edit in UTF-16 offsets: delete `deleteCount` at `index`, then insert. */
export interface TextChange {
  index: number;
  deleteCount: number;
  insert: string;
}

/** A replacement of the UTF-16 range [from, to) by `insert`. */
export interface TextRange {
  from: number;
  to: number;
  insert: string;
}

/**
 * A change notice: whether the page made the change, and, for a change to
 * one text, the ranges it replaced. The ranges are in UTF-16 offsets of
 * the text before the change, sorted and not overlapping.
 */
export interface ChangeEvent {
  local: boolean;
  target?: TextTarget;
  ranges?: readonly TextRange[];
}

/** The text a caret is in: the text pad, or the text of one shape. */
export type TextTarget = { kind: "pad" } | { kind: "shape"; id: string };

export type Listener = (event: ChangeEvent) => void;

/** The whiteboard document of the session. */
export interface BoardModel {
  /** Returns the live shapes, back to front. */
  shapes(): readonly Shape[];
  shape(id: string): Shape | undefined;
  /** Creates a shape on top of the others and returns its id. */
  create(shape: Omit<Shape, "id">): string;
  update(id: string, props: ShapeProps): void;
  translate(ids: readonly string[], dx: number, dy: number): void;
  remove(ids: readonly string[]): void;
  bringToFront(ids: readonly string[]): void;
  sendToBack(ids: readonly string[]): void;
  /** Puts the shapes into one new group and returns the group id. */
  group(ids: readonly string[]): string;
  /** Removes the outermost group of each shape. */
  ungroup(ids: readonly string[]): void;
  editText(id: string, change: TextChange): void;
  /** Starts collecting this page's edits into one undo step, such as the moves of one drag. */
  beginUndoGroup(): void;
  endUndoGroup(): void;
  /** Undoes this page's last board edit (or undo group); returns false when none is left. */
  undo(): boolean;
  redo(): boolean;
  /** Adds the shapes of an Excalidraw scene (JSON text) to the board. */
  importExcalidraw(json: string): void;
  /** Returns the board as an Excalidraw scene (JSON text). */
  exportExcalidraw(): string;
  subscribe(listener: Listener): () => void;
}

/** The shared text document beside the board. */
export interface TextModel {
  text(): string;
  edit(change: TextChange): void;
  undo(): boolean;
  redo(): boolean;
  subscribe(listener: Listener): () => void;
}

/** A user's caret or selection in one text, in UTF-16 offsets. */
export interface TextCursor {
  target: TextTarget;
  anchor: number;
  head: number;
}

/** The state each user shares with the others. */
export interface PresenceState {
  /** Pointer in board coordinates, or null when it is off the board. */
  pointer: Point | null;
  selection: string[];
  cursor: TextCursor | null;
}

/** Another user on the same document. */
export interface Peer extends PresenceState {
  /** Id of the peer's site (tab). */
  site: string;
  name: string;
  color: string;
  /** False for a peer known only by its pad cursor, which the roster leaves out. */
  onBoard: boolean;
}

export interface PresenceChannel {
  /** Changes the shared state of this page and sends it to the others. */
  update(state: Partial<PresenceState>): void;
  /** Sets the name and color (`#rrggbb`) the others show for this page. */
  setUser(user: { name: string; color: string }): void;
  peers(): readonly Peer[];
  subscribe(listener: () => void): () => void;
}

/**
 * The state of the link to the server: "online" when connected and
 * synchronized, "syncing" while local edits wait for acknowledgement,
 * "connecting" while (re)connecting, "offline" when switched off by the user.
 */
export type ConnectionStatus = "online" | "syncing" | "connecting" | "offline";

export interface Connection {
  status(): ConnectionStatus;
  /** Switches the link on (connect and merge) or off (work offline). */
  setOnline(online: boolean): void;
  subscribe(listener: () => void): () => void;
}

/** One open document: its board, its text pad, presence and connection. */
export interface Session {
  /** The id in the page's address; the board and the pad are two server documents named after it. */
  readonly documentId: string;
  readonly boardDocumentId: string;
  readonly padDocumentId: string;
  readonly site: string;
  readonly board: BoardModel;
  readonly pad: TextModel;
  readonly presence: PresenceChannel;
  readonly connection: Connection;
  /** Registers a listener of problems the user should know of, such as offline edits the server could not take. */
  onProblem(listener: (message: string) => void): void;
}
