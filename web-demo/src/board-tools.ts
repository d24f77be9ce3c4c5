// Pointer interaction on the board: picking, selecting, moving, resizing,
// drawing each kind of shape, panning and zooming.

import type { BoardView } from "./board-view";
import {
  boxOf,
  boxOfPoints,
  containsPoint,
  hitTest,
  isLinear,
  mapBetweenBoxes,
  normalizeBox,
  resizeBox,
  type Box,
  type Handle,
} from "./geometry";
import type { BoardModel, Point, Shape, ShapeKind, ShapeProps } from "./model";
import { renderShape } from "./shape-render";
import type { ShapeTextEditor } from "./shape-text-editor";
import { svgElement } from "./svg";

export type Tool = "select" | ShapeKind;

/** Stroke, fill and width that new shapes get. */
export interface Style {
  strokeColor: string;
  backgroundColor: string;
  strokeWidth: number;
}

type Gesture =
  | { kind: "move"; start: Point; ids: string[]; dx: number; dy: number; sentX: number; sentY: number; live: boolean; queued: boolean }
  | { kind: "resize"; start: Point; handle: Handle; box: Box; ids: string[]; current: Box }
  | { kind: "marquee"; start: Point; current: Point; additive: boolean }
  | { kind: "draw"; tool: ShapeKind; start: Point; points: Point[] }
  | { kind: "pan"; lastX: number; lastY: number };

const CLICK_SLOP = 3;

export class BoardTools {
  tool: Tool = "select";
  style: Style = { strokeColor: "#1e1e1e", backgroundColor: "transparent", strokeWidth: 2 };
  private gesture: Gesture | null = null;
  /** Called after the selection or the tool changes. */
  onSelectionChange: () => void = () => {};
  onToolChange: () => void = () => {};
  /** Called with the pointer position in board coordinates, or null when it leaves. */
  onPointer: (p: Point | null) => void = () => {};

  constructor(
    private readonly board: BoardModel,
    private readonly view: BoardView,
    private readonly editor: ShapeTextEditor,
  ) {
    const svg = view.svg;
    svg.addEventListener("pointerdown", this.handlePointerDown);
    svg.addEventListener("pointermove", this.handlePointerMove);
    svg.addEventListener("pointerup", this.handlePointerUp);
    svg.addEventListener("pointercancel", () => this.cancel());
    svg.addEventListener("pointerleave", () => this.onPointer(null));
    svg.addEventListener("dblclick", this.handleDoubleClick);
    svg.addEventListener("wheel", this.handleWheel, { passive: false });
  }

  setTool(tool: Tool): void {
    this.tool = tool;
    this.view.svg.dataset.tool = tool;
    this.onToolChange();
  }

  select(ids: string[]): void {
    this.view.selection = ids;
    this.view.renderSelection();
    this.onSelectionChange();
  }

  /** Returns the top-most shape under a board point. */
  shapeAt(p: Point): Shape | undefined {
    const tolerance = 6 / this.view.viewport.zoom;
    const shapes = this.board.shapes();
    for (let i = shapes.length - 1; i >= 0; i--) {
      if (hitTest(shapes[i], p, this.view.lookup, tolerance)) {
        return shapes[i];
      }
    }
    // A click inside a hollow shape, away from anything else, picks the
    // smallest hollow shape around it.
    let best: Shape | undefined;
    let bestArea = Infinity;
    for (const shape of shapes) {
      const box = normalizeBox(shape);
      if (!isLinear(shape) && containsPoint(box, p) && box.width * box.height < bestArea) {
        best = shape;
        bestArea = box.width * box.height;
      }
    }
    return best;
  }

  /**
   * Returns the shape, every shape that shares its outermost group, and
   * the labels inside them: what one click selects. A click on a label
   * selects its container.
   */
  withGroup(shape: Shape): string[] {
    const container = shape.containerId ? this.board.shape(shape.containerId) : undefined;
    const picked = container ?? shape;
    const outer = picked.groupIds[picked.groupIds.length - 1];
    const members = outer === undefined ? [picked.id] : this.board.shapes().filter((s) => s.groupIds.includes(outer)).map((s) => s.id);
    return withLabels(this.board, members);
  }

