// The one way the tests start Chromium: Debian's /usr/bin/chromium (or
// $CHROMIUM_PATH) driven by playwright-core, which never downloads a
// browser here. Used by js/test and web-demo/tests.

import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// These switches keep Chromium from reaching any host other than the
// test servers (updates, sync, QUIC probes), and let it run as root in a
// container without a sandbox.
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts headless Chromium with the profile folder `profileDir`, so that
 * IndexedDB survives a restart on the same folder. `options` go to
 * Playwright's `launchPersistentContext` (a viewport, a timeout).
 */
export function launchChromium(profileDir, options = {}) {
  return chromium.launchPersistentContext(profileDir, {
    ...options,
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
  });
}
