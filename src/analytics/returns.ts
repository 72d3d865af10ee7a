// Period returns of many portfolios, net of capital flows, aligned on calendar periods of an exchange
// time zone (bar, daily, ISO week, month; the zone's rules live in src/data/calendar.ts) and the equity-book alignment.
import { calendarOf, DEFAULT_TIME_ZONE, periodKeyLabel, periodKeyOfDay, type ExchangeCalendar } from '../data/calendar.js';

export { zoneOffset, type ZoneOffset } from '../data/calendar.js';

/** One portfolio's equity curve as the cross-portfolio analytics read it. */
export interface PortfolioSeries {
  id: string;
  /** Timestamp (ms since epoch, strictly increasing) of each equity sample. */
  timestamps: Float64Array;
  /** Equity at the close of each sample; already includes the flows of that sample's step. */
  equity: Float64Array;
  /** Equity before the first bar (the start value of the first period). */
  initialCapital: number;
  /** Capital moved in (+) or out (−) at the close of a step (by a rebalancer). */
  flows?: ReadonlyArray<{ step: number; amount: number }>;
  /**
   * Steps of the run's timeline the samples were taken at (a run with `keep.equity` other than 'bar').
   * Flow steps are on that timeline, so a flow belongs to the first sample at or after its step.
   * Undefined: sample k is step k.
   */
  sampledAt?: Float64Array;
}

export type ReturnFrequency = 'bar' | 'daily' | 'weekly' | 'monthly';

/** Return series of several portfolios on one axis of periods. */
export interface SeriesSet {
  ids: string[];
  /** One series per id, all of the same length; NaN where a portfolio has no return for that period. */
  returns: Record<string, Float64Array>;
  /** Each portfolio's last equity (used for default capital-share weights). */
  lastEquity?: Record<string, number>;
}

export interface ReturnSeries extends SeriesSet {
  frequency: ReturnFrequency;
  /** The time zone calendar periods were cut in. */
  timeZone: string;
  /**
   * Period keys, increasing: the bar timestamp ('bar'), local day number since 1970-01-01 ('daily'),
   * ISO week number since the week of 1970-01-01 ('weekly'), year·12 + month index ('monthly').
   */
  keys: Float64Array;
  /** `YYYY-MM-DD`, `YYYY-Www` (ISO week-year) or `YYYY-MM`; absent for 'bar' (the timestamps say it). */
  labels?: string[];
  /** End of each period: the latest sample timestamp of any portfolio in it. */
  timestamps: Float64Array;
}

export interface ReturnOptions {
  /** Default 'daily'. */
  frequency?: ReturnFrequency;
  /**
   * Zone whose calendar cuts days, weeks and months: 'America/New_York' (default; built-in US DST rules),
   * 'UTC', a fixed offset ('+05:30', '-0400', 'UTC+01:00') or any IANA name the runtime's Intl knows
   * (see src/data/calendar.ts).
   */
  timeZone?: string;
}

/** Label of a period key: ISO date ('daily'), ISO week `YYYY-Www` ('weekly'), `YYYY-MM` ('monthly'), ISO instant ('bar').
 * @example
 *   periodLabel(19_723, 'daily');        // '2024-01-01'
 *   periodLabel(2024 * 12 + 2, 'monthly'); // '2024-03'
 */
export function periodLabel(key: number, frequency: ReturnFrequency): string {
  return frequency === 'bar' ? new Date(key).toISOString() : periodKeyLabel(key, frequency);
}

/**
 * Periods per year used to annualize each frequency ('bar' has none: pass one).
 * @example
 *   periodsPerYearOf('daily'); // 252
 */
export function periodsPerYearOf(frequency: ReturnFrequency): number | undefined {
  return frequency === 'daily' ? 252 : frequency === 'weekly' ? 52 : frequency === 'monthly' ? 12 : undefined;
}

/**
 * Checks a portfolio's shape; bad input fails fast naming the portfolio and the place.
 * @example
 *   checkPortfolio({ id: 'a', timestamps: Float64Array.of(2, 1), equity: Float64Array.of(1, 1), initialCapital: 1 });
 *   // RangeError: portfolio "a": timestamps[1] = 1 does not follow 2
 */
