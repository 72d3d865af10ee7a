// Synthetic bars for demos, tests and benchmarks (generateBars): seeded GBM with GARCH-like volatility
// clustering on NYSE session times, bit-identical in every runtime (arithmetic and sqrt only).
import type { Bars, SymbolBars } from './bars.js';
import { calendarOf, DEFAULT_TIME_ZONE, MS_PER_DAY, weekdayOfDay, type ExchangeCalendar } from './calendar.js';
import { parseTimestamp } from './csv.js';

/** Bar length. Intraday intervals follow the 09:30–16:00 session of the exchange zone. */
export type BarInterval = '1m' | '5m' | '15m' | '1h' | '1d';

export interface GenerateOptions {
  /** Symbol names, or how many symbols to make up (`SYM1`, `SYM2`, …). */
  symbols: string[] | number;
  /** Bars per symbol. */
  bars: number;
  /** Default `1m`. */
  interval?: BarInterval;
  /** Integer seed: the same seed gives bit-identical bars. */
  seed: number;
  /**
   * First day (ISO date or datetime; without a zone, wall-clock time of `timeZone`) or instant in ms;
   * the first bar is the first one at or after it. Default `2024-01-02`.
   */
  start?: string | number;
  /** Exchange zone of the sessions (see src/data/calendar.ts). Default `America/New_York`. */
  timeZone?: string;
  /** Opening price of every symbol; by default each symbol draws its own between 20 and 500. */
  startPrice?: number;
}

const MS_PER_MINUTE = 60_000;
const INTERVAL_MINUTES: Record<BarInterval, number> = { '1m': 1, '5m': 5, '15m': 15, '1h': 60, '1d': 0 };
/** 09:30 and the session length (6.5 h), in minutes. */
const SESSION_OPEN_MINUTE = 9 * 60 + 30;
const SESSION_MINUTES = 390;
const TRADING_DAYS_PER_YEAR = 252;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness. Math.exp/log/cos may differ in the last bit between engines, so the
// generator uses its own exp and log (series in + − × ÷, which IEEE 754 fixes exactly).

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), 32-bit state words. */
class Sfc32 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  constructor(a: number, b: number, c: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = 1;
    for (let k = 0; k < 15; k++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) + t;
    this.c |= 0;
    return t >>> 0;
  }

  /** Uniform in (0, 1), never 0 or 1. */
  uniform(): number {
    return (this.nextUint32() + 0.5) / 4_294_967_296;
  }

  /** Standard normal (Marsaglia's polar method, which needs no trigonometry). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.uniform() * 2 - 1;
      v = this.uniform() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * deterministicLog(s)) / s);
    this.spare = v * factor;
    this.hasSpare = true;
    return u * factor;
  }
}

const ATANH_COEFFICIENTS: number[] = [];
for (let j = 23; j >= 1; j -= 2) ATANH_COEFFICIENTS.push(1 / j);

/** Natural log of x > 0: scale into [√½, √2) by powers of two, then 2·atanh((x−1)/(x+1)). */
function deterministicLog(x: number): number {
  let k = 0;
  while (x < 0.5) {
    x *= 2;
    k--;
  }
  while (x >= 1) {
    x /= 2;
    k++;
  }
  if (x < Math.SQRT1_2) {
    x *= 2;
    k--;
  }
  const s = (x - 1) / (x + 1);
  const s2 = s * s;
  let sum = 0;
  for (const coefficient of ATANH_COEFFICIENTS) sum = sum * s2 + coefficient;
  return k * Math.LN2 + 2 * s * sum;
}

/** e^r: halve r until |r| ≤ 1/16, Taylor to the 8th power, square back. */
function deterministicExp(r: number): number {
  let x = r;
  let halvings = 0;
  while (x > 0.0625 || x < -0.0625) {
    x /= 2;
    halvings++;
  }
  let y = 1 + (x / 8);
  y = 1 + (x / 7) * y;
  y = 1 + (x / 6) * y;
  y = 1 + (x / 5) * y;
  y = 1 + (x / 4) * y;
  y = 1 + (x / 3) * y;
  y = 1 + (x / 2) * y;
  y = 1 + x * y;
  while (halvings-- > 0) y *= y;
  return y;
}

