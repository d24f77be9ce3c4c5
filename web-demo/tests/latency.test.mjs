// Measures, for edits made in one page, the time until the other page
// shows them: from the edit's input event in the sender to the start of
// the animation frame in which the receiver paints the change. Both pages run
// on one machine, so they share the clock (performance.timeOrigin + now()).
// Prints p50 and p99; BENCHMARKS.md records the figures.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { OUTPUT_DIR, serverWithUsers, waitUntil } from "./harness.mjs";
import { draw, focusPadEnd, stagePoint } from "./ui.mjs";

const SAMPLES = Number(process.env.ECHOSTREAM_LATENCY_SAMPLES ?? 200);

let server;
let alice;
let bob;

serverWithUsers(["alice", "bob"], (started, users) => {
  server = started;
  [alice, bob] = users;
});

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Installs in the receiving page a recorder of when each marker first shows. */
async function installRecorder(page) {
  await page.evaluate(() => {
    const { session, view } = window.echostream;
    const seen = new Map();
    const now = () => performance.timeOrigin + performance.now();
    const check = () => {
      const pad = document.querySelector("[data-testid=pad]").value;
      for (const match of pad.matchAll(/<(\d+)>/g)) {
        if (!seen.has(`t${match[1]}`)) {
          seen.set(`t${match[1]}`, null);
          requestAnimationFrame(() => seen.set(`t${match[1]}`, now()));
        }
      }
    };
    // The board draws inside an animation frame callback, so the frame that
    // shows the move is painted right after this callback returns.
    const checkBoard = () => {
      for (const element of document.querySelectorAll("g.shapes > g")) {
        const shape = session.board.shape(element.getAttribute("data-shape-id"));
        const key = shape ? `b${Math.round(shape.x)}` : "";
        if (shape && !seen.has(key)) {
          seen.set(key, now());
        }
      }
    };
    session.pad.subscribe(check);
    view.onRender(checkBoard);
    window.latencySeen = seen;
  });
}

/**
 * Records in the page when each operation leaves (a "submit" message) and
 * when each operation of another user arrives (an "op" message), to tell
 * the server's share of the latency from the pages' share.
 */
function recordSocketTimes() {
  const Native = window.WebSocket;
  const now = () => performance.timeOrigin + performance.now();
  window.socketTimes = { submitted: [], received: [] };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (String(event.data).startsWith('{"type":"op"')) {
          window.socketTimes.received.push(now());
        }
      });
    }

    send(data) {
      if (String(data).includes('"type":"submit"')) {
        window.socketTimes.submitted.push(now());
      }
      super.send(data);
    }
  };
}

test("edit latency between two pages", { timeout: 300_000 }, async () => {
  const url = `${server.url}/?doc=latency-${Date.now()}`;
  await Promise.all([alice.page.addInitScript(recordSocketTimes), bob.page.addInitScript(recordSocketTimes)]);
  await Promise.all([alice.open(url), bob.open(url)]);
  await Promise.all([alice.waitOnline(), bob.waitOnline()]);
  const shape = await draw(alice.page, "rectangle", await stagePoint(alice.page, 0.3, 0.3), await stagePoint(alice.page, 0.4, 0.4));
  await waitUntil(async () => (await bob.snapshot()).shapes.length === 1, 10_000, "bob to see the rectangle");
  await installRecorder(bob.page);
  await focusPadEnd(alice.page);

  const text = [];
  const board = [];
  for (let i = 0; i < SAMPLES; i++) {
    // A keystroke in the pad: the textarea changes and fires input, as typing does.
    const sentText = await alice.page.evaluate((n) => {
      const pad = document.querySelector("[data-testid=pad]");
      const at = performance.timeOrigin + performance.now();
      pad.setRangeText(`<${n}>`, pad.value.length, pad.value.length, "end");
      pad.dispatchEvent(new InputEvent("input", { inputType: "insertText", data: `<${n}>` }));
      return at;
    }, i);
    await waitUntil(() => bob.page.evaluate((key) => Boolean(window.latencySeen.get(key)), `t${i}`), 5000, `bob to show <${i}>`);
    text.push((await bob.page.evaluate((key) => window.latencySeen.get(key), `t${i}`)) - sentText);

    // A move of the rectangle to a new whole-number x, as a drop does.
    const { sentAt, x } = await alice.page.evaluate((id) => {
      const { board: model } = window.echostream.session;
      const at = performance.timeOrigin + performance.now();
      const current = model.shape(id);
      model.translate([id], 1, 0);
      return { sentAt: at, x: Math.round(current.x + 1) };
    }, shape);
    await waitUntil(() => bob.page.evaluate((key) => Boolean(window.latencySeen.get(key)), `b${x}`), 5000, `bob to show x=${x}`);
    board.push((await bob.page.evaluate((key) => window.latencySeen.get(key), `b${x}`)) - sentAt);
  }

  // Each timed edit is one submit from Alice and one op at Bob, in order.
  const { submitted } = await alice.page.evaluate(() => window.socketTimes);
  const { received } = await bob.page.evaluate(() => window.socketTimes);
  const timed = 2 * SAMPLES;
  const serverShare = received.slice(-timed).map((at, i) => at - submitted.slice(-timed)[i]);

  const report = {};
  for (const [name, samples] of Object.entries({ text, board, "server (submit sent to op received)": serverShare })) {
    const sorted = [...samples].sort((p, q) => p - q);
    report[name] = { samples: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
    console.log(`latency ${name}: ${sorted.length} edits, p50 ${report[name].p50.toFixed(1)} ms, p99 ${report[name].p99.toFixed(1)} ms, max ${report[name].max.toFixed(1)} ms`);
  }
  // The server's own histogram splits its share: time inside the server
  // (transform, fsync, queueing) against time in the sockets and pages.
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const inServer = {};
  for (const match of metrics.matchAll(/^echostream_submit_to_broadcast_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) {
    inServer[`<= ${match[1]} s`] = Number(match[2]);
  }
  report["inside the server (operations per histogram bucket, cumulative)"] = inServer;
  console.log(`latency inside the server, operations at or below each bound: ${JSON.stringify(inServer)}`);
  const path = join(OUTPUT_DIR, "latency.json");
  writeFileSync(path, JSON.stringify(report, null, 2));
  console.log(`latency figures: ${path}`);
  await bob.screenshot("latency");
  assert.equal(text.length, SAMPLES);
  assert.equal(board.length, SAMPLES);
  assert.ok(submitted.length >= timed, `alice sent ${submitted.length} operations, expected at least ${timed}`);
  assert.ok(received.length >= timed, `bob received ${received.length} operations, expected at least ${timed}`);
  assert.deepEqual(alice.errors, []);
  assert.deepEqual(bob.errors, []);
});
