// Finds the shared test data (OT vectors, editing traces), as the Rust
// crate echostream-testdata does: $ECHOSTREAM_DATA, else ../shared/data
// beside the repository root.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export function dataDir() {
  return process.env.ECHOSTREAM_DATA ?? join(root, "..", "shared", "data");
}

// Returns the path of `relative` in the data folder, or null after
// printing why it is missing.
export function dataFile(relative) {
  const path = join(dataDir(), relative);
  if (!existsSync(path)) {
    console.log(
      `skipped: test data file ${path} not found; set ECHOSTREAM_DATA to the folder that holds ot-vectors/ and traces/`,
    );
    return null;
  }
  return path;
}

// Reads a text file, unzipping it when its name ends in .gz.
export function readText(path) {
  const bytes = readFileSync(path);
  return (path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
}