/** FNV-1a of the symbol, so each symbol's path depends only on (seed, symbol). */
function hashSymbol(symbol: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface Schedule {
  timestamp: Float64Array;
  /** Index of each bar within its session (0 = the opening bar); 0 for daily bars. */
  slot: Uint16Array;
}

/**
 * Session times: weekdays of the exchange calendar; intraday bars from 09:30 wall-clock time (the
 * zone's offset that day, DST included), daily bars at 00:00 wall-clock of the session's date (as a
 * date-only CSV row is read).
 */
function buildSchedule(count: number, minutes: number, startMs: number, calendar: ExchangeCalendar): Schedule {
  const timestamp = new Float64Array(count);
  const slot = new Uint16Array(count);
  const perDay = minutes === 0 ? 1 : Math.ceil(SESSION_MINUTES / minutes);
  let day = calendar.localDay(startMs);
  let n = 0;
  while (n < count) {
    const wd = weekdayOfDay(day);
    if (wd !== 0 && wd !== 6) {
      if (minutes === 0) {
        const t = calendar.toEpoch(day * MS_PER_DAY);
        if (t >= startMs) timestamp[n++] = t;
      } else {
        const open = calendar.toEpoch(day * MS_PER_DAY + SESSION_OPEN_MINUTE * MS_PER_MINUTE);
        for (let j = 0; j < perDay && n < count; j++) {
          const t = open + j * minutes * MS_PER_MINUTE;
          if (t < startMs) continue;
          timestamp[n] = t;
          slot[n] = j;
          n++;
        }
      }
    }
    day++;
  }
  return { timestamp, slot };
}

// ---------------------------------------------------------------------------------------------

function cents(x: number): number {
  return Math.round(x * 100) / 100;
}

function resolveOptions(options: GenerateOptions): { symbols: string[]; minutes: number; startMs: number; calendar: ExchangeCalendar } {
  const { bars, seed, startPrice } = options;
  const interval = options.interval ?? '1m';
  if (!Object.prototype.hasOwnProperty.call(INTERVAL_MINUTES, interval)) {
    throw new RangeError(`generateBars: interval is "${String(interval)}", expected one of 1m, 5m, 15m, 1h, 1d`);
  }
  if (!Number.isSafeInteger(bars) || bars < 0) throw new RangeError(`generateBars: bars is ${bars}, expected an integer >= 0`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`generateBars: seed is ${seed}, expected an integer`);
  if (startPrice !== undefined && !(startPrice > 0 && Number.isFinite(startPrice))) {
    throw new RangeError(`generateBars: startPrice is ${startPrice}, expected a number > 0`);
  }
  let symbols: string[];
  if (typeof options.symbols === 'number') {
    const count = options.symbols;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`generateBars: symbols is ${count}, expected an integer >= 1`);
    symbols = Array.from({ length: count }, (_, k) => `SYM${k + 1}`);
  } else {
    symbols = options.symbols.slice();
    if (symbols.length === 0) throw new RangeError('generateBars: symbols is empty');
    const seen = new Set<string>();
    for (const symbol of symbols) {
      if (typeof symbol !== 'string' || symbol === '') throw new RangeError(`generateBars: symbol ${JSON.stringify(symbol)} is not a name`);
      if (seen.has(symbol)) throw new RangeError(`generateBars: symbol "${symbol}" appears twice`);
      seen.add(symbol);
    }
  }
  let calendar: ExchangeCalendar;
  try {
    calendar = calendarOf(options.timeZone ?? DEFAULT_TIME_ZONE);
  } catch (error) {
    throw new RangeError(`generateBars: ${(error as Error).message}`);
  }
  const start = options.start ?? '2024-01-02';
  const startMs = typeof start === 'number' ? start : parseTimestamp(start, calendar);
  if (!Number.isFinite(startMs)) throw new RangeError(`generateBars: start is ${JSON.stringify(String(start).slice(0, 100))}, expected an ISO date or ms since epoch`);
  return { symbols, minutes: INTERVAL_MINUTES[interval], startMs, calendar };
}

/**
 * Generates realistic-looking bars: geometric Brownian motion whose variance follows a GARCH(1,1)
 * recursion (calm and stormy stretches), overnight gaps, a U-shaped intraday volume profile, and
 * prices in whole cents with high ≥ max(open, close) and low ≤ min(open, close), all > 0.
 * Intraday bars are stamped at their start within 09:30–16:00 wall-clock time of `timeZone` (New York
 * by default, EST/EDT by the US rules) on weekdays (holidays are not skipped); daily bars at 00:00
 * wall-clock time of each weekday, the way a date-only CSV row is read.
 * All symbols share the timestamps. Each symbol's path depends only on `seed` and its name
 * (adding a symbol does not change the others), and the output is bit-identical in every runtime.
 *
 * @example
 * ```ts
 * const bars = generateBars({ symbols: ['SPY', 'QQQ'], bars: 390 * 5, interval: '1m', seed: 42 });
 * bars.series.SPY.timestamp[0]; // Date.UTC(2024, 0, 2, 14, 30): 09:30 EST
 * ```
 */
