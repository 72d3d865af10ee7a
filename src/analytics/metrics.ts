// Per-portfolio performance metrics from the per-step series, the exchange-day returns and the fills
// (formulas in docs/metrics.md), and the inference of periods per year from bar timestamps.
import type { Fill, FillTable } from '../engine/records.js';
import { calendarOf, civilFromDays, daysFromCivil, DEFAULT_TIME_ZONE, MS_PER_DAY as DAY_MS, weekdayOfDay, type ExchangeCalendar } from '../data/calendar.js';
import { inBlocks, type BlockPass } from './block.js';
import { fillColumns, tradeStatistics, type FillColumns } from './trades.js';
import { power } from './power.js';

/** How bars are spaced, as `inferAnnualization` classifies them. */
export type BarFrequency = 'intraday' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly' | 'unknown';

/** What one return of the daily statistics covers (see `PortfolioMetrics.statisticsPeriod`). */
export type StatisticsPeriod = 'day' | 'bar';

const LONGER_THAN_A_DAY: ReadonlySet<BarFrequency> = new Set(['weekly', 'monthly', 'quarterly', 'yearly']);

/** Where the periods per year of a result came from. */
export type AnnualizationSource = 'option' | 'inferred' | 'fallback';

export interface Annualization {
  periodsPerYear: number;
  frequency: BarFrequency;
  source: AnnualizationSource;
  /** Median spacing of consecutive timestamps (ms); NaN with fewer than two timestamps. */
  medianSpacingMs: number;
  /** Trading sessions a year: 365 when the bars trade on weekends (24/7 markets), else 252. */
  sessionsPerYear: number;
  /** Intraday only: median number of bars per UTC calendar day. */
  barsPerSession?: number;
}

export interface MetricsInput {
  /** One timestamp per step (ms since epoch). */
  timestamps: Float64Array;
  /** Equity at the close of each step. */
  equity: Float64Array;
  /** Gross exposure Σ |position|·mark at the close of each step. */
  gross: Float64Array;
  fills: Fill[] | FillTable;
  symbols: string[];
  initialCapital: number;
  /**
   * Capital moved in (+) or out (−) at the close of a step (by a rebalancer), already included in
   * that step's `equity`; ordered by step. When given, returns and drawdowns leave the flows out
   * (time-weighted), so a deposit is not a gain and a withdrawal not a loss.
   */
  flows?: ReadonlyArray<{ step: number; amount: number }>;
}

export interface MetricsOptions {
  /** Return periods per year for annualization. Default: inferred from the timestamps. */
  periodsPerYear?: number;
  /** Annual risk-free rate (0.03 = 3 %), compounded to a per-period rate. Default 0. */
  riskFreeRate?: number;
  /**
   * Zone whose calendar cuts the steps into days for the daily metrics: 'America/New_York' (default),
   * 'UTC', a fixed offset ('+05:30') or an IANA name the runtime's Intl knows (as `periodReturns`).
   */
  timeZone?: string;
  /** Days in each `rollingSharpe` window, an integer ≥ 2. Default 63 (a quarter of trading days). */
  rollingWindow?: number;
  /** Days per year that annualize the daily metrics (`dailyVolatility`, `rollingSharpe`). Default 252; 365 for 24/7 markets. */
  daysPerYear?: number;
}

/** The longest drawdown spell: from its peak to its recovery, or to the last step. */
export interface DrawdownDuration {
  /** Steps from the peak step to the recovery step (or to the last step). 0 when never under water. */
  steps: number;
  /** Milliseconds between the same two steps' timestamps. */
  ms: number;
  /** Step of the peak (0 when the peak is the initial capital); absent when never under water. */
  peakStep?: number;
  /** Step of the recovery, or the last step when not recovered; absent when never under water. */
  endStep?: number;
  /** False when the spell lasts to the end of the data. */
  recovered: boolean;
}

/** Compounded return of one calendar month of the exchange time zone. */
export interface MonthlyReturn {
  year: number;
  /** 1 = January … 12 = December. */
  month: number;
  /** Π (1 + daily return) − 1 over the month's days with steps; NaN when one of them is NaN. */
  return: number;
}

/** Annualized Sharpe ratio of each full window of consecutive daily returns. */
export interface RollingSharpe {
  /** Days per window. */
  window: number;
  /** End of each window: the timestamp of its last day's last step. */
  timestamps: Float64Array;
  /** One value per window; NaN for a window without dispersion or with a NaN return. */
  values: Float64Array;
}

