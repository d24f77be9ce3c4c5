// Binds a <textarea> to a shared text: each input becomes one text change,
// and each remote change replaces the value while the caret keeps its place.

import type { ChangeEvent, TextChange, TextRange, TextTarget } from "./model";

/** Returns the single change that turns `before` into `after`, or null when they are equal. */
export function diffText(before: string, after: string): TextChange | null {
  if (before === after) {
    return null;
  }
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) {
    start++;
  }
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  // Never cut a surrogate pair: the engine rejects such positions.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) {
    start--;
  }
  if (endBefore < before.length && isLowSurrogate(before.charCodeAt(endBefore))) {
    endBefore++;
    endAfter++;
  }
  return { index: start, deleteCount: endBefore - start, insert: after.slice(start, endAfter) };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Maps a position through a change made by someone else; an insert at the position goes after it. */
export function mapThroughChange(position: number, change: TextChange): number {
  if (position <= change.index) {
    return position;
  }
  if (position <= change.index + change.deleteCount) {
    return change.index + change.insert.length;
  }
  return position - change.deleteCount + change.insert.length;
}

export interface TextSource {
  text(): string;
  edit(change: TextChange): void;
  undo(): boolean;
  redo(): boolean;
}

export class TextBinding {
  private shown: string;

  constructor(
    readonly textarea: HTMLTextAreaElement,
    private readonly source: TextSource,
    private readonly target: TextTarget,
  ) {
    this.shown = source.text();
    textarea.value = this.shown;
    textarea.addEventListener("input", this.handleInput);
    textarea.addEventListener("beforeinput", this.handleBeforeInput);
    textarea.addEventListener("keydown", this.handleKeyDown);
  }

  dispose(): void {
    this.textarea.removeEventListener("input", this.handleInput);
    this.textarea.removeEventListener("beforeinput", this.handleBeforeInput);
    this.textarea.removeEventListener("keydown", this.handleKeyDown);
  }

  private readonly handleInput = (): void => {
    const value = this.textarea.value;
    const change = diffText(this.shown, value);
    this.shown = value;
    if (change) {
      this.source.edit(change);
    }
  };

  // The browser's own undo would revert other users' text too, so undo and
  // redo go to the model, which undoes this page's edits only.
  private readonly handleBeforeInput = (event: InputEvent): void => {
    if (event.inputType === "historyUndo" || event.inputType === "historyRedo") {
      event.preventDefault();
      this.runHistory(event.inputType === "historyUndo");
    }
  };

  private readonly handleKeyDown = (event: KeyboardEvent): void => {
    if (!(event.ctrlKey || event.metaKey)) {
      return;
    }
    const key = event.key.toLowerCase();
    if (key === "z" || key === "y") {
      event.preventDefault();
      event.stopPropagation();
      this.runHistory(key === "z" && !event.shiftKey);
    }
  };

  private runHistory(undo: boolean): void {
    const changed = undo ? this.source.undo() : this.source.redo();
    if (changed) {
      this.refresh();
    }
  }

  /**
   * Shows the model's text after a change. A change given as ranges of
   * this text is applied to the textarea range by range: that keeps the
   * caret in place and costs the size of the ranges, not of the text. Any
   * other change replaces the value and moves the caret through a diff.
   */
  refresh(event?: ChangeEvent): void {
    if (event?.ranges && event.target && sameTarget(event.target, this.target)) {
      this.applyRanges(event.ranges);
      this.scheduleCheck();
      return;
    }
    this.replaceValue();
  }

  private applyRanges(ranges: readonly TextRange[]): void {
    // From the end, so that the offsets of the earlier ranges stay valid.
    for (let i = ranges.length - 1; i >= 0; i--) {
      const { from, to, insert } = ranges[i];
      if (to > this.shown.length) {
        this.replaceValue();
        return;
      }
      this.textarea.setRangeText(insert, from, to, "preserve");
      this.shown = this.shown.slice(0, from) + insert + this.shown.slice(to);
    }
  }

  private checkQueued = false;

  /**
   * Compares the value with the model once per frame, as a guard: a change
   * that reached the model without an event would otherwise make later
   * edits land in the wrong place.
   */
  private scheduleCheck(): void {
    if (this.checkQueued) {
      return;
    }
    this.checkQueued = true;
    requestAnimationFrame(() => {
      this.checkQueued = false;
      if (this.source.text() !== this.shown) {
        console.warn("the text area was out of step with its document and was reloaded");
        this.replaceValue();
      }
    });
  }

  private replaceValue(): void {
    const text = this.source.text();
    if (text === this.shown) {
      return;
    }
    const { selectionStart, selectionEnd, selectionDirection } = this.textarea;
    const focused = document.activeElement === this.textarea;
    const change = diffText(this.shown, text);
    const map = (position: number): number => (change ? mapThroughChange(position, change) : position);
    const scrollTop = this.textarea.scrollTop;
    this.shown = text;
    this.textarea.value = text;
    this.textarea.scrollTop = scrollTop;
    if (focused) {
      this.textarea.setSelectionRange(map(selectionStart), map(selectionEnd), selectionDirection ?? "none");
    }
  }
}

function sameTarget(a: TextTarget, b: TextTarget): boolean {
  return a.kind === b.kind && (a.kind === "pad" || (b.kind === "shape" && a.id === b.id));
}
