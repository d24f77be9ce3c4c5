// Turns one shape into SVG. Arrows are drawn from their resolved points, so
// an arrow bound to a shape follows it.

import { absolutePoints, type Box } from "./geometry";
import type { Peer, Point, Shape } from "./model";
import { htmlElement, svgElement } from "./svg";
import { renderMarkedText } from "./peer-carets";

/** How to draw a shape's text: hidden under the local editor, and with the peers' carets in it. */
export interface LabelOptions {
  editing: boolean;
  peers: readonly Peer[];
}

const STICKY_FILL = "#fff3a3";

/** Builds the SVG group that draws `shape`. */
export function renderShape(
  shape: Shape,
  lookup: (id: string) => Shape | undefined,
  label: LabelOptions = { editing: false, peers: [] },
): SVGGElement {
  const group = svgElement("g", { "data-shape-id": shape.id, "data-kind": shape.kind, class: "shape" });
  const stroke = {
    stroke: shape.strokeColor,
    "stroke-width": shape.strokeWidth,
    fill: shape.backgroundColor === "transparent" ? "none" : shape.backgroundColor,
    "stroke-linejoin": "round",
    "stroke-linecap": "round",
  };
  const box: Box = {
    x: Math.min(shape.x, shape.x + shape.width),
    y: Math.min(shape.y, shape.y + shape.height),
    width: Math.abs(shape.width),
    height: Math.abs(shape.height),
  };

  switch (shape.kind) {
    case "rectangle":
      group.append(svgElement("rect", { ...stroke, x: box.x, y: box.y, width: box.width, height: box.height, rx: 6 }));
      break;
    case "ellipse":
      group.append(
        svgElement("ellipse", {
          ...stroke,
          cx: box.x + box.width / 2,
          cy: box.y + box.height / 2,
          rx: box.width / 2,
          ry: box.height / 2,
        }),
      );
      break;
    case "diamond": {
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      const points = `${cx},${box.y} ${box.x + box.width},${cy} ${cx},${box.y + box.height} ${box.x},${cy}`;
      group.append(svgElement("polygon", { ...stroke, points }));
      break;
    }
    case "line":
    case "arrow":
    case "freedraw": {
      const points = absolutePoints(shape, lookup);
      group.append(svgElement("path", { ...stroke, fill: "none", d: pathOf(points) }));
      if (shape.kind === "arrow" && points.length >= 2) {
        group.append(svgElement("path", { ...stroke, fill: "none", d: arrowHead(points) }));
      }
      break;
    }
    case "sticky":
      group.append(
        svgElement("rect", {
          x: box.x,
          y: box.y,
          width: box.width,
          height: box.height,
          fill: shape.backgroundColor === "transparent" ? STICKY_FILL : shape.backgroundColor,
          stroke: "rgba(0,0,0,0.15)",
          class: "sticky-paper",
        }),
      );
      break;
    case "text":
      break;
  }

  if (shape.text !== "" || shape.kind === "sticky" || label.editing || label.peers.length > 0) {
    // A label is laid out in its container's box, so it stays centred
    // there when any user moves or resizes the container.
    const container = shape.containerId ? lookup(shape.containerId) : undefined;
    const labelBox = container ? boxOfContainer(container) : box;
    group.append(renderLabel(shape, labelBox, label, container !== undefined));
  }
  return group;
}

/** Draws a shape's text, wrapped to its box, through an HTML block in a foreignObject. */
/** Returns the normalized box of a container shape. */
export function boxOfContainer(container: Shape): Box {
  return {
    x: Math.min(container.x, container.x + container.width),
    y: Math.min(container.y, container.y + container.height),
    width: Math.abs(container.width),
    height: Math.abs(container.height),
  };
}

function renderLabel(shape: Shape, box: Box, label: LabelOptions, contained: boolean): SVGForeignObjectElement {
  const object = svgElement("foreignObject", {
    x: box.x,
    y: box.y,
    width: Math.max(box.width, 1),
    height: Math.max(box.height, 1),
  });
  const block = htmlElement("div", contained ? "shape-text shape-text-label" : `shape-text shape-text-${shape.kind}`);
  block.style.fontSize = `${shape.fontSize}px`;
  block.style.color = shape.strokeColor;
  // Under the local editor the text is drawn by the textarea, so the label
  // keeps only the peers' carets, laid out over the same lines.
  block.classList.toggle("editing", label.editing);
  const length = shape.text.length;
  const clamp = (n: number): number => Math.max(0, Math.min(length, n));
  const marks = label.peers.flatMap((peer) => {
    const cursor = peer.cursor;
    if (!cursor) {
      return [];
    }
    const from = clamp(Math.min(cursor.anchor, cursor.head));
    const to = clamp(Math.max(cursor.anchor, cursor.head));
    return [{ peer, from, to, head: clamp(cursor.head) }];
  });
  block.replaceChildren(...renderMarkedText(shape.text, marks));
  object.append(block);
  return object;
}

function pathOf(points: readonly Point[]): string {
  if (points.length === 0) {
    return "";
  }
  const [first, ...rest] = points;
  const d = [`M${first.x},${first.y}`];
  for (const p of rest) {
    d.push(`L${p.x},${p.y}`);
  }
  if (rest.length === 0) {
    d.push(`L${first.x + 0.01},${first.y}`);
  }
  return d.join(" ");
}

function arrowHead(points: readonly Point[]): string {
  const tip = points[points.length - 1];
  const from = points[points.length - 2];
  const angle = Math.atan2(tip.y - from.y, tip.x - from.x);
  const length = 14;
  const spread = Math.PI / 7;
  const left = { x: tip.x - length * Math.cos(angle - spread), y: tip.y - length * Math.sin(angle - spread) };
  const right = { x: tip.x - length * Math.cos(angle + spread), y: tip.y - length * Math.sin(angle + spread) };
  return `M${left.x},${left.y} L${tip.x},${tip.y} L${right.x},${right.y}`;
}