/** Metrics of one portfolio. NaN means "undefined for this input" (see docs/metrics.md). */
export interface PortfolioMetrics {
  /** Steps (equity values). */
  bars: number;
  /** Periods per year used to annualize. */
  periodsPerYear: number;
  annualization: Annualization;
  initialCapital: number;
  finalEquity: number;
  totalReturn: number;
  cagr: number;
  annualizedVolatility: number;
  sharpe: number;
  sortino: number;
  /** Largest fall from a running peak, as a positive fraction of the peak. */
  maxDrawdown: number;
  maxDrawdownDuration: DrawdownDuration;
  calmar: number;
  /** Closed trades. */
  trades: number;
  /** Trades still open at the end (not in the trade statistics). */
  openTrades: number;
  winRate: number;
  /** Σ winning netPnl / |Σ losing netPnl| of closed trades; Infinity with wins and no losses. */
  profitFactor: number;
  averageTrade: number;
  averageWin: number;
  averageLoss: number;
  /** Mean `bars` of closed trades. */
  averageBarsHeld: number;
  /** Fraction of steps with gross exposure > 0. */
  exposure: number;
  /** Σ |quantity·price| of all fills. */
  tradedValue: number;
  /** Annual turnover: tradedValue / mean equity / years. */
  turnover: number;
  /** Total commissions of all fills. */
  fees: number;

  // Drawdown metrics on the per-step equity.
  /** √ mean of squared drawdowns (fractions of the running peak) over all steps. */
  ulcerIndex: number;
  /** Net profit (flows excluded) / largest fall from a running peak in currency. */
  recoveryFactor: number;
  /** The longest drawdown spell: the same object as `maxDrawdownDuration`, under its usual name. */
  longestDrawdown: DrawdownDuration;

  // Daily metrics: one return per calendar day of `timeZone` that has a step (docs/metrics.md, "Daily returns").
  /** The zone whose calendar cut the days. */
  timeZone: string;
  /**
   * What one return of the "daily" statistics below covers: 'day' for intraday and daily bars; 'bar'
   * when bars are longer than a day (weekly, monthly, …): then `bestDay` is the best bar, `var95` a
   * bar's VaR, and the annualization uses `statisticsPerYear` bars.
   */
  statisticsPeriod: StatisticsPeriod;
  /** Returns per year that annualize `dailyVolatility` and `rollingSharpe`: `daysPerYear`, or `periodsPerYear` per bar. */
  statisticsPerYear: number;
  /** Days with at least one step (the number of daily returns). */
  days: number;
  bestDay: number;
  worstDay: number;
  /** Fraction of days with a return > 0 (0.5 = half the days). */
  winningDaysPct: number;
  /** Sample standard deviation of daily returns × √daysPerYear. */
  dailyVolatility: number;
  /** Adjusted Fisher–Pearson sample skewness G1 of daily returns. */
  dailySkew: number;
  /** Sample excess kurtosis G2 of daily returns (0 for a normal distribution). */
  dailyKurtosis: number;
  /** Historical 95 % value at risk of a day: −(5th percentile of daily returns), a loss as a positive number. */
  var95: number;
  /** Historical 95 % expected shortfall: −mean of the daily returns at or below the 5th percentile. */
  cvar95: number;
  /** Omega ratio at threshold 0: Σ daily gains / Σ |daily losses|. */
  omega: number;
  /** |95th percentile| / |5th percentile| of daily returns. */
  tailRatio: number;
  /** Compounded returns of each calendar month in `timeZone`, in order. */
  monthlyReturns: MonthlyReturn[];
  rollingSharpe: RollingSharpe;
}

/**
 * Return statistics below this fraction of the mean are rounding noise, not risk: a series of equal
 * returns has a floating-point std of ~1e-18, and dividing by it would give a Sharpe of 1e16.
 */
const NOISE = 1e-12;

/** The k-th smallest value of `a` (reorders `a`): Hoare partition with a median-of-three pivot. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const x = a[lo], y = a[(lo + hi) >>> 1], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** The longest drawdown spell seen so far (in steps, then time); a class so its shape never changes in the loop. */
class LongestSpell {
  steps = 0;
  ms = 0;
  peakStep = -1;
  endStep = -1;
  recovered = true;

  consider(timestamps: Float64Array, peakStep: number, end: number, recovered: boolean): void {
    const steps = end - peakStep;
    const ms = timestamps[end] - timestamps[peakStep];
    if (steps > this.steps || (steps === this.steps && ms > this.ms)) {
      this.steps = steps;
      this.ms = ms;
      this.peakStep = peakStep;
      this.endStep = end;
      this.recovered = recovered;
    }
  }

  duration(): DrawdownDuration {
    const { steps, ms, recovered, peakStep, endStep } = this;
    return peakStep < 0 ? { steps, ms, recovered } : { steps, ms, recovered, peakStep, endStep };
  }
}

