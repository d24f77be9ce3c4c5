// The toolbar and keyboard shortcuts: tools, colors, z-order, groups,
// delete, undo and redo.

import { withLabels, type BoardTools, type Tool } from "./board-tools";
import type { BoardView } from "./board-view";
import type { BoardModel } from "./model";
import { htmlElement } from "./svg";

const STROKE_COLORS = ["#1e1e1e", "#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5"];
const FILL_COLORS = ["transparent", "#ffc9c9", "#b2f2bb", "#a5d8ff", "#ffec99", "#eebefa"];

const TOOL_KEYS: Record<string, Tool> = {
  v: "select",
  r: "rectangle",
  o: "ellipse",
  d: "diamond",
  l: "line",
  a: "arrow",
  p: "freedraw",
  t: "text",
  s: "sticky",
};

export class Toolbar {
  constructor(
    private readonly root: HTMLElement,
    private readonly board: BoardModel,
    private readonly view: BoardView,
    private readonly tools: BoardTools,
    private readonly actions: { onImport: () => void; onExport: () => void },
  ) {
    root.querySelectorAll<HTMLButtonElement>("[data-tool]").forEach((button) => {
      button.addEventListener("click", () => tools.setTool(button.dataset.tool as Tool));
    });
    this.addSwatches("stroke", STROKE_COLORS);
    this.addSwatches("fill", FILL_COLORS);
    root.querySelectorAll<HTMLButtonElement>("[data-action]").forEach((button) => {
      button.addEventListener("click", () => this.run(button.dataset.action ?? ""));
    });
    tools.onToolChange = () => this.refresh();
    document.addEventListener("keydown", this.handleKeyDown);
    this.refresh();
  }

  private addSwatches(role: "stroke" | "fill", colors: readonly string[]): void {
    const group = this.root.querySelector(`[data-role="${role}"]`);
    for (const color of colors) {
      const swatch = htmlElement("button", `swatch swatch-${role}`);
      swatch.type = "button";
      swatch.dataset.color = color;
      swatch.dataset.role = role;
      swatch.title = `${role === "stroke" ? "Stroke" : "Fill"}: ${color}`;
      swatch.style.setProperty("--swatch", color);
      swatch.addEventListener("click", () => this.applyColor(role, color));
      group?.append(swatch);
    }
  }

  private applyColor(role: "stroke" | "fill", color: string): void {
    if (role === "stroke") {
      this.tools.style.strokeColor = color;
    } else {
      this.tools.style.backgroundColor = color;
    }
    for (const id of this.view.selection) {
      this.board.update(id, role === "stroke" ? { strokeColor: color } : { backgroundColor: color });
    }
    this.refresh();
  }

  /** Runs a toolbar action on the current selection. */
  run(action: string): void {
    const selection = [...this.view.selection];
    switch (action) {
      case "front":
        if (selection.length > 0) this.board.bringToFront(selection);
        break;
      case "back":
        if (selection.length > 0) this.board.sendToBack(selection);
        break;
      case "group":
        if (selection.length > 1) this.board.group(selection);
        break;
      case "ungroup":
        if (selection.length > 0) this.board.ungroup(selection);
        break;
      case "delete":
        if (selection.length > 0) {
          this.board.remove(withLabels(this.board, selection));
          this.tools.select([]);
        }
        break;
      case "undo":
        this.board.undo();
        break;
      case "redo":
        this.board.redo();
        break;
      case "fit":
        this.view.fitToContent();
        break;
      case "import":
        this.actions.onImport();
        break;
      case "export":
        this.actions.onExport();
        break;
    }
  }

  refresh(): void {
    this.root.querySelectorAll<HTMLButtonElement>("[data-tool]").forEach((button) => {
      button.classList.toggle("active", button.dataset.tool === this.tools.tool);
    });
    this.root.querySelectorAll<HTMLButtonElement>(".swatch").forEach((swatch) => {
      const current = swatch.dataset.role === "stroke" ? this.tools.style.strokeColor : this.tools.style.backgroundColor;
      swatch.classList.toggle("active", swatch.dataset.color === current);
    });
  }

  private readonly handleKeyDown = (event: KeyboardEvent): void => {
    const target = event.target as HTMLElement | null;
    if (target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT")) {
      return;
    }
    const key = event.key.toLowerCase();
    const command = event.ctrlKey || event.metaKey;
    let action: string | null = null;
    if (command && key === "z") {
      action = event.shiftKey ? "redo" : "undo";
    } else if (command && key === "y") {
      action = "redo";
    } else if (command && key === "g") {
      action = event.shiftKey ? "ungroup" : "group";
    } else if (command && event.shiftKey && (event.code === "BracketRight" || key === "}")) {
      action = "front";
    } else if (command && event.shiftKey && (event.code === "BracketLeft" || key === "{")) {
      action = "back";
    } else if (command && key === "a") {
      event.preventDefault();
      this.tools.select(this.board.shapes().map((shape) => shape.id));
      return;
    } else if (key === "delete" || key === "backspace") {
      action = "delete";
    } else if (key === "escape") {
      this.tools.select([]);
      this.tools.setTool("select");
      return;
    } else if (!command && !event.altKey && TOOL_KEYS[key]) {
      this.tools.setTool(TOOL_KEYS[key]);
      return;
    }
    if (action) {
      event.preventDefault();
      this.run(action);
    }
  };
}
