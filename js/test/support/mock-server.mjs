// A sync server for the Node tests of TextSync: the protocol of
// PROTOCOL.md over `ws`, on 127.0.0.1, with the engine's TextAuthority
// (through the package) committing operations. Hooks let a test lose a
// submission or an acknowledgement with the connection.
//
// NOTE: presence is relayed as received, without moving it past
// operations committed after its revision, unlike the real server.

import { WebSocketServer } from "ws";

import { TextAuthority } from "echostream";

// Starts the server. Pass `documents` and `submissions` of a stopped
// server to start it again with the same state, as after a restart.
export async function startMockServer({ port = 0, documents = new Map(), submissions = [] } = {}) {
  // documents: doc id -> { authority, sessions: Set }; submissions: every
  // submit received, in order.
  // rejectHellos: how many more hellos get an `unavailable` error and no
  // welcome, as from a Redis node that did not catch up in time.
  const hooks = { ignoreSubmits: false, dropAfterCommit: false, rejectHellos: 0 };
  const wss = new WebSocketServer({ host: "127.0.0.1", port, path: "/ws" });
  await new Promise((resolve) => wss.once("listening", resolve));

  const documentOf = (id) => {
    if (!documents.has(id)) documents.set(id, { authority: new TextAuthority(), sessions: new Set() });
    return documents.get(id);
  };

  wss.on("connection", (socket) => {
    const session = { socket, site: null, doc: null, presence: null };
    const send = (message) => socket.send(JSON.stringify(message));
    const others = () => [...session.doc.sessions].filter((s) => s !== session);

    socket.on("message", (data) => {
      const message = JSON.parse(String(data));
      if (message.type === "hello") {
        if (message.version !== 1) {
          send({ type: "error", code: "unsupported_version", message: `unsupported version ${message.version}` });
          socket.close(4000);
          return;
        }
        if (hooks.rejectHellos > 0) {
          hooks.rejectHellos -= 1;
          send({ type: "error", code: "unavailable", message: `document ${message.doc} did not catch up in time. Try again` });
          return;
        }
        session.site = message.site;
        session.doc = documentOf(message.doc);
        session.doc.sessions.add(session);
        const { authority } = session.doc;
        const presence = others()
          .filter((s) => s.presence !== null)
          .map((s) => ({ site: s.site, presence: s.presence }));
        if (message.revision === null || message.revision === undefined) {
          send({
            type: "welcome",
            version: 1,
            doc: message.doc,
            docType: "text",
            revision: authority.revision,
            snapshot: { revision: authority.revision, document: authority.text },
            ops: [],
            lastSeq: authority.lastSeq(message.site),
            presence,
          });
        } else {
          send({
            type: "welcome",
            version: 1,
            doc: message.doc,
            docType: "text",
            revision: authority.revision,
            ops: authority.since(message.revision),
            lastSeq: authority.lastSeq(message.site),
            presence,
          });
        }
        return;
      }
      if (message.type === "submit") {
        const { type, ...submission } = message;
        submissions.push(submission);
        if (hooks.ignoreSubmits) return;
        let receipt;
        try {
          receipt = session.doc.authority.receive(submission);
        } catch (error) {
          send({ type: "error", code: "invalid_operation", message: error.message, id: submission.id });
          return;
        }
        if (receipt.type === "committed") {
          const { type: _, ...entry } = receipt;
          for (const other of others()) other.socket.send(JSON.stringify({ type: "op", ...entry }));
          if (hooks.dropAfterCommit) {
            hooks.dropAfterCommit = false;
            socket.terminate();
            return;
          }
          send({ type: "ack", id: entry.id, revision: entry.revision });
        } else {
          send({ type: "ack", id: receipt.id, revision: receipt.revision });
        }
        return;
      }
      if (message.type === "presence") {
        session.presence = message.presence;
        for (const other of others()) {
          other.socket.send(
            JSON.stringify({ type: "presence", site: session.site, revision: message.revision, presence: message.presence }),
          );
        }
      }
    });

    socket.on("close", () => {
      if (session.doc === null) return;
      session.doc.sessions.delete(session);
      for (const other of others()) {
        other.socket.send(JSON.stringify({ type: "presence", site: session.site, revision: session.doc.authority.revision, presence: null }));
      }
    });
  });

  return {
    url: `ws://127.0.0.1:${wss.address().port}/ws`,
    port: wss.address().port,
    hooks,
    documents,
    submissions,
    text: (doc) => documentOf(doc).authority.text,
    revision: (doc) => documentOf(doc).authority.revision,
    dropConnections() {
      for (const client of wss.clients) client.terminate();
    },
    close() {
      for (const client of wss.clients) client.terminate();
      return new Promise((resolve) => wss.close(resolve));
    },
  };
}
