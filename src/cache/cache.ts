// RunCache: finished runs stored under their content key (see key.ts), checked on every read, evicted least
// recently used first; IndexedDB in browsers, memory elsewhere. runCached opens a run from it or runs and stores it.
import type { RunConfig } from '../config/schema.js';
import type { AlignedBars, Bars } from '../data/bars.js';
import { abortError } from '../workflow/executor.js';
import { runBacktest, type RunOptions, type RunResult } from '../workflow/run.js';
import { runKey, type KeyedRunOptions } from './key.js';
import { MemoryRunStore } from './memory.js';
import { decodeRun, encodeRun, isPayload, payloadChecksum, payloadSize, type RunCacheEntry, type RunRecord } from './record.js';
import type { RunStore } from './store.js';

export interface RunCacheOptions {
  /** Separates caches (a docs page's widgets from the host page's own, one app from another). Default 'default'. */
  namespace?: string;
  /** Bytes the entries may use together; least recently used entries go first. Default 100 MB. */
  budgetBytes?: number;
  /** 'auto' (default): IndexedDB when this runtime has it and it opens, else memory. */
  backend?: 'auto' | 'memory' | 'indexeddb';
}

/** What changed in a cache, as told to `onChange` listeners (in this tab and, for IndexedDB, in the others). */
export interface RunCacheChange {
  type: 'put' | 'delete' | 'clear';
  key?: string;
}

export const DEFAULT_CACHE_BUDGET = 100 * 1024 * 1024;
/** Bytes of decoded results a RunCache keeps at hand (by their entries' sizes). */
const HOT_BYTES = 32 * 1024 * 1024;
const NAMESPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/**
 * Stored runs of one namespace. Reads verify the record's checksum: a damaged or partial record is deleted
 * and reads as a miss. Writes never fail a run: a record that does not fit is simply not stored.
 * The runs this instance stored or read last are also kept decoded (up to HOT_BYTES), so going back to a
 * run seen in this page costs no read; they leave with their entry's delete or clear, here or in another tab.
 * @example
 *   const cache = await openRunCache({ namespace: 'docs' });
 *   const { result, fromCache } = await runCached(cache, loadConfig(yaml));
 */
export class RunCache {
  private readonly listeners = new Set<(change: RunCacheChange) => void>();
  private readonly channel: BroadcastChannel | undefined;
  /** Recently stored or read results, least recent first. */
  private readonly hot = new Map<string, { result: RunResult; size: number }>();

  constructor(private readonly store: RunStore, readonly namespace: string, readonly budgetBytes: number = DEFAULT_CACHE_BUDGET) {
    if (store.kind === 'indexeddb' && typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(`foliolab-cache:${namespace}`);
      this.channel.onmessage = (event: MessageEvent<RunCacheChange>) => {
        this.forget(event.data);
        this.emit(event.data, false);
      };
    }
  }

  /** Where entries live: 'indexeddb' persists across reloads; 'memory' lasts as long as this page or process. */
  get kind(): RunStore['kind'] {
    return this.store.kind;
  }

  /** The key a run of this config on these bars (none for generated data) would be stored under. */
  key(config: RunConfig, bars?: Bars | AlignedBars, options?: KeyedRunOptions): Promise<string> {
    return runKey(config, bars, options);
  }

  /** The stored run, revived for `config` (the config it was keyed by), or undefined on a miss or a damaged record. */
  async get(key: string, config: RunConfig): Promise<RunResult | undefined> {
    const known = this.hot.get(key);
    if (known) {
      this.remember(key, known.result, known.size);
      void this.store.touch(key, Date.now()).catch(() => {});
      return known.result;
    }
    let record: RunRecord | undefined;
    try {
      record = await this.store.read(key, Date.now());
    } catch {
      return undefined; // storage that fails to read (closed by a newer schema in another tab, say) is a miss, not a failed run
    }
    if (!record) return undefined;
    let result: RunResult | undefined;
    try {
      if (isPayload(record.payload) && payloadChecksum(record.payload) === record.checksum) result = decodeRun(record.payload, config);
    } catch {
      result = undefined; // a payload whose checksum matched but that does not decode is as damaged as one that did not match
    }
    if (!result) await this.delete(key).catch(() => {});
    else this.remember(key, result, record.size);
    return result;
  }

