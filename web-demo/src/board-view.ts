// The board's SVG: the shapes in z-order, the local selection with its
// resize handles, and the layer where tools draw previews.

import { boxOf, HANDLES, handlePosition, unionBoxes, type Box, type Handle } from "./geometry";
import type { BoardModel, Peer, Point, Shape } from "./model";
import { renderShape } from "./shape-render";
import { svgElement } from "./svg";

/** Pan and zoom: a board point p is drawn at (p - origin) * zoom. */
export interface Viewport {
  originX: number;
  originY: number;
  zoom: number;
}

export const HANDLE_SIZE = 9;

export class BoardView {
  readonly svg: SVGSVGElement;
  private readonly world: SVGGElement;
  private readonly shapeLayer: SVGGElement;
  private readonly selectionLayer: SVGGElement;
  readonly previewLayer: SVGGElement;
  /** Layer for other users' pointers and selections, drawn by presence-view.ts. */
  readonly peerLayer: SVGGElement;
  private readonly rendered = new Map<string, { element: SVGGElement; key: string }>();
  viewport: Viewport = { originX: 0, originY: 0, zoom: 1 };
  selection: string[] = [];
  /** Shape id whose text is being edited in place; it is drawn without its text. */
  editing: string | null = null;
  private readonly afterRender: Array<() => void> = [];
  /** Peers whose text cursor is in a shape, by shape id. */
  private peersByShape = new Map<string, Peer[]>();

  constructor(
    container: HTMLElement,
    private readonly board: BoardModel,
  ) {
    this.svg = svgElement("svg", { class: "board-svg", "data-testid": "board" });
    this.world = svgElement("g", { class: "world" });
    this.shapeLayer = svgElement("g", { class: "shapes" });
    this.selectionLayer = svgElement("g", { class: "selection" });
    this.previewLayer = svgElement("g", { class: "preview" });
    this.peerLayer = svgElement("g", { class: "peers" });
    this.world.append(this.shapeLayer, this.selectionLayer, this.previewLayer, this.peerLayer);
    this.svg.append(this.world);
    container.append(this.svg);
  }

  /** Registers a callback that runs after each render. */
  onRender(callback: () => void): void {
    this.afterRender.push(callback);
  }

  lookup = (id: string): Shape | undefined => this.board.shape(id);

  /** Converts a pointer position (client pixels) to board coordinates. */
  toBoard(clientX: number, clientY: number): Point {
    const rect = this.svg.getBoundingClientRect();
    return {
      x: (clientX - rect.left) / this.viewport.zoom + this.viewport.originX,
      y: (clientY - rect.top) / this.viewport.zoom + this.viewport.originY,
    };
  }

  /** Redraws the shapes whose content changed and restores the z-order. */
  render(): void {
    const shapes = this.board.shapes();
    const live = new Set<string>();
    let previous: Element | null = null;
    for (const shape of shapes) {
      live.add(shape.id);
      const key = this.renderKey(shape);
      let entry = this.rendered.get(shape.id);
      if (!entry || entry.key !== key) {
        const element = renderShape(shape, this.lookup, {
          editing: this.editing === shape.id,
          peers: this.peersByShape.get(shape.id) ?? [],
        });
        if (entry) {
          entry.element.replaceWith(element);
        }
        entry = { element, key };
        this.rendered.set(shape.id, entry);
      }
      const expectedNext: Element | null = previous ? previous.nextElementSibling : this.shapeLayer.firstElementChild;
      if (expectedNext !== entry.element) {
        if (previous) {
          previous.after(entry.element);
        } else {
          this.shapeLayer.prepend(entry.element);
        }
      }
      previous = entry.element;
    }
    for (const [id, entry] of this.rendered) {
      if (!live.has(id)) {
        entry.element.remove();
        this.rendered.delete(id);
      }
    }
    this.selection = this.selection.filter((id) => live.has(id));
    this.renderSelection();
    this.applyViewport();
    for (const callback of this.afterRender) {
      callback();
    }
  }

  private renderKey(shape: Shape): string {
    let key = JSON.stringify(shape) + (this.editing === shape.id ? "/editing" : "");
    const peers = this.peersByShape.get(shape.id);
    if (peers) {
      key += JSON.stringify(peers.map((peer) => [peer.site, peer.name, peer.color, peer.cursor]));
    }
    // An arrow is redrawn when a shape it is attached to moves, and a label
    // when its container does.
    for (const bound of [shape.startBinding, shape.endBinding, shape.containerId]) {
      const target = bound ? this.board.shape(bound) : undefined;
      if (target) {
        key += `|${target.x},${target.y},${target.width},${target.height},${target.kind}`;
      }
    }
    return key;
  }

