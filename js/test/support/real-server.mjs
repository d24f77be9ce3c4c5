// Runs the repository's `echostream serve` for end-to-end tests: built
// with cargo on first use (or taken from $ECHOSTREAM_SERVER_BIN), bound to
// 127.0.0.1 on a free port, with a data folder of its own, and stopped
// with SIGTERM.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { root } from "./data.mjs";

let binary;

// Returns the server binary, or null after printing why there is none.
export function serverBinary() {
  if (binary !== undefined) return binary;
  binary = process.env.ECHOSTREAM_SERVER_BIN ?? null;
  if (binary === null) {
    // The test profile reuses what `cargo test --workspace` built.
    execFileSync("cargo", ["build", "--profile", "test", "-p", "echostream-server"], { cwd: root, stdio: "inherit" });
    const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, "target");
    binary = join(targetDir, "debug", "echostream");
  }
  const help = existsSync(binary) ? spawnSync(binary, ["serve", "--help"], { encoding: "utf8" }) : null;
  if (help === null || help.status !== 0) {
    console.log(`skipped: ${binary} has no serve command; set ECHOSTREAM_SERVER_BIN to a server binary`);
    binary = null;
  }
  return binary;
}

const STARTED = /server started.*addr\S*=\S*127\.0\.0\.1:(\d+)/;

// Starts the server on `port` (0 for a free one) with `dataDir` and the
// extra command-line arguments, and resolves once it listens.
function launch(bin, port, dataDir, args) {
  const child = spawn(bin, ["serve", "--addr", `127.0.0.1:${port}`, "--data", dataDir, ...args], {
    cwd: dataDir,
    env: { ...process.env, NO_COLOR: "1", RUST_LOG: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`echostream serve did not start within 20 s:\n${output}`));
    }, 20000);
    const onData = (chunk) => {
      output += chunk;
      // eslint-disable-next-line no-control-regex
      const match = output.replace(/\x1b\[[0-9;]*m/g, "").match(STARTED);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`echostream serve exited with ${code}:\n${output}`));
    });
  });
}

function terminate(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 10000).unref();
  });
}

// Starts a server with a new data folder and the extra `args`, such as
// ["--history", "2"]. `stop()` and `start()` restart it on the same port
// and data, as a server restart would.
export async function startRealServer(bin, args = []) {
  const dataDir = mkdtempSync(join(tmpdir(), "echostream-serve-"));
  let { child, port } = await launch(bin, 0, dataDir, args);
  return {
    get url() {
      return `ws://127.0.0.1:${port}/ws`;
    },
    async stop() {
      await terminate(child);
    },
    async start() {
      ({ child } = await launch(bin, port, dataDir, args));
    },
    async close() {
      await terminate(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