  /** Stores a finished run; false when it was not stored (a failed portfolio, larger than the budget, storage refused). */
  async put(key: string, result: RunResult, label = result.name): Promise<boolean> {
    let size = 0;
    try {
      const payload = encodeRun(result);
      const now = Date.now();
      size = payloadSize(payload);
      const record: RunRecord = { key, label, createdAt: now, lastUsed: now, size, checksum: payloadChecksum(payload), payload };
      if (!(await this.store.write(record, this.budgetBytes))) return false;
    } catch {
      return false; // the run stands without its cache entry
    }
    this.remember(key, result, size);
    this.emit({ type: 'put', key }, true);
    return true;
  }

  /** Every stored run, newest first (payloads are not read). */
  async list(): Promise<RunCacheEntry[]> {
    return (await this.store.entries()).sort((a, b) => b.createdAt - a.createdAt);
  }

  async delete(key: string): Promise<void> {
    this.hot.delete(key);
    await this.store.delete(key);
    this.emit({ type: 'delete', key }, true);
  }

  async clear(): Promise<void> {
    this.hot.clear();
    await this.store.clear();
    this.emit({ type: 'clear' }, true);
  }

  /** Calls `listener` on every change, including those made by other tabs on the same IndexedDB namespace. Returns the unsubscribe. */
  onChange(listener: (change: RunCacheChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.hot.clear();
    this.channel?.close();
    this.listeners.clear();
    this.store.close();
  }

  private remember(key: string, result: RunResult, size: number): void {
    this.hot.delete(key);
    if (size > HOT_BYTES) return;
    this.hot.set(key, { result, size });
    let total = 0;
    for (const e of this.hot.values()) total += e.size;
    for (const [k, e] of this.hot) {
      if (total <= HOT_BYTES) break;
      this.hot.delete(k);
      total -= e.size;
    }
  }

  private forget(change: RunCacheChange): void {
    if (change.type === 'clear') this.hot.clear();
    else if (change.type === 'delete' && change.key) this.hot.delete(change.key);
  }

  private emit(change: RunCacheChange, broadcast: boolean): void {
    for (const listener of this.listeners) listener(change);
    if (broadcast) this.channel?.postMessage(change);
  }
}

/**
 * Opens the run cache of a namespace: IndexedDB database `foliolab-cache:<namespace>` where IndexedDB works,
 * memory otherwise (Node, workerd; private modes that refuse IndexedDB; a database left by a newer schema).
 */
export async function openRunCache(options: RunCacheOptions = {}): Promise<RunCache> {
  const namespace = options.namespace ?? 'default';
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new RangeError(`run cache namespace: expected 1 to 64 letters, digits, "_", ".", ":" or "-", got ${JSON.stringify(namespace.slice(0, 100))}`);
  }
  const budget = options.budgetBytes ?? DEFAULT_CACHE_BUDGET;
  if (!(budget >= 0)) throw new RangeError(`run cache budgetBytes: expected a number ≥ 0, got ${budget}`);
  const backend = options.backend ?? 'auto';
  if (backend !== 'memory' && typeof indexedDB !== 'undefined') {
    try {
      const { IdbRunStore } = await import('./idb.js');
      return new RunCache(await IdbRunStore.open(namespace), namespace, budget);
    } catch (e) {
      if (backend === 'indexeddb') throw e;
    }
  } else if (backend === 'indexeddb') {
    throw new Error('run cache: IndexedDB is not available in this runtime');
  }
  return new RunCache(new MemoryRunStore(), namespace, budget);
}

/** A run, and whether it came from the cache. */
export interface CachedRun {
  result: RunResult;
  fromCache: boolean;
  key: string;
  /** Whether a fresh run was stored (always false on a hit). */
  stored: boolean;
}

/**
 * runBacktest through a cache: the stored result when this config, data and engine ran before, else a fresh
 * run, stored once it has finished. An aborted run rejects with an AbortError and stores nothing.
 * @example
 *   const { result, fromCache } = await runCached(cache, config, { bars, signal });
 */
export async function runCached(cache: RunCache, config: RunConfig, options: RunOptions & { label?: string } = {}): Promise<CachedRun> {
  if (options.signal?.aborted) throw abortError();
  const key = await cache.key(config, options.bars, options);
  const hit = await cache.get(key, config);
  if (hit) return { result: hit, fromCache: true, key, stored: false };
  const result = await runBacktest(config, options);
  if (options.signal?.aborted) throw abortError();
  const stored = await cache.put(key, result, options.label);
  return { result, fromCache: false, key, stored };
}
