// The run cache's in-memory backend: where IndexedDB is absent (Node, workerd, Deno) or could not be opened.
// Lives as long as the process; the same LRU budget as the IndexedDB backend.
import type { RunCacheEntry, RunRecord } from './record.js';
import { evictionOrder, type RunStore } from './store.js';

/** Own arrays in and out, as IndexedDB's structured clone gives: a caller changing its result cannot change the cache. */
function copied(record: RunRecord): RunRecord {
  return { ...record, payload: { json: record.payload.json, data: record.payload.data.slice(0) } };
}

export class MemoryRunStore implements RunStore {
  readonly kind = 'memory' as const;
  private readonly records = new Map<string, RunRecord>();

  async read(key: string, now: number): Promise<RunRecord | undefined> {
    const record = this.records.get(key);
    if (!record) return undefined;
    record.lastUsed = now;
    return copied(record);
  }

  async write(record: RunRecord, budget: number): Promise<boolean> {
    if (record.size > budget) return false;
    for (const key of evictionOrder([...this.records.values()], record.size, budget, record.key)) this.records.delete(key);
    this.records.set(record.key, copied(record));
    return true;
  }

  async touch(key: string, now: number): Promise<void> {
    const record = this.records.get(key);
    if (record) record.lastUsed = now;
  }

  async entries(): Promise<RunCacheEntry[]> {
    return [...this.records.values()].map(({ payload: _payload, ...entry }) => entry);
  }

  async delete(key: string): Promise<void> {
    this.records.delete(key);
  }

  async clear(): Promise<void> {
    this.records.clear();
  }

  close(): void {}
}