  /** Sets the peers whose caret is in a shape's text; their carets are drawn at the next render. */
  setShapeCarets(peers: readonly Peer[]): void {
    this.peersByShape = new Map();
    for (const peer of peers) {
      const target = peer.cursor?.target;
      if (target?.kind === "shape") {
        const list = this.peersByShape.get(target.id) ?? [];
        list.push(peer);
        this.peersByShape.set(target.id, list);
      }
    }
  }

  /** Returns the box around the selected shapes, or null when none is selected. */
  selectionBox(): Box | null {
    const boxes = this.selection.flatMap((id) => {
      const shape = this.board.shape(id);
      return shape ? [boxOf(shape, this.lookup)] : [];
    });
    return unionBoxes(boxes);
  }

  renderSelection(): void {
    this.selectionLayer.replaceChildren();
    const zoom = this.viewport.zoom;
    for (const id of this.selection) {
      const shape = this.board.shape(id);
      if (!shape) {
        continue;
      }
      const box = boxOf(shape, this.lookup);
      this.selectionLayer.append(
        svgElement("rect", {
          class: "selected-outline",
          x: box.x - 4 / zoom,
          y: box.y - 4 / zoom,
          width: box.width + 8 / zoom,
          height: box.height + 8 / zoom,
          "stroke-width": 1 / zoom,
        }),
      );
    }
    const box = this.selectionBox();
    if (!box || this.editing) {
      return;
    }
    const size = HANDLE_SIZE / zoom;
    for (const handle of HANDLES) {
      const p = handlePosition(this.paddedSelectionBox(box), handle);
      this.selectionLayer.append(
        svgElement("rect", {
          class: `handle handle-${handle}`,
          "data-handle": handle,
          x: p.x - size / 2,
          y: p.y - size / 2,
          width: size,
          height: size,
          "stroke-width": 1 / zoom,
        }),
      );
    }
  }

  /** Returns the selection box grown by a few screen pixels, where the handles sit. */
  paddedSelectionBox(box: Box): Box {
    const pad = 4 / this.viewport.zoom;
    return { x: box.x - pad, y: box.y - pad, width: box.width + 2 * pad, height: box.height + 2 * pad };
  }

  /** Returns the resize handle under a board point, if any. */
  handleAt(p: Point): Handle | null {
    const box = this.selectionBox();
    if (!box) {
      return null;
    }
    const reach = HANDLE_SIZE / this.viewport.zoom;
    for (const handle of HANDLES) {
      const h = handlePosition(this.paddedSelectionBox(box), handle);
      if (Math.abs(h.x - p.x) <= reach && Math.abs(h.y - p.y) <= reach) {
        return handle;
      }
    }
    return null;
  }

  applyViewport(): void {
    const { originX, originY, zoom } = this.viewport;
    this.world.setAttribute("transform", `scale(${zoom}) translate(${-originX} ${-originY})`);
  }

  /** Pans and zooms so that every shape is in view. */
  fitToContent(): void {
    const boxes = this.board.shapes().map((shape) => boxOf(shape, this.lookup));
    const box = unionBoxes(boxes);
    const rect = this.svg.getBoundingClientRect();
    if (!box || rect.width === 0 || rect.height === 0) {
      this.viewport = { originX: 0, originY: 0, zoom: 1 };
    } else {
      const margin = 40;
      // Fitting zooms out to show everything, but never in past 100 %.
      const zoom = Math.min(
        1,
        (rect.width - 2 * margin) / Math.max(box.width, 1),
        (rect.height - 2 * margin) / Math.max(box.height, 1),
      );
      this.viewport = {
        zoom,
        originX: box.x + box.width / 2 - rect.width / 2 / zoom,
        originY: box.y + box.height / 2 - rect.height / 2 / zoom,
      };
    }
    this.renderSelection();
    this.applyViewport();
  }

  /** Zooms by `factor` around a client point. */
  zoomAt(clientX: number, clientY: number, factor: number): void {
    const before = this.toBoard(clientX, clientY);
    const zoom = Math.min(8, Math.max(0.1, this.viewport.zoom * factor));
    const rect = this.svg.getBoundingClientRect();
    this.viewport = {
      zoom,
      originX: before.x - (clientX - rect.left) / zoom,
      originY: before.y - (clientY - rect.top) / zoom,
    };
    this.renderSelection();
    this.applyViewport();
  }

  panBy(dxScreen: number, dyScreen: number): void {
    this.viewport = {
      ...this.viewport,
      originX: this.viewport.originX - dxScreen / this.viewport.zoom,
      originY: this.viewport.originY - dyScreen / this.viewport.zoom,
    };
    this.applyViewport();
  }
}