export function generateBars(options: GenerateOptions): Bars {
  const { symbols, minutes, startMs, calendar } = resolveOptions(options);
  const count = options.bars;
  const { timestamp, slot } = buildSchedule(count, minutes, startMs, calendar);
  const barsPerDay = minutes === 0 ? 1 : SESSION_MINUTES / minutes;
  const barsPerYear = TRADING_DAYS_PER_YEAR * barsPerDay;
  const perDaySlots = minutes === 0 ? 1 : Math.ceil(SESSION_MINUTES / minutes);
  const seedLow = options.seed >>> 0;
  const seedHigh = Math.floor(options.seed / 4_294_967_296) >>> 0;

  const series: Record<string, SymbolBars> = {};
  symbols.forEach((symbol, index) => {
    const rng = new Sfc32(seedLow, seedHigh ^ 0x9e3779b9, hashSymbol(symbol));
    const annualVol = 0.15 + 0.25 * rng.uniform();
    const annualDrift = -0.02 + 0.14 * rng.uniform();
    const drawnPrice = cents(20 + 480 * rng.uniform());
    const dailyVolume = 2e5 + 3e6 * rng.uniform();
    const barVariance = (annualVol * annualVol) / barsPerYear;
    const barDrift = annualDrift / barsPerYear;
    // Overnight variance: a fraction of a day's for intraday bars, a small open-vs-previous-close gap for daily bars.
    const gapSigma = Math.sqrt(minutes === 0 ? barVariance * 0.1 : barVariance * barsPerDay * 0.15);
    // Typical equity GARCH(1,1) estimates: persistence alpha + beta close to 1.
    const alpha = 0.09;
    const beta = 0.89;
    const omega = barVariance * (1 - alpha - beta);
    const minVariance = barVariance * 0.04;
    const maxVariance = barVariance * 25;
    const volumePerBar = dailyVolume / barsPerDay;

    const open = new Float64Array(count);
    const high = new Float64Array(count);
    const low = new Float64Array(count);
    const close = new Float64Array(count);
    const volume = new Float64Array(count);
    let price = options.startPrice ?? drawnPrice;
    let variance = barVariance;
    for (let i = 0; i < count; i++) {
      let start = price;
      const sigma = Math.sqrt(variance);
      if (i > 0 && slot[i] === 0) {
        // Overnight gaps are as stormy as the day around them.
        start = Math.max(price * deterministicExp((gapSigma * sigma * rng.normal()) / Math.sqrt(barVariance)), 0.01);
      }
      const shock = sigma * rng.normal();
      const end = Math.max(start * deterministicExp(barDrift - 0.5 * variance + shock), 0.01);
      variance = omega + alpha * shock * shock + beta * variance;
      variance = variance < minVariance ? minVariance : variance > maxVariance ? maxVariance : variance;

      const o = cents(start);
      const c = cents(end);
      const top = o > c ? o : c;
      const bottom = o < c ? o : c;
      const h = cents(Math.max(start, end) * (1 + 0.6 * sigma * Math.abs(rng.normal())));
      const l = cents(Math.min(start, end) * Math.max(1 - 0.6 * sigma * Math.abs(rng.normal()), 0.5));
      open[i] = o;
      close[i] = c;
      high[i] = h > top ? h : top;
      low[i] = Math.max(l < bottom ? l : bottom, 0.01);

      const x = (slot[i] + 0.5) / perDaySlots;
      const profile = minutes === 0 ? 1 : 0.6 + 1.6 * (2 * x - 1) * (2 * x - 1);
      const activity = 1 + (2 * Math.abs(shock)) / Math.sqrt(barVariance);
      volume[i] = Math.round(volumePerBar * profile * activity * deterministicExp(0.3 * rng.normal()));
      price = end;
    }
    series[symbol] = {
      symbol,
      timestamp: index === 0 ? timestamp : timestamp.slice(),
      open,
      high,
      low,
      close,
      volume,
    };
  });
  return { symbols, series };
}
