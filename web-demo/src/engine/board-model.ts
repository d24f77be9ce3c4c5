// The board's model: the package's board sync client seen through the
// BoardModel interface of the page. Each page action becomes one board
// operation, built with the package's operation builders on a copy of the
// board, so that it applies and undoes as one step.

import { Board, BoardOp, randomShapeId, TextDocument, TextOp } from "echostream";
import type { BoardSync } from "echostream";
import type { BoardModel, ChangeEvent, Listener, Shape, ShapeProps, TextChange } from "../model";
import { BOARD_KEYS, propertyToBoard, shapeFromBoard, shapeToBoard } from "./shapes";

export class SyncedBoard implements BoardModel {
  private readonly listeners: Listener[] = [];
  private cache: { list: Shape[]; byId: Map<string, Shape> } | null = null;
  // The client undoes one operation at a time; these count how many
  // operations each undo step of the page spans.
  private undoSteps: number[] = [];
  private redoSteps: number[] = [];
  private openGroup: number | null = null;

  constructor(private readonly sync: BoardSync) {
    sync.on("change", ({ origin }) => {
      this.cache = null;
      this.emit({ local: origin === "undo" || origin === "redo" });
    });
  }

  private shapesById(): { list: Shape[]; byId: Map<string, Shape> } {
    if (this.cache === null) {
      const board = this.sync.board;
      try {
        const list = board.toJSON().shapes.map(({ id, ...shape }) => shapeFromBoard(id, shape));
        this.cache = { list, byId: new Map(list.map((shape) => [shape.id, shape])) };
      } finally {
        board.free();
      }
    }
    return this.cache;
  }

  shapes(): readonly Shape[] {
    return this.shapesById().list;
  }

  shape(id: string): Shape | undefined {
    return this.shapesById().byId.get(id);
  }

  /**
   * Builds one operation from steps, each made on a copy of the board that
   * has the earlier steps applied, and applies it as one local edit.
   */
  private edit(build: (board: Board, add: (op: BoardOp) => void) => void): void {
    const board = this.sync.board;
    let total: BoardOp = new BoardOp();
    try {
      build(board, (op) => {
        board.apply(op);
        const next = total.compose(op);
        total.free();
        op.free();
        total = next;
      });
      if (!total.isNoop) {
        this.sync.apply(total);
        this.countEdit();
        this.cache = null;
        this.emit({ local: true });
      }
    } finally {
      total.free();
      board.free();
    }
  }

  create(shape: Omit<Shape, "id">): string {
    let id = "";
    this.edit((board, add) => {
      const created = board.createOp(shapeToBoard(shape));
      id = created.id;
      add(created.op);
    });
    return id;
  }

  update(id: string, props: ShapeProps): void {
    this.edit((board, add) => {
      for (const field of Object.keys(props) as Array<keyof ShapeProps>) {
        const key = BOARD_KEYS[field];
        if (key !== undefined) {
          add(board.setOp(id, key, propertyToBoard(field, props)));
        }
      }
    });
  }

  translate(ids: readonly string[], dx: number, dy: number): void {
    this.edit((_board, add) => {
      for (const id of ids) {
        add(BoardOp.translate(id, dx, dy));
      }
    });
  }

  remove(ids: readonly string[]): void {
    this.edit((board, add) => {
      for (const id of ids) {
        if (board.shape(id) !== undefined) {
          add(board.deleteOp(id));
        }
      }
    });
  }

  /** Returns `ids` ordered by their place in the z-order, bottom first. */
  private byZ(ids: readonly string[]): string[] {
    const order = new Map(this.shapes().map((shape, index) => [shape.id, index]));
    return ids.filter((id) => order.has(id)).sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  }

  bringToFront(ids: readonly string[]): void {
    // Bottom first, so that the shapes keep their order among themselves.
    const sorted = this.byZ(ids);
    this.edit((board, add) => sorted.forEach((id) => add(board.bringToFrontOp(id))));
  }

  sendToBack(ids: readonly string[]): void {
    const sorted = this.byZ(ids).reverse();
    this.edit((board, add) => sorted.forEach((id) => add(board.sendToBackOp(id))));
  }

  group(ids: readonly string[]): string {
    const group = randomShapeId();
    this.edit((board, add) => add(board.groupOp(group, [...ids])));
    return group;
  }

  ungroup(ids: readonly string[]): void {
    const groups = new Set<string>();
    for (const id of ids) {
      const outer = this.shape(id)?.groupIds.at(-1);
      if (outer !== undefined) {
        groups.add(outer);
      }
    }
    this.edit((board, add) => groups.forEach((group) => add(board.ungroupOp(group))));
  }

  editText(id: string, change: TextChange): void {
    const text = this.shape(id)?.text ?? "";
    const document = new TextDocument(text);
    let textOp: TextOp;
    try {
      textOp = document.opFromChanges([{ from: change.index, to: change.index + change.deleteCount, insert: change.insert }]);
    } finally {
      document.free();
    }
    this.edit((_board, add) => add(BoardOp.editText(id, textOp)));
    textOp.free();
  }

  private countEdit(): void {
    this.redoSteps = [];
    if (this.openGroup !== null) {
      this.openGroup++;
    } else {
      this.undoSteps.push(1);
    }
  }

  beginUndoGroup(): void {
    this.endUndoGroup();
    this.openGroup = 0;
  }

  endUndoGroup(): void {
    if (this.openGroup !== null && this.openGroup > 0) {
      this.undoSteps.push(this.openGroup);
    }
    this.openGroup = null;
  }

  undo(): boolean {
    this.endUndoGroup();
    return this.replay(this.undoSteps, this.redoSteps, () => this.sync.undo());
  }

  redo(): boolean {
    return this.replay(this.redoSteps, this.undoSteps, () => this.sync.redo());
  }

  /** Runs `step` for each operation of the latest entry of `from`, and moves the entry to `to`. */
  private replay(from: number[], to: number[], step: () => boolean): boolean {
    const count = from.pop() ?? 1;
    let changed = 0;
    for (let i = 0; i < count && step(); i++) {
      changed++;
    }
    if (changed > 0) {
      to.push(changed);
    }
    return changed > 0;
  }

  importExcalidraw(json: string): void {
    this.edit((board, add) => add(board.importExcalidrawOp(json)));
  }

  exportExcalidraw(): string {
    const board = this.sync.board;
    try {
      return board.toExcalidraw();
    } finally {
      board.free();
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  private emit(event: ChangeEvent): void {
    for (const listener of [...this.listeners]) {
      listener(event);
    }
  }
}
