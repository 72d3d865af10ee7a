// The exchange calendar and per-portfolio timelines through whole runs on real files: monthly returns
// of a buy-and-hold from the CSV's own dates, a portfolio's metrics unchanged by another's symbols,
// rebalance months cut in New York, data.start and data.timezone reaching generated data.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { parseCsv } from '../../src/data/csv.js';
import type { Bars } from '../../src/data/bars.js';
import { calendarOf } from '../../src/data/calendar.js';
import { analyze } from '../../src/analytics/analyze.js';
import { rebalanceSteps } from '../../src/workflow/rebalance.js';
import { sampleSteps } from '../../src/workflow/system.js';
import { runBacktest, type PortfolioOk, type RunResult } from '../../src/workflow/run.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/real/${name}`, import.meta.url), 'utf8');
const ok = (r: RunResult, id: string) => r.portfolios[id] as PortfolioOk;

function barsOf(files: Record<string, string>): Bars {
  const bars: Bars = { symbols: [], series: {} };
  for (const [symbol, name] of Object.entries(files)) {
    bars.symbols.push(symbol);
    bars.series[symbol] = parseCsv(fixture(name), { symbol, fileName: name }).series[symbol];
  }
  return bars;
}

const portfolio = (id: string, symbol: string, strategy: string, sizer = '{ type: fixed, size: 100 }') => `
  - portfolio_id: ${id}
    initial_capital: 100000
    symbols: [${symbol}]
    strategy: ${strategy}
    risk: { position_sizers: [${sizer}], limits: [] }`;

describe('calendar months of a run', () => {
  it('gives a buy-and-hold the monthly returns a hand computation makes from the CSV dates', async () => {
    const config = loadConfig(`data: { source: csv, file_path: yhoo.csv, symbols: [YHOO] }
trading_systems:${portfolio('hold', 'YHOO', '{ type: buy_and_hold }')}`);
    const text = fixture('yhoo-2003-2005.txt');
    const result = await runBacktest(config, { bars: barsOf({ YHOO: 'yhoo-2003-2005.txt' }), executor: 'inline' });
    const p = ok(result, 'hold');
    // The oracle: months from the date text of each row ("2003-04-01" → "2003-04"), the month's last equity
    // over the previous month's last equity (the initial capital before the first month).
    const months = text.trim().split('\n').slice(1).map((line) => line.slice(0, 7));
    expect(p.equity.length).toBe(months.length);
    const expected: Array<{ year: number; month: number; return: number }> = [];
    let start = 100_000;
    for (let i = 0; i < months.length; i++) {
      if (i + 1 < months.length && months[i + 1] === months[i]) continue;
      const [year, month] = months[i].split('-').map(Number);
      expected.push({ year, month, return: p.equity[i] / start - 1 });
      start = p.equity[i];
    }
    expect(expected.length).toBe(36);
    expect(p.metrics.monthlyReturns.length).toBe(36);
    p.metrics.monthlyReturns.forEach((m, k) => {
      expect([m.year, m.month]).toEqual([expected[k].year, expected[k].month]);
      expect(m.return).toBeCloseTo(expected[k].return, 12);
    });
    // Daily labels of the analysis are the file's own dates (the first bar, 2003-01-02, a Thursday, is not 01-01).
    const a = analyze(result);
    expect(a.returns.labels!.slice(0, 3)).toEqual(['2003-01-02', '2003-01-03', '2003-01-06']);
  });

  it('rebalances monthly at the last bar of each month of the CSV dates (New York), not of UTC months', () => {
    const text = fixture('yhoo-2003-2005.txt');
    const months = text.trim().split('\n').slice(1).map((line) => line.slice(0, 7));
    const timestamps = parseCsv(text, { symbol: 'Y' }).series.Y.timestamp;
    const expected: number[] = [];
    for (let i = 0; i + 1 < months.length; i++) if (months[i + 1] !== months[i]) expected.push(i);
    expect(expected.length).toBe(35);
    expect(rebalanceSteps(timestamps, 'monthly', calendarOf('America/New_York'))).toEqual(expected);
    expect(rebalanceSteps(timestamps, 'monthly')).toEqual(expected); // New York is the default
    // Weeks: a step whose next row is in a later ISO week by the date text (Monday after a Friday, etc.).
    const day = (i: number) => Date.UTC(Number(text.split('\n')[i + 1].slice(0, 4)), Number(text.split('\n')[i + 1].slice(5, 7)) - 1, Number(text.split('\n')[i + 1].slice(8, 10))) / 86_400_000;
    const weekOf = (d: number) => Math.floor((d + 3) / 7);
    const weekly: number[] = [];
    for (let i = 0; i + 1 < months.length; i++) if (weekOf(day(i + 1)) !== weekOf(day(i))) weekly.push(i);
    expect(rebalanceSteps(timestamps, 'weekly')).toEqual(weekly);
  });
});

