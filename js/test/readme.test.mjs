// Runs the code snippets of the package README (wasm/README.md): each
// ```js block as a module in Node, each ```js browser block as a module
// in headless Chromium.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { chromiumMissing, launchBrowser, serveFolder } from "./support/browser.mjs";
import { root } from "./support/data.mjs";

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

for (const block of blocks.filter((b) => !b.browser)) {
  test(`README snippet at line ${block.line}`, () => {
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", block.code], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, `snippet at line ${block.line} failed:\n${result.stderr}`);
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
