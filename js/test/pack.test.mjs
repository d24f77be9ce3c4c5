// Packs the package with npm pack, installs the tarball into a fresh
// folder outside the repository and uses it from Node there.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { root } from "./support/data.mjs";

test("packed tarball installs and runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "echostream-pack-"));
  try {
    const output = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: root,
      encoding: "utf8",
    });
    const [info] = JSON.parse(output);
    const files = info.files.map((file) => file.path);
    assert.ok(files.includes("dist/node.js"), "dist/node.js is packed");
    assert.ok(files.includes("dist/index.d.ts"), "dist/index.d.ts is packed");
    assert.ok(files.includes("dist/wasm/echostream_wasm_bg.wasm"), "the wasm module is packed");
    assert.ok(!files.some((file) => file.startsWith("js/") || file.startsWith("target/")), "sources stay out");

    const app = join(dir, "app");
    execFileSync("mkdir", ["-p", app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", join(dir, info.filename)], {
      cwd: app,
      stdio: "pipe",
    });
    writeFileSync(
      join(app, "main.js"),
      [
        'import { TextDocument, TextOp, textType } from "echostream";',
        'const doc = new TextDocument("héllo");',
        'doc.apply(TextOp.insert(5, " 😀"));',
        'console.log(doc.toString(), doc.lengthUtf16, textType.apply("ab", [1, "x"]));',
      ].join("\n"),
    );
    const printed = execFileSync("node", ["main.js"], { cwd: app, encoding: "utf8" });
    assert.equal(printed, "héllo 😀 8 axb\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
