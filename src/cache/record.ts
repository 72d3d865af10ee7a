// A run result as a cache record: its plain values as one JSON text and every typed array packed into one
// buffer (IndexedDB keeps it as one blob, which reads back far faster than cloned arrays), with a checksum over
// both so a damaged or partial record is caught.
import type { RunConfig } from '../config/schema.js';
import { revive, type PortfolioOk, type RunResult } from '../workflow/run.js';
import type { SystemFailure } from '../workflow/executor.js';
import type { FillColumns, SystemOutcome } from '../workflow/system.js';

/** The stored form of a run: every typed array of the result is packed in `data`, referenced from `json` by [offset, length] in f64s. */
export interface RunPayload {
  json: string;
  data: ArrayBuffer;
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
  /** Checksum over the payload (see payloadChecksum), checked on every read. */
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
  const fills: FillColumns = p.fills.columns;
  return {
    status: 'ok', portfolioId: p.portfolioId, namespace: p.namespace, initialCapital: p.initialCapital, symbols: p.symbols,
    sampledAt: p.sampledAt, equity: p.equity, cash: p.cash, gross: p.gross, finalEquity: p.finalEquity, flows: p.flows,
    metrics: p.metrics, fills: p.fills.length ? fills : undefined, fillCount: p.fillCount, recordData: p.recordData,
    positions: p.positions, halted: p.halted, bankrupt: p.bankrupt,
  };
}

/** The payload of a finished run. Runs with a failed portfolio are not cached (a failure may be transient). */
export function encodeRun(result: RunResult): RunPayload {
  const arrays: Float64Array[] = [];
  let f64s = 0;
  const portfolios: Record<string, SystemOutcome> = {};
  for (const [id, p] of Object.entries(result.portfolios)) {
    if (p.status !== 'ok') throw new Error(`portfolio "${id}" failed: a run with failures is not cached`);
    portfolios[id] = outcomeOf(p);
  }
  const plain = { name: result.name, timestamps: result.timestamps, symbols: result.symbols, executor: result.executor,
    rebalances: result.rebalances, warnings: result.warnings, portfolios };
  const json = JSON.stringify(plain, (key, value: unknown) => {
    if (value instanceof Float64Array) {
      arrays.push(value);
      f64s += value.length;
      return { [ARRAY_TAG]: [f64s - value.length, value.length] };
    }
    if (ArrayBuffer.isView(value)) throw new TypeError(`encodeRun: unexpected ${value.constructor.name} at "${key}"`);
    if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return { [NUMBER_TAG]: Object.is(value, -0) ? '-0' : String(value) };
    return value;
  });
  const packed = new Float64Array(f64s);
  let at = 0;
  for (const a of arrays) {
    packed.set(a, at);
    at += a.length;
  }
  return { json, data: packed.buffer };
}

/** Bytes the payload occupies, for the size budget. */
export function payloadSize(payload: RunPayload): number {
  return payload.json.length * 2 + payload.data.byteLength;
}

/** MurmurHash3 (x86, 32-bit) of 32-bit words: fast enough in plain JS for megabytes on every read. */
export function murmur3(words: ArrayLike<number>, count: number, seed: number): number {
  let h = seed;
  for (let i = 0; i < count; i++) {
    let k = Math.imul(words[i], 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= count * 4;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A checksum of the payload: its sizes and two MurmurHash3 lanes over the packed arrays and one over the JSON
 * text. It detects damage and truncation, not tampering by someone who recomputes it (keys are SHA-256;
 * this only guards what storage gives back), and costs a few milliseconds per megabyte rather than SHA-256's tens.
 */
export function payloadChecksum(payload: RunPayload): string {
  const words = new Uint32Array(payload.data, 0, payload.data.byteLength >>> 2);
  const chars = new Uint16Array(payload.json.length);
  for (let i = 0; i < chars.length; i++) chars[i] = payload.json.charCodeAt(i);
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  return `m3:${payload.data.byteLength}:${payload.json.length}:${hex(murmur3(words, words.length, 0x9747b28c))}${hex(murmur3(words, words.length, 0x5bd1e995))}${hex(murmur3(chars, chars.length, 0))}`;
}

/** Whether a value read back from storage has the shape of a payload (a partial write or a foreign value does not). */
export function isPayload(value: unknown): value is RunPayload {
  const p = value as RunPayload | undefined;
  return typeof p === 'object' && p !== null && typeof p.json === 'string' && p.data instanceof ArrayBuffer && p.data.byteLength % 8 === 0;
}

interface PlainRun extends Omit<RunResult, 'portfolios'> {
  portfolios: Record<string, SystemOutcome | SystemFailure>;
}

/**
 * The run result of a payload (checked by the caller), revived as a fresh run would be for this config. Its
 * arrays are views of the payload's one buffer (no copy: a hit opens in milliseconds); transferring one
 * array's buffer to a worker would take the others with it, so copy (`slice()`) before transferring.
 */
export function decodeRun(payload: RunPayload, config: RunConfig): RunResult {
  const plain = JSON.parse(payload.json, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object') {
      const tagged = value as Record<string, unknown>;
      const at = tagged[ARRAY_TAG];
      if (Array.isArray(at)) {
        const [offset, length] = at as [number, number];
        if (!(offset >= 0 && length >= 0 && (offset + length) * 8 <= payload.data.byteLength)) {
          throw new Error(`cache record refers to f64s ${offset}..${offset + length}, beyond its ${payload.data.byteLength / 8}`);
        }
        return new Float64Array(payload.data, offset * 8, length);
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
