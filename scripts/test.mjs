// Runs the npm package's tests with node:test: the API in Node, the
// ottypes fuzzer and vectors, the README's snippets, the packed tarball,
// the Vite build and the browser tests in headless Chromium. Builds the
// package first when dist/ is missing (npm run build rebuilds it).
//
// Usage: npm test
// Longer fuzzing: ECHOSTREAM_FUZZ_ITERATIONS=20000 npm test

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

if (!existsSync(join(root, "dist", "node.js"))) {
  const built = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const testDir = join(root, "js", "test");
const files = readdirSync(testDir)
  .filter((name) => name.endsWith(".test.mjs"))
  .sort()
  .map((name) => join(testDir, name));

const result = spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...files], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