/**
 * Reads the flows in step order, one step at a time. A class rather than a closure: computeMetrics runs
 * once per portfolio, and a closure made per call changes the call target V8 optimized for.
 */
class FlowCursor {
  private cursor = 0;

  constructor(private readonly flows: ReadonlyArray<{ step: number; amount: number }> | undefined) {}

  /** The net flow at step t; steps must be read in increasing order. */
  at(t: number): number {
    const flows = this.flows;
    if (!flows) return 0;
    let amount = 0;
    while (this.cursor < flows.length && flows[this.cursor].step === t) amount += flows[this.cursor++].amount;
    return amount;
  }
}

/**
 * Pass 1: sum of the returns, wealth index (with flows), steps exposed, sum of equity.
 * r_t = (equity_t − flow_t) / equity_{t−1} − 1, equity_{−1} = initial capital; NaN from a base ≤ 0.
 */
class ReturnSums implements BlockPass {
  sumReturn = 0;
  wealth = 1;
  exposed = 0;
  sumEquity = 0;
  /** Bases ≤ 0 seen: their returns are NaN, applied after the loop (choosing NaN inside it made V8's code 2–4× slower). */
  badBases = 0;
  private prev: number;

  constructor(private readonly equity: Float64Array, private readonly gross: Float64Array, private readonly flows: FlowCursor,
    initialCapital: number) {
    this.prev = initialCapital;
  }

  add(from: number, to: number): void {
    const { equity, gross, flows } = this;
    let { sumReturn, wealth, exposed, sumEquity, badBases, prev } = this;
    for (let t = from; t < to; t++) {
      const e = equity[t];
      if (prev <= 0) badBases++;
      const r = (e - flows.at(t)) / prev - 1;
      sumReturn += r;
      wealth *= 1 + r;
      sumEquity += e;
      if (gross[t] > 0) exposed++;
      prev = e;
    }
    Object.assign(this, { sumReturn, wealth, exposed, sumEquity, badBases, prev });
  }
}

/**
 * Pass 2, over the same returns and the equity net of flows:
 * - squared deviations from the mean of pass 1 (two passes, for accuracy), and squared shortfalls below
 *   rfPeriod. A base ≤ 0 made the mean NaN, and with it every ratio built here, so it needs no check;
 * - drawdowns from the running peak (the initial capital counts as a peak at step 0).
 * One loop for both: each reads the equity and the flows once (two loops were a tenth of a system's time).
 */
class DispersionAndDrawdowns implements BlockPass {
  squares = 0;
  downside = 0;
  maxDrawdown = 0;
  /** The largest fall from a running peak, in currency. */
  maxLoss = 0;
  squaredDrawdowns = 0;
  readonly longest = new LongestSpell();
  private prev: number;
  private peak: number;
  private peakStep = 0;
  private under = false;

  constructor(private readonly equity: Float64Array, private readonly flows: FlowCursor, initialCapital: number,
    private readonly mean: number, private readonly rfPeriod: number, private readonly timestamps: Float64Array) {
    this.prev = initialCapital;
    this.peak = initialCapital;
  }

  add(from: number, to: number): void {
    const { equity, flows, mean, rfPeriod, timestamps, longest } = this;
    let { squares, downside, prev, maxDrawdown, maxLoss, squaredDrawdowns, peak, peakStep, under } = this;
    for (let t = from; t < to; t++) {
      const e = equity[t];
      const flow = flows.at(t);
      const before = e - flow; // the equity the step earned, before any capital moved
      const r = before / prev - 1;
      const dev = r - mean;
      squares += dev * dev;
      const excess = r - rfPeriod;
      // min(excess, 0) without a branch: the sign of a return is a coin toss, and mispredicting it cost
      // more than the rest of the loop. (x − |x|)·0.5 is exactly x below 0 and ±0 above; a NaN propagates.
      const below = (excess - Math.abs(excess)) * 0.5;
      downside += excess === Infinity ? 0 : below * below;
      prev = e;

      if (before >= peak) {
        if (under) longest.consider(timestamps, peakStep, t, true);
        under = false;
        peak = before;
        peakStep = t;
      } else if (peak > 0) {
        under = true;
        const drawdown = (peak - before) / peak;
        if (drawdown > maxDrawdown) maxDrawdown = drawdown;
        if (peak - before > maxLoss) maxLoss = peak - before;
        squaredDrawdowns += drawdown * drawdown;
      }
      // A deposit is not a gain and a withdrawal not a loss: the peak moves with the capital.
      if (flow !== 0) peak = before > 0 ? peak * (e / before) : Math.max(peak, e);
    }
    Object.assign(this, { squares, downside, prev, maxDrawdown, maxLoss, squaredDrawdowns, peak, peakStep, under });
  }