describe('keep.equity: daily', () => {
  it('keeps the last step of each exchange day: an after-hours bar past UTC midnight stays in its New York day', () => {
    // 09:30, 16:00 and 19:30 EST on Jan 2 and Jan 3 2024; 19:30 EST is 00:30 UTC of the next day.
    const est = (d: number, h: number, m = 0) => Date.UTC(2024, 0, d, h + 5, m);
    const ts = Float64Array.of(est(2, 9, 30), est(2, 16), est(2, 19, 30), est(3, 9, 30), est(3, 16), est(3, 19, 30));
    expect(Array.from(sampleSteps(ts, 'daily')!)).toEqual([2, 5]);
    expect(Array.from(sampleSteps(ts, 'daily', calendarOf('UTC'))!)).toEqual([1, 4, 5]);
  });
});

describe('per-portfolio timelines', () => {
  it('adding an unrelated symbol and its portfolio changes no metric, equity or trade of the first portfolio, bit for bit', async () => {
    const momentum = '{ type: momentum, parameters: { lookback_period: 20 } }';
    const alone = loadConfig(`data: { source: csv, file_path: nvda.csv, symbols: [NVDA] }
trading_systems:${portfolio('nvda', 'NVDA', momentum, '{ type: percentage, size: 0.5 }')}`);
    const beside = loadConfig(`data: { source: csv, files: { NVDA: nvda.csv, ORCL: orcl.csv } }
trading_systems:${portfolio('nvda', 'NVDA', momentum, '{ type: percentage, size: 0.5 }')}${portfolio('orcl', 'ORCL', momentum)}`);
    const one = await runBacktest(alone, { bars: barsOf({ NVDA: 'nvda-2014.txt' }), executor: 'inline' });
    const two = await runBacktest(beside, { bars: barsOf({ NVDA: 'nvda-2014.txt', ORCL: 'orcl-2003-2005.txt' }), executor: 'inline' });
    // ORCL's 2003–2005 bars come first: the run's timeline is three years longer than NVDA's 2014.
    expect(two.timestamps.length).toBe(one.timestamps.length + 756);
    const a = ok(one, 'nvda');
    const b = ok(two, 'nvda');
    expect(a.fillCount).toBeGreaterThan(4);
    expect(b.metrics).toStrictEqual(a.metrics);
    expect(Array.from(b.timestamps)).toEqual(Array.from(a.timestamps));
    expect(Array.from(b.equity)).toEqual(Array.from(a.equity));
    expect(b.finalEquity).toBe(a.finalEquity);
    // The cross-portfolio daily returns of NVDA start on its own first day, not on ORCL's.
    const cross = analyze(two);
    const first = cross.returns.returns.nvda.findIndex((r) => !Number.isNaN(r));
    expect(cross.returns.labels![first]).toBe('2014-01-02');
    // Years of NVDA's own steps: CAGR annualizes one year of bars, not four.
    expect(b.metrics.bars).toBe(252);
  });
});

describe('data options reaching the run', () => {
  it('data.start sets the first generated bar, in data.timezone', async () => {
    const config = (extra: string) => loadConfig(`data: { source: generated, symbols: [X], bars: 10, interval: 1h, ${extra} }
initial_capital: 1000
strategy: { type: buy_and_hold }
risk: { position_sizers: [{ type: fixed, size: 1 }] }`);
    const ny = await runBacktest(config('start: "2020-06-01"'), { executor: 'inline' });
    expect(ny.timestamps[0]).toBe(Date.UTC(2020, 5, 1, 13, 30)); // 09:30 EDT
    const utc = await runBacktest(config('start: "2020-06-01", timezone: UTC'), { executor: 'inline' });
    expect(utc.timestamps[0]).toBe(Date.UTC(2020, 5, 1, 9, 30));
    expect(utc.timeZone).toBe('UTC');
    const later = await runBacktest(config('start: "2021-03-15T12:00:00"'), { executor: 'inline' });
    expect(later.timestamps[0]).toBe(Date.UTC(2021, 2, 15, 16, 30)); // first bar at or after 12:00 EDT: 12:30 EDT
  });

  it('generated data without bars: one year of sessions (252 daily bars, 252 × 7 hourly)', () => {
    const cfg = (interval: string) => loadConfig(`data: { source: generated, symbols: [X], interval: ${interval} }
initial_capital: 1000
strategy: { type: momentum, parameters: { lookback_period: 5 } }
risk: { position_sizers: [{ type: fixed, size: 1 }] }`);
    expect((cfg('1d').data as { bars: number }).bars).toBe(252);
    expect((cfg('1h').data as { bars: number }).bars).toBe(252 * 7);
    const strategy = cfg('1d').tradingSystems[0].strategy as { momentumThreshold: number };
    expect(strategy.momentumThreshold).toBe(0);
  });
});
