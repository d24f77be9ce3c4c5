// Builds the page: opens the document named in the address bar and wires
// the board, the text pad, presence and the connection controls to it.

import { BoardTools } from "./board-tools";
import { BoardView } from "./board-view";
import { currentDocumentId, documentLink, newDocumentId } from "./document-link";
import { openSession } from "./engine";
import { exportSceneFile, importSceneFile } from "./excalidraw-file";
import { ownIdentity, saveName } from "./identity";
import type { Point, Session } from "./model";
import { PresenceView } from "./presence-view";
import { ShapeTextEditor } from "./shape-text-editor";
import { TextPad } from "./text-pad";
import { Toolbar } from "./toolbar";

/** Remote changes that add at least this many shapes at once (an import) refit the view. */
const REFIT_SHAPE_COUNT = 5;

function required<T extends Element>(selector: string): T {
  const element = document.querySelector<T>(selector);
  if (!element) {
    throw new Error(`the page has no element matching ${selector}`);
  }
  return element;
}

let errorTimer: ReturnType<typeof setTimeout> | undefined;

/** Shows a message at the bottom of the page, for 10 seconds unless `sticky`. */
function showError(message: string, sticky = false): void {
  const banner = required<HTMLElement>("[data-testid=error]");
  banner.textContent = message;
  banner.hidden = false;
  clearTimeout(errorTimer);
  if (!sticky) {
    errorTimer = setTimeout(() => (banner.hidden = true), 10_000);
  }
}

function start(session: Session): void {
  const { board, pad, presence, connection } = session;

  const stage = required<HTMLElement>(".board-stage");
  const view = new BoardView(stage, board);
  const editor = new ShapeTextEditor(stage, board, view);
  const tools = new BoardTools(board, view, editor);
  const presenceView = new PresenceView(board, view, required("[data-testid=roster]"));
  const textPad = new TextPad(required(".pad-host"), pad);
  const fileInput = required<HTMLInputElement>("[data-testid=import-file]");
  new Toolbar(required(".toolbar"), board, view, tools, {
    onImport: () => fileInput.click(),
    onExport: () => exportSceneFile(board, session.documentId),
  });

  // Board changes are drawn once per frame; the open shape editor follows
  // each change at once, so that its value never lags behind the model.
  let renderQueued = false;
  let renders = 0;
  const scheduleRender = (): void => {
    if (renderQueued) {
      return;
    }
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      view.render();
      renders++;
      document.body.dataset.renders = String(renders);
    });
  };
  let shapeCount = board.shapes().length;
  board.subscribe((event) => {
    editor.refresh(event);
    const count = board.shapes().length;
    const refit = !event.local && count - shapeCount >= REFIT_SHAPE_COUNT;
    shapeCount = count;
    if (refit) {
      view.render();
      view.fitToContent();
    } else {
      scheduleRender();
    }
  });

  presence.update({ pointer: null, selection: [], cursor: null });
  // Presence arrives with every pointer move of every user; it is drawn
  // once a frame.
  let presenceQueued = false;
  presence.subscribe(() => {
    if (presenceQueued) {
      return;
    }
    presenceQueued = true;
    requestAnimationFrame(() => {
      presenceQueued = false;
      const peers = presence.peers();
      view.setShapeCarets(peers);
      presenceView.update(peers);
      textPad.renderPeers(peers);
      view.render();
    });
  });
  // The carets in the pad are laid out on a copy of its text, rebuilt at
  // most once a frame, however many remote changes arrive.
  let padPeersQueued = false;
  pad.subscribe(() => {
    if (padPeersQueued) {
      return;
    }
    padPeersQueued = true;
    requestAnimationFrame(() => {
      padPeersQueued = false;
      textPad.renderPeers(presence.peers());
    });
  });

  let pointer: Point | null = null;
  let pointerQueued = false;
  tools.onPointer = (p) => {
    pointer = p;
    if (!pointerQueued) {
      pointerQueued = true;
      requestAnimationFrame(() => {
        pointerQueued = false;
        presence.update({ pointer });
      });
    }
  };
  tools.onSelectionChange = () => presence.update({ selection: [...view.selection] });
  textPad.onCursor = (cursor) => presence.update({ cursor });
  editor.onCursor = (cursor) => presence.update({ cursor, selection: [...view.selection] });

  bindHeader(session);
  session.onProblem((message) => showError(message));
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (!file) {
      return;
    }
    try {
      await importSceneFile(board, file);
      view.render();
      view.fitToContent();
    } catch (error) {
      showError(error instanceof Error ? error.message : String(error));
    }
  });

  view.render();
  if (board.shapes().length > 0) {
    view.fitToContent();
  }
  window.addEventListener("resize", () => view.renderSelection());

  // Read-only handle for the browser tests and the console.
  Object.assign(window, {
    echostream: {
      session,
      view,
      snapshot: () => ({ shapes: board.shapes(), text: pad.text(), status: connection.status() }),
    },
  });
  document.body.dataset.ready = "true";
}

function bindHeader(session: Session): void {
  const { connection } = session;
  required("[data-testid=document-id]").textContent = session.documentId;

  required("[data-action=new-document]").addEventListener("click", () => {
    window.location.href = documentLink(newDocumentId());
  });
  const shareStatus = required<HTMLElement>("[data-testid=share-status]");
  required("[data-action=share]").addEventListener("click", async () => {
    const link = documentLink(session.documentId);
    try {
      await navigator.clipboard.writeText(link);
      shareStatus.textContent = "Link copied";
    } catch {
      shareStatus.textContent = link;
    }
    shareStatus.dataset.link = link;
  });

  // The name field shows this user's name; a change is stored in this
  // browser and sent to the others at once.
  const own = required<HTMLInputElement>("[data-testid=own-name]");
  const showIdentity = (): void => {
    const identity = ownIdentity(session.site);
    own.value = identity.name;
    own.style.setProperty("--peer-color", identity.color);
    session.presence.setUser(identity);
  };
  showIdentity();
  own.addEventListener("change", () => {
    saveName(own.value);
    showIdentity();
  });
  own.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      own.blur();
    }
    // Keys typed into the name are not board shortcuts.
    event.stopPropagation();
  });

  const indicator = required<HTMLElement>("[data-testid=connection]");
  const label = indicator.querySelector(".connection-label") as HTMLElement;
  const onlineSwitch = required<HTMLInputElement>("[data-testid=online]");
  const showStatus = (): void => {
    const status = connection.status();
    indicator.dataset.status = status;
    label.textContent = status;
    onlineSwitch.checked = status !== "offline";
  };
  connection.subscribe(showStatus);
  showStatus();
  onlineSwitch.addEventListener("change", () => {
    saveOnline(session.documentId, onlineSwitch.checked);
    connection.setOnline(onlineSwitch.checked);
  });
}

// The offline switch stays off across reloads of this tab, so that edits
// made offline can be checked after a reload before they are sent.
function offlineKey(documentId: string): string {
  return `echostream-offline:${documentId}`;
}

function saveOnline(documentId: string, online: boolean): void {
  if (online) {
    sessionStorage.removeItem(offlineKey(documentId));
  } else {
    sessionStorage.setItem(offlineKey(documentId), "1");
  }
}

const documentId = currentDocumentId();
const online = sessionStorage.getItem(offlineKey(documentId)) === null;
openSession({ documentId, online })
  .then(start)
  .catch((error: unknown) => showError(`cannot open the document: ${error instanceof Error ? error.message : String(error)}`, true));
