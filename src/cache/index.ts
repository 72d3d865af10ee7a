// The run cache's public surface: open a cache, run through it, list and manage its entries.
export { DEFAULT_CACHE_BUDGET, openRunCache, RunCache, runCached } from './cache.js';
export type { CachedRun, RunCacheChange, RunCacheOptions } from './cache.js';
export { canonicalJson, dataFingerprint, ENGINE_VERSION, runKey } from './key.js';
export type { KeyedRunOptions } from './key.js';
export type { RunCacheEntry } from './record.js';