export function checkPortfolio(p: PortfolioSeries): void {
  const where = `portfolio "${p.id}"`;
  if (p.timestamps.length !== p.equity.length) throw new RangeError(`${where}: ${p.timestamps.length} timestamps but ${p.equity.length} equity values`);
  if (!Number.isFinite(p.initialCapital)) throw new RangeError(`${where}: initialCapital must be a finite number, got ${p.initialCapital}`);
  for (let i = 1; i < p.timestamps.length; i++) {
    if (!(p.timestamps[i] > p.timestamps[i - 1])) throw new RangeError(`${where}: timestamps[${i}] = ${p.timestamps[i]} does not follow ${p.timestamps[i - 1]}`);
  }
  if (p.sampledAt && p.sampledAt.length !== p.equity.length) throw new RangeError(`${where}: sampledAt has ${p.sampledAt.length} steps for ${p.equity.length} samples`);
  for (const [k, f] of (p.flows ?? []).entries()) {
    if (!Number.isInteger(f.step) || f.step < 0 || !Number.isFinite(f.amount)) throw new RangeError(`${where}: flows[${k}] = {step: ${f.step}, amount: ${f.amount}}, expected a step ≥ 0 and a finite amount`);
  }
}

/**
 * Net flow per sample: each flow goes to the first sample at or after its step (the first equity value
 * that includes it); flows after the last sample are in no equity value and are dropped.
 * @example
 *   flowsBySample({ id: 'a', timestamps, equity, initialCapital: 100, sampledAt: Float64Array.of(1, 3), flows: [{ step: 2, amount: 5 }] });
 *   // Float64Array [0, 5]
 */
export function flowsBySample(p: PortfolioSeries): Float64Array {
  const n = p.equity.length;
  const out = new Float64Array(n);
  for (const f of p.flows ?? []) {
    let k = f.step;
    if (p.sampledAt) {
      let lo = 0;
      let hi = n; // first k with sampledAt[k] >= step
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (p.sampledAt[mid] < f.step) lo = mid + 1;
        else hi = mid;
      }
      k = lo;
    }
    if (k < n) out[k] += f.amount;
  }
  return out;
}

/** Union of two non-decreasing arrays, sorted, without repeats (linear). */
function union(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let m = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (m === 0 || v !== out[m - 1]) out[m++] = v;
  }
  return out.subarray(0, m);
}

function unionOf(series: readonly Float64Array[]): Float64Array {
  const first = series[0] ?? new Float64Array(0);
  // The usual case, one run's portfolios on one timeline, needs no merging.
  if (series.every((s) => s === first)) return union(first, new Float64Array(0));
  return series.reduce((acc, s) => union(acc, s), new Float64Array(0));
}

/** Period key of every sample of one portfolio, made non-decreasing (see docs/analytics.md). */
function sampleKeys(timestamps: Float64Array, frequency: ReturnFrequency, calendar: ExchangeCalendar): Float64Array {
  if (frequency === 'bar') return timestamps;
  const keys = new Float64Array(timestamps.length);
  let last = -Infinity;
  let lastDay = NaN;
  let dayKey = NaN;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i];
    const day = calendar.localDay(t);
    if (day !== lastDay) {
      lastDay = day;
      dayKey = periodKeyOfDay(day, frequency);
    }
    const key = dayKey;
    // A zone that falls back across midnight would put a later bar in an earlier day: keep it in the later one.
    last = key > last ? key : last;
    keys[i] = last;
  }
  return keys;
}

/**
 * Simple returns of each portfolio per period, net of flows, aligned on the union of the periods any
 * portfolio has a sample in. For a period whose last sample is e, after the previous period's last
 * sample s (or the initial capital when there is none), with F the net flow of the samples in (s, e]:
 * r = (E_e − F) / E_s − 1. NaN where the portfolio has no sample in the period or E_s ≤ 0.
 * @example
 *   const r = periodReturns(portfolios, { frequency: 'daily', timeZone: 'America/New_York' });
 *   r.labels;          // ['2024-03-08', '2024-03-11', …]
 *   r.returns['momentum'][0];
 */
