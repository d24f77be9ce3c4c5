// The text pad's model: a TextSync of the package, seen through the
// TextModel interface of the page.

import type { TextSync, Utf16Change } from "echostream";
import type { ChangeEvent, Listener, TextChange, TextModel, TextTarget } from "../model";

/** Maps a UTF-16 position through changes given against the text before all of them; an insert at the position goes after it. */
export function mapThroughChanges(position: number, changes: readonly Utf16Change[]): number {
  let shift = 0;
  for (const change of changes) {
    if (position <= change.from) {
      break;
    }
    if (position < change.to) {
      return change.from + shift + change.insert.length;
    }
    shift += change.insert.length - (change.to - change.from);
  }
  return position + shift;
}

export class PadModel implements TextModel {
  private readonly listeners: Listener[] = [];

  constructor(private readonly sync: TextSync) {
    sync.on("change", ({ changes, origin }) => {
      const event: ChangeEvent = {
        local: origin === "undo" || origin === "redo",
        mapPosition: (target: TextTarget, position: number) =>
          target.kind === "pad" ? mapThroughChanges(position, changes) : position,
      };
      this.emit(event);
    });
  }

  text(): string {
    return this.sync.text;
  }

  edit(change: TextChange): void {
    this.sync.applyChanges([{ from: change.index, to: change.index + change.deleteCount, insert: change.insert }]);
    this.emit({ local: true });
  }

  undo(): boolean {
    return this.sync.undo();
  }

  redo(): boolean {
    return this.sync.redo();
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