  /** The longest spell, counting one still open at the last step. */
  longestSpell(lastStep: number): DrawdownDuration {
    if (this.under) this.longest.consider(this.timestamps, this.peakStep, lastStep, false);
    return this.longest.duration();
  }
}

/** Commissions paid and value traded (Σ |quantity × price|) over the fills, block by block like the passes. */
class FillTotals implements BlockPass {
  fees = 0;
  tradedValue = 0;

  constructor(private readonly f: FillColumns) {}

  add(from: number, to: number): void {
    const f = this.f;
    let { fees, tradedValue } = this;
    for (let i = from; i < to; i++) {
      fees += f.commission[i];
      tradedValue += Math.abs(f.quantity[i] * f.price[i]);
    }
    Object.assign(this, { fees, tradedValue });
  }
}

/** Daily returns and where each day ends; arrays of one value per day with steps. */
interface DailySeries {
  returns: Float64Array;
  /** Timestamp of the day's last step. */
  ends: Float64Array;
  /** Local day number (days since 1970-01-01 in the zone). */
  days: Float64Array;
}

/**
 * One return per calendar day of the zone, from the day's last equity, net of the day's flows:
 * r_d = (E_last(d) − F_d) / E_last(d−1) − 1, the first day from the initial capital; NaN from a base
 * that is ≤ 0 or not finite. The same rule as `periodReturns` (frequency 'daily'), in one pass that
 * allocates per day, not per step.
 */
function dailyReturns(timestamps: Float64Array, equity: Float64Array, flows: MetricsInput['flows'], initialCapital: number,
  calendar: ExchangeCalendar): DailySeries {
  const { lastStep, days } = dayBoundaries(timestamps, calendar);
  const D = lastStep.length;
  const returns = new Float64Array(D);
  const ends = new Float64Array(D);
  let start = initialCapital;
  let f = 0;
  for (let k = 0; k < D; k++) {
    const last = lastStep[k];
    let flow = 0;
    while (flows && f < flows.length && flows[f].step <= last) flow += flows[f++].amount;
    const end = equity[last];
    returns[k] = start > 0 && Number.isFinite(start) ? (end - flow) / start - 1 : NaN;
    ends[k] = timestamps[last];
    start = end;
  }
  return { returns, ends, days };
}

/**
 * Where each calendar day of the zone ends (its last step) and its local day number. It depends only on
 * the timestamps, which every portfolio of a run shares, so it is computed once per timestamps array
 * and zone.
 */
const dayCache = new WeakMap<Float64Array, Map<string, { lastStep: Int32Array; days: Float64Array }>>();

function dayBoundaries(timestamps: Float64Array, calendar: ExchangeCalendar): { lastStep: Int32Array; days: Float64Array } {
  const timeZone = calendar.timeZone;
  let byZone = dayCache.get(timestamps);
  if (!byZone) dayCache.set(timestamps, (byZone = new Map()));
  const cached = byZone.get(timeZone);
  if (cached) return cached;
  const n = timestamps.length;
  const lastStep: number[] = [];
  const days: number[] = [];
  let day = -Infinity;
  for (let t = 0; t < n; t++) {
    const ts = timestamps[t];
    const local = calendar.localDay(ts);
    // A zone that falls back across midnight would put a later step in an earlier day: keep it in the later one.
    const d = local > day ? local : day;
    if (t > 0 && d !== day) {
      lastStep.push(t - 1);
      days.push(day);
    }
    day = d;
  }
  if (n > 0) {
    lastStep.push(n - 1);
    days.push(day);
  }
  const result = { lastStep: Int32Array.from(lastStep), days: Float64Array.from(days) };
  byZone.set(timeZone, result);
  return result;
}

/** The p-quantile of sorted values, interpolated linearly between order statistics (Hyndman–Fan type 7). */
function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const below = Math.floor(h);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
}

type DailyStatistics = Pick<PortfolioMetrics, 'bestDay' | 'worstDay' | 'winningDaysPct' | 'dailyVolatility' | 'dailySkew' | 'dailyKurtosis' |
  'var95' | 'cvar95' | 'omega' | 'tailRatio'>;

