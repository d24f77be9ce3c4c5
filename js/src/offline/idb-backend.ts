// The IndexedDB calls of the offline op log. What to store, and when, is
// decided in Rust (IndexedDbLog, behind the engine's OpLog interface);
// this class only runs batches of writes and loads a document's records.
//
// Schema (database version 2), one record per row, values as JSON text:
//   sites      key [doc, site]        { doc, site, nextSeq }
//   pending    key [doc, site, seq]   { doc, site, seq, value }
//   ops        key [doc, revision]    { doc, revision, value }
//   snapshots  key doc                { doc, revision, value }
//   leases     key [doc, site]        { doc, site, holder, expires }
//   history    key [doc, site]        { doc, site, value }
// Pending operations are keyed by site, and each tab holds its own site,
// so two tabs never overwrite each other's pending operations. Version 2
// added the leases store, which tabs without Web Locks use to hold a site,
// and the history store, the undo and redo stacks of each site.

import type { LogWrite, StoredRecords } from "../wasm/echostream_wasm.js";

/** The schema version of the database. */
export const SCHEMA_VERSION = 2;

/** The kind of a storage error event. */
export type OfflineErrorKind =
  | "blocked"
  | "versionchange"
  | "quota"
  | "write"
  | "closed"
  | "unavailable"
  | "lease";

/** A storage problem: the in-memory document keeps working without it. */
export interface OfflineError {
  kind: OfflineErrorKind;
  message: string;
}

/**
 * The state of the site lease a connection writes under. "none": there is
 * no lease, because a Web Lock or nothing guards the site. "held": before
 * the lease's expiry by this tab's clock. "unconfirmed": past it, after a
 * suspension or throttled timers, so another tab may have taken the site.
 * "lost": another holder was found, or the connection closed and could not
 * renew the lease.
 */
export type LeaseState = "none" | "held" | "unconfirmed" | "lost";

/** The stores that the offline log writes. */
const DATA_STORES = ["sites", "pending", "ops", "snapshots", "history"];

/** The lease a connection holds on a site, with its expiry in ms since the epoch. */
interface HeldLease {
  doc: string;
  site: string;
  holder: string;
  durationMs: number;
  expires: number;
}

function requestPromise<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// True if the lease record `lease` names `holder`. A missing record is
// not held: only its holder deletes it, so another tab took the site and
// let it go.
function holds(lease: unknown, holder: string): boolean {
  return (lease as { holder?: unknown } | undefined)?.holder === holder;
}

function errorKind(error: DOMException | null): OfflineErrorKind {
  return error?.name === "QuotaExceededError" ? "quota" : "write";
}

/** A connection to the op log database. */
export class IdbBackend {
  #db: IDBDatabase | null;
  readonly #name: string;
  readonly #onError: (error: OfflineError) => void;
  readonly #inFlight = new Set<Promise<void>>();
  #closedReported = false;
  #lease: HeldLease | null = null;
  #leaseLost = false;

  private constructor(db: IDBDatabase, name: string, onError: (error: OfflineError) => void) {
    this.#db = db;
    this.#name = name;
    this.#onError = onError;
    db.onversionchange = () => {
      // Another tab upgrades the database: let it, and keep the document
      // in memory.
      db.close();
      this.#db = null;
      this.#closedReported = true;
      onError({
        kind: "versionchange",
        message: `IndexedDB database ${JSON.stringify(name)} was closed because another tab opened version ${SCHEMA_VERSION + 1} or later; edits are no longer saved offline in this tab, reload it to save them again`,
      });
    };
    db.onclose = () => {
      this.#db = null;
    };
  }

