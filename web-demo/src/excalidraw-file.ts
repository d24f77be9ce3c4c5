// Reading an Excalidraw scene from a file and saving the board as one. The
// conversion itself is the npm package's; this module only moves files.

import type { BoardModel } from "./model";

/** Reads the chosen file and adds its scene to the board. Throws with the file name when it is invalid. */
export async function importSceneFile(board: BoardModel, file: File): Promise<void> {
  const text = await file.text();
  try {
    board.importExcalidraw(text);
  } catch (error) {
    throw new Error(`cannot import ${file.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Downloads the board as `<name>.excalidraw`. */
export function exportSceneFile(board: BoardModel, name: string): void {
  const blob = new Blob([board.exportExcalidraw()], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `${name}.excalidraw`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