/** Distribution statistics of the daily returns; all NaN when there is no day or one return is NaN. */
function dailyStatistics(r: Float64Array, daysPerYear: number): DailyStatistics {
  const D = r.length;
  const undefinedStats: DailyStatistics = { bestDay: NaN, worstDay: NaN, winningDaysPct: NaN, dailyVolatility: NaN, dailySkew: NaN,
    dailyKurtosis: NaN, var95: NaN, cvar95: NaN, omega: NaN, tailRatio: NaN };
  let sum = 0, best = -Infinity, worst = Infinity, winning = 0, gains = 0, losses = 0;
  for (let d = 0; d < D; d++) {
    const x = r[d];
    if (x !== x) return undefinedStats;
    sum += x;
    if (x > best) best = x;
    if (x < worst) worst = x;
    if (x > 0) { winning++; gains += x; } else losses -= x;
  }
  if (D === 0) return undefinedStats;
  const mean = sum / D;
  // Central moments around the mean of the first loop (two passes, for accuracy).
  let m2 = 0, m3 = 0, m4 = 0;
  for (let d = 0; d < D; d++) {
    const dev = r[d] - mean;
    const sq = dev * dev;
    m2 += sq;
    m3 += sq * dev;
    m4 += sq * sq;
  }
  let std = D >= 2 ? Math.sqrt(m2 / (D - 1)) : NaN;
  if (std <= NOISE * Math.abs(mean)) std = 0;
  m2 /= D;
  m3 /= D;
  m4 /= D;
  // Adjusted Fisher–Pearson G1 and the matching excess kurtosis G2 (Excel SKEW/KURT, pandas skew/kurt).
  const g1 = m3 / (m2 * Math.sqrt(m2));
  const g2 = m4 / (m2 * m2) - 3;
  const dailySkew = D >= 3 && std > 0 ? (Math.sqrt(D * (D - 1)) / (D - 2)) * g1 : NaN;
  const dailyKurtosis = D >= 4 && std > 0 ? (((D + 1) * g2 + 6) * (D - 1)) / ((D - 2) * (D - 3)) : NaN;

  // D is the number of days, far below the number of steps: sorting it costs little.
  const sorted = Float64Array.from(r).sort();
  const low = quantile(sorted, 0.05);
  const high = quantile(sorted, 0.95);
  let tail = 0, inTail = 0;
  for (let d = 0; d < D && sorted[d] <= low; d++) { tail += sorted[d]; inTail++; }
  return {
    bestDay: best,
    worstDay: worst,
    winningDaysPct: winning / D,
    dailyVolatility: std * Math.sqrt(daysPerYear),
    dailySkew,
    dailyKurtosis,
    var95: 0 - low, // 0 − x, not −x: a 5th percentile of 0 is a VaR of +0, not −0
    cvar95: 0 - tail / inTail,
    omega: losses > 0 ? gains / losses : NaN,
    tailRatio: low !== 0 ? Math.abs(high) / Math.abs(low) : NaN,
  };
}

/** Daily returns compounded per calendar month; `days` are the local day numbers, non-decreasing. */
function monthlyReturnsOf(days: Float64Array, r: Float64Array): MonthlyReturn[] {
  const months: MonthlyReturn[] = [];
  let next = -Infinity; // first day of the month after the current one
  let growth = 1;
  for (let d = 0; d < r.length; d++) {
    if (days[d] >= next) {
      if (months.length) months[months.length - 1].return = growth - 1;
      const ymd = civilFromDays(days[d]);
      const year = Math.floor(ymd / 10_000);
      const month = Math.floor(ymd / 100) % 100;
      months.push({ year, month, return: NaN });
      next = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
      growth = 1;
    }
    growth *= 1 + r[d];
  }
  if (months.length) months[months.length - 1].return = growth - 1;
  return months;
}

/**
 * Sharpe of every window of `window` consecutive daily returns, O(days) and without subtracting a
 * leaving day from running sums (whose rounding leftovers would give a flat window a spurious
 * dispersion): the days are cut into blocks of `window`; every window is a suffix of one block plus a
 * prefix of the next, each summarized by Welford's count, mean and M2, and the two are merged (Chan et al.).
 */