  /**
   * Opens (creating or upgrading) the database. Rejects with an Error when
   * IndexedDB is missing or when another tab blocks the upgrade, after
   * reporting a "blocked" event.
   */
  static open(
    name: string,
    onError: (error: OfflineError) => void,
    version: number = SCHEMA_VERSION,
  ): Promise<IdbBackend> {
    if (typeof indexedDB === "undefined") {
      const message = "IndexedDB is not available here, so edits are not saved offline";
      onError({ kind: "unavailable", message });
      return Promise.reject(new Error(message));
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const request = indexedDB.open(name, version);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("sites")) db.createObjectStore("sites", { keyPath: ["doc", "site"] });
        if (!db.objectStoreNames.contains("pending")) db.createObjectStore("pending", { keyPath: ["doc", "site", "seq"] });
        if (!db.objectStoreNames.contains("ops")) db.createObjectStore("ops", { keyPath: ["doc", "revision"] });
        if (!db.objectStoreNames.contains("snapshots")) db.createObjectStore("snapshots", { keyPath: "doc" });
        if (!db.objectStoreNames.contains("leases")) db.createObjectStore("leases", { keyPath: ["doc", "site"] });
        if (!db.objectStoreNames.contains("history")) db.createObjectStore("history", { keyPath: ["doc", "site"] });
      };
      request.onblocked = () => {
        settled = true;
        const message = `opening IndexedDB database ${JSON.stringify(name)} at version ${version} is blocked by another tab that keeps an older version open; close that tab or reload it`;
        onError({ kind: "blocked", message });
        reject(new Error(message));
      };
      request.onsuccess = () => {
        if (settled) {
          // The open was reported as blocked and the caller went on
          // without it.
          request.result.close();
          return;
        }
        settled = true;
        resolve(new IdbBackend(request.result, name, onError));
      };
      request.onerror = () => {
        settled = true;
        const message = `failed to open IndexedDB database ${JSON.stringify(name)}: ${request.error?.message ?? "unknown error"}`;
        onError({ kind: errorKind(request.error), message });
        reject(new Error(message));
      };
    });
  }

  /** True while the connection is open. */
  get isOpen(): boolean {
    return this.#db !== null;
  }

  /** The state of the site lease taken with `takeLease`. */
  get leaseState(): LeaseState {
    if (this.#leaseLost) return "lost";
    if (this.#lease === null) return "none";
    return Date.now() < this.#lease.expires ? "held" : "unconfirmed";
  }

  /** Loads every record of document `doc`. */
  async load(doc: string): Promise<StoredRecords> {
    const db = this.#requireOpen();
    const tx = db.transaction(["sites", "pending", "ops", "snapshots", "history"], "readonly");
    const range = IDBKeyRange.bound([doc], [doc, []]);
    const [sites, pending, ops, snapshot, history] = await Promise.all([
      requestPromise(tx.objectStore("sites").getAll(range)),
      requestPromise(tx.objectStore("pending").getAll(range)),
      requestPromise(tx.objectStore("ops").getAll(range)),
      requestPromise(tx.objectStore("snapshots").get(doc)),
      requestPromise(tx.objectStore("history").getAll(range)),
    ]);
    return {
      sites: sites.map((r) => ({ site: r.site, nextSeq: r.nextSeq })),
      pending: pending.map((r) => ({ site: r.site, seq: r.seq, value: r.value })),
      ops: ops.map((r) => ({ revision: r.revision, value: r.value })),
      snapshot: snapshot ? { revision: snapshot.revision, value: snapshot.value } : null,
      history: history.map((r) => ({ site: r.site, value: r.value })),
    };
  }

  /**
   * Runs a batch of writes in one transaction, started at once: nothing is
   * held back to throttle writes. Failures are reported as error events.
   * Under a lease taken with `takeLease`, the same transaction first
   * checks that this connection still holds it and renews it. When
   * another tab holds it, nothing is written: the connection reports a
   * "lease" error and closes, so that it never overwrites the pending
   * operations that the other tab adopted.
   */
  write(writes: LogWrite[]): Promise<void> {
    const db = this.#db;
    if (db === null) {
      if (!this.#closedReported) {
        this.#closedReported = true;
        this.#onError({
          kind: "closed",
          message: `IndexedDB database ${JSON.stringify(this.#name)} is closed; edits are kept in memory only`,
        });
      }
      return Promise.resolve();
    }
    let done: Promise<void>;
    try {
      const lease = this.#lease;
      const tx = db.transaction(lease === null ? DATA_STORES : [...DATA_STORES, "leases"], "readwrite");
      let leaseTaken = false;
      let renewedUntil = 0;
      if (lease === null) {
        for (const write of writes) this.#run(tx, write);
      } else {
        // The check and the writes share one transaction, which IndexedDB
        // orders against the other tab's takeLease: either these writes
        // land before the other tab loads the site, or they do not land.
        const leases = tx.objectStore("leases");
        const current = leases.get([lease.doc, lease.site]);
        current.onsuccess = () => {
          if (!holds(current.result, lease.holder)) {
            leaseTaken = true;
            tx.abort();
            return;
          }
          renewedUntil = Date.now() + lease.durationMs;
          leases.put({ doc: lease.doc, site: lease.site, holder: lease.holder, expires: renewedUntil });
          for (const write of writes) this.#run(tx, write);
        };
      }
      done = new Promise<void>((resolve) => {
        tx.oncomplete = () => {
          if (lease !== null) lease.expires = Math.max(lease.expires, renewedUntil);
          resolve();
        };
        tx.onabort = () => {
          if (leaseTaken) {
            this.#loseLease(lease!);
            resolve();
            return;
          }
          this.#onError({
            kind: errorKind(tx.error),
            message: `failed to save ${writes.length} change(s) to IndexedDB database ${JSON.stringify(this.#name)}: ${tx.error?.name ?? "AbortError"}: ${tx.error?.message ?? "the transaction was aborted"}`,
          });
          resolve();
        };
      });
    } catch (error) {
      const e = error as DOMException;
      this.#onError({
        kind: errorKind(e),
        message: `failed to save ${writes.length} change(s) to IndexedDB database ${JSON.stringify(this.#name)}: ${e.name}: ${e.message}`,
      });
      return Promise.resolve();
    }
    this.#inFlight.add(done);
    void done.then(() => this.#inFlight.delete(done));
    return done;
  }

  /** Resolves when every write started so far has finished or failed. */
  async flush(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  /** Closes the connection after the writes in flight. */
  close(): void {
    this.#db?.close();
    this.#db = null;
    this.#closedReported = true;
  }

  /**
   * Takes the lease of the first site in `sites` whose lease is missing or
   * expired, or else of `fresh`, for `holder` until `now + durationMs`.
   * One transaction, so two tabs never take the same site. Returns the
   * site taken. Later writes of this connection check and renew the
   * lease.
   */
  async takeLease(doc: string, sites: string[], fresh: string, holder: string, durationMs: number): Promise<string> {
    const db = this.#requireOpen();
    const tx = db.transaction("leases", "readwrite");
    const store = tx.objectStore("leases");
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error ?? new Error("the lease transaction was aborted"));
    });
    const now = Date.now();
    let chosen = fresh;
    for (const site of sites) {
      const lease = (await requestPromise(store.get([doc, site]))) as { expires: number } | undefined;
      if (lease === undefined || lease.expires < now) {
        chosen = site;
        break;
      }
    }
    const expires = now + durationMs;
    store.put({ doc, site: chosen, holder, expires });
    await done;
    this.#lease = { doc, site: chosen, holder, durationMs, expires };
    this.#leaseLost = false;
    return chosen;
  }

  /**
   * Extends the lease of `site` if `holder` still holds it. Resolves to
   * false when another holder took it, which happens only after the
   * lease expired, or when the lease record is gone, which happens only
   * after another holder took it and let it go. When that lease is the
   * one taken with `takeLease`, the connection then reports a "lease"
   * error and closes.
   */
  async renewLease(doc: string, site: string, holder: string, durationMs: number): Promise<boolean> {
    const db = this.#requireOpen();
    const tx = db.transaction("leases", "readwrite");
    const store = tx.objectStore("leases");
    const lease = await requestPromise(store.get([doc, site]));
    const stillHeld = holds(lease, holder);
    const expires = Date.now() + durationMs;
    if (stillHeld) store.put({ doc, site, holder, expires });
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error ?? new Error("the lease transaction was aborted"));
    });
    const own = this.#lease;
    if (own !== null && own.doc === doc && own.site === site && own.holder === holder) {
      if (stillHeld) own.expires = Math.max(own.expires, expires);
      else this.#loseLease(own);
    }
    return stillHeld;
  }

  /**
   * Renews the lease taken with `takeLease` now. Resolves to true while
   * this connection holds it or holds none, and to false once it was
   * lost or the connection closed, which can no longer renew it (both
   * reported as a "lease" error).
   */
  async confirmLease(): Promise<boolean> {
    const lease = this.#lease;
    if (this.#leaseLost) return false;
    if (lease === null) return true;
    if (this.#db === null) {
      // Without a connection the lease cannot be renewed, so another tab
      // may adopt the site once it expires.
      this.#reportLeaseLost(
        lease,
        `the IndexedDB connection closed, so this tab can no longer renew its ${lease.durationMs} ms lease on site ${lease.site} of document ${JSON.stringify(lease.doc)}, and another tab may take the site over once it expires`,
      );
      return false;
    }
    return this.renewLease(lease.doc, lease.site, lease.holder, lease.durationMs);
  }

  /** Gives up the lease of `site` if `holder` holds it. */
  async releaseLease(doc: string, site: string, holder: string): Promise<void> {
    const db = this.#requireOpen();
    const tx = db.transaction("leases", "readwrite");
    const store = tx.objectStore("leases");
    const lease = await requestPromise(store.get([doc, site]));
    if (holds(lease, holder)) store.delete([doc, site]);
    await new Promise<void>((resolve) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => resolve();
    });
    if (this.#lease?.site === site && this.#lease.holder === holder) this.#lease = null;
  }

  // Reports once that another tab took the site and closes the
  // connection, which keeps later writes from reaching the store.
  #loseLease(lease: HeldLease): void {
    this.#reportLeaseLost(
      lease,
      `another tab took over site ${lease.site} of document ${JSON.stringify(lease.doc)} because this tab did not renew its ${lease.durationMs} ms lease in time, after a suspension or throttled timers. That tab now keeps the pending operations this tab had saved. This tab no longer saves edits, so edits made here from now on stay in memory only`,
    );
  }

  // Marks the lease as lost, closes the connection and reports `message`
  // once as a "lease" error.
  #reportLeaseLost(lease: HeldLease, message: string): void {
    if (this.#leaseLost) return;
    this.#leaseLost = true;
    this.#db?.close();
    this.#db = null;
    this.#closedReported = true;
    this.#onError({ kind: "lease", message });
  }

  #run(tx: IDBTransaction, write: LogWrite): void {
    switch (write.kind) {
      case "put":
        tx.objectStore(write.store).put(write.record);
        break;
      case "deleteRange":
        tx.objectStore(write.store).delete(IDBKeyRange.bound(write.lower, write.upper));
        break;
      case "putSnapshot": {
        // Keep the newest snapshot when two tabs of one document save.
        const store = tx.objectStore("snapshots");
        const existing = store.get(write.record.doc);
        existing.onsuccess = () => {
          const current = existing.result as { revision: number } | undefined;
          if (!current || current.revision < write.record.revision) store.put(write.record);
        };
        break;
      }
    }
  }

  #requireOpen(): IDBDatabase {
    if (this.#db === null) {
      throw new Error(`IndexedDB database ${JSON.stringify(this.#name)} is closed`);
    }
    return this.#db;
  }
}