export function periodReturns(portfolios: readonly PortfolioSeries[], options: ReturnOptions = {}): ReturnSeries {
  const frequency = options.frequency ?? 'daily';
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const calendar = calendarOf(timeZone);
  const perPortfolio = portfolios.map((p) => {
    checkPortfolio(p);
    return { p, keys: sampleKeys(p.timestamps, frequency, calendar), flows: flowsBySample(p) };
  });
  const ids = portfolios.map((p) => p.id);
  if (new Set(ids).size !== ids.length) throw new RangeError(`portfolio ids must be unique, got ${ids.join(', ')}`);
  const all = unionOf(perPortfolio.map((x) => x.keys));
  const periods = all.length;
  const timestamps = new Float64Array(periods).fill(-Infinity);
  const returns: Record<string, Float64Array> = {};
  const lastEquity: Record<string, number> = {};
  for (const { p, keys, flows } of perPortfolio) {
    const out = new Float64Array(periods).fill(NaN);
    let start = p.initialCapital;
    let flow = 0;
    let slot = 0;
    for (let i = 0; i < keys.length; i++) {
      flow += flows[i];
      if (i + 1 < keys.length && keys[i + 1] === keys[i]) continue; // not the period's last sample
      while (all[slot] < keys[i]) slot++;
      const end = p.equity[i];
      out[slot] = start > 0 && Number.isFinite(start) ? (end - flow) / start - 1 : NaN;
      if (p.timestamps[i] > timestamps[slot]) timestamps[slot] = p.timestamps[i];
      start = end;
      flow = 0;
    }
    returns[p.id] = out;
    lastEquity[p.id] = p.equity.length ? p.equity[p.equity.length - 1] : p.initialCapital;
  }
  const series: ReturnSeries = { frequency, timeZone, ids, keys: all, timestamps, returns, lastEquity };
  if (frequency !== 'bar') series.labels = Array.from(all, (k) => periodLabel(k, frequency));
  return series;
}

/** Equity of several portfolios on the union of their timestamps (the combined book's axis). */
export interface AlignedBook {
  timestamps: Float64Array;
  /** Per portfolio: equity carried forward between its samples, its initial capital before its first one. */
  equity: Float64Array[];
  /** Per portfolio: net flow at each step of the union axis. */
  flows: Float64Array[];
}

/**
 * Aligns portfolios on the union of their timestamps. When they already share one axis (the usual
 * case: one run's portfolios), the arrays are used as they are.
 * @example
 *   const book = alignBook(portfolios);
 *   const combined = book.timestamps.map((_, t) => book.equity.reduce((a, e) => a + e[t], 0));
 */
export function alignBook(portfolios: readonly PortfolioSeries[]): AlignedBook {
  for (const p of portfolios) checkPortfolio(p);
  const flows = portfolios.map(flowsBySample);
  const first = portfolios[0]?.timestamps;
  const shared = first !== undefined && portfolios.every((p) => p.timestamps.length === first.length && p.timestamps.every((t, i) => t === first[i]));
  if (shared) return { timestamps: first, equity: portfolios.map((p) => p.equity), flows };
  const all = unionOf(portfolios.map((p) => p.timestamps));
  const equity: Float64Array[] = [];
  const aligned: Float64Array[] = [];
  portfolios.forEach((p, k) => {
    const e = new Float64Array(all.length);
    const f = new Float64Array(all.length);
    let j = 0;
    let value = p.initialCapital;
    for (let t = 0; t < all.length; t++) {
      if (j < p.timestamps.length && p.timestamps[j] === all[t]) {
        value = p.equity[j];
        f[t] = flows[k][j];
        j++;
      }
      e[t] = value;
    }
    equity.push(e);
    aligned.push(f);
  });
  return { timestamps: all, equity, flows: aligned };
}
