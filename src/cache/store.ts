// The storage port of the run cache: what a backend (memory, IndexedDB) must do. Keys, encoding, checksums and
// the decision to drop a damaged record live above it, in RunCache, once for every backend.
import type { RunCacheEntry, RunRecord } from './record.js';

export interface RunStore {
  /** 'memory' or 'indexeddb'; 'memory' also when IndexedDB could not be opened. */
  readonly kind: 'memory' | 'indexeddb';
  /** The record under `key` (its lastUsed moved to now), or undefined. A record missing its payload reads as undefined and is removed. */
  read(key: string, now: number): Promise<RunRecord | undefined>;
  /**
   * Stores the record, first evicting the least recently used entries so the total stays within `budget`
   * bytes (and again, then retrying, when storage reports its quota exceeded). Returns false when the
   * record could not be stored (larger than the budget, or nothing left to evict); never throws for space.
   */
  write(record: RunRecord, budget: number): Promise<boolean>;
  /** Moves the entry's lastUsed to now (a hit served without reading the record). */
  touch(key: string, now: number): Promise<void>;
  /** Every entry without its payload, in no particular order. */
  entries(): Promise<RunCacheEntry[]>;
  delete(key: string): Promise<void>;
  clear(): Promise<void>;
  close(): void;
}

/** Keys of the entries to evict, least recently used first, so that `incoming` more bytes fit in `budget`. */
export function evictionOrder(entries: RunCacheEntry[], incoming: number, budget: number, keep?: string): string[] {
  let total = entries.reduce((n, e) => n + (e.key === keep ? 0 : e.size), 0);
  const victims: string[] = [];
  for (const e of [...entries].sort((a, b) => a.lastUsed - b.lastUsed || a.createdAt - b.createdAt)) {
    if (total + incoming <= budget) break;
    if (e.key === keep) continue;
    victims.push(e.key);
    total -= e.size;
  }
  return victims;
}
