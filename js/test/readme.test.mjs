// Runs the code snippets of the package README (wasm/README.md): each
// ```js block as a module in Node, each ```js browser block as a module
// in headless Chromium.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { chromiumMissing, launchBrowser, serveFolder } from "./support/browser.mjs";
import { root } from "./support/data.mjs";
import { startMockServer } from "./support/mock-server.mjs";
import { serverBinary, startRealServer } from "./support/real-server.mjs";

const readme = readFileSync(join(root, "wasm", "README.md"), "utf8");
const blocks = [...readme.matchAll(/^```(js(?: browser)?)\n([\s\S]*?)^```$/gm)].map((match) => ({
  browser: match[1] === "js browser",
  code: match[2],
  line: readme.slice(0, match.index).split("\n").length,
}));

test("README has snippets for Node and browsers", () => {
  assert.ok(blocks.filter((b) => !b.browser).length >= 5);
  assert.ok(blocks.some((b) => b.browser));
});

// Snippets that sync talk to a server named by ECHOSTREAM_URL: the
// repository's echostream serve, or for text, when the server has no
// serve command, the test server of support/mock-server.mjs.
for (const block of blocks.filter((b) => !b.browser)) {
  const board = block.code.includes("BoardSync");
  const bin = block.code.includes("Sync.open") ? serverBinary() : null;
  const skip = board && bin === null ? "echostream serve missing" : false;
  test(`README snippet at line ${block.line}`, { skip }, async () => {
    const server = bin === null ? await startMockServer() : await startRealServer(bin);
    try {
      const result = await run(block.code, { ...process.env, ECHOSTREAM_URL: server.url });
      assert.equal(result.status, 0, `snippet at line ${block.line} failed:\n${result.stderr}`);
    } finally {
      await server.close();
    }
  });
}

// Runs a module in a child Node process without blocking this one, which
// serves the WebSocket.
function run(code, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], { cwd: root, env });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30000);
    child.on("exit", (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

const missing = chromiumMissing();

for (const block of blocks.filter((b) => b.browser)) {
  test(`README browser snippet at line ${block.line}`, { skip: missing ?? false }, async () => {
    const server = await serveFolder(root);
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const errors = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${server.url}/js/test/browser/page.html`);
      await page.waitForFunction(() => window.ready === true);
      await page.addScriptTag({ type: "module", content: `${block.code}\nwindow.snippetDone = true;` });
      await page.waitForFunction(() => window.snippetDone === true || false, null, { timeout: 10000 }).catch(() => {});
      assert.deepEqual(errors, []);
      assert.equal(await page.evaluate(() => window.snippetDone === true), true, "the snippet did not finish");
    } finally {
      await browser.close();
      await server.close();
    }
  });
}
