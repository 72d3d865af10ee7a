// Per-portfolio performance metrics from the per-step series and the fills (formulas in
// docs/metrics.md), and the inference of periods per year from bar timestamps.
import type { Fill, FillTable } from '../engine/records.js';
import { fillColumns, tradesOf } from './trades.js';

const DAY_MS = 86_400_000;

/** How bars are spaced, as `inferAnnualization` classifies them. */
export type BarFrequency = 'intraday' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly' | 'unknown';

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

/** Reads sparse flows step by step in order (t must not decrease between rewinds): Σ amount at step t. */
function flowReader(flows: ReadonlyArray<{ step: number; amount: number }> | undefined): ((t: number) => number) & { rewind(): void } {
  let cursor = 0;
  const at = (t: number): number => {
    if (!flows) return 0;
    let amount = 0;
    while (cursor < flows.length && flows[cursor].step === t) amount += flows[cursor++].amount;
    return amount;
  };
  return Object.assign(at, { rewind: () => { cursor = 0; } });
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
    const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4); 0 = Sunday
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
 * turnover and fees. O(steps + fills), no allocation per step. Degenerate input (no or one step,
 * flat equity, zero equity, no trades) gives NaN or 0 as docs/metrics.md says, never an exception
 * and never Infinity (except `profitFactor`, Infinity when there are wins and no losses).
 *
 * Throws a RangeError on malformed input: series of different lengths, an invalid option, or
 * malformed fills (see `extractTrades`).
 *
 * @example
 *   const run = await runPortfolio(module, spec, bars);
 *   const m = computeMetrics({ timestamps: bars.timestamps, equity: run.equity, gross: run.gross,
 *     fills: run.fills, symbols: run.symbols, initialCapital: spec.initialCapital }, { riskFreeRate: 0.02 });
 *   console.log(m.sharpe, m.maxDrawdown, m.trades, m.periodsPerYear);
 */
