// Plane geometry for drawing and picking shapes. Nothing here changes a
// document: it only measures what the board model returns.

import type { Point, Shape } from "./model";

/** An axis-aligned box in board coordinates. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The eight resize handles, named by compass direction. */
export type Handle = "n" | "s" | "e" | "w" | "ne" | "nw" | "se" | "sw";

export const HANDLES: readonly Handle[] = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

/** Returns whether a shape is drawn from its points rather than its box. */
export function isLinear(shape: Shape): boolean {
  return shape.kind === "line" || shape.kind === "arrow" || shape.kind === "freedraw";
}

/** Returns the box with a non-negative width and height. */
export function normalizeBox(box: Box): Box {
  return {
    x: Math.min(box.x, box.x + box.width),
    y: Math.min(box.y, box.y + box.height),
    width: Math.abs(box.width),
    height: Math.abs(box.height),
  };
}

/** Returns the absolute points of a linear shape, with arrow ends attached to their shapes. */
export function absolutePoints(shape: Shape, lookup: (id: string) => Shape | undefined): Point[] {
  const points = shape.points.map((p) => ({ x: shape.x + p.x, y: shape.y + p.y }));
  if (shape.kind !== "arrow" || points.length < 2) {
    return points;
  }
  const start = shape.startBinding ? lookup(shape.startBinding) : undefined;
  const end = shape.endBinding ? lookup(shape.endBinding) : undefined;
  // Each bound end points at the centre of its shape and stops on its edge,
  // so the arrow follows the shape wherever any user moves it.
  if (start) {
    const toward = end ? center(boxOf(end, lookup)) : points[1];
    points[0] = edgePoint(start, boxOf(start, lookup), toward);
  }
  if (end) {
    const last = points.length - 1;
    const from = start && last === 1 ? center(boxOf(start, lookup)) : points[last - 1];
    points[last] = edgePoint(end, boxOf(end, lookup), from);
  }
  return points;
}

/** Returns the bounding box of a shape in board coordinates. */
export function boxOf(shape: Shape, lookup: (id: string) => Shape | undefined): Box {
  const container = shape.containerId ? lookup(shape.containerId) : undefined;
  if (container) {
    return normalizeBox(container);
  }
  if (!isLinear(shape)) {
    return normalizeBox(shape);
  }
  const points = shape.kind === "arrow" ? absolutePoints(shape, lookup) : shape.points.map((p) => ({ x: shape.x + p.x, y: shape.y + p.y }));
  return boxOfPoints(points);
}

export function boxOfPoints(points: readonly Point[]): Box {
  if (points.length === 0) {
    return { x: 0, y: 0, width: 0, height: 0 };
  }
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export function unionBoxes(boxes: readonly Box[]): Box | null {
  if (boxes.length === 0) {
    return null;
  }
  const corners = boxes.flatMap((b) => [
    { x: b.x, y: b.y },
    { x: b.x + b.width, y: b.y + b.height },
  ]);
  return boxOfPoints(corners);
}

export function center(box: Box): Point {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Returns where the ray from the centre of `shape` toward `toward` leaves its outline. */
function edgePoint(shape: Shape, box: Box, toward: Point): Point {
  const c = center(box);
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (dx === 0 && dy === 0) {
    return c;
  }
  const rx = Math.max(box.width / 2, 1);
  const ry = Math.max(box.height / 2, 1);
  let scale: number;
  if (shape.kind === "ellipse") {
    scale = 1 / Math.sqrt((dx * dx) / (rx * rx) + (dy * dy) / (ry * ry));
  } else if (shape.kind === "diamond") {
    scale = 1 / (Math.abs(dx) / rx + Math.abs(dy) / ry);
  } else {
    scale = Math.min(rx / Math.abs(dx || 1e-9), ry / Math.abs(dy || 1e-9));
  }
  const gap = 4 / Math.hypot(dx, dy);
  return { x: c.x + dx * (scale + gap), y: c.y + dy * (scale + gap) };
}

export function containsPoint(box: Box, p: Point, margin = 0): boolean {
  return (
    p.x >= box.x - margin &&
    p.x <= box.x + box.width + margin &&
    p.y >= box.y - margin &&
    p.y <= box.y + box.height + margin
  );
}

export function boxesIntersect(a: Box, b: Box): boolean {
  return a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height;
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/**
 * Returns whether a click at `p` picks the shape: inside filled or text
 * shapes, near the outline of unfilled ones, near the path of linear ones.
 * `tolerance` is in board units.
 */
export function hitTest(shape: Shape, p: Point, lookup: (id: string) => Shape | undefined, tolerance: number): boolean {
  if (isLinear(shape)) {
    const points = absolutePoints(shape, lookup);
    for (let i = 1; i < points.length; i++) {
      if (distanceToSegment(p, points[i - 1], points[i]) <= tolerance + shape.strokeWidth) {
        return true;
      }
    }
    return points.length === 1 && Math.hypot(p.x - points[0].x, p.y - points[0].y) <= tolerance;
  }
  const box = normalizeBox(shape);
  if (!containsPoint(box, p, tolerance)) {
    return false;
  }
  const filled = shape.backgroundColor !== "transparent" || shape.kind === "text" || shape.kind === "sticky" || shape.text !== "";
  if (filled) {
    return true;
  }
  // An unfilled box is picked near its outline only, so that shapes drawn
  // inside a frame stay reachable.
  return !containsPoint({ x: box.x + tolerance, y: box.y + tolerance, width: box.width - 2 * tolerance, height: box.height - 2 * tolerance }, p);
}

/** Returns the position of a resize handle on a box. */
export function handlePosition(box: Box, handle: Handle): Point {
  const x = handle.includes("w") ? box.x : handle.includes("e") ? box.x + box.width : box.x + box.width / 2;
  const y = handle.includes("n") ? box.y : handle.includes("s") ? box.y + box.height : box.y + box.height / 2;
  return { x, y };
}

/** Returns the box after dragging `handle` by (dx, dy); it may have a negative size. */
export function resizeBox(box: Box, handle: Handle, dx: number, dy: number): Box {
  let { x, y, width, height } = box;
  if (handle.includes("w")) {
    x += dx;
    width -= dx;
  }
  if (handle.includes("e")) {
    width += dx;
  }
  if (handle.includes("n")) {
    y += dy;
    height -= dy;
  }
  if (handle.includes("s")) {
    height += dy;
  }
  return { x, y, width, height };
}

/** Maps a point from one box into another, keeping its relative place. */
export function mapBetweenBoxes(p: Point, from: Box, to: Box): Point {
  const sx = from.width === 0 ? 1 : to.width / from.width;
  const sy = from.height === 0 ? 1 : to.height / from.height;
  return { x: to.x + (p.x - from.x) * sx, y: to.y + (p.y - from.y) * sy };
}
