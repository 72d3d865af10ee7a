// analyzeCross: every cross-portfolio view of a run in one call (returns, correlation, attribution,
// risk contribution, efficient frontier, drawdowns), plus the helpers that feed it and make it plain JSON.
import { attribution, type Attribution } from './attribution.js';
import { correlationMatrix, type CorrelationMatrix, type CorrelationOptions } from './correlation.js';
import { drawdowns, type DrawdownOptions, type DrawdownReport } from './drawdowns.js';
import { frontierFromReturns, type Frontier, type FrontierOptions } from './frontier.js';
import { periodReturns, periodsPerYearOf, type PortfolioSeries, type ReturnOptions, type ReturnSeries } from './returns.js';
import { riskContribution, type RiskContribution, type RiskOptions } from './risk.js';

export interface CrossOptions extends ReturnOptions {
  correlation?: CorrelationOptions;
  risk?: RiskOptions;
  frontier?: FrontierOptions;
  drawdowns?: DrawdownOptions;
  /** Shared by risk and frontier unless they set their own. Default from the frequency (252/52/12; none for 'bar'). */
  periodsPerYear?: number;
  /** Shared by risk and frontier unless they set their own. Default false. */
  annualize?: boolean;
}

/**
 * Typed arrays (Float64Array) are in: `returns.keys`, `returns.timestamps`, `returns.returns[id]`,
 * `attribution.series.{timestamps, cumulative[id], combined}`, `drawdowns.*.{timestamps, underwater}`.
 * Everything else is plain numbers, strings, arrays and objects; `toPlain` converts the typed arrays.
 */
export interface CrossAnalysis {
  returns: ReturnSeries;
  correlation: CorrelationMatrix;
  attribution: Attribution;
  riskContribution: RiskContribution;
  frontier: Frontier;
  drawdowns: DrawdownReport;
}

/**
 * Cross-portfolio analytics of a set of equity curves: period returns net of flows (daily in New York
 * time by default), their correlation, the attribution of the combined return, each portfolio's
 * contribution to the book's volatility (capital-share weights by default), the efficient frontier of
 * the return streams, and drawdowns per portfolio and for the combined book.
 * @example
 *   const result = await runBacktest(config, { bars });
 *   const cross = analyzeCross(portfoliosFromRun(result), { frequency: 'daily', annualize: true });
 *   cross.correlation.matrix;           // k×k
 *   cross.frontier.maxSharpe.weights;
 *   JSON.stringify(toPlain(cross));     // plain JSON (NaN becomes null)
 */
export function analyzeCross(portfolios: readonly PortfolioSeries[], options: CrossOptions = {}): CrossAnalysis {
  if (portfolios.length === 0) throw new RangeError('analyzeCross: expected at least one portfolio');
  const returns = periodReturns(portfolios, options);
  const periodsPerYear = options.periodsPerYear ?? periodsPerYearOf(returns.frequency);
  const shared = { periodsPerYear, annualize: options.annualize ?? false };
  return {
    returns,
    correlation: correlationMatrix(returns, options.correlation),
    attribution: attribution(portfolios),
    riskContribution: riskContribution(returns, { ...shared, ...options.risk }),
    frontier: frontierFromReturns(returns, { ...shared, ...options.frontier }),
    drawdowns: drawdowns(portfolios, options.drawdowns),
  };
}

/** What a run result holds per portfolio (structurally: `RunResult` from runBacktest fits). */
export interface RunLike {
  portfolios: Record<string, { status: 'failed' } | {
    status: 'ok';
    portfolioId: string;
    timestamps: Float64Array;
    equity: Float64Array;
    initialCapital: number;
    flows?: ReadonlyArray<{ step: number; amount: number }>;
    sampledAt?: Float64Array;
  }>;
}

/**
 * The portfolios of a run that succeeded, as analytics inputs (flows and sampling included).
 * @example
 *   const inputs = portfoliosFromRun(await runBacktest(config, { bars }));
 */
export function portfoliosFromRun(run: RunLike): PortfolioSeries[] {
  const out: PortfolioSeries[] = [];
  for (const p of Object.values(run.portfolios)) {
    if (p.status !== 'ok') continue;
    out.push({ id: p.portfolioId, timestamps: p.timestamps, equity: p.equity, initialCapital: p.initialCapital, flows: p.flows, sampledAt: p.sampledAt });
  }
  return out;
}

/** A value with every typed array turned into a number[] (deeply). */
export type Plain<T> = T extends Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array
  ? number[]
  : T extends ReadonlyArray<infer U>
    ? Plain<U>[]
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;

/**
 * Deep copy with typed arrays as number[], ready for JSON.stringify (which writes NaN and ±Infinity as null).
 * @example
 *   const json = JSON.stringify(toPlain(analyzeCross(portfolios)));
 */
export function toPlain<T>(value: T): Plain<T> {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>) as Plain<T>;
  if (Array.isArray(value)) return value.map((v) => toPlain(v)) as Plain<T>;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = toPlain(v);
    return out as Plain<T>;
  }
  return value as Plain<T>;
}