  private readonly handlePointerDown = (event: PointerEvent): void => {
    if (this.editor.editingId !== null) {
      this.editor.close();
    }
    this.view.svg.setPointerCapture(event.pointerId);
    const p = this.view.toBoard(event.clientX, event.clientY);
    if (event.button === 1 || (event.button === 0 && event.altKey)) {
      this.gesture = { kind: "pan", lastX: event.clientX, lastY: event.clientY };
      return;
    }
    if (event.button !== 0) {
      return;
    }
    if (this.tool !== "select") {
      this.gesture = { kind: "draw", tool: this.tool, start: p, points: [{ x: 0, y: 0 }] };
      return;
    }
    const handle = this.view.handleAt(p);
    const box = this.view.selectionBox();
    if (handle && box) {
      this.gesture = { kind: "resize", start: p, handle, box, ids: [...this.view.selection], current: box };
      return;
    }
    const hit = this.shapeAt(p);
    if (!hit) {
      if (!event.shiftKey) {
        this.select([]);
      }
      this.gesture = { kind: "marquee", start: p, current: p, additive: event.shiftKey };
      return;
    }
    const picked = this.withGroup(hit);
    const selected = picked.every((id) => this.view.selection.includes(id));
    if (event.shiftKey) {
      this.select(selected ? this.view.selection.filter((id) => !picked.includes(id)) : [...this.view.selection, ...picked]);
    } else if (!selected) {
      this.select(picked);
    }
    const ids = withLabels(this.board, this.view.selection);
    this.gesture = { kind: "move", start: p, ids, dx: 0, dy: 0, sentX: 0, sentY: 0, live: false, queued: false };
  };

  private readonly handlePointerMove = (event: PointerEvent): void => {
    const p = this.view.toBoard(event.clientX, event.clientY);
    this.onPointer(p);
    const gesture = this.gesture;
    if (!gesture) {
      return;
    }
    switch (gesture.kind) {
      case "pan":
        this.view.panBy(event.clientX - gesture.lastX, event.clientY - gesture.lastY);
        gesture.lastX = event.clientX;
        gesture.lastY = event.clientY;
        break;
      case "move":
        gesture.dx = p.x - gesture.start.x;
        gesture.dy = p.y - gesture.start.y;
        if (!gesture.live && Math.hypot(gesture.dx, gesture.dy) * this.view.viewport.zoom >= CLICK_SLOP) {
          // The drag is sent as it goes, so that others see the shapes
          // move; undo takes the whole drag back at once.
          gesture.live = true;
          this.board.beginUndoGroup();
        }
        if (gesture.live && !gesture.queued) {
          gesture.queued = true;
          requestAnimationFrame(() => this.sendMove(gesture));
        }
        break;
      case "resize":
        gesture.current = resizeBox(gesture.box, gesture.handle, p.x - gesture.start.x, p.y - gesture.start.y);
        this.previewResize(gesture.ids, gesture.box, gesture.current);
        break;
      case "marquee":
        gesture.current = p;
        this.previewMarquee(gesture.start, p);
        break;
      case "draw":
        if (gesture.tool === "freedraw") {
          gesture.points.push({ x: p.x - gesture.start.x, y: p.y - gesture.start.y });
        } else {
          gesture.points = [{ x: 0, y: 0 }, { x: p.x - gesture.start.x, y: p.y - gesture.start.y }];
        }
        this.previewDraw(gesture);
        break;
    }
  };

  private readonly handlePointerUp = (event: PointerEvent): void => {
    const gesture = this.gesture;
    this.gesture = null;
    this.view.previewLayer.replaceChildren();
    if (!gesture) {
      return;
    }
    const p = this.view.toBoard(event.clientX, event.clientY);
    switch (gesture.kind) {
      case "pan":
        break;
      case "move":
        if (gesture.live) {
          this.sendMove(gesture);
          this.board.endUndoGroup();
        }
        break;
      case "resize":
        this.clearResizePreview(gesture.ids);
        this.commitResize(gesture.ids, gesture.box, gesture.current);
        break;
      case "marquee": {
        const area = normalizeBox({ x: gesture.start.x, y: gesture.start.y, width: p.x - gesture.start.x, height: p.y - gesture.start.y });
        const inside = this.board
          .shapes()
          .filter((shape) => {
            const box = boxOf(shape, this.view.lookup);
            return containsPoint(area, { x: box.x, y: box.y }) && containsPoint(area, { x: box.x + box.width, y: box.y + box.height });
          })
          .flatMap((shape) => this.withGroup(shape));
        if (area.width > 0 || area.height > 0) {
          this.select([...new Set([...(gesture.additive ? this.view.selection : []), ...inside])]);
        }
        break;
      }
      case "draw":
        this.commitDraw(gesture);
        break;
    }
  };

