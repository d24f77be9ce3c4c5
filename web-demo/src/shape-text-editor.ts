// Edits the text of one shape in place: a textarea laid over the shape,
// bound to the shape's collaborative text.

import type { BoardView } from "./board-view";
import { normalizeBox } from "./geometry";
import type { BoardModel, ChangeEvent, TextCursor } from "./model";
import { TextBinding } from "./text-binding";

export class ShapeTextEditor {
  private binding: TextBinding | null = null;
  private readonly textarea: HTMLTextAreaElement;
  /** Called with the caret whenever it moves, or null when editing ends. */
  onCursor: (cursor: TextCursor | null) => void = () => {};

  constructor(
    container: HTMLElement,
    private readonly board: BoardModel,
    private readonly view: BoardView,
  ) {
    this.textarea = document.createElement("textarea");
    this.textarea.className = "shape-editor";
    this.textarea.dataset.testid = "shape-editor";
    this.textarea.hidden = true;
    this.textarea.spellcheck = false;
    container.append(this.textarea);
    this.textarea.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
      event.stopPropagation();
    });
    this.textarea.addEventListener("blur", () => this.close());
    // After the binding's own input handler, so that the caret is reported
    // against the text that contains the new input.
    for (const type of ["select", "keyup", "mouseup", "input"]) {
      this.textarea.addEventListener(type, () => queueMicrotask(() => this.reportCursor()));
    }
    view.onRender(() => this.place());
  }

  get editingId(): string | null {
    return this.view.editing;
  }

  open(id: string): void {
    if (this.view.editing === id) {
      return;
    }
    this.close();
    const shape = this.board.shape(id);
    if (!shape) {
      return;
    }
    this.view.editing = id;
    this.view.selection = [id];
    this.binding = new TextBinding(
      this.textarea,
      {
        text: () => this.board.shape(id)?.text ?? "",
        edit: (change) => this.board.editText(id, change),
        undo: () => this.board.undo(),
        redo: () => this.board.redo(),
      },
      { kind: "shape", id },
    );
    this.textarea.hidden = false;
    this.view.render();
    this.textarea.focus();
    this.textarea.setSelectionRange(this.textarea.value.length, this.textarea.value.length);
    this.reportCursor();
  }

  close(): void {
    const id = this.view.editing;
    if (id === null) {
      return;
    }
    this.binding?.dispose();
    this.binding = null;
    this.view.editing = null;
    this.textarea.hidden = true;
    const shape = this.board.shape(id);
    // A text shape or label left empty is removed, as in other whiteboards;
    // a free text shape with text takes the size of its lines.
    if (shape && shape.kind === "text") {
      if (shape.text.trim() === "") {
        this.board.remove([id]);
      } else if (shape.containerId === null) {
        const size = measureText(shape.text, shape.fontSize);
        if (Math.abs(size.width - shape.width) > 0.5 || Math.abs(size.height - shape.height) > 0.5) {
          this.board.update(id, size);
        }
      }
    }
    this.onCursor(null);
    this.view.render();
  }

  /** Updates the value after a change to the board. */
  refresh(event: ChangeEvent): void {
    const id = this.view.editing;
    if (id === null) {
      return;
    }
    if (!this.board.shape(id)) {
      this.close();
      return;
    }
    this.binding?.refresh(event);
  }

  private place(): void {
    const id = this.view.editing;
    const shape = id ? this.board.shape(id) : undefined;
    if (!shape) {
      return;
    }
    const container = shape.containerId ? this.board.shape(shape.containerId) : undefined;
    const box = normalizeBox(container ?? shape);
    const { originX, originY, zoom } = this.view.viewport;
    const style = this.textarea.style;
    style.left = `${(box.x - originX) * zoom}px`;
    style.top = `${(box.y - originY) * zoom}px`;
    style.width = `${Math.max(box.width, 80) * zoom}px`;
    style.height = `${Math.max(box.height, shape.fontSize * 1.6) * zoom}px`;
    style.fontSize = `${shape.fontSize * zoom}px`;
    style.color = shape.strokeColor;
    this.textarea.dataset.kind = container ? "label" : shape.kind;
  }

  private reportCursor(): void {
    const id = this.view.editing;
    if (id === null) {
      return;
    }
    const { selectionStart, selectionEnd, selectionDirection } = this.textarea;
    const backward = selectionDirection === "backward";
    this.onCursor({
      target: { kind: "shape", id },
      anchor: backward ? selectionEnd : selectionStart,
      head: backward ? selectionStart : selectionEnd,
    });
  }
}

/** The family of `--label-font` in style.css. */
const LABEL_FONT_FAMILY = '"Segoe UI", system-ui, sans-serif';

let measureContext: CanvasRenderingContext2D | null = null;

/** Returns the box that `text` takes in the label font (line height 1.25), in board units. */
function measureText(text: string, fontSize: number): { width: number; height: number } {
  measureContext ??= document.createElement("canvas").getContext("2d");
  const lines = text.split("\n");
  let width = 0;
  if (measureContext) {
    measureContext.font = `${fontSize}px ${LABEL_FONT_FAMILY}`;
    width = Math.max(...lines.map((line) => measureContext?.measureText(line).width ?? 0));
  }
  return { width: Math.ceil(width) + 2, height: Math.ceil(lines.length * fontSize * 1.25) };
}
