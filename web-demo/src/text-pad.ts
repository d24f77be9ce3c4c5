// The shared text pad: a textarea bound to the pad document, with the
// other users' carets and selections drawn on a mirror layer behind it.

import type { Peer, TextCursor, TextModel } from "./model";
import { htmlElement } from "./svg";
import { renderMarkedText } from "./peer-carets";
import { TextBinding } from "./text-binding";

export class TextPad {
  readonly textarea: HTMLTextAreaElement;
  private readonly mirror: HTMLDivElement;
  private readonly binding: TextBinding;
  private lastCursor = "";
  /** Called with this page's caret whenever it moves, or null when the pad loses focus. */
  onCursor: (cursor: TextCursor | null) => void = () => {};

  constructor(
    container: HTMLElement,
    pad: TextModel,
  ) {
    const frame = htmlElement("div", "pad-frame");
    this.mirror = htmlElement("div", "pad-mirror");
    this.mirror.setAttribute("aria-hidden", "true");
    this.textarea = htmlElement("textarea", "pad-text");
    this.textarea.dataset.testid = "pad";
    this.textarea.spellcheck = false;
    this.textarea.placeholder = "Shared notes: everyone on this board can type here.";
    frame.append(this.mirror, this.textarea);
    container.append(frame);

    this.binding = new TextBinding(this.textarea, pad, { kind: "pad" });
    pad.subscribe((event) => {
      this.binding.refresh(event);
      this.reportCursor();
    });
    for (const type of ["select", "keyup", "mouseup", "input", "focus"]) {
      this.textarea.addEventListener(type, () => this.reportCursor());
    }
    this.textarea.addEventListener("blur", () => {
      this.lastCursor = "";
      this.onCursor(null);
    });
    this.textarea.addEventListener("scroll", () => {
      this.mirror.scrollTop = this.textarea.scrollTop;
    });
  }

  private reportCursor(): void {
    if (document.activeElement !== this.textarea) {
      return;
    }
    const { selectionStart, selectionEnd, selectionDirection } = this.textarea;
    const backward = selectionDirection === "backward";
    const cursor: TextCursor = {
      target: { kind: "pad" },
      anchor: backward ? selectionEnd : selectionStart,
      head: backward ? selectionStart : selectionEnd,
    };
    const key = `${cursor.anchor}:${cursor.head}`;
    if (key !== this.lastCursor) {
      this.lastCursor = key;
      this.onCursor(cursor);
    }
  }

  /** Draws the carets and selections of the peers whose cursor is in the pad. */
  renderPeers(peers: readonly Peer[]): void {
    const text = this.textarea.value;
    const marks = peers
      .filter((peer) => peer.cursor?.target.kind === "pad")
      .map((peer) => {
        const cursor = peer.cursor as TextCursor;
        const clamp = (n: number): number => Math.max(0, Math.min(text.length, n));
        return { peer, from: clamp(Math.min(cursor.anchor, cursor.head)), to: clamp(Math.max(cursor.anchor, cursor.head)), head: clamp(cursor.head) };
      });
    this.mirror.replaceChildren(...renderMarkedText(text, marks));
    this.mirror.scrollTop = this.textarea.scrollTop;
  }
}