  private cancel(): void {
    const gesture = this.gesture;
    this.gesture = null;
    this.view.previewLayer.replaceChildren();
    if (gesture?.kind === "move" && gesture.live) {
      this.board.endUndoGroup();
    }
    if (gesture?.kind === "resize") {
      this.clearResizePreview(gesture.ids);
    }
  }

  /** Sends the part of a drag that has not been sent yet. */
  private sendMove(gesture: Extract<Gesture, { kind: "move" }>): void {
    gesture.queued = false;
    const dx = gesture.dx - gesture.sentX;
    const dy = gesture.dy - gesture.sentY;
    if (dx === 0 && dy === 0) {
      return;
    }
    gesture.sentX = gesture.dx;
    gesture.sentY = gesture.dy;
    this.board.translate(gesture.ids, dx, dy);
  }

  private readonly handleDoubleClick = (event: MouseEvent): void => {
    const p = this.view.toBoard(event.clientX, event.clientY);
    const hit = this.shapeAt(p);
    if (hit && !isLinear(hit)) {
      this.editor.open(this.textTarget(hit));
      return;
    }
    if (!hit && this.tool === "select") {
      const id = this.board.create(this.newShape("text", p, [], { x: p.x, y: p.y - 12, width: 160, height: 30 }));
      this.editor.open(id);
    }
  };

  private readonly handleWheel = (event: WheelEvent): void => {
    event.preventDefault();
    if (event.ctrlKey || event.metaKey) {
      this.view.zoomAt(event.clientX, event.clientY, Math.exp(-event.deltaY / 300));
    } else {
      this.view.panBy(-event.deltaX, -event.deltaY);
    }
    this.editor.refresh({ local: true });
  };

  private shapeElement(id: string): SVGGElement | null {
    return this.view.svg.querySelector(`g.shapes > g[data-shape-id="${CSS.escape(id)}"]`);
  }

  private clearResizePreview(ids: readonly string[]): void {
    for (const id of ids) {
      this.shapeElement(id)?.removeAttribute("transform");
    }
  }

  private resizedProps(shape: Shape, from: Box, to: Box): ShapeProps {
    const box = boxOf(shape, this.view.lookup);
    const corner1 = mapBetweenBoxes({ x: box.x, y: box.y }, from, to);
    const corner2 = mapBetweenBoxes({ x: box.x + box.width, y: box.y + box.height }, from, to);
    const next = normalizeBox({ x: corner1.x, y: corner1.y, width: corner2.x - corner1.x, height: corner2.y - corner1.y });
    if (!isLinear(shape)) {
      return next;
    }
    const absolute = shape.points.map((p) => mapBetweenBoxes({ x: shape.x + p.x, y: shape.y + p.y }, from, to));
    const origin = absolute[0] ?? { x: next.x, y: next.y };
    return {
      x: origin.x,
      y: origin.y,
      width: next.width,
      height: next.height,
      points: absolute.map((p) => ({ x: p.x - origin.x, y: p.y - origin.y })),
    };
  }

  private previewResize(ids: readonly string[], from: Box, to: Box): void {
    this.view.previewLayer.replaceChildren();
    for (const id of ids) {
      const shape = this.board.shape(id);
      if (!shape) {
        continue;
      }
      const element = renderShape({ ...shape, ...this.resizedProps(shape, from, to) }, this.view.lookup);
      element.classList.add("ghost");
      this.view.previewLayer.append(element);
      this.shapeElement(id)?.setAttribute("transform", "scale(0)");
    }
  }

  private commitResize(ids: readonly string[], from: Box, to: Box): void {
    const target = normalizeBox(to);
    if (target.width < 2 && target.height < 2) {
      return;
    }
    for (const id of ids) {
      const shape = this.board.shape(id);
      if (shape) {
        this.board.update(id, this.resizedProps(shape, from, to));
      }
    }
    this.view.render();
  }

  private previewMarquee(start: Point, current: Point): void {
    const box = normalizeBox({ x: start.x, y: start.y, width: current.x - start.x, height: current.y - start.y });
    this.view.previewLayer.replaceChildren(
      svgElement("rect", { class: "marquee", ...box, "stroke-width": 1 / this.view.viewport.zoom }),
    );
  }

