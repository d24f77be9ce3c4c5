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
    const inPad = peers.filter((peer) => peer.cursor?.target.kind === "pad");
    // With no carets to draw, the mirror's text is not needed either.
    if (inPad.length === 0) {
      if (this.mirror.firstChild) {
        this.mirror.replaceChildren();
      }
      return;
    }
    const text = this.textarea.value;
    const clamp = (n: number): number => Math.max(0, Math.min(text.length, n));
    const marks = inPad.map((peer) => {
      const cursor = peer.cursor as TextCursor;
      const from = clamp(Math.min(cursor.anchor, cursor.head));
      const to = clamp(Math.max(cursor.anchor, cursor.head));
      return { peer, from, to, head: clamp(cursor.head) };
    });
    this.mirror.replaceChildren(...renderMarkedText(text, marks));
    this.mirror.scrollTop = this.textarea.scrollTop;
  }
}
