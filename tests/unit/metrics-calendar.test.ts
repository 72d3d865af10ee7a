// Calendar metrics at the seams, against hand-worked numbers: capital flows on the first and last bar of
// a day, an ISO week and a month (after-hours bars past UTC midnight included), statistics of bars longer
// than a day on the real weekly file, and break-even trades.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/analytics/metrics.js';
import { periodReturns } from '../../src/analytics/returns.js';
import { extractTrades } from '../../src/analytics/trades.js';
import { parseCsv } from '../../src/data/csv.js';
import type { Fill } from '../../src/engine/records.js';

/** New York wall clock in winter (EST = UTC−5) as an instant. */
const est = (month: number, day: number, hour: number, minute = 0) => Date.UTC(2024, month - 1, day, hour + 5, minute);

describe('daily, weekly and monthly returns with capital flows at the edges of periods', () => {
  // Three bars a day: 09:30, 16:00 and an after-hours 19:30 EST, which is 00:30 UTC of the next day.
  // Wed Jan 31 (last day of a month), Thu Feb 1, Fri Feb 2 (last weekday of ISO week 5), Mon Feb 5.
  const days: Array<[number, number]> = [[1, 31], [2, 1], [2, 2], [2, 5]];
  const timestamps = Float64Array.from(days.flatMap(([m, d]) => [est(m, d, 9, 30), est(m, d, 16), est(m, d, 19, 30)]));
  // Equity at each close, flows included (initial capital 1000):
  //  Jan 31: 1010, 1020, then 1030 by the market and +50 deposited at the day's (and month's) LAST bar → 1080
  //  Feb 1:  1090 by the market and −80 withdrawn at the day's FIRST bar → 1010; 1020; 1030
  //  Feb 2:  1030, 1040, then 1050 by the market and +100 at the last bar of the day and of the week → 1150
  //  Feb 5:  1150, 1150, 1161.5
  const equity = Float64Array.of(1010, 1020, 1080, 1010, 1020, 1030, 1030, 1040, 1150, 1150, 1150, 1161.5);
  const flows = [{ step: 2, amount: 50 }, { step: 3, amount: -80 }, { step: 8, amount: 100 }];
  // Daily returns r = (E_last − F_day) / E_last(previous day) − 1:
  const r1 = (1080 - 50) / 1000 - 1; // 0.03 — the deposit is not a gain (a bug counting it would say +8 %)
  const r2 = (1030 + 80) / 1080 - 1; // 0.02777…
  const r3 = (1150 - 100) / 1030 - 1; // 0.01941…
  const r4 = 1161.5 / 1150 - 1; // 0.01

  it('computeMetrics: one return per New York day, flows on the first and last bars left out', () => {
    const m = computeMetrics({ timestamps, equity, gross: new Float64Array(12), fills: [], symbols: [], initialCapital: 1000, flows });
    expect(m.days).toBe(4);
    expect(m.bestDay).toBeCloseTo(r1, 14);
    expect(m.worstDay).toBeCloseTo(r4, 14);
    expect(m.winningDaysPct).toBe(1);
    expect(m.monthlyReturns.map((x) => [x.year, x.month])).toEqual([[2024, 1], [2024, 2]]);
    expect(m.monthlyReturns[0].return).toBeCloseTo(r1, 14);
    expect(m.monthlyReturns[1].return).toBeCloseTo((1 + r2) * (1 + r3) * (1 + r4) - 1, 14);
    // Mean and sample std of the four days by hand, annualized by √252.
    const mean = (r1 + r2 + r3 + r4) / 4;
    const std = Math.sqrt(((r1 - mean) ** 2 + (r2 - mean) ** 2 + (r3 - mean) ** 2 + (r4 - mean) ** 2) / 3);
    expect(m.dailyVolatility).toBeCloseTo(std * Math.sqrt(252), 12);
    expect(m.statisticsPeriod).toBe('day');
    // Rolling Sharpe over windows of 2 days: mean / sample std · √252 of each pair of consecutive days.
    const pair = (a: number, b: number) => ((a + b) / 2 / (Math.abs(a - b) / Math.SQRT2)) * Math.sqrt(252);
    const rolling = computeMetrics({ timestamps, equity, gross: new Float64Array(12), fills: [], symbols: [], initialCapital: 1000, flows },
      { rollingWindow: 2 }).rollingSharpe;
    expect(Array.from(rolling.timestamps)).toEqual([timestamps[5], timestamps[8], timestamps[11]]);
    [pair(r1, r2), pair(r2, r3), pair(r3, r4)].forEach((v, k) => expect(rolling.values[k]).toBeCloseTo(v, 9));
  });

  it('periodReturns: the same days; the week and the months net of the flows inside them', () => {
    const portfolio = { id: 'p', timestamps, equity, initialCapital: 1000, flows };
    const daily = periodReturns([portfolio], { frequency: 'daily' });
    expect(daily.labels).toEqual(['2024-01-31', '2024-02-01', '2024-02-02', '2024-02-05']);
    [r1, r2, r3, r4].forEach((r, k) => expect(daily.returns.p[k]).toBeCloseTo(r, 14));
    const weekly = periodReturns([portfolio], { frequency: 'weekly' });
    expect(weekly.labels).toEqual(['2024-W05', '2024-W06']);
    expect(weekly.returns.p[0]).toBeCloseTo((1150 - (50 - 80 + 100)) / 1000 - 1, 14); // 0.08
    expect(weekly.returns.p[1]).toBeCloseTo(r4, 14);
    const monthly = periodReturns([portfolio], { frequency: 'monthly' });
    expect(monthly.labels).toEqual(['2024-01', '2024-02']);
    expect(monthly.returns.p[0]).toBeCloseTo(r1, 14);
    expect(monthly.returns.p[1]).toBeCloseTo((1161.5 - (-80 + 100)) / 1080 - 1, 14);
  });

  it('in UTC the after-hours bars belong to the next day (the zone decides, not the timestamps alone)', () => {
    const daily = periodReturns([{ id: 'p', timestamps, equity, initialCapital: 1000, flows }], { frequency: 'daily', timeZone: 'UTC' });
    expect(daily.labels).toEqual(['2024-01-31', '2024-02-01', '2024-02-02', '2024-02-03', '2024-02-05', '2024-02-06']);
  });
});

