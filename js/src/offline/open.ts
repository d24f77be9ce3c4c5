// Opens the offline op log of a document for this tab: it loads the
// records from IndexedDB and claims a site, so that each open tab writes
// pending operations under a site of its own. A site is held with a Web
// Lock where the platform has them, and otherwise with a lease in
// IndexedDB that the tab renews while it lives.

import { BoardOfflineLog, TextOfflineLog, randomSiteId } from "../wasm/echostream_wasm.js";
import type { StoredRecords } from "../wasm/echostream_wasm.js";
import { IdbBackend } from "./idb-backend.js";
import type { OfflineError } from "./idb-backend.js";

/** Options of `openTextOfflineLog` and `openBoardOfflineLog`. */
export interface OfflineLogOptions {
  /** The document id. */
  doc: string;
  /** The IndexedDB database name; "echostream" when omitted. */
  dbName?: string;
  /** Receives storage problems; the document keeps working in memory. */
  onError?: (error: OfflineError) => void;
  /**
   * The site (16 lowercase hexadecimal digits) to claim when no stored
   * site with pending operations is free; a random one when omitted.
   */
  site?: string;
  /**
   * The database version to open. Leave it out: a higher number than
   * the schema's only simulates a newer release of this package, which
   * makes older tabs close their connection.
   */
  version?: number;
  /**
   * How long a lease on a site lasts without renewal, in milliseconds;
   * 10,000 when omitted. Used only without Web Locks: a tab renews its
   * lease every third of this time, and another tab adopts the site's
   * pending operations once the lease expired.
   */
  leaseMs?: number;
}

/** An open offline log, with the site this tab holds. */
export interface OpenedOfflineLog<Log = TextOfflineLog> {
  /** The log: pending operations, committed operations, snapshot. */
  readonly log: Log;
  /** The IndexedDB connection. */
  readonly backend: IdbBackend;
  /** Waits for the writes in flight, then releases the site and closes. */
  close(): Promise<void>;
}

type Release = () => void | Promise<void>;

// Holds the Web Lock `name` until the returned function is called, or
// returns null at once when another tab holds it.
function tryLock(locks: LockManager, name: string): Promise<Release | null> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(null);
          return undefined;
        }
        return new Promise<void>((release) => resolve(() => release()));
      })
      .catch(reject);
  });
}

const DEFAULT_LEASE_MS = 10_000;

// Holds a site with a lease in IndexedDB: takes the first stored site
// whose lease expired (its tab is gone) or a new one, and renews the
// lease until released. A renewal or a write that finds another holder
// means this tab was suspended past the lease and the site was adopted:
// the backend then reports a "lease" error and closes rather than write
// over the other tab's pending operations.
async function leaseSite(
  backend: IdbBackend,
  doc: string,
  sites: string[],
  durationMs: number,
): Promise<{ site: string; release: Release }> {
  const holder = randomSiteId();
  const site = await backend.takeLease(doc, sites, randomSiteId(), holder, durationMs);
  const timer = setInterval(() => {
    if (!backend.isOpen) {
      clearInterval(timer);
      return;
    }
    backend.renewLease(doc, site, holder, durationMs).then(
      (held) => {
        if (!held) clearInterval(timer);
      },
      () => {},
    );
  }, Math.max(1, durationMs / 3));
  (timer as { unref?: () => void }).unref?.();
  return {
    site,
    release: async () => {
      clearInterval(timer);
      if (backend.isOpen) await backend.releaseLease(doc, site, holder);
    },
  };
}

// Claims a site of the document that no open tab holds, so that a reload
// takes over the pending operations it left. The order: stored sites with
// pending operations, then `preferred`, then the other stored sites.
// Makes a new site when every one of them is held.
async function claimSite(
  backend: IdbBackend,
  dbName: string,
  doc: string,
  records: StoredRecords,
  preferred: string | undefined,
  leaseMs: number,
): Promise<{ site: string; release: Release }> {
  const withPending = new Set(records.pending.map((p) => p.site));
  const stored = records.sites.map((s) => s.site);
  const sites = [
    ...stored.filter((site) => withPending.has(site)).sort((a, b) => Number(b === preferred) - Number(a === preferred)),
    ...(preferred === undefined || withPending.has(preferred) ? [] : [preferred]),
    ...stored.filter((site) => !withPending.has(site) && site !== preferred),
  ];
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  const lockName = (site: string) => `echostream:${dbName}:${doc}:${site}`;
  if (locks === undefined) return leaseSite(backend, doc, sites, leaseMs);
  for (const site of sites) {
    const release = await tryLock(locks, lockName(site));
    if (release !== null) return { site, release };
  }
  for (;;) {
    const site = randomSiteId();
    const release = await tryLock(locks, lockName(site));
    if (release !== null) return { site, release };
  }
}

type LoadLog<Log> = (backend: IdbBackend, doc: string, site: string, records: StoredRecords) => Log;

// Opens the database, claims a site and builds the log with `load`.
async function openLog<Log extends { flush(): Promise<void> }>(
  options: OfflineLogOptions,
  load: LoadLog<Log>,
): Promise<OpenedOfflineLog<Log>> {
  const dbName = options.dbName ?? "echostream";
  const onError = options.onError ?? ((error: OfflineError) => console.error(`echostream offline log: ${error.message}`));
  const backend = await IdbBackend.open(dbName, onError, options.version);
  const records = await backend.load(options.doc);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    backend.close();
    throw new Error(`invalid leaseMs ${leaseMs}: expected a positive number of milliseconds`);
  }
  const { site, release } = await claimSite(
    backend,
    dbName,
    options.doc,
    records,
    options.site,
    leaseMs,
  );
  // Reload after the claim: the tab that held the site may have written
  // until it let go.
  const current = await backend.load(options.doc);
  let log: Log;
  try {
    log = load(backend, options.doc, site, current);
  } catch (error) {
    await release();
    backend.close();
    throw error;
  }

  // The backend, not the log: a sync client's restore takes the log over,
  // and the log's own flush is the backend's.
  const flush = () => void backend.flush();
  const onVisibility = () => {
    if (document.visibilityState === "hidden") flush();
  };
  if (typeof addEventListener === "function") addEventListener("pagehide", flush);
  if (typeof document !== "undefined") document.addEventListener("visibilitychange", onVisibility);

  return {
    log,
    backend,
    async close() {
      await backend.flush();
      if (typeof removeEventListener === "function") removeEventListener("pagehide", flush);
      if (typeof document !== "undefined") document.removeEventListener("visibilitychange", onVisibility);
      await backend.flush();
      await release();
      backend.close();
    },
  };
}

/**
 * Opens the offline log of a text document. Rejects with an Error when
 * IndexedDB is missing or blocked, after reporting it through `onError`.
 */
export function openTextOfflineLog(options: OfflineLogOptions): Promise<OpenedOfflineLog<TextOfflineLog>> {
  return openLog(options, (backend, doc, site, records) => TextOfflineLog.load(backend, doc, site, records));
}

/**
 * Opens the offline log of a board. Rejects with an Error when IndexedDB
 * is missing or blocked, after reporting it through `onError`.
 */
export function openBoardOfflineLog(options: OfflineLogOptions): Promise<OpenedOfflineLog<BoardOfflineLog>> {
  return openLog(options, (backend, doc, site, records) => BoardOfflineLog.load(backend, doc, site, records));
}
