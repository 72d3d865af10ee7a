// Aligning several symbols on the union of their timestamps (alignBars), the shape the engine steps through.
import type { AlignedBars, Bars, SymbolBars } from './bars.js';

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Aligns symbols on the union of their timestamps. A symbol with no bar at a step has NaN in every
 * field there (volume and extra columns included); an extra column that a symbol lacks is all NaN.
 * Symbols default to `bars.symbols`, in that order.
 *
 * When all selected symbols share the same timestamps (one symbol, or generated data) the result
 * reuses the input arrays without copying: treat both as read-only.
 *
 * @example
 * ```ts
 * const aligned = alignBars(parseCsv(text), ['SPY', 'IWM']);
 * aligned.close[1][step]; // IWM's close at aligned.timestamps[step], NaN if IWM has no bar then
 * ```
 */
export function alignBars(bars: Bars, symbols: string[] = bars.symbols): AlignedBars {
  const selected: SymbolBars[] = [];
  const seen = new Set<string>();
  for (const symbol of symbols) {
    const series = Object.prototype.hasOwnProperty.call(bars.series, symbol) ? bars.series[symbol] : undefined;
    if (series === undefined) throw new Error(`unknown symbol "${symbol}"; the data has ${bars.symbols.join(', ') || 'no symbols'}`);
    if (seen.has(symbol)) throw new Error(`symbol "${symbol}" is requested twice`);
    seen.add(symbol);
    selected.push(series);
  }
  const columnNames: string[] = [];
  for (const series of selected) {
    for (const name of Object.keys(series.columns ?? {})) if (!columnNames.includes(name)) columnNames.push(name);
  }

  const timestamps = selected.length === 0 ? new Float64Array(0) : sharedTimestamps(selected);
  if (timestamps !== null) {
    // Same steps for everyone: nothing to move.
    const length = timestamps.length;
    const aligned = emptyAligned(timestamps, symbols, columnNames);
    for (const series of selected) {
      for (const field of FIELDS) aligned[field].push(series[field]);
      for (const name of columnNames) aligned.columns[name].push(series.columns?.[name] ?? nanArray(length));
    }
    return aligned;
  }

  const union = mergeTimestamps(selected);
  const length = union.length;
  const aligned = emptyAligned(union, symbols, columnNames);
  for (const series of selected) {
    const positions = positionsIn(union, series);
    const scatter = (source: Float64Array | undefined): Float64Array => {
      const target = nanArray(length);
      if (source !== undefined) for (let i = 0; i < positions.length; i++) target[positions[i]] = source[i];
      return target;
    };
    for (const field of FIELDS) aligned[field].push(scatter(series[field]));
    for (const name of columnNames) aligned.columns[name].push(scatter(series.columns?.[name]));
  }
  return aligned;
}

function emptyAligned(timestamps: Float64Array, symbols: string[], columnNames: string[]): AlignedBars {
  const columns: Record<string, Float64Array[]> = {};
  for (const name of columnNames) columns[name] = [];
  return { timestamps, symbols: symbols.slice(), open: [], high: [], low: [], close: [], volume: [], columns };
}

function nanArray(length: number): Float64Array {
  return new Float64Array(length).fill(NaN);
}

/** The common timestamp array when every series has the same timestamps, else null. */
function sharedTimestamps(selected: SymbolBars[]): Float64Array | null {
  const first = selected[0].timestamp;
  for (let k = 1; k < selected.length; k++) {
    const other = selected[k].timestamp;
    if (other === first) continue;
    if (other.length !== first.length) return null;
    for (let i = 0; i < first.length; i++) if (other[i] !== first[i]) return null;
  }
  assertIncreasing(selected[0]);
  return first;
}

function assertIncreasing(series: SymbolBars): void {
  const ts = series.timestamp;
  for (let i = 1; i < ts.length; i++) {
    if (!(ts[i] > ts[i - 1])) {
      throw new Error(`${series.symbol}: timestamps are not strictly increasing at index ${i} (${ts[i - 1]} then ${ts[i]})`);
    }
  }
}

/**
 * Union of sorted timestamp arrays: at each step take the smallest head and advance every series
 * at it. O(steps × symbols), the size of the aligned output anyway.
 */
function mergeTimestamps(selected: SymbolBars[]): Float64Array {
  for (const series of selected) assertIncreasing(series);
  const arrays = selected.map((s) => s.timestamp);
  const heads = new Int32Array(arrays.length);
  let remaining = 0;
  for (const a of arrays) remaining += a.length;
  const out = new Float64Array(remaining);
  let n = 0;
  while (remaining > 0) {
    let min = Infinity;
    for (let k = 0; k < arrays.length; k++) {
      if (heads[k] < arrays[k].length && arrays[k][heads[k]] < min) min = arrays[k][heads[k]];
    }
    out[n++] = min;
    for (let k = 0; k < arrays.length; k++) {
      if (heads[k] < arrays[k].length && arrays[k][heads[k]] === min) {
        heads[k]++;
        remaining--;
      }
    }
  }
  return n === out.length ? out : out.slice(0, n);
}

/** Index in `union` of each bar of `series` (both sorted, every timestamp present in the union). */
function positionsIn(union: Float64Array, series: SymbolBars): Int32Array {
  const ts = series.timestamp;
  const positions = new Int32Array(ts.length);
  let p = 0;
  for (let i = 0; i < ts.length; i++) {
    while (union[p] < ts[i]) p++;
    positions[i] = p++;
  }
  return positions;
}
