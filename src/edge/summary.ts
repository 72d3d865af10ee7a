// The JSON summary of a finished run, sized for a person: metrics, analytics tables and curves
// decimated with decimateMinMax (never per-bar arrays). Shared by the edge handler and the CLI.
import { toJSONSafe, type Analysis } from '../analytics/analyze.js';
import { decimateMinMax } from '../analytics/decimate.js';
import type { Plain } from '../analytics/cross.js';
import type { PortfolioMetrics } from '../analytics/metrics.js';
import type { RebalanceDecision } from '../workflow/rebalance.js';
import type { PortfolioOk, RunResult } from '../workflow/run.js';

/** Points per curve when the caller does not say. */
export const DEFAULT_CURVE_POINTS = 1000;

/** A curve as JSON: timestamps (ms) and values, NaN as null. */
export interface CurveJSON {
  timestamps: number[];
  values: Array<number | null>;
}

export interface PortfolioSummaryOk {
  status: 'ok';
  portfolioId: string;
  namespace: string;
  finalEquity: number;
  fillCount: number;
  /** Halted for good (a max_drawdown limit or bankruptcy): no new entries after it. */
  halted: boolean;
  /** Equity reached zero at a mark: every position was flattened and the portfolio halted. */
  bankrupt: boolean;
  metrics: Plain<PortfolioMetrics>;
  /** Equity and drawdown (flow-adjusted, ≤ 0) over the whole run, decimated min/max per bucket. */
  curves: { equity: CurveJSON; drawdown: CurveJSON };
}

export interface PortfolioSummaryFailed {
  status: 'failed';
  portfolioId: string;
  namespace: string;
  error: string;
}

export type PortfolioSummary = PortfolioSummaryOk | PortfolioSummaryFailed;

/** What the rebalancer did, in counts (the decisions themselves go to a table). */
export interface RebalanceCounts {
  scheduled: number;
  moved: number;
  skippedThreshold: number;
  skippedNoEquity: number;
  partial: number;
}

/**
 * The analysis with its per-step series replaced by decimated curves: `attribution.series` becomes
 * one curve per portfolio plus `combined`, and each drawdown series keeps its episodes and an
 * `underwater` curve. Daily returns, correlation, risk contribution and frontier are tables already.
 * Per-portfolio metrics are left out here: each portfolio's summary holds its own.
 */
export type AnalyticsSummary = Omit<Plain<Analysis>, 'attribution' | 'drawdowns' | 'metrics'> & {
  attribution: Omit<Plain<Analysis['attribution']>, 'series'> & { series: { cumulative: Record<string, CurveJSON>; combined: CurveJSON } };
  drawdowns: {
    portfolios: Record<string, { maxDrawdown: number; top: Plain<Analysis['drawdowns']['combined']['top']>; underwater: CurveJSON }>;
    combined: { maxDrawdown: number; top: Plain<Analysis['drawdowns']['combined']['top']>; underwater: CurveJSON };
  };
};

export interface RunSummary {
  name: string;
  /** Steps of the aligned timeline (bars of the union of the symbols' timestamps). */
  bars: number;
  symbols: string[];
  /** Points each curve was decimated to (at most). */
  curvePoints: number;
  portfolios: PortfolioSummary[];
  rebalances: RebalanceCounts;
  /** Absent when no portfolio ran. */
  analytics?: AnalyticsSummary;
  warnings: string[];
}

/** A series decimated to `points` (min and max per bucket kept), as JSON. */
export function curveOf(timestamps: ArrayLike<number>, values: ArrayLike<number>, points: number): CurveJSON {
  const d = decimateMinMax(timestamps, values, points);
  return { timestamps: Array.from(d.x), values: Array.from(d.y, (v) => (Number.isFinite(v) ? v : null)) };
}

export function rebalanceCounts(decisions: readonly RebalanceDecision[]): RebalanceCounts {
  const counts: RebalanceCounts = { scheduled: decisions.length, moved: 0, skippedThreshold: 0, skippedNoEquity: 0, partial: 0 };
  for (const d of decisions) {
    if (d.transfers.length) counts.moved++;
    if (d.skipped === 'threshold') counts.skippedThreshold++;
    if (d.skipped === 'no equity') counts.skippedNoEquity++;
    if (d.partial) counts.partial++;
  }
  return counts;
}

function analyticsSummary(analysis: Analysis, points: number): AnalyticsSummary {
  const { attribution, drawdowns, metrics: _metrics, ...tables } = analysis;
  const { series, ...totals } = attribution;
  const dd = (s: Analysis['drawdowns']['combined']) => ({ maxDrawdown: s.maxDrawdown, top: toJSONSafe(s.top), underwater: curveOf(s.timestamps, s.underwater, points) });
  return {
    ...(toJSONSafe(tables) as Omit<Plain<Analysis>, 'attribution' | 'drawdowns' | 'metrics'>),
    attribution: {
      ...toJSONSafe(totals),
      series: {
        cumulative: Object.fromEntries(Object.entries(series.cumulative).map(([id, c]) => [id, curveOf(series.timestamps, c, points)])),
        combined: curveOf(series.timestamps, series.combined, points),
      },
    },
    drawdowns: {
      portfolios: Object.fromEntries(Object.entries(drawdowns.portfolios).map(([id, s]) => [id, dd(s)])),
      combined: dd(drawdowns.combined),
    },
  };
}

function portfolioSummary(p: PortfolioOk, analysis: Analysis | undefined, points: number): PortfolioSummaryOk {
  const underwater = analysis?.drawdowns.portfolios[p.portfolioId];
  return {
    status: 'ok', portfolioId: p.portfolioId, namespace: p.namespace, finalEquity: p.finalEquity, fillCount: p.fillCount, halted: p.halted, bankrupt: p.bankrupt,
    metrics: toJSONSafe(p.metrics),
    curves: {
      equity: curveOf(p.timestamps, p.equity, points),
      drawdown: underwater ? curveOf(underwater.timestamps, underwater.underwater, points) : { timestamps: [], values: [] },
    },
  };
}

/**
 * The run as a summary whose size depends on the number of portfolios and `points`, not on the bars.
 * `analysis` is `analyze(result)` (absent when every portfolio failed).
 * @example
 *   const result = await runBacktest(config, { bars });
 *   JSON.stringify(summarizeRun(result, analyze(result), 500));
 */
export function summarizeRun(result: RunResult, analysis: Analysis | undefined, points = DEFAULT_CURVE_POINTS): RunSummary {
  const portfolios = Object.values(result.portfolios).map((p): PortfolioSummary =>
    p.status === 'ok' ? portfolioSummary(p, analysis, points) : { status: 'failed', portfolioId: p.portfolioId, namespace: p.namespace, error: p.error });
  const summary: RunSummary = {
    name: result.name, bars: result.timestamps.length, symbols: result.symbols, curvePoints: points, portfolios,
    rebalances: rebalanceCounts(result.rebalances), warnings: result.warnings,
  };
  if (analysis) summary.analytics = analyticsSummary(analysis, points);
  return summary;
}
