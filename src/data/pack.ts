// Aligned bars packed into one buffer, so they cross to a worker once: shared (read-only by
// convention) where SharedArrayBuffer is allowed, else transferred. Views over it are AlignedBars again.
import type { AlignedBars } from './bars.js';

export interface PackedBars {
  buffer: ArrayBuffer | SharedArrayBuffer;
  steps: number;
  symbols: string[];
  columnNames: string[];
}

/** True where a SharedArrayBuffer can be posted to a worker (Node; browsers when crossOriginIsolated). */
export function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const g = globalThis as { crossOriginIsolated?: boolean; window?: unknown };
  return g.window === undefined || g.crossOriginIsolated === true;
}

/** Packs the given symbols (default all) of aligned bars, in the given symbol order. */
export function packBars(bars: AlignedBars, options: { symbols?: string[]; shared?: boolean } = {}): PackedBars {
  const symbols = options.symbols ?? bars.symbols;
  const index = symbols.map((s) => {
    const i = bars.symbols.indexOf(s);
    if (i < 0) throw new Error(`packBars: unknown symbol "${s}"`);
    return i;
  });
  const columnNames = Object.keys(bars.columns);
  const steps = bars.timestamps.length;
  const arrays = 1 + symbols.length * (5 + columnNames.length);
  const bytes = arrays * steps * 8;
  const buffer = options.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const target = new Float64Array(buffer);
  let offset = 0;
  const put = (a: Float64Array) => {
    target.set(a, offset);
    offset += steps;
  };
  put(bars.timestamps);
  for (const field of [bars.open, bars.high, bars.low, bars.close, bars.volume]) for (const i of index) put(field[i]);
  for (const name of columnNames) for (const i of index) put(bars.columns[name][i]);
  return { buffer, steps, symbols, columnNames };
}

/** AlignedBars viewing a packed buffer (no copy). */
export function unpackBars(packed: PackedBars): AlignedBars {
  const { buffer, steps, symbols, columnNames } = packed;
  let offset = 0;
  const next = () => {
    const view = new Float64Array(buffer, offset * 8, steps);
    offset += steps;
    return view;
  };
  const timestamps = next();
  const field = () => symbols.map(() => next());
  const open = field();
  const high = field();
  const low = field();
  const close = field();
  const volume = field();
  const columns = Object.fromEntries(columnNames.map((name) => [name, field()]));
  return { timestamps, symbols, open, high, low, close, volume, columns };
}