  /** Returns a new shape of `kind` with the current style; `box` defaults to a point at `p`. */
  private newShape(kind: ShapeKind, p: Point, points: Point[], box?: Box): Omit<Shape, "id"> {
    return {
      kind,
      x: box?.x ?? p.x,
      y: box?.y ?? p.y,
      width: box?.width ?? 0,
      height: box?.height ?? 0,
      strokeColor: this.style.strokeColor,
      backgroundColor: kind === "sticky" ? "transparent" : this.style.backgroundColor,
      strokeWidth: this.style.strokeWidth,
      points,
      startBinding: null,
      endBinding: null,
      containerId: null,
      groupIds: [],
      text: "",
      hasText: kind === "text" || kind === "sticky",
      fontSize: kind === "sticky" ? 18 : 20,
    };
  }

  private drawnShape(gesture: Extract<Gesture, { kind: "draw" }>): Omit<Shape, "id"> {
    const { tool, start, points } = gesture;
    if (tool === "line" || tool === "arrow" || tool === "freedraw") {
      const box = boxOfPoints(points);
      return this.newShape(tool, start, points, { x: start.x, y: start.y, width: box.width, height: box.height });
    }
    const end = points[points.length - 1];
    return this.newShape(tool, start, [], normalizeBox({ x: start.x, y: start.y, width: end.x, height: end.y }));
  }

  private previewDraw(gesture: Extract<Gesture, { kind: "draw" }>): void {
    const element = renderShape({ ...this.drawnShape(gesture), id: "preview" }, this.view.lookup);
    this.view.previewLayer.replaceChildren(element);
  }

  private commitDraw(gesture: Extract<Gesture, { kind: "draw" }>): void {
    const shape = this.drawnShape(gesture);
    const zoom = this.view.viewport.zoom;
    const isClick = Math.max(shape.width, shape.height) * zoom < CLICK_SLOP;
    const { tool, start } = gesture;
    if (tool === "text") {
      const id = this.board.create(this.newShape("text", start, [], { x: start.x, y: start.y - 12, width: 160, height: 30 }));
      this.finishCreate(id, true);
      return;
    }
    if (isClick) {
      if (tool === "freedraw" || tool === "line" || tool === "arrow") {
        return;
      }
      const size = tool === "sticky" ? { width: 180, height: 180 } : { width: 120, height: 80 };
      shape.x = start.x - size.width / 2;
      shape.y = start.y - size.height / 2;
      shape.width = size.width;
      shape.height = size.height;
    }
    if (tool === "arrow") {
      const last = gesture.points[gesture.points.length - 1];
      shape.startBinding = this.bindableAt(start)?.id ?? null;
      shape.endBinding = this.bindableAt({ x: start.x + last.x, y: start.y + last.y })?.id ?? null;
    }
    const id = this.board.create(shape);
    this.finishCreate(id, tool === "sticky");
  }

  private finishCreate(id: string, editText: boolean): void {
    this.view.render();
    this.setTool("select");
    this.select([id]);
    if (editText) {
      this.editor.open(id);
    }
  }

  /**
   * Returns the id of the text that a double click on `shape` edits: its
   * own, or its label's, which is created when the shape has none.
   */
  private textTarget(shape: Shape): string {
    if (shape.hasText) {
      return shape.id;
    }
    const label = this.board.shapes().find((other) => other.containerId === shape.id);
    if (label) {
      return label.id;
    }
    const box = normalizeBox(shape);
    const created = this.newShape("text", { x: box.x, y: box.y }, [], box);
    created.containerId = shape.id;
    created.strokeColor = shape.strokeColor;
    return this.board.create(created);
  }

  /** Returns the top-most box shape under a point, which an arrow end can attach to. */
  private bindableAt(p: Point): Shape | undefined {
    const shapes = this.board.shapes();
    for (let i = shapes.length - 1; i >= 0; i--) {
      const shape = shapes[i];
      if (!isLinear(shape) && containsPoint(normalizeBox(shape), p, 4)) {
        return shape;
      }
    }
    return undefined;
  }
}

/** Returns the ids with the labels (bound texts) of those shapes added, which move and go with them. */
export function withLabels(board: BoardModel, ids: readonly string[]): string[] {
  const set = new Set(ids);
  for (const shape of board.shapes()) {
    if (shape.containerId && set.has(shape.containerId)) {
      set.add(shape.id);
    }
  }
  return [...set];
}
