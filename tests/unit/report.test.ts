// src/report without a browser: the embedded-data codec (typed arrays, non-finite numbers, nothing that
// can close a <script>), compaction keeping every series' extremes, trades rebuilt from fills, OHLC
// aggregation, and the page around it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { alignBars } from '../../src/data/align.js';
import { generateBars } from '../../src/data/generate.js';
import { aggregateOhlc, compactReportData, decodeData, encodeData, keptIndices, renderReport, reportData, reportFileName, withTrades } from '../../src/report/index.js';
import { runBacktest } from '../../src/workflow/run.js';
import { readFile } from 'node:fs/promises';

describe('encodeData / decodeData', () => {
  it('round-trips Float64Arrays bit for bit, NaN and ±Infinity, nested values', () => {
    fc.assert(fc.property(fc.array(fc.double()), fc.string(), (values, text) => {
      const value = { a: Float64Array.from(values), b: [{ c: text, d: NaN, e: -Infinity }], f: Infinity, g: null };
      const back = decodeData<typeof value>(encodeData(value));
      expect(back.a).toBeInstanceOf(Float64Array);
      expect(back.a.length).toBe(values.length);
      back.a.forEach((v, i) => expect(Object.is(v, values[i]), `${v} vs ${values[i]}`).toBe(true));
      expect(back.b[0].c).toBe(text);
      expect(back.b[0].d).toBeNaN();
      expect(back.b[0].e).toBe(-Infinity);
      expect(back.f).toBe(Infinity);
      expect(back.g).toBeNull();
    }));
  });

  it('writes no <, > or & (so </script> and <!-- in the data cannot end the element)', () => {
    const text = encodeData({ id: '</script><script>alert(1)</script><!-- & \u2028' });
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(decodeData<{ id: string }>(text).id).toBe('</script><script>alert(1)</script><!-- & \u2028');
  });
});

describe('keptIndices', () => {
  it('keeps the first and last index and every series\' bucket extremes (hand-worked case)', () => {
    // 10 steps, maxPoints 6: 2 buckets of the interior 1..8, each keeps its min and max of each series.
    const a = Float64Array.of(5, 1, 9, 3, 3, 3, 2, 8, 4, 5);
    const b = Float64Array.of(0, 0, 0, 0, 7, 0, 0, 0, 0, -1);
    // buckets: 1..4 and 5..8. a: min 1 (i=1) max 9 (i=2); min 2 (i=6) max 8 (i=7). b: max 7 (i=4), min 0 (i=1); max/min 0 (i=5).
    expect(Array.from(keptIndices([a, b], 0, 10, 6))).toEqual([0, 1, 2, 4, 5, 6, 7, 9]);
  });

  it('a series\' global min and max survive any reduction (property)', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 5, maxLength: 400 }), fc.integer({ min: 4, max: 50 }), (values, max) => {
      const y = Float64Array.from(values);
      const kept = Array.from(keptIndices([y], 0, y.length, max), (i) => y[i]);
      expect(Math.min(...kept)).toBe(Math.min(...values));
      expect(Math.max(...kept)).toBe(Math.max(...values));
    }));
  });
});

describe('aggregateOhlc', () => {
  it('first open, highest high, lowest low, last close per bucket; NaN bars skipped', () => {
    const bars = {
      time: Float64Array.of(0, 1, 2, 3, 4, 5), open: Float64Array.of(10, 11, 12, 13, NaN, 15),
      high: Float64Array.of(12, 14, 13, 16, NaN, 17), low: Float64Array.of(9, 10, 11, 12, NaN, 14), close: Float64Array.of(11, 12, 13, 14, NaN, 16),
    };
    const c = aggregateOhlc(bars, 0, 6, 2);
    expect(Array.from(c.time)).toEqual([0, 3]);
    expect(Array.from(c.open)).toEqual([10, 13]);
    expect(Array.from(c.high)).toEqual([14, 17]);
    expect(Array.from(c.low)).toEqual([9, 12]);
    expect(Array.from(c.close)).toEqual([13, 16]);
  });
});

