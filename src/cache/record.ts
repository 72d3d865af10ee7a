// A run result as a cache record: its plain values as one JSON text and its typed arrays kept whole (IndexedDB
// stores them by structured clone, compactly), with a SHA-256 checksum over both so a damaged record is caught.
import type { RunConfig } from '../config/schema.js';
import { revive, type PortfolioOk, type RunResult } from '../workflow/run.js';
import type { SystemFailure } from '../workflow/executor.js';
import type { FillColumns, SystemOutcome } from '../workflow/system.js';
import { sha256Hex } from './key.js';

/** The stored form of a run: every typed array of the result is in `arrays`, referenced from `json` by index. */
export interface RunPayload {
  json: string;
  arrays: Float64Array[];
}

/** What a cache entry says about itself, without its payload (the history list). */
export interface RunCacheEntry {
  key: string;
  /** A name for people: the workflow name unless the caller gave one. */
  label: string;
  /** When it was stored and last opened (ms since epoch). */
  createdAt: number;
  lastUsed: number;
  /** Bytes of the payload (JSON text as UTF-16 units × 2 plus the arrays' bytes): what the size budget counts. */
  size: number;
  /** SHA-256 over the payload, checked on every read. */
  checksum: string;
}

/** An entry with its payload. */
export interface RunRecord extends RunCacheEntry {
  payload: RunPayload;
}

const ARRAY_TAG = '$f64';
const NUMBER_TAG = '$num';

/** The fields of a portfolio that ran, as a worker returns them (the getters of PortfolioOk are derived). */
function outcomeOf(p: PortfolioOk): SystemOutcome {
  const fills = Object.fromEntries((['step', 'symbol', 'quantity', 'price', 'commission', 'realized', 'orderSeq'] as const)
    .map((f) => [f, p.fills.column(f)])) as unknown as FillColumns;
  return {
    status: 'ok', portfolioId: p.portfolioId, namespace: p.namespace, initialCapital: p.initialCapital, symbols: p.symbols,
    sampledAt: p.sampledAt, equity: p.equity, cash: p.cash, gross: p.gross, finalEquity: p.finalEquity, flows: p.flows,
    metrics: p.metrics, fills: p.fills.length ? fills : undefined, fillCount: p.fillCount, recordData: p.recordData,
    positions: p.positions, halted: p.halted,
  };
}

/** The payload of a finished run. Runs with a failed portfolio are not cached (a failure may be transient). */
export function encodeRun(result: RunResult): RunPayload {
  const arrays: Float64Array[] = [];
  const portfolios: Record<string, SystemOutcome> = {};
  for (const [id, p] of Object.entries(result.portfolios)) {
    if (p.status !== 'ok') throw new Error(`portfolio "${id}" failed: a run with failures is not cached`);
    portfolios[id] = outcomeOf(p);
  }
  const plain = { name: result.name, timestamps: result.timestamps, symbols: result.symbols, executor: result.executor,
    rebalances: result.rebalances, warnings: result.warnings, portfolios };
  const json = JSON.stringify(plain, function (this: unknown, _key, value: unknown) {
    if (value instanceof Float64Array) {
      arrays.push(value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : value.slice());
      return { [ARRAY_TAG]: arrays.length - 1 };
    }
    if (ArrayBuffer.isView(value)) throw new TypeError(`encodeRun: unexpected ${value.constructor.name} at "${_key}"`);
    if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return { [NUMBER_TAG]: Object.is(value, -0) ? '-0' : String(value) };
    return value;
  });
  return { json, arrays };
}

/** Bytes the payload occupies, for the size budget. */
export function payloadSize(payload: RunPayload): number {
  return payload.json.length * 2 + payload.arrays.reduce((n, a) => n + a.byteLength, 0);
}

/** SHA-256 over the JSON text and every array's bytes, each preceded by its length so parts cannot shift. */
export function payloadChecksum(payload: RunPayload): Promise<string> {
  const parts: Array<string | ArrayBufferView> = [`${payload.json.length}:`, payload.json];
  for (const a of payload.arrays) parts.push(`\n${a.length}:`, a);
  return sha256Hex(parts);
}

/** Whether a value read back from storage has the shape of a payload (a partial write or a foreign value does not). */
export function isPayload(value: unknown): value is RunPayload {
  const p = value as RunPayload | undefined;
  return typeof p === 'object' && p !== null && typeof p.json === 'string' && Array.isArray(p.arrays) && p.arrays.every((a) => a instanceof Float64Array);
}

interface PlainRun extends Omit<RunResult, 'portfolios'> {
  portfolios: Record<string, SystemOutcome | SystemFailure>;
}

/** The run result of a payload (checked by the caller), revived as a fresh run would be for this config. */
export function decodeRun(payload: RunPayload, config: RunConfig): RunResult {
  const plain = JSON.parse(payload.json, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object') {
      const tagged = value as Record<string, unknown>;
      if (typeof tagged[ARRAY_TAG] === 'number') {
        const array = payload.arrays[tagged[ARRAY_TAG] as number];
        if (!array) throw new Error(`cache record refers to array ${tagged[ARRAY_TAG]}, which it does not hold`);
        return array;
      }
      if (typeof tagged[NUMBER_TAG] === 'string') return Number(tagged[NUMBER_TAG]);
    }
    return value;
  }) as PlainRun;
  const transfers = plain.rebalances.flatMap((d) => d.transfers);
  const portfolios: RunResult['portfolios'] = {};
  for (const [id, p] of Object.entries(plain.portfolios)) portfolios[id] = p.status === 'ok' ? revive(p, config, plain.timestamps, transfers) : p;
  return { ...plain, portfolios };
}
