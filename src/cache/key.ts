// Cache keys: SHA-256 (WebCrypto) of the canonical config, a fingerprint of the data and the engine version,
// so the same backtest on the same data with the same engine finds its stored result, and nothing else does.
import { ABI_VERSION } from '../../assembly/abi.js';
import type { RunConfig } from '../config/schema.js';
import type { AlignedBars, Bars } from '../data/bars.js';
import type { KeepOptions } from '../workflow/system.js';
import type { MetricsOptions } from '../analytics/metrics.js';
import type { TracingLevel } from '../engine/spec.js';

/**
 * The library release whose results a key stands for. A kernel or analytics change that alters results
 * without an ABI change ships in a new release, which moves every key.
 */
export const LIBRARY_VERSION = '0.1.0';
/** Part of every key: results of another engine are never served. */
export const ENGINE_VERSION = `foliolab ${LIBRARY_VERSION} abi ${ABI_VERSION}`;

/** The run options that change results (the executor, workers and progress do not). */
export interface KeyedRunOptions {
  tracing?: TracingLevel;
  keep?: KeepOptions;
  metrics?: MetricsOptions;
}

/**
 * JSON with object keys sorted at every level, so two configs that differ only in key order give one text.
 * Non-finite numbers and -0 are spelled out (JSON would turn them into null and 0).
 * @example canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) === '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return Object.is(value, -0) ? '"-0"' : JSON.stringify(value);
    return JSON.stringify(String(value));
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) throw new TypeError('canonicalJson: typed arrays are hashed as bytes, not as JSON');
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of the concatenated parts (text as UTF-8, arrays as their bytes), in lower-case hex. */
export async function sha256Hex(parts: Array<string | ArrayBufferView>): Promise<string> {
  const encoder = new TextEncoder();
  const chunks = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return hex(await crypto.subtle.digest('SHA-256', bytes));
}

const fingerprints = new WeakMap<object, Promise<string>>();

function isAligned(bars: Bars | AlignedBars): bars is AlignedBars {
  return (bars as AlignedBars).timestamps instanceof Float64Array;
}

/** Every array of the bars, named, in a fixed order (symbols and extra columns sorted by name). */
function barArrays(bars: Bars | AlignedBars): Array<string | ArrayBufferView> {
  const parts: Array<string | ArrayBufferView> = [];
  const columns = (owner: string, record: Record<string, Float64Array> | undefined) => {
    for (const name of Object.keys(record ?? {}).sort()) parts.push(`\n${owner}.${name}:${record![name].length}\n`, record![name]);
  };
  if (isAligned(bars)) {
    parts.push(`aligned ${canonicalJson(bars.symbols)}\n`, bars.timestamps);
    bars.symbols.forEach((symbol, s) => {
      parts.push(`\n${symbol}\n`, bars.open[s], bars.high[s], bars.low[s], bars.close[s], bars.volume[s]);
    });
    for (const name of Object.keys(bars.columns ?? {}).sort()) {
      bars.columns![name].forEach((column, s) => parts.push(`\ncolumn ${name}.${bars.symbols[s]}:${column.length}\n`, column));
    }
    return parts;
  }
  for (const symbol of [...bars.symbols].sort()) {
    const b = bars.series[symbol];
    parts.push(`\nsymbol ${JSON.stringify(symbol)}:${b.timestamp.length}\n`, b.timestamp, b.open, b.high, b.low, b.close, b.volume);
    columns(symbol, b.columns);
  }
  return parts;
}

/**
 * What the data of a run is: for generated data, its spec (already part of the config, so a constant);
 * for given bars, the SHA-256 of every value (remembered per bars object, which results treat as immutable).
 */
export function dataFingerprint(config: RunConfig, bars?: Bars | AlignedBars): Promise<string> {
  if (!bars) {
    if (config.data.source === 'generated') return Promise.resolve('generated');
    return Promise.reject(new Error('dataFingerprint: data.source is "csv", pass the bars'));
  }
  let known = fingerprints.get(bars);
  if (!known) {
    known = sha256Hex(barArrays(bars)).then((h) => `bars ${h}`);
    fingerprints.set(bars, known);
  }
  return known;
}

/**
 * The cache key of a run: SHA-256 of the canonical config (its non-fatal warnings left out), the data
 * fingerprint, the run options that change results, and the engine version.
 * @example
 *   const key = await runKey(loadConfig(yaml)); // generated data: no bars needed
 */
export async function runKey(config: RunConfig, bars?: Bars | AlignedBars, options: KeyedRunOptions = {}): Promise<string> {
  const { warnings: _warnings, ...meaning } = config;
  const keyed = { tracing: options.tracing, keep: options.keep, metrics: options.metrics };
  return sha256Hex([canonicalJson(meaning), '\n', await dataFingerprint(config, bars), '\n', canonicalJson(keyed), '\n', ENGINE_VERSION]);
}
