// Draws the other users on the board: a pointer with their name, and an
// outline in their color around each shape they have selected.

import type { BoardView } from "./board-view";
import { boxOf } from "./geometry";
import type { BoardModel, Peer } from "./model";
import { htmlElement, svgElement } from "./svg";

export class PresenceView {
  private peers: readonly Peer[] = [];

  constructor(
    private readonly board: BoardModel,
    private readonly view: BoardView,
    private readonly roster: HTMLElement,
  ) {
    view.onRender(() => this.renderBoardLayer());
  }

  update(peers: readonly Peer[]): void {
    this.peers = peers;
    this.renderBoardLayer();
    this.renderRoster();
  }

  private renderBoardLayer(): void {
    const zoom = this.view.viewport.zoom;
    const layer = this.view.peerLayer;
    layer.replaceChildren();
    for (const peer of this.peers) {
      for (const id of peer.selection) {
        const shape = this.board.shape(id);
        if (!shape) {
          continue;
        }
        const box = boxOf(shape, this.view.lookup);
        const pad = 6 / zoom;
        layer.append(
          svgElement("rect", {
            class: "peer-selection-outline",
            "data-peer": peer.name,
            x: box.x - pad,
            y: box.y - pad,
            width: box.width + 2 * pad,
            height: box.height + 2 * pad,
            stroke: peer.color,
            "stroke-width": 2 / zoom,
          }),
        );
      }
    }
    for (const peer of this.peers) {
      if (!peer.pointer) {
        continue;
      }
      const pointer = svgElement("g", {
        class: "peer-pointer",
        "data-peer": peer.name,
        transform: `translate(${peer.pointer.x} ${peer.pointer.y}) scale(${1 / zoom})`,
      });
      pointer.append(
        svgElement("path", { d: "M0,0 L0,17 L4.5,13 L8,21 L11,19.5 L7.5,12 L13,12 Z", fill: peer.color, stroke: "#fff", "stroke-width": 1.2 }),
      );
      const label = svgElement("text", { x: 14, y: 30, class: "peer-pointer-name", fill: "#fff" });
      label.textContent = peer.name;
      const width = 10 + peer.name.length * 7.2;
      pointer.append(svgElement("rect", { x: 10, y: 17, width, height: 18, rx: 4, fill: peer.color }), label);
      layer.append(pointer);
    }
  }

  private renderRoster(): void {
    this.roster.replaceChildren(
      ...this.peers
        .filter((peer) => peer.onBoard)
        .map((peer) => {
          const chip = htmlElement("span", "peer-chip", peer.name);
          chip.style.setProperty("--peer-color", peer.color);
          chip.title = `${peer.name} is on this document`;
          return chip;
        }),
    );
  }
}
