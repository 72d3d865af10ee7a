// Spec of alignBars: union of timestamps with NaN gaps (against hand-built expectations), symbol
// selection and errors, and the no-copy fast paths.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { alignBars } from '../../src/data/align.js';
import type { Bars, SymbolBars } from '../../src/data/bars.js';

function series(symbol: string, timestamp: number[], close: number[], columns?: Record<string, number[]>): SymbolBars {
  const f = (xs: number[]) => new Float64Array(xs);
  const bars: SymbolBars = {
    symbol,
    timestamp: f(timestamp),
    open: f(close.map((c) => c - 1)),
    high: f(close.map((c) => c + 2)),
    low: f(close.map((c) => c - 2)),
    close: f(close),
    volume: f(close.map((c) => c * 10)),
  };
  if (columns) bars.columns = Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, f(v)]));
  return bars;
}

function barsOf(...list: SymbolBars[]): Bars {
  return { symbols: list.map((s) => s.symbol), series: Object.fromEntries(list.map((s) => [s.symbol, s])) };
}

const N = NaN;

describe('alignBars', () => {
  const spy = series('SPY', [1000, 2000, 4000], [10, 11, 12], { signal: [1, 0, -1] });
  const iwm = series('IWM', [2000, 3000, 4000, 5000], [20, 21, 22, 23]);
  const bars = barsOf(spy, iwm);

  it('aligns on the union of timestamps with NaN where a symbol has no bar', () => {
    const aligned = alignBars(bars);
    expect(Array.from(aligned.timestamps)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(aligned.symbols).toEqual(['SPY', 'IWM']);
    expect(aligned.close.map((a) => Array.from(a))).toEqual([
      [10, 11, N, 12, N],
      [N, 20, 21, 22, 23],
    ]);
    expect(aligned.open.map((a) => Array.from(a))).toEqual([
      [9, 10, N, 11, N],
      [N, 19, 20, 21, 22],
    ]);
    expect(aligned.high.map((a) => Array.from(a))).toEqual([
      [12, 13, N, 14, N],
      [N, 22, 23, 24, 25],
    ]);
    expect(aligned.low.map((a) => Array.from(a))).toEqual([
      [8, 9, N, 10, N],
      [N, 18, 19, 20, 21],
    ]);
    expect(aligned.volume.map((a) => Array.from(a))).toEqual([
      [100, 110, N, 120, N],
      [N, 200, 210, 220, 230],
    ]);
    // a column only SPY has: aligned for SPY, all NaN for IWM
    expect(Object.keys(aligned.columns)).toEqual(['signal']);
    expect(aligned.columns.signal.map((a) => Array.from(a))).toEqual([
      [1, 0, N, -1, N],
      [N, N, N, N, N],
    ]);
    // the input is untouched
    expect(Array.from(spy.close)).toEqual([10, 11, 12]);
  });

  it('follows the requested symbols and their order', () => {
    const aligned = alignBars(bars, ['IWM', 'SPY']);
    expect(aligned.symbols).toEqual(['IWM', 'SPY']);
    expect(aligned.close.map((a) => Array.from(a))).toEqual([
      [N, 20, 21, 22, 23],
      [10, 11, N, 12, N],
    ]);
  });

  it('merges three symbols with disjoint and overlapping steps', () => {
    const aligned = alignBars(barsOf(series('A', [5, 9], [1, 2]), series('B', [1, 9, 12], [3, 4, 5]), series('C', [2, 3], [6, 7])));
    expect(Array.from(aligned.timestamps)).toEqual([1, 2, 3, 5, 9, 12]);
    expect(aligned.close.map((a) => Array.from(a))).toEqual([
      [N, N, N, 1, 2, N],
      [3, N, N, N, 4, 5],
      [N, 6, 7, N, N, N],
    ]);
  });

  it('handles a symbol without bars', () => {
    const aligned = alignBars(barsOf(series('A', [], []), series('B', [1, 2], [3, 4])));
    expect(Array.from(aligned.timestamps)).toEqual([1, 2]);
    expect(aligned.close.map((a) => Array.from(a))).toEqual([
      [N, N],
      [3, 4],
    ]);
  });

  it('names the unknown symbol and what the data has', () => {
    expect(() => alignBars(bars, ['SPY', 'QQQ'])).toThrow('unknown symbol "QQQ"; the data has SPY, IWM');
    expect(() => alignBars(bars, ['toString'])).toThrow('unknown symbol "toString"; the data has SPY, IWM');
    expect(() => alignBars(bars, ['SPY', 'SPY'])).toThrow('symbol "SPY" is requested twice');
  });

  it('refuses timestamps that are not strictly increasing', () => {
    const bad = barsOf(series('A', [1, 3, 2], [1, 1, 1]), series('B', [2], [1]));
    expect(() => alignBars(bad)).toThrow('A: timestamps are not strictly increasing at index 2 (3 then 2)');
    expect(() => alignBars(barsOf(series('A', [1, 1], [1, 1])))).toThrow('A: timestamps are not strictly increasing at index 1 (1 then 1)');
  });

  it('reuses the arrays of a single symbol (no copy)', () => {
    const aligned = alignBars(bars, ['SPY']);
    expect(aligned.timestamps).toBe(spy.timestamp);
    expect(aligned.close[0]).toBe(spy.close);
    expect(aligned.open[0]).toBe(spy.open);
    expect(aligned.volume[0]).toBe(spy.volume);
    expect(aligned.columns.signal[0]).toBe(spy.columns!.signal);
  });

  it('reuses the arrays when every symbol has the same timestamps', () => {
    const a = series('A', [1, 2, 3], [1, 2, 3]);
    const b = series('B', [1, 2, 3], [4, 5, 6], { signal: [1, 1, 1] });
    const aligned = alignBars(barsOf(a, b));
    expect(aligned.timestamps).toBe(a.timestamp);
    expect(aligned.close[1]).toBe(b.close);
    expect(Array.from(aligned.columns.signal[0])).toEqual([N, N, N]);
    expect(aligned.columns.signal[1]).toBe(b.columns!.signal);
  });

  it('gives an empty alignment for no symbols', () => {
    const aligned = alignBars(bars, []);
    expect(aligned.timestamps.length).toBe(0);
    expect(aligned.close).toEqual([]);
  });

  it('matches a set-based union on random data', () => {
    const times = fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 60 });
    fc.assert(
      fc.property(fc.array(times, { minLength: 1, maxLength: 5 }), (sets) => {
        const list = sets.map((set, k) => {
          const sorted = [...set].sort((x, y) => x - y);
          return series(`S${k}`, sorted, sorted.map((t) => t * 100 + k + 1));
        });
        const aligned = alignBars(barsOf(...list));
        const union = [...new Set(sets.flat())].sort((x, y) => x - y);
        expect(Array.from(aligned.timestamps)).toEqual(union);
        list.forEach((s, k) => {
          const members = new Set(sets[k]);
          expect(Array.from(aligned.close[k])).toEqual(union.map((t) => (members.has(t) ? t * 100 + k + 1 : N)));
        });
      }),
      { numRuns: 150 },
    );
  });
});
