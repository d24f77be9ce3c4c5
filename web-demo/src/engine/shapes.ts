// Conversion between the package's shape JSON and the page's Shape, with
// the property names of the board (Excalidraw's element fields).

import type { PropertyValueJson, ShapeJson, ShapeKindJson } from "echostream";
import type { Point, Shape, ShapeKind, ShapeProps } from "../model";

const KIND_FROM_BOARD: Record<ShapeKindJson, ShapeKind> = {
  rectangle: "rectangle",
  ellipse: "ellipse",
  diamond: "diamond",
  line: "line",
  arrow: "arrow",
  free_drawing: "freedraw",
  text: "text",
  sticky_note: "sticky",
  // The page draws no images or frames of its own: it shows their box.
  image: "rectangle",
  frame: "rectangle",
};

const KIND_TO_BOARD: Record<ShapeKind, ShapeKindJson> = {
  rectangle: "rectangle",
  ellipse: "ellipse",
  diamond: "diamond",
  line: "line",
  arrow: "arrow",
  freedraw: "free_drawing",
  text: "text",
  sticky: "sticky_note",
};

type Props = Record<string, PropertyValueJson>;

function numberOf(props: Props, key: string, fallback: number): number {
  const value = props[key];
  return value && "number" in value ? value.number : fallback;
}

function colorOf(props: Props, key: string, fallback: string): string {
  const value = props[key];
  if (value && "color" in value) {
    return value.color;
  }
  return value && "string" in value ? value.string : fallback;
}

function shapeRef(props: Props, key: string): string | null {
  const value = props[key];
  if (value && "binding" in value) {
    return value.binding.shape;
  }
  return value && "shape" in value ? value.shape : null;
}

/** Returns the page's view of a shape of the board. */
export function shapeFromBoard(id: string, json: ShapeJson): Shape {
  const props = json.props ?? {};
  const points = props.points && "points" in props.points ? props.points.points : [];
  return {
    id,
    kind: KIND_FROM_BOARD[json.kind] ?? "rectangle",
    x: numberOf(props, "x", 0),
    y: numberOf(props, "y", 0),
    width: numberOf(props, "width", 0),
    height: numberOf(props, "height", 0),
    strokeColor: colorOf(props, "strokeColor", "#1e1e1e"),
    backgroundColor: colorOf(props, "backgroundColor", "transparent"),
    strokeWidth: numberOf(props, "strokeWidth", 2),
    points: points.map(([x, y]): Point => ({ x, y })),
    startBinding: shapeRef(props, "startBinding"),
    endBinding: shapeRef(props, "endBinding"),
    containerId: shapeRef(props, "container"),
    groupIds: json.groups ?? [],
    text: json.text ?? "",
    hasText: json.text !== undefined,
    fontSize: numberOf(props, "fontSize", 20),
  };
}

/** Returns the board's value of one property of the page's shape, or null to remove it. */
export function propertyToBoard(key: keyof ShapeProps, props: ShapeProps): PropertyValueJson | null {
  switch (key) {
    case "x":
    case "y":
    case "width":
    case "height":
    case "strokeWidth":
    case "fontSize":
      return { number: props[key] as number };
    case "strokeColor":
    case "backgroundColor":
      return { color: props[key] as string };
    case "points":
      return { points: (props.points ?? []).map((p): [number, number] => [p.x, p.y]) };
    case "startBinding":
    case "endBinding": {
      const target = props[key];
      return target ? { binding: { shape: target, focus: 0, gap: 4 } } : null;
    }
    case "containerId": {
      const target = props.containerId;
      return target ? { shape: target } : null;
    }
    case "groupIds":
      throw new Error("groups change through group and ungroup, not as a property");
  }
}

/** The board property key of each settable field of the page's shape. */
export const BOARD_KEYS: Partial<Record<keyof ShapeProps, string>> = {
  x: "x",
  y: "y",
  width: "width",
  height: "height",
  strokeColor: "strokeColor",
  backgroundColor: "backgroundColor",
  strokeWidth: "strokeWidth",
  points: "points",
  startBinding: "startBinding",
  endBinding: "endBinding",
  containerId: "container",
  fontSize: "fontSize",
};

/** Returns the package's JSON of a new shape. */
export function shapeToBoard(shape: Omit<Shape, "id">): ShapeJson {
  const props: Props = {};
  for (const [field, key] of Object.entries(BOARD_KEYS) as Array<[keyof ShapeProps, string]>) {
    const value = propertyToBoard(field, shape);
    const unused = field === "points" && shape.points.length === 0;
    if (value !== null && !unused) {
      props[key] = value;
    }
  }
  const json: ShapeJson = { kind: KIND_TO_BOARD[shape.kind], props };
  if (shape.hasText) {
    json.text = shape.text;
  }
  return json;
}
