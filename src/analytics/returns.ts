// Period returns of many portfolios, net of capital flows, aligned on calendar periods of an exchange
// time zone (bar, daily, ISO week, month); also the time-zone offset rules and the equity-book alignment.

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
   * 'UTC', a fixed offset ('+05:30', '-0400', 'UTC+01:00') or any IANA name the runtime's Intl knows.
   */
  timeZone?: string;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A function from a UTC instant (ms) to the zone's offset (ms to add to get local wall-clock time). */
export type ZoneOffset = (t: number) => number;

function dayOfWeek(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 0 = Sunday; day 0 (1970-01-01) was a Thursday
}

/** UTC day number of the n-th (1-based) Sunday of a month, or the last one when n is 0. */
function sunday(year: number, month: number, n: number): number {
  if (n === 0) {
    const last = Date.UTC(year, month + 1, 0) / DAY;
    return last - dayOfWeek(last);
  }
  const first = Date.UTC(year, month, 1) / DAY;
  return first + ((7 - dayOfWeek(first)) % 7) + 7 * (n - 1);
}

/**
 * US Eastern time from the rules in force since 1976: DST from 2:00 standard time on the second
 * Sunday of March to 2:00 daylight time on the first Sunday of November (2007 on), the first Sunday
 * of April to the last Sunday of October (1987–2006), the last Sunday of April to the last Sunday of
 * October (before 1987; the 1974–75 exceptions are not modelled).
 */
function newYorkTransitions(year: number): [number, number] {
  let start: number;
  let end: number;
  if (year >= 2007) {
    start = sunday(year, 2, 2);
    end = sunday(year, 10, 1);
  } else {
    start = sunday(year, 3, year >= 1987 ? 1 : 0);
    end = sunday(year, 9, 0);
  }
  // 2:00 EST = 07:00 UTC; 2:00 EDT = 06:00 UTC.
  return [start * DAY + 7 * HOUR, end * DAY + 6 * HOUR];
}

/** New York offsets, remembering the last year's transitions (bars come in time order). */
function newYorkOffset(): ZoneOffset {
  let from = Infinity;
  let to = -Infinity;
  let start = 0;
  let end = 0;
  return (t: number) => {
    if (!(t >= from && t < to)) {
      const year = new Date(t).getUTCFullYear();
      from = Date.UTC(year, 0, 1);
      to = Date.UTC(year + 1, 0, 1);
      [start, end] = newYorkTransitions(year);
    }
    return t >= start && t < end ? -4 * HOUR : -5 * HOUR;
  };
}

const FIXED_OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** Offset of an IANA zone through Intl, looked up once per distinct UTC day (and at most ~12 more times on a transition day). */
function intlOffset(timeZone: string): ZoneOffset {
  if (typeof Intl === 'undefined' || typeof Intl.DateTimeFormat !== 'function') {
    throw new RangeError(`timeZone "${timeZone}": this runtime has no Intl; use 'America/New_York', 'UTC' or a fixed offset like '+05:30'`);
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    throw new RangeError(`timeZone: expected an IANA zone name, 'UTC' or an offset like '+05:30', got "${timeZone}"`);
  }
  const at = (t: number): number => {
    const parts: Record<string, number> = {};
    for (const p of format.formatToParts(t)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second);
    return wall - Math.floor(t / 1000) * 1000;
  };
  // Per UTC day: the offset at its start and end; when they differ, the minute the zone switched.
  const days = new Map<number, { before: number; after: number; switchAt: number }>();
  return (t: number) => {
    const day = Math.floor(t / DAY);
    let entry = days.get(day);
    if (!entry) {
      const before = at(day * DAY);
      const after = at((day + 1) * DAY);
      let switchAt = (day + 1) * DAY;
      if (before !== after) {
        let lo = day * 1440; // minutes: offset(lo) = before, offset(hi) = after
        let hi = (day + 1) * 1440;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (at(mid * 60_000) === before) lo = mid;
          else hi = mid;
        }
        switchAt = hi * 60_000;
      }
      entry = { before, after, switchAt };
      days.set(day, entry);
    }
    return t < entry.switchAt ? entry.before : entry.after;
  };
}

