// The text pad's model: a TextSync of the package, seen through the
// TextModel interface of the page.

import type { TextSync } from "echostream";
import type { ChangeEvent, Listener, TextChange, TextModel } from "../model";

export class PadModel implements TextModel {
  private readonly listeners: Listener[] = [];

  constructor(private readonly sync: TextSync) {
    sync.on("change", ({ changes, origin }) => {
      this.emit({ local: origin === "undo" || origin === "redo", target: { kind: "pad" }, ranges: changes });
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