describe('bars longer than a day (real weekly file)', () => {
  it('computes the "daily" statistics per bar, annualized by 52, and says so', () => {
    const text = readFileSync(new URL('../fixtures/real/2006-week-001.txt', import.meta.url), 'utf8');
    const bars = parseCsv(text, { symbol: 'IDX' }).series.IDX;
    const close = Array.from(bars.close);
    const n = close.length;
    expect(n).toBe(52);
    // A buy-and-hold of 100 units from the first close: equity 100·close, so r_0 = 0 and r_t = c_t / c_{t−1} − 1.
    const equity = Float64Array.from(close, (c) => 100 * c);
    const m = computeMetrics({ timestamps: bars.timestamp, equity, gross: equity, fills: [], symbols: ['IDX'], initialCapital: 100 * close[0] });
    expect(m.annualization.frequency).toBe('weekly');
    expect(m.statisticsPeriod).toBe('bar');
    expect(m.statisticsPerYear).toBe(52);
    expect(m.days).toBe(52);
    const r = close.map((c, t) => (t === 0 ? 0 : c / close[t - 1] - 1));
    const mean = r.reduce((a, x) => a + x, 0) / n;
    const std = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
    expect(m.dailyVolatility).toBeCloseTo(std * Math.sqrt(52), 12); // not × √252: 0.115-like figures for a 0.05 volatility
    expect(m.dailyVolatility).toBeCloseTo(m.annualizedVolatility, 12);
    expect(m.bestDay).toBeCloseTo(Math.max(...r), 14);
    // var95 of one week: −(5th percentile), linear interpolation between order statistics.
    const sorted = [...r].sort((a, b) => a - b);
    const h = (n - 1) * 0.05;
    const q = sorted[Math.floor(h)] + (h - Math.floor(h)) * (sorted[Math.floor(h) + 1] - sorted[Math.floor(h)]);
    expect(m.var95).toBeCloseTo(-q, 14);
  });
});

describe('break-even trades', () => {
  /** Round trips of 100 shares at a per-share commission of 0.01 (1.00 a fill). */
  const roundTrip = (step: number, entry: number, exit: number, seq: number): Fill[] => [
    { step, symbol: 0, quantity: 100, price: entry, commission: 1, realized: 0, orderSeq: seq },
    { step: step + 1, symbol: 0, quantity: -100, price: exit, commission: 1, realized: 100 * (exit - entry), orderSeq: seq + 1 },
  ];
  // A one-cent move pays exactly the two commissions: 100 × 0.02 − 2 = 0, but 100·(10.02 − 10) − 2 is −4.3e−14 in doubles.
  const fills = [...roundTrip(0, 10, 10.02, 1), ...roundTrip(2, 10, 10.5, 3), ...roundTrip(4, 10, 9.9, 5)];

  it('counts a trade within rounding noise of zero as neither a win nor a loss', () => {
    expect(100 * (10.02 - 10) - 2).not.toBe(0); // the noise the rule exists for
    const m = computeMetrics({ timestamps: Float64Array.from({ length: 8 }, (_, i) => est(1, 2 + i, 16)), equity: new Float64Array(8).fill(1000),
      gross: new Float64Array(8), fills, symbols: ['X'], initialCapital: 1000 });
    expect(m.trades).toBe(3);
    expect(m.winRate).toBe(1 / 3); // the +48 trade only
    expect(m.averageWin).toBe(48); // 100 × 0.50 − 2
    expect(m.averageLoss).toBeCloseTo(-12, 12); // 100 × (−0.10) − 2
    expect(m.profitFactor).toBeCloseTo(4, 12);
    expect(m.averageTrade).toBeCloseTo((0 + 48 - 12) / 3, 12);
    const trades = extractTrades(fills, ['X']);
    expect(trades.map((t) => t.netPnl === 0)).toEqual([true, false, false]);
  });

  it('still counts the smallest real P&L, a cent on one share, as a win', () => {
    const cent: Fill[] = [
      { step: 0, symbol: 0, quantity: 1, price: 10, commission: 0, realized: 0, orderSeq: 1 },
      { step: 1, symbol: 0, quantity: -1, price: 10.01, commission: 0, realized: 10.01 - 10, orderSeq: 2 },
    ];
    const m = computeMetrics({ timestamps: Float64Array.of(est(1, 2, 16), est(1, 3, 16)), equity: Float64Array.of(1000, 1000.01),
      gross: new Float64Array(2), fills: cent, symbols: ['X'], initialCapital: 1000 });
    expect(m.winRate).toBe(1);
  });
});
