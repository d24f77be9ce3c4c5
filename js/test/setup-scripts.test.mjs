// Checks that the README names every Debian package that
// scripts/setup.sh installs, and that scripts/start.sh prints a step line
// before each build it runs.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { root } from "./support/data.mjs";

const readme = readFileSync(join(root, "README.md"), "utf8");

test("README names every installed package", () => {
  const setup = readFileSync(join(root, "scripts", "setup.sh"), "utf8");
  const list = setup.match(/^for package in ([^;]+); do$/m);
  assert.ok(list, "setup.sh has no `for package in ...; do` line");
  const packages = list[1].trim().split(/\s+/);
  assert.ok(packages.length >= 3, `packages: ${packages}`);
  const paragraph = readme.match(/^Both install what they need first[\s\S]*?\n\n/m);
  assert.ok(paragraph, "README.md has no paragraph on what the setup commands install");
  for (const name of packages) {
    assert.ok(paragraph[0].includes(`\`${name}\``), `README.md does not say that the setup installs ${name}`);
  }
});

test("start.sh announces each build", () => {
  const lines = readFileSync(join(root, "scripts", "start.sh"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const builds = lines.map((line, index) => ({ line, index })).filter(({ line }) => line.startsWith("cargo "));
  assert.ok(builds.length >= 1, "start.sh runs no cargo command");
  for (const { line, index } of builds) {
    const before = lines[index - 1] ?? "";
    assert.match(before, /^step |==>/, `start.sh runs "${line}" without a step line before it`);
  }
});