function rollingSharpeOf(daily: DailySeries, window: number, rfDaily: number, daysPerYear: number): RollingSharpe {
  const { returns: r, ends } = daily;
  const D = r.length;
  const count = Math.max(0, D - window + 1);
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  if (count === 0) return { window, timestamps, values };
  // prefix*[i]: days from i's block start to i; suffix*[i]: days from i to its block's end.
  const prefixMean = new Float64Array(D), prefixM2 = new Float64Array(D);
  const suffixMean = new Float64Array(D), suffixM2 = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    const k = i % window;
    if (k === 0) { prefixMean[i] = r[i]; prefixM2[i] = 0; continue; }
    const delta = r[i] - prefixMean[i - 1];
    prefixMean[i] = prefixMean[i - 1] + delta / (k + 1);
    prefixM2[i] = prefixM2[i - 1] + delta * (r[i] - prefixMean[i]);
  }
  for (let i = D - 1; i >= 0; i--) {
    const blockEnd = Math.min(i - (i % window) + window - 1, D - 1);
    if (i === blockEnd) { suffixMean[i] = r[i]; suffixM2[i] = 0; continue; }
    const c = blockEnd - i + 1;
    const delta = r[i] - suffixMean[i + 1];
    suffixMean[i] = suffixMean[i + 1] + delta / c;
    suffixM2[i] = suffixM2[i + 1] + delta * (r[i] - suffixMean[i]);
  }
  const rootDays = Math.sqrt(daysPerYear);
  for (let i = 0; i < count; i++) {
    const last = i + window - 1;
    const a = window - (i % window); // days of i's block in the window; the other b come from the next block
    const b = window - a;
    let mean = suffixMean[i];
    let m2 = suffixM2[i];
    if (b > 0) {
      const delta = prefixMean[last] - mean;
      mean += (delta * b) / window;
      m2 += prefixM2[last] + (delta * delta * a * b) / window;
    }
    const std = Math.sqrt(m2 / (window - 1));
    timestamps[i] = ends[last];
    values[i] = std > NOISE * Math.abs(mean) ? ((mean - rfDaily) / std) * rootDays : NaN;
  }
  return { window, timestamps, values };
}

/**
 * Periods per year implied by bar timestamps. The median spacing classifies the bars: under 19.2 h
 * intraday, under 4 days daily, under 10 days weekly, under 45 days monthly, under 135 days
 * quarterly, else yearly. Daily bars give the sessions per year (252, or 365 when at least 5 % of the
 * bars fall on a Saturday and 5 % on a Sunday, UTC: a 24/7 market); weekly 52, monthly 12, quarterly
 * 4, yearly 1; intraday bars give bars per session × sessions per year, a session being a UTC
 * calendar day and bars per session the median count per day. Fewer than two timestamps (or no
 * positive spacing) fall back to 252.
 *
 * @example
 *   const minutes = Float64Array.from({ length: 780 }, (_, i) =>
 *     Date.UTC(2024, 0, 2 + Math.floor(i / 390), 14, 30) + (i % 390) * 60_000);
 *   inferAnnualization(minutes).periodsPerYear; // 390 × 252 = 98 280
 */
export function inferAnnualization(timestamps: Float64Array): Annualization {
  // Every portfolio of a run shares its timestamps: infer once per array.
  let found = annualizationCache.get(timestamps);
  if (!found) annualizationCache.set(timestamps, (found = inferAnnualizationOf(timestamps)));
  return { ...found };
}

const annualizationCache = new WeakMap<Float64Array, Annualization>();

function inferAnnualizationOf(timestamps: Float64Array): Annualization {
  const n = timestamps.length;
  const fallback: Annualization = { periodsPerYear: 252, frequency: 'unknown', source: 'fallback', medianSpacingMs: NaN, sessionsPerYear: 252 };
  if (n < 2) return fallback;
  const spacing = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) spacing[i - 1] = timestamps[i] - timestamps[i - 1];
  // The lower middle for an even count: one long gap between two bars must not set the spacing.
  const medianSpacingMs = select(spacing, (n - 2) >>> 1);
  if (!(medianSpacingMs > 0)) return { ...fallback, medianSpacingMs };

  // Bars per UTC day, and how many fall on a weekend; one pass over the timestamps, one entry per day.
  const perDay: number[] = [];
  let day = Math.floor(timestamps[0] / DAY_MS);
  let count = 0;
  let saturday = 0;
  let sunday = 0;
  const close = () => {
    perDay.push(count);
    const weekday = weekdayOfDay(day);
    if (weekday === 6) saturday += count;
    else if (weekday === 0) sunday += count;
  };
  for (let i = 0; i < n; i++) {
    const d = Math.floor(timestamps[i] / DAY_MS);
    if (d !== day) {
      close();
      day = d;
      count = 0;
    }
    count++;
  }
  close();
  const sessionsPerYear = saturday >= 0.05 * n && sunday >= 0.05 * n ? 365 : 252;
  const result = (frequency: BarFrequency, periodsPerYear: number): Annualization =>
    ({ periodsPerYear, frequency, source: 'inferred', medianSpacingMs, sessionsPerYear });

  if (medianSpacingMs < 0.8 * DAY_MS) {
    // The higher middle for an even count: the first and last days are often partial.
    const counts = Float64Array.from(perDay);
    const barsPerSession = select(counts, counts.length >>> 1);
    return { ...result('intraday', barsPerSession * sessionsPerYear), barsPerSession };
  }
  if (medianSpacingMs < 4 * DAY_MS) return result('daily', sessionsPerYear);
  if (medianSpacingMs < 10 * DAY_MS) return result('weekly', 52);
  if (medianSpacingMs < 45 * DAY_MS) return result('monthly', 12);
  if (medianSpacingMs < 135 * DAY_MS) return result('quarterly', 4);
  return result('yearly', 1);
}

