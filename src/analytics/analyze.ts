// analyze: everything the dashboards and reports need from a finished run, as plain typed objects —
// per-portfolio metrics plus correlation, attribution, risk contribution, frontier and drawdowns.
import type { PortfolioMetrics } from './metrics.js';
import { analyzeCross, portfoliosFromRun, toPlain, type CrossAnalysis, type CrossOptions, type Plain, type RunLike } from './cross.js';

/** A run result as analyze reads it (RunResult from runBacktest fits). */
export interface AnalyzableRun extends RunLike {
  /** The run's exchange zone; the default zone of the calendar periods. */
  timeZone?: string;
  portfolios: Record<string, { status: 'failed'; portfolioId: string; error: string } | (Extract<RunLike['portfolios'][string], { status: 'ok' }> & { metrics: PortfolioMetrics })>;
}

export interface Analysis extends CrossAnalysis {
  /** Per-portfolio metrics (computed on every bar when the run ran), by portfolio id. */
  metrics: Record<string, PortfolioMetrics>;
  /** Portfolios that failed, left out of every cross-portfolio figure. */
  failed: Record<string, string>;
}

/**
 * Analyses a finished run. Cross-portfolio statistics use daily returns in the run's exchange zone
 * (`result.timeZone`, New York when absent) unless `options.timeZone` says otherwise.
 * @example
 *   const a = analyze(await runBacktest(config, { bars }));
 *   console.log(a.correlation.matrix, a.attribution.contributions);
 *   JSON.stringify(analysisToJSON(a));
 */
export function analyze(result: AnalyzableRun, options: CrossOptions = {}): Analysis {
  const metrics: Record<string, PortfolioMetrics> = {};
  const failed: Record<string, string> = {};
  for (const [id, p] of Object.entries(result.portfolios)) {
    if (p.status === 'ok') metrics[id] = p.metrics;
    else failed[id] = p.error;
  }
  return { ...analyzeCross(portfoliosFromRun(result), { frequency: 'daily', timeZone: result.timeZone, ...options }), metrics, failed };
}

/** Any value with typed arrays as number[] and non-finite numbers as null: safe for JSON.stringify. */
export function toJSONSafe<T>(value: T): Plain<T> {
  return JSON.parse(JSON.stringify(toPlain(value), (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

/** The analysis, JSON-safe (typed arrays as number[], NaN and ±Infinity as null). */
export function analysisToJSON(analysis: Analysis): Plain<Analysis> {
  return toJSONSafe(analysis);
}
