// `echostream replay --to` types a real editing trace into the text pad's
// document while a page watches; the page must end with the trace's
// endContent.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { test } from "node:test";
import { dataDir, SERVER_BINARY, serverWithUsers, waitUntil } from "./harness.mjs";

const data = dataDir();
// friendsforever_flat: 26,078 transactions, 21,362 code points at the end.
const tracePath = data ? join(data, "traces", "sequential", "friendsforever_flat.json.gz") : null;

let server;
let watcher;

serverWithUsers(
  ["watcher"],
  (started, users) => {
    server = started;
    [watcher] = users;
  },
  { skip: !data },
);

/** Runs `echostream replay FILE --to URL --doc ID` and returns its exit code and output. */
function replayInto(file, doc) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(SERVER_BINARY, ["replay", file, "--to", server.wsUrl, "--doc", doc], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    // Each transaction waits for its acknowledgement, which waits for an
    // fsync, so a busy disk stretches the run well past its usual 30 s.
    const timer = setTimeout(() => child.kill("SIGKILL"), 420_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

test("replay types a trace into the pad", { timeout: 480_000 }, async (t) => {
  if (!data) {
    t.skip("shared data missing: set ECHOSTREAM_DATA or put it at ../shared/data");
    console.log("skipped: the shared data folder is missing (set ECHOSTREAM_DATA or put it at ../shared/data)");
    return;
  }
  const trace = JSON.parse(gunzipSync(readFileSync(tracePath)).toString("utf8"));
  const id = `replay-${Date.now()}`;
  await watcher.open(`${server.url}/?doc=${id}`);
  await watcher.waitOnline();
  const padDocument = await watcher.page.evaluate(() => window.echostream.session.padDocumentId);

  const run = await replayInto(tracePath, padDocument);
  assert.equal(run.code, 0, `echostream replay failed:\n${run.output}`);
  await waitUntil(
    async () => (await watcher.page.inputValue("[data-testid=pad]")).length === trace.endContent.length,
    30_000,
    "the watching page to show the whole trace",
  );
  const shown = await watcher.page.inputValue("[data-testid=pad]");
  assert.equal(shown, trace.endContent);
  assert.equal((await watcher.snapshot()).text, trace.endContent);
  await watcher.screenshot("replay");
  assert.deepEqual(watcher.errors, []);
});
