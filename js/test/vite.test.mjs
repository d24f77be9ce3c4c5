// The bundler smoke test: a tiny page that imports the package builds
// with Vite 7, and the built page runs in headless Chromium.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { build } from "vite";

import { chromiumMissing, launchBrowser, serveFolder } from "./support/browser.mjs";
import { root } from "./support/data.mjs";

test("page importing the package builds with Vite", async (t) => {
  const outDir = mkdtempSync(join(tmpdir(), "echostream-vite-"));
  try {
    await build({
      root: join(root, "js", "vite-smoke"),
      logLevel: "warn",
      build: { outDir, emptyOutDir: true },
    });
    const assets = readdirSync(join(outDir, "assets"));
    assert.ok(assets.some((name) => name.endsWith(".wasm")), `no .wasm among ${assets}`);
    assert.ok(assets.some((name) => name.endsWith(".js")), `no .js among ${assets}`);

    if (chromiumMissing()) return t.skip("Chromium missing");
    const server = await serveFolder(outDir);
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const errors = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => document.getElementById("out").textContent !== "loading");
      assert.equal(await page.textContent("#out"), "héllo 😀|8|axb");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
