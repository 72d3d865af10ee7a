// The run cache's IndexedDB backend (browsers), through idb. One database per namespace, two stores: small
// entries (the history list reads only these) and payloads; every change is one transaction over both, so a
// tab that crashes mid-write leaves nothing half-written, and tabs sharing the database see whole entries.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RunCacheEntry, RunRecord } from './record.js';
import { evictionOrder, type RunStore } from './store.js';

/** Bump with a new `if (oldVersion < N)` step in `upgrade`; never edit a step that has shipped. */
export const CACHE_SCHEMA_VERSION = 1;
const STORES = ['entries', 'payloads'] as const;
/** Attempts at one write when storage keeps reporting its quota exceeded (each after evicting more). */
const QUOTA_ATTEMPTS = 4;
/** How long an open may stay blocked by another tab before this tab does without the database. */
const BLOCKED_GRACE_MS = 1000;

/** A payload as stored: the packed arrays as a Blob, which Chromium reads back several times faster than a cloned buffer. */
interface StoredPayload {
  json: string;
  data: Blob;
}

interface CacheSchema extends DBSchema {
  entries: { key: string; value: RunCacheEntry };
  payloads: { key: string; value: StoredPayload };
}

/** The database name of a namespace: prefixed so it never meets the host page's own databases. */
export function cacheDatabaseName(namespace: string): string {
  return `foliolab-cache:${namespace}`;
}

function isQuotaError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: string }).name === 'QuotaExceededError';
}

export class IdbRunStore implements RunStore {
  readonly kind = 'indexeddb' as const;
  private db: Promise<IDBPDatabase<CacheSchema>> | undefined;
  private closed = false;

  private constructor(readonly name: string) {}

  /** Opens (creating or upgrading) the namespace's database; rejects when IndexedDB is unusable here. */
  static async open(namespace: string): Promise<IdbRunStore> {
    const store = new IdbRunStore(cacheDatabaseName(namespace));
    await store.connection();
    return store;
  }

  /**
   * Rejects when the open stays blocked for `BLOCKED_GRACE_MS`: a tab running older code that never closes its
   * connection would otherwise hold every run of this one waiting on its cache. The open carries on, and its
   * connection is closed if it ever arrives.
   */
  private blockedGuard(): { blocked: () => void; guard: Promise<never> } {
    let blocked = () => {};
    const guard = new Promise<never>((_, reject) => {
      blocked = () => setTimeout(() => reject(new Error(`run cache ${this.name}: opening is blocked by another tab`)), BLOCKED_GRACE_MS);
    });
    guard.catch(() => {});
    return { blocked, guard };
  }

  /**
   * The open database, reopened after another tab's upgrade closed it. `blocking`: a newer version is being
   * opened elsewhere (another tab, a newer widget bundle), so this connection closes rather than hold it up.
   */
  private connection(): Promise<IDBPDatabase<CacheSchema>> {
    if (this.closed) return Promise.reject(new Error(`run cache ${this.name} is closed`));
    if (this.db) return this.db;
    const { blocked, guard } = this.blockedGuard();
    const opening = openDB<CacheSchema>(this.name, CACHE_SCHEMA_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('entries', { keyPath: 'key' });
          db.createObjectStore('payloads');
        }
      },
      blocked,
      blocking: () => this.drop(),
      terminated: () => (this.db = undefined),
    });
    const db = Promise.race([opening, guard]);
    this.db = db;
    db.catch(() => {
      if (this.db === db) this.db = undefined;
      void opening.then((late) => late.close(), () => {});
    });
    return db;
  }

  private drop(): void {
    const db = this.db;
    this.db = undefined;
    void db?.then((d) => d.close(), () => {});
  }

  async read(key: string, now: number): Promise<RunRecord | undefined> {
    const db = await this.connection();
    const tx = db.transaction(STORES, 'readonly');
    const [entry, payload] = await Promise.all([tx.objectStore('entries').get(key), tx.objectStore('payloads').get(key), tx.done]);
    if (!entry || !payload) {
      // Half of a record (a foreign write, or storage that lost part of it) is removed, never shown.
      if (entry || payload) await this.delete(key);
      return undefined;
    }
    // Recency is bookkeeping: written in its own transaction, not waited for (a failure only ages the entry).
    const touched = { ...entry, lastUsed: now };
    void this.touch(key, now, touched).catch(() => {});
    // Whatever is not a blob (a foreign or damaged value) reads as an empty payload, which fails its checksum.
    const data = payload.data instanceof Blob ? await payload.data.arrayBuffer() : new ArrayBuffer(0);
    return { ...touched, payload: { json: String(payload.json), data } };
  }

  async write(record: RunRecord, budget: number): Promise<boolean> {
    if (record.size > budget) return false;
    const { payload, ...entry } = record;
    const stored: StoredPayload = { json: payload.json, data: new Blob([payload.data]) };
    for (let attempt = 0; attempt < QUOTA_ATTEMPTS; attempt++) {
      const tx = (await this.connection()).transaction(STORES, 'readwrite');
      const done = tx.done;
      done.catch(() => {}); // awaited below; an abort must not also surface as an unhandled rejection
      try {
        const entries = tx.objectStore('entries');
        const payloads = tx.objectStore('payloads');
        const requests: Promise<unknown>[] = [];
        for (const key of evictionOrder(await entries.getAll(), record.size, budget, record.key)) requests.push(entries.delete(key), payloads.delete(key));
        requests.push(payloads.put(stored, record.key), entries.put(entry));
        await Promise.all([...requests, done]);
        return true;
      } catch (e) {
        try {
          tx.abort(); // a synchronous throw leaves the transaction live: abort it so nothing of this attempt commits
        } catch {
          // already finished or aborted
        }
        if (!isQuotaError(e) && !isQuotaError(tx.error)) throw e;
        if (!(await this.evictForQuota(record.key))) return false;
      }
    }
    return false;
  }

  /** After a quota error: removes the older half of the entries (at least one). False when there was nothing to remove. */
  private async evictForQuota(keep: string): Promise<boolean> {
    const tx = (await this.connection()).transaction(STORES, 'readwrite');
    const all = (await tx.objectStore('entries').getAll()).filter((e) => e.key !== keep).sort((a, b) => a.lastUsed - b.lastUsed);
    const victims = all.slice(0, Math.max(1, Math.ceil(all.length / 2)));
    await Promise.all([...victims.flatMap((e) => [tx.objectStore('entries').delete(e.key), tx.objectStore('payloads').delete(e.key)]), tx.done]);
    return victims.length > 0;
  }

  async touch(key: string, now: number, entry?: RunCacheEntry): Promise<void> {
    const tx = (await this.connection()).transaction('entries', 'readwrite');
    const current = entry ?? (await tx.store.get(key));
    if (current) await Promise.all([tx.store.put({ ...current, lastUsed: now }), tx.done]);
    else await tx.done;
  }

  async entries(): Promise<RunCacheEntry[]> {
    return (await this.connection()).getAll('entries');
  }

  async delete(key: string): Promise<void> {
    const tx = (await this.connection()).transaction(STORES, 'readwrite');
    await Promise.all([tx.objectStore('entries').delete(key), tx.objectStore('payloads').delete(key), tx.done]);
  }

  async clear(): Promise<void> {
    const tx = (await this.connection()).transaction(STORES, 'readwrite');
    await Promise.all([tx.objectStore('entries').clear(), tx.objectStore('payloads').clear(), tx.done]);
  }

  close(): void {
    this.drop();
    this.closed = true;
  }
}
