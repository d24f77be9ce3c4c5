// Draws other users' carets and selections inside a text, as HTML runs
// that lie over the same lines as the text itself.

import type { Peer } from "./model";
import { htmlElement } from "./svg";

/** One peer's selection (from..to) and caret (head), in UTF-16 offsets. */
export interface Mark {
  peer: Peer;
  from: number;
  to: number;
  head: number;
}

/**
 * Splits `text` into runs and carets: each peer's selection becomes a tinted
 * span and its head a caret with the peer's name. Cost: O(n + m log m) for n
 * characters and m marks.
 */
export function renderMarkedText(text: string, marks: readonly Mark[]): Node[] {
  const cuts = new Set<number>([0, text.length]);
  for (const mark of marks) {
    cuts.add(mark.from);
    cuts.add(mark.to);
    cuts.add(mark.head);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const nodes: Node[] = [];
  for (let i = 0; i < points.length; i++) {
    const at = points[i];
    for (const mark of marks) {
      if (mark.head === at) {
        const caret = htmlElement("span", "peer-caret");
        caret.style.setProperty("--peer-color", mark.peer.color);
        caret.dataset.peer = mark.peer.name;
        caret.append(htmlElement("span", "peer-caret-name", mark.peer.name));
        nodes.push(caret);
      }
    }
    const next = points[i + 1];
    if (next === undefined) {
      break;
    }
    const run = text.slice(at, next);
    const covering = marks.filter((mark) => mark.from <= at && next <= mark.to && mark.from !== mark.to);
    if (covering.length > 0) {
      const span = htmlElement("span", "peer-selection", run);
      span.style.setProperty("--peer-color", covering[0].peer.color);
      nodes.push(span);
    } else {
      nodes.push(document.createTextNode(run));
    }
  }
  // A trailing newline needs one more character to take up its line.
  nodes.push(document.createTextNode("\u200b"));
  return nodes;
}
