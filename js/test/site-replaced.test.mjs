// Two clients that share a site, against a real `echostream serve`. The
// server closes the older connection with code 4003 when the newer one
// joins. The older client then stops syncing instead of reconnecting,
// because the two would send different operations under the same ids.

import assert from "node:assert/strict";
import { test } from "node:test";

import { WebSocket } from "ws";

import { TextSync } from "echostream";
import { serverBinary, startRealServer } from "./support/real-server.mjs";
import { until as untilWithin } from "./support/wait.mjs";

const until = (condition, what) => untilWithin(condition, what, 15_000);

const bin = serverBinary();
const skip = bin === null ? "echostream serve missing" : false;
const backoff = { initialDelayMs: 30, maxDelayMs: 100, jitter: 0 };
const SITE = "00000000000000c3";
const createSocket = (url) => new WebSocket(url);

test("second client of a site replaces the first", { skip }, async () => {
  const server = await startRealServer(bin);
  const first = await TextSync.open({ url: server.url, doc: "shared-site", site: SITE, offline: false, backoff, createSocket });
  const errors = [];
  first.on("error", (event) => errors.push(event));
  let second;
  try {
    await until(() => first.status === "connected", "the first client to connect");
    first.insert(0, "one");
    await until(() => !first.hasPending, "the first edit to be acknowledged");

    second = await TextSync.open({ url: server.url, doc: "shared-site", site: SITE, offline: false, backoff, createSocket });
    await until(() => first.status === "closed", "the first client to stop");
    assert.equal(errors.length, 1);
    assert.equal(errors[0].kind, "server");
    assert.equal(errors[0].code, "site_replaced");
    assert.match(errors[0].message, new RegExp(`site ${SITE}`));

    // The first client keeps its document but neither reconnects nor
    // sends: its later edit stays local.
    first.insert(3, "!");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(first.status, "closed");
    assert.equal(first.text, "one!");

    await until(() => second.status === "connected", "the second client to connect");
    second.insert(3, " two");
    await until(() => !second.hasPending, "the second client's edit to be acknowledged");
    assert.equal(second.text, "one two");
    assert.equal(errors.length, 1);
  } finally {
    await first.close();
    await second?.close();
    await server.close();
  }
});
