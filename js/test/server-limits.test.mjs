// The server's size limit as a JavaScript client sees it: a message over
// 4 times --max-message-bytes (1 MiB by default) closes the connection
// with code 1009, also while the client is still sending it.

import assert from "node:assert/strict";
import { test } from "node:test";

import { WebSocket } from "ws";

import { serverBinary, startRealServer } from "./support/real-server.mjs";

const bin = serverBinary();

// Sends `text` on a new connection and resolves with the close code.
function closeCodeAfterSending(url, text) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error("timed out: no close within 10 s")), 10000);
    socket.on("open", () => socket.send(text));
    socket.on("error", () => {});
    socket.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

test("huge message closes with 1009", async (t) => {
  if (!bin) return t.skip("no server binary");
  const server = await startRealServer(bin);
  try {
    // 8 MiB do not fit in the socket buffers, so the client is still
    // sending when the server closes the connection. Whether the close
    // frame or a reset arrives first is a race, so try several times.
    const huge = "y".repeat(8 << 20);
    for (let attempt = 0; attempt < 8; attempt++) {
      assert.equal(await closeCodeAfterSending(server.url, huge), 1009, `attempt ${attempt}`);
    }
  } finally {
    await server.close();
  }
});
