import { resolve } from "node:path";
import { defineConfig } from "vite";

// Built into web-demo/dist, which `echostream serve` serves by default. The
// npm package `echostream` is the repository root itself, built by
// `npm run build` into dist/.
export default defineConfig({
  root: __dirname,
  resolve: {
    alias: { echostream: resolve(__dirname, "../dist/index.js") },
  },
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  // `npm run dev:demo` serves the page from Vite and passes the WebSocket
  // through to an `echostream serve` already running at the default address.
  server: {
    host: "127.0.0.1",
    proxy: { "/ws": { target: "ws://127.0.0.1:8080", ws: true } },
  },
  preview: { host: "127.0.0.1" },
});