/**
 * Performance metrics of one portfolio: returns, risk, drawdowns, trade statistics, exposure,
 * turnover and fees per step; distribution, tail, monthly and rolling figures per calendar day of
 * the exchange time zone (`options.timeZone`, default New York). O(steps + fills), no allocation per
 * step (the daily series allocate per day). Degenerate input (no or one step or day, flat equity,
 * zero equity, no trades) gives NaN, 0 or empty arrays as docs/metrics.md says, never an exception
 * and never Infinity (except `profitFactor`, Infinity when there are wins and no losses).
 *
 * Throws a RangeError on malformed input: series of different lengths, an invalid option (an
 * unknown time zone included), or malformed fills (see `extractTrades`).
 *
 * @example
 *   const run = await runPortfolio(module, spec, bars);
 *   const m = computeMetrics({ timestamps: bars.timestamps, equity: run.equity, gross: run.gross,
 *     fills: run.fills, symbols: run.symbols, initialCapital: spec.initialCapital }, { riskFreeRate: 0.02 });
 *   console.log(m.sharpe, m.maxDrawdown, m.trades, m.periodsPerYear);
 *   console.log(m.var95, m.dailySkew, m.monthlyReturns[0]); // { year: 2024, month: 1, return: 0.012 }
 */
export function computeMetrics(input: MetricsInput, options: MetricsOptions = {}): PortfolioMetrics {
  const { timestamps, equity, gross, flows, initialCapital } = input;
  const n = equity.length;
  if (timestamps.length !== n || gross.length !== n) {
    throw new RangeError(`computeMetrics: series lengths differ: timestamps ${timestamps.length}, equity ${n}, gross ${gross.length}`);
  }
  let netFlow = 0;
  if (flows) {
    for (let i = 0; i < flows.length; i++) {
      const { step, amount } = flows[i];
      netFlow += amount;
      if (!(Number.isInteger(step) && step >= 0 && step < n && (i === 0 || step >= flows[i - 1].step))) {
        throw new RangeError(`computeMetrics: flows[${i}].step is ${step}, expected steps in order within 0…${n - 1}`);
      }
      if (!Number.isFinite(amount)) throw new RangeError(`computeMetrics: flows[${i}].amount is ${amount}, expected a finite number`);
    }
  }
  if (options.periodsPerYear !== undefined && !(Number.isFinite(options.periodsPerYear) && options.periodsPerYear > 0)) {
    throw new RangeError(`computeMetrics: periodsPerYear is ${options.periodsPerYear}, expected a number > 0`);
  }
  const riskFreeRate = options.riskFreeRate ?? 0;
  if (!(Number.isFinite(riskFreeRate) && riskFreeRate > -1)) {
    throw new RangeError(`computeMetrics: riskFreeRate is ${riskFreeRate}, expected a number > -1`);
  }
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  let calendar: ExchangeCalendar;
  try {
    calendar = calendarOf(timeZone);
  } catch (error) {
    throw new RangeError(`computeMetrics: ${(error as Error).message}`);
  }
  const rollingWindow = options.rollingWindow ?? 63;
  if (!(Number.isInteger(rollingWindow) && rollingWindow >= 2)) {
    throw new RangeError(`computeMetrics: rollingWindow is ${rollingWindow}, expected an integer ≥ 2`);
  }
  const daysPerYear = options.daysPerYear ?? 252;
  if (!(Number.isFinite(daysPerYear) && daysPerYear > 0)) {
    throw new RangeError(`computeMetrics: daysPerYear is ${daysPerYear}, expected a number > 0`);
  }

  const annualization: Annualization = options.periodsPerYear !== undefined
    ? { ...inferAnnualization(timestamps), periodsPerYear: options.periodsPerYear, source: 'option' }
    : inferAnnualization(timestamps);
  const P = annualization.periodsPerYear;
  const rfPeriod = riskFreeRate === 0 ? 0 : power(1 + riskFreeRate, 1 / P) - 1;
  const years = n / P;
  const finalEquity = n > 0 ? equity[n - 1] : initialCapital;

  const sums = inBlocks(new ReturnSums(equity, gross, new FlowCursor(flows), initialCapital), n);
  const { exposed, sumEquity } = sums;
  const [sumReturn, wealth] = sums.badBases ? [NaN, NaN] : [sums.sumReturn, sums.wealth];
  const mean = sumReturn / n;
  const pass2 = inBlocks(new DispersionAndDrawdowns(equity, new FlowCursor(flows), initialCapital, mean, rfPeriod, timestamps), n);
  const { squares, downside } = pass2;
  const meanExcess = mean - rfPeriod;
  let std = n >= 2 ? Math.sqrt(squares / (n - 1)) : NaN;
  if (std <= NOISE * Math.abs(mean)) std = 0;
  let downsideDeviation = n >= 2 ? Math.sqrt(downside / n) : NaN;
  if (downsideDeviation <= NOISE * Math.abs(meanExcess)) downsideDeviation = 0;
  const rootP = Math.sqrt(P);
  const annualizedVolatility = std * rootP;
  const sharpe = std > 0 ? (meanExcess / std) * rootP : NaN;
  const sortino = downsideDeviation > 0 ? (meanExcess / downsideDeviation) * rootP : NaN;

  // Time-weighted only when capital actually moved; with no flows, the plain ratio (bit-identical whether
  // `flows` is absent or empty).
  const totalReturn = initialCapital > 0 ? (flows?.length ? wealth - 1 : finalEquity / initialCapital - 1) : NaN;
  let cagr = NaN;
  if (n > 0 && totalReturn === totalReturn) {
    const growth = 1 + totalReturn;
    cagr = growth <= 0 ? -1 : power(growth, 1 / years) - 1;
    if (!Number.isFinite(cagr)) cagr = NaN; // too short a run to annualize
  }

  const { maxDrawdown, maxLoss, squaredDrawdowns } = pass2;
  const longest = pass2.longestSpell(n - 1);
  const calmar = maxDrawdown > 0 && cagr === cagr ? cagr / maxDrawdown : NaN;
  const ulcerIndex = n > 0 ? Math.sqrt(squaredDrawdowns / n) : NaN;
  const recoveryFactor = maxLoss > 0 ? (finalEquity - initialCapital - netFlow) / maxLoss : NaN;

  // Daily returns in the exchange's calendar, and what is computed from them.
  const daily = dailyReturns(timestamps, equity, flows, initialCapital, calendar);
  // Bars longer than a day have one bar per day with a step: the "daily" statistics are per bar, and
  // annualize with the bars per year (a weekly volatility × √52, not × √252).
  const statisticsPeriod: StatisticsPeriod = LONGER_THAN_A_DAY.has(annualization.frequency) ? 'bar' : 'day';
  const statisticsPerYear = statisticsPeriod === 'bar' ? P : daysPerYear;
  const rfDaily = riskFreeRate === 0 ? 0 : power(1 + riskFreeRate, 1 / statisticsPerYear) - 1;

  // Fills: fees, traded value; trades: statistics of the closed ones.
  const f = fillColumns(input.fills);
  const { fees, tradedValue } = inBlocks(new FillTotals(f), f.length);
  const meanEquity = sumEquity / n;
  const turnover = n > 0 && meanEquity > 0 ? tradedValue / meanEquity / years : NaN;

  const { closed, open: openTrades, wins, losses, sumWins, sumLosses, sumNet, sumBars } = tradeStatistics(f, input.symbols, { steps: n });
  const profitFactor = sumLosses > 0 ? sumWins / sumLosses : sumWins > 0 ? Infinity : NaN;

  return {
    bars: n,
    periodsPerYear: P,
    annualization,
    initialCapital,
    finalEquity,
    totalReturn,
    cagr,
    annualizedVolatility,
    sharpe,
    sortino,
    maxDrawdown,
    maxDrawdownDuration: longest,
    calmar,
    trades: closed,
    openTrades,
    winRate: closed > 0 ? wins / closed : NaN,
    profitFactor,
    averageTrade: closed > 0 ? sumNet / closed : NaN,
    averageWin: wins > 0 ? sumWins / wins : NaN,
    averageLoss: losses > 0 ? -sumLosses / losses : NaN,
    averageBarsHeld: closed > 0 ? sumBars / closed : NaN,
    exposure: n > 0 ? exposed / n : NaN,
    tradedValue,
    turnover,
    fees,
    ulcerIndex,
    recoveryFactor,
    longestDrawdown: longest,
    timeZone,
    statisticsPeriod,
    statisticsPerYear,
    days: daily.returns.length,
    ...dailyStatistics(daily.returns, statisticsPerYear),
    monthlyReturns: monthlyReturnsOf(daily.days, daily.returns),
    rollingSharpe: rollingSharpeOf(daily, rollingWindow, rfDaily, statisticsPerYear),
  };
}