export function computeMetrics(input: MetricsInput, options: MetricsOptions = {}): PortfolioMetrics {
  const { timestamps, equity, gross, flows, initialCapital } = input;
  const n = equity.length;
  if (timestamps.length !== n || gross.length !== n) {
    throw new RangeError(`computeMetrics: series lengths differ: timestamps ${timestamps.length}, equity ${n}, gross ${gross.length}`);
  }
  if (flows) {
    for (let i = 0; i < flows.length; i++) {
      const { step, amount } = flows[i];
      if (!(Number.isInteger(step) && step >= 0 && step < n && (i === 0 || step >= flows[i - 1].step))) {
        throw new RangeError(`computeMetrics: flows[${i}].step is ${step}, expected steps in order within 0…${n - 1}`);
      }
      if (!Number.isFinite(amount)) throw new RangeError(`computeMetrics: flows[${i}].amount is ${amount}, expected a finite number`);
    }
  }
  const flowAt = flowReader(flows);
  if (options.periodsPerYear !== undefined && !(Number.isFinite(options.periodsPerYear) && options.periodsPerYear > 0)) {
    throw new RangeError(`computeMetrics: periodsPerYear is ${options.periodsPerYear}, expected a number > 0`);
  }
  const riskFreeRate = options.riskFreeRate ?? 0;
  if (!(Number.isFinite(riskFreeRate) && riskFreeRate > -1)) {
    throw new RangeError(`computeMetrics: riskFreeRate is ${riskFreeRate}, expected a number > -1`);
  }

  const annualization: Annualization = options.periodsPerYear !== undefined
    ? { ...inferAnnualization(timestamps), periodsPerYear: options.periodsPerYear, source: 'option' }
    : inferAnnualization(timestamps);
  const P = annualization.periodsPerYear;
  const rfPeriod = riskFreeRate === 0 ? 0 : Math.pow(1 + riskFreeRate, 1 / P) - 1;
  const years = n / P;
  const finalEquity = n > 0 ? equity[n - 1] : initialCapital;

  // Pass 1: mean return, wealth index (with flows), exposure, mean equity.
  // r_t = (equity_t − flow_t) / equity_{t−1} − 1, equity_{−1} = initial capital; NaN from a base ≤ 0.
  let sumReturn = 0;
  let wealth = 1;
  let exposed = 0;
  let sumEquity = 0;
  let prev = initialCapital;
  for (let t = 0; t < n; t++) {
    const e = equity[t];
    const r = prev > 0 ? (e - flowAt(t)) / prev - 1 : NaN;
    sumReturn += r;
    wealth *= 1 + r;
    sumEquity += e;
    if (gross[t] > 0) exposed++;
    prev = e;
  }
  const mean = sumReturn / n;

  // Pass 2: dispersion and downside, computed around the mean of pass 1 (two-pass for accuracy).
  let squares = 0;
  let downside = 0;
  prev = initialCapital;
  flowAt.rewind();
  for (let t = 0; t < n; t++) {
    const e = equity[t];
    const r = prev > 0 ? (e - flowAt(t)) / prev - 1 : NaN;
    const dev = r - mean;
    squares += dev * dev;
    const excess = r - rfPeriod;
    if (excess < 0) downside += excess * excess;
    else if (excess !== excess) downside = NaN;
    prev = e;
  }
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
    cagr = growth <= 0 ? -1 : Math.pow(growth, 1 / years) - 1;
    if (!Number.isFinite(cagr)) cagr = NaN; // too short a run to annualize
  }

  // Pass 3: drawdowns from the running peak (the initial capital counts as a peak at step 0).
  let peak = initialCapital;
  let peakStep = 0;
  let maxDrawdown = 0;
  let under = false;
  const longest: DrawdownDuration = { steps: 0, ms: 0, recovered: true };
  const spellEnds = (end: number, recovered: boolean) => {
    const steps = end - peakStep;
    const ms = timestamps[end] - timestamps[peakStep];
    if (steps > longest.steps || (steps === longest.steps && ms > longest.ms)) {
      Object.assign(longest, { steps, ms, peakStep, endStep: end, recovered });
    }
  };
  flowAt.rewind();
  for (let t = 0; t < n; t++) {
    const e = equity[t];
    const flow = flowAt(t);
    const before = e - flow; // the equity the step earned, before any capital moved
    if (before >= peak) {
      if (under) spellEnds(t, true);
      under = false;
      peak = before;
      peakStep = t;
    } else if (peak > 0) {
      under = true;
      const drawdown = (peak - before) / peak;
      if (drawdown > maxDrawdown) maxDrawdown = drawdown;
    }
    // A deposit is not a gain and a withdrawal not a loss: the peak moves with the capital.
    if (flow !== 0) peak = before > 0 ? peak * (e / before) : Math.max(peak, e);
  }
  if (under) spellEnds(n - 1, false);
  const calmar = maxDrawdown > 0 && cagr === cagr ? cagr / maxDrawdown : NaN;

  // Fills: fees, traded value; trades: statistics of the closed ones.
  const f = fillColumns(input.fills);
  let fees = 0;
  let tradedValue = 0;
  for (let i = 0; i < f.length; i++) {
    fees += f.commission[i];
    tradedValue += Math.abs(f.quantity[i] * f.price[i]);
  }
  const meanEquity = sumEquity / n;
  const turnover = n > 0 && meanEquity > 0 ? tradedValue / meanEquity / years : NaN;

  const trades = tradesOf(f, input.symbols, { steps: n });
  let closed = 0, wins = 0, losses = 0, sumWins = 0, sumLosses = 0, sumNet = 0, sumBars = 0;
  for (const trade of trades) {
    if (trade.open) continue;
    closed++;
    sumNet += trade.netPnl;
    sumBars += trade.bars;
    if (trade.netPnl > 0) { wins++; sumWins += trade.netPnl; }
    else if (trade.netPnl < 0) { losses++; sumLosses -= trade.netPnl; }
  }
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
    openTrades: trades.length - closed,
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
  };
}