/**
 * The offset function of a time zone: ms to add to a UTC instant to get local wall-clock time.
 * 'America/New_York' uses built-in US DST rules (no Intl); 'UTC'/'GMT'/'Z'/'Etc/UTC' and fixed offsets
 * ('+05:30', '-0400', 'UTC+01:00') are constant; other IANA names go through Intl once per distinct UTC day.
 * @example
 *   const ny = zoneOffset('America/New_York');
 *   ny(Date.UTC(2024, 6, 1)) / 3_600_000; // -4 (EDT)
 *   zoneOffset('+05:30')(0) / 60_000;      // 330
 */
export function zoneOffset(timeZone: string): ZoneOffset {
  if (timeZone === 'America/New_York' || timeZone === 'US/Eastern') return newYorkOffset();
  if (timeZone === 'UTC' || timeZone === 'GMT' || timeZone === 'Z' || timeZone === 'Etc/UTC' || timeZone === 'Etc/GMT') return () => 0;
  const fixed = FIXED_OFFSET.exec(timeZone);
  if (fixed) {
    const hours = Number(fixed[2]);
    const minutes = Number(fixed[3] ?? 0);
    if (hours > 14 || minutes > 59) throw new RangeError(`timeZone: offset out of range, got "${timeZone}"`);
    const offset = (fixed[1] === '-' ? -1 : 1) * (hours * HOUR + minutes * 60_000);
    return () => offset;
  }
  return intlOffset(timeZone);
}

/**
 * Label of a period key: ISO date ('daily'), ISO week `YYYY-Www` ('weekly'), `YYYY-MM` ('monthly'), ISO instant ('bar').
 * @example
 *   periodLabel(19_723, 'daily');        // '2024-01-01'
 *   periodLabel(2024 * 12 + 2, 'monthly'); // '2024-03'
 */
export function periodLabel(key: number, frequency: ReturnFrequency): string {
  switch (frequency) {
    case 'bar':
      return new Date(key).toISOString();
    case 'daily':
      return new Date(key * DAY).toISOString().slice(0, 10);
    case 'weekly': {
      const thursday = key * 7; // the week's Monday is key·7 − 3; its Thursday decides the ISO year
      const date = new Date(thursday * DAY);
      const year = date.getUTCFullYear();
      const week = Math.floor((thursday - Date.UTC(year, 0, 1) / DAY) / 7) + 1;
      return `${year}-W${String(week).padStart(2, '0')}`;
    }
    case 'monthly': {
      const year = Math.floor(key / 12);
      return `${year}-${String(key - year * 12 + 1).padStart(2, '0')}`;
    }
  }
}

/** Period key of a local day number. */
function keyOfDay(day: number, frequency: Exclude<ReturnFrequency, 'bar'>): number {
  switch (frequency) {
    case 'daily':
      return day;
    case 'weekly':
      return Math.floor((day + 3) / 7); // ISO weeks start on Monday; day 0 was a Thursday
    case 'monthly': {
      const d = new Date(day * DAY);
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    }
  }
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
function sampleKeys(timestamps: Float64Array, frequency: ReturnFrequency, offset: ZoneOffset): Float64Array {
  if (frequency === 'bar') return timestamps;
  const keys = new Float64Array(timestamps.length);
  let last = -Infinity;
  let lastDay = NaN;
  let dayKey = NaN;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i];
    const day = Math.floor((t + offset(t)) / DAY);
    if (day !== lastDay) {
      lastDay = day;
      dayKey = keyOfDay(day, frequency);
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
  const timeZone = options.timeZone ?? 'America/New_York';
  const offset = zoneOffset(timeZone);
  const perPortfolio = portfolios.map((p) => {
    checkPortfolio(p);
    return { p, keys: sampleKeys(p.timestamps, frequency, offset), flows: flowsBySample(p) };
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
