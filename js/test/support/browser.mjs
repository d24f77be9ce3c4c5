// Headless Chromium for the browser tests: Debian's /usr/bin/chromium
// driven by playwright-core (which never downloads a browser here), and a
// static file server on 127.0.0.1.

import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";

import { CHROMIUM, launchChromium } from "./chromium.mjs";

export { CHROMIUM };

// Returns null after printing why, when Chromium is missing.
export function chromiumMissing() {
  if (existsSync(CHROMIUM)) return null;
  const reason = `Chromium not found at ${CHROMIUM}: install Debian's chromium (scripts/setup.sh does) or set CHROMIUM_PATH`;
  console.log(`skipped: ${reason}`);
  return reason;
}

// Starts a browser with a profile folder of its own, kept across
// `restart()` so that IndexedDB survives a browser restart.
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), "echostream-chromium-"));
  let context = await launchChromium(profile);
  return {
    get context() {
      return context;
    },
    async restart() {
      await context.close();
      context = await launchChromium(profile);
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".css": "text/css",
};

// Serves the files under `dir` on 127.0.0.1 and a free port. Returns the
// base URL and a function that stops the server.
export async function serveFolder(dir) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://127.0.0.1").pathname);
    const file = normalize(join(dir, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