describe('reportData, compactReportData, renderReport', async () => {
  const config = loadConfig(await readFile(new URL('../fixtures/seed-config.yaml', import.meta.url), 'utf8'));
  const raw = generateBars({ symbols: ['SPY'], bars: 6_000, interval: '1m', seed: 5 });
  const bars = alignBars(raw, ['SPY']);
  const result = await runBacktest(config, { bars, executor: 'inline' });

  it('compacts every timeline series to the same kept steps, keeping each one\'s extremes and the full-run metrics', () => {
    const full = reportData(result, { bars, config });
    const small = compactReportData(full, { maxPoints: 200 });
    expect(small.decimatedFrom).toBe(6_000);
    expect(small.timeline.length).toBeLessThan(6_000);
    for (const [k, p] of full.portfolios.entries()) {
      const q = small.portfolios[k];
      expect(q.equity.length).toBe(small.timeline.length);
      expect(Math.min(...q.underwater)).toBe(Math.min(...p.underwater));
      expect(Math.max(...q.equity)).toBe(Math.max(...p.equity));
      expect(q.metrics).toBe(p.metrics);
    }
    // The timeline is the run's timestamps at the kept steps.
    const at = Array.from(small.timeline, (t) => result.timestamps.indexOf(t));
    expect(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1]))).toBe(true);
    expect(Array.from(small.combined.equity)).toEqual(at.map((i) => full.combined.equity[i]));
  });

  it('spends a byte budget on resolution: every bar when it fits, else the most points that do', () => {
    const full = reportData(result, { bars, config });
    const series = 1 + 2 + 3 * 2 + 1 + 2 + 1; // 13: timeline, combined ×2, 3 per portfolio, benchmark, 2 contributions and their sum
    const everyBar = compactReportData(full, { curveBytes: 6_000 * series * 11 });
    expect(everyBar.timeline.length).toBe(6_000);
    expect(everyBar.decimatedFrom).toBeUndefined();
    const budget = 800_000; // every bar needs 6 000 × 13 × 32/3 = 832 000 bytes
    const some = compactReportData(full, { curveBytes: budget });
    expect(some.timeline.length).toBeLessThan(6_000);
    expect((some.timeline.length * series * 32) / 3).toBeLessThanOrEqual(budget);
    const floor = compactReportData(full, { maxPoints: 2_000 }).timeline.length;
    expect(some.timeline.length).toBeGreaterThan(floor);
    // Below 2 000 points per series nothing is given up: a budget too small for it gets the 2 000.
    expect(compactReportData(full, { curveBytes: 1_000 }).timeline.length).toBe(floor);
  });

  it('rebuilds exactly the run\'s trades from the embedded fills', () => {
    const small = decodeData<ReturnType<typeof reportData>>(encodeData(compactReportData(reportData(result, { bars }), { maxPoints: 100, tradesFromFills: true })));
    expect(small.portfolios[0].trades).toEqual([]);
    const rebuilt = withTrades(small);
    for (const p of rebuilt.portfolios) {
      const run = result.portfolios[p.id];
      if (run.status !== 'ok') throw new Error('failed');
      expect(run.trades.length).toBeGreaterThan(5);
      expect(p.trades).toEqual(run.trades);
    }
  });

  it('renders a page with the bundle inlined, a CSP that forbids fetches, and the title escaped', () => {
    const html = renderReport(result, { bars, config, title: 'a <b> & "c"', generatedAt: 'x' });
    expect(html).toContain('<title>a &#60;b&#62; &#38; &#34;c&#34;</title>');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('customElements');
    expect(html.match(/<\/script>/g)!.length).toBe(2); // the data element's and the bundle's own ends only
    expect(() => renderReport(result, { kind: 'portfolio', portfolioId: 'nope' })).toThrow(/portfolioId, one of momentum_portfolio, mean_reversion_portfolio; got nope/);
  });

  it('takes the bars aligned or as parsed, and refuses bars of another run', () => {
    const fromRaw = reportData(result, { bars: raw });
    expect(Array.from(fromRaw.prices!.bySymbol.SPY.close)).toEqual(Array.from(raw.series.SPY.close));
    expect(Array.from(fromRaw.benchmark!.equity)).toEqual(Array.from(reportData(result, { bars }).benchmark!.equity));
    const other = alignBars(generateBars({ symbols: ['SPY'], bars: 100, interval: '1m', seed: 5 }), ['SPY']);
    expect(() => reportData(result, { bars: other })).toThrow('the bars have 100 steps, the run 6000');
  });

  it('names report files safely', () => {
    expect(reportFileName('a/b\\..')).toBe('a_b_...html');
    expect(reportFileName('..')).toBe('_...html');
    expect(reportFileName('<img src=x>')).toBe('_img_src_x_.html');
  });
});
