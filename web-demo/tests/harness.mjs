// Shared setup of the browser tests: builds and starts `echostream serve`
// on 127.0.0.1 and a free port with a temporary data folder, opens pages in
// Debian's headless Chromium, and saves screenshots.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { CHROMIUM, launchChromium } from "../../js/test/support/chromium.mjs";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const OUTPUT_DIR = join(REPO_ROOT, "web-demo", "test-output");
// ECHOSTREAM_BIN runs another build of the server, and skips the cargo build.
export const SERVER_BINARY = process.env.ECHOSTREAM_BIN ?? join(REPO_ROOT, "target", "release", "echostream");
const DIST_DIR = join(REPO_ROOT, "web-demo", "dist");

/** Builds the server binary and checks that the demo is built; run once per test file. */
export function prepare() {
  if (!process.env.ECHOSTREAM_BIN) {
    const build = spawnSync("cargo", ["build", "--release", "-p", "echostream-server"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "inherit", "inherit"],
      timeout: 15 * 60 * 1000,
    });
    if (build.status !== 0) {
      throw new Error(`cargo build --release -p echostream-server failed with status ${build.status}`);
    }
  }
  if (!existsSync(join(DIST_DIR, "index.html"))) {
    throw new Error(`the demo is not built: ${DIST_DIR}/index.html is missing; run npm run build:demo`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package or set CHROMIUM_PATH`);
  }
  mkdirSync(join(OUTPUT_DIR, "screenshots"), { recursive: true });
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** Returns a new temporary folder whose name starts with `prefix`. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `echostream-${prefix}-`));
}

/**
 * An `echostream serve` process on 127.0.0.1. `restart()` stops it and starts
 * it again on the same port, data folder and extra arguments, as an
 * operator would.
 */
export class TestServer {
  constructor(port, dataDir, args = []) {
    this.port = port;
    this.dataDir = dataDir;
    this.args = args;
    this.process = null;
    this.log = [];
  }

  /** Starts a server with a new data folder and the extra `serve` arguments `args`. */
  static async start(args = []) {
    const server = new TestServer(await freePort(), tempDir("data"), args);
    await server.launch();
    return server;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.port}`;
  }

  async launch() {
    const child = spawn(SERVER_BINARY, ["serve", "--addr", `127.0.0.1:${this.port}`, "--data", this.dataDir, "--static-dir", DIST_DIR, ...this.args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "info" },
    });
    const keep = (chunk) => {
      this.log.push(chunk.toString());
      if (this.log.length > 400) {
        this.log.splice(0, 100);
      }
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    this.process = child;
    await waitUntil(async () => {
      if (child.exitCode !== null) {
        throw new Error(`echostream serve exited with ${child.exitCode}:\n${this.log.join("")}`);
      }
      try {
        const response = await fetch(`${this.url}/`);
        return response.ok;
      } catch {
        return false;
      }
    }, 15_000, "echostream serve to answer HTTP");
  }

  /** Stops the server: SIGTERM, then SIGKILL after 5 s. */
  async stop() {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) {
      return;
    }
    const exited = new Promise((resolveExit) => child.once("exit", resolveExit));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }

  async restart() {
    await this.stop();
    await this.launch();
  }

  async dispose() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Polls `check` every 20 ms until it returns true; throws after `timeoutMs`. */
export async function waitUntil(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((wake) => setTimeout(wake, 20));
  }
}

/**
 * One user: a Chromium with its own profile folder, so that each user has
 * its own IndexedDB, as two people on two machines would.
 */
export class User {
  constructor(name, context, profileDir) {
    this.name = name;
    this.context = context;
    this.profileDir = profileDir;
    this.page = context.pages()[0];
    /** Uncaught exceptions in the page. */
    this.errors = [];
    /** Console errors, which include failed WebSocket connections while the server is down. */
    this.consoleErrors = [];
    /** Responses with an HTTP error status, as "404 http://...". */
    this.failedResponses = [];
    this.page.on("pageerror", (error) => this.errors.push(String(error)));
    this.page.on("response", (response) => {
      if (response.status() >= 400) {
        this.failedResponses.push(`${response.status()} ${response.url()}`);
      }
    });
    this.page.on("console", (message) => {
      if (message.type() === "error") {
        this.consoleErrors.push(message.text());
      }
    });
  }

  static async launch(name) {
    const profileDir = tempDir(`profile-${name}`);
    const context = await launchChromium(profileDir, {
      viewport: { width: 1280, height: 800 },
      timeout: 30_000,
    });
    context.setDefaultTimeout(15_000);
    return new User(name, context, profileDir);
  }

  /** Opens `url` and waits until the document is loaded and connected. */
  async open(url) {
    await this.page.goto(url);
    await this.waitReady();
  }

  async waitReady() {
    await this.page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  }

  async waitOnline() {
    await this.page.waitForSelector("[data-testid=connection][data-status=online]", { timeout: 15_000 });
  }

  /** Returns the board and pad as the page's model has them. */
  async snapshot() {
    return this.page.evaluate(() => window.echostream.snapshot());
  }

  async screenshot(scenario) {
    const path = join(OUTPUT_DIR, "screenshots", `${scenario}-${this.name}.png`);
    await this.page.screenshot({ path });
    console.log(`screenshot: ${path}`);
    return path;
  }

  async close() {
    await this.context.close();
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}

/** Returns the shared data folder, or null when it is missing. */
export function dataDir() {
  const candidate = process.env.ECHOSTREAM_DATA ?? join(REPO_ROOT, "..", "shared", "data");
  return existsSync(candidate) ? candidate : null;
}

/**
 * Registers the setup that most browser test files share. Before their
 * tests it starts a server and opens one page per name in `names`, then
 * hands both to `assign`. After them it closes the pages and stops the
 * server. With `skip` true nothing starts: the file's shared data is
 * missing. `serverArgs` are extra arguments of `echostream serve`.
 */
export function serverWithUsers(names, assign, { skip = false, serverArgs = [] } = {}) {
  let server;
  let users = [];
  before(async () => {
    if (skip) return;
    prepare();
    server = await TestServer.start(serverArgs);
    users = await Promise.all(names.map((name) => User.launch(name)));
    assign(server, users);
  });
  after(async () => {
    await Promise.allSettled(users.map((user) => user.close()));
    await server?.dispose();
  });
}
