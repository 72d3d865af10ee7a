// Risk contribution of each portfolio to the book's volatility (Euler decomposition of σ = √(wᵀΣw)):
// marginal, component and percent contributions, from a covariance matrix or from return series.
import { moments } from './correlation.js';
import type { SeriesSet } from './returns.js';

export interface RiskContribution {
  ids: string[];
  weights: number[];
  /** σ = √(wᵀΣw) (annualized when `annualized`). */
  volatility: number;
  /** ∂σ/∂wᵢ = (Σw)ᵢ / σ. */
  marginal: number[];
  /** wᵢ (Σw)ᵢ / σ; they sum to σ. */
  component: number[];
  /** componentᵢ / σ; they sum to 1 (may be negative for hedges). */
  percent: number[];
  annualized: boolean;
  periodsPerYear?: number;
  /** Complete-case periods behind Σ (when computed from returns). */
  observations?: number;
  /** Why a number is not what the formula would give (zero volatility, default weights, too little data). */
  notes: string[];
}

export interface RiskOptions {
  /** Weights by position in `ids` or by id. Default: last-equity shares when known, else equal. */
  weights?: readonly number[] | Readonly<Record<string, number>>;
  /** Multiply σ, marginal and component by √periodsPerYear. Default false. */
  annualize?: boolean;
  periodsPerYear?: number;
}

/**
 * Risk decomposition for weights w and covariance Σ (per period of the returns behind Σ).
 * σ = 0 gives zero marginal, component and percent contributions, with a note.
 * @example
 *   const r = riskFromCovariance([0.6, 0.4], [[0.04, 0.006], [0.006, 0.01]]);
 *   r.volatility;                       // √(0.6²·0.04 + 0.4²·0.01 + 2·0.6·0.4·0.006)
 *   r.component[0] + r.component[1];    // = r.volatility
 */
export function riskFromCovariance(weights: readonly number[], covariance: readonly (readonly number[])[], options: Omit<RiskOptions, 'weights'> & { ids?: string[] } = {}): RiskContribution {
  const k = weights.length;
  if (covariance.length !== k || covariance.some((row) => row.length !== k)) throw new RangeError(`riskFromCovariance: ${k} weights need a ${k}×${k} covariance matrix`);
  const ids = options.ids ?? weights.map((_, i) => String(i));
  const sigmaW = covariance.map((row) => row.reduce((a, c, j) => a + c * weights[j], 0));
  const variance = weights.reduce((a, w, i) => a + w * sigmaW[i], 0);
  const notes: string[] = [];
  const scale = options.annualize ? annualFactor(options.periodsPerYear) : 1;
  if (!(variance > 0)) {
    notes.push('zero volatility: every contribution is 0');
    return {
      ids, weights: [...weights], volatility: 0, marginal: new Array(k).fill(0), component: new Array(k).fill(0), percent: new Array(k).fill(0),
      annualized: !!options.annualize, periodsPerYear: options.periodsPerYear, notes,
    };
  }
  const sigma = Math.sqrt(variance);
  const marginal = sigmaW.map((s) => s / sigma);
  const component = marginal.map((m, i) => weights[i] * m);
  const percent = component.map((c) => c / sigma);
  return {
    ids, weights: [...weights], volatility: sigma * scale, marginal: marginal.map((m) => m * scale), component: component.map((c) => c * scale), percent,
    annualized: !!options.annualize, periodsPerYear: options.periodsPerYear, notes,
  };
}

function annualFactor(periodsPerYear: number | undefined): number {
  if (!(periodsPerYear !== undefined && periodsPerYear > 0)) throw new RangeError(`annualize: expected periodsPerYear > 0, got ${periodsPerYear}`);
  return Math.sqrt(periodsPerYear);
}

/** Weights by position, from an array, a record by id, last-equity shares or an equal split. */
function resolveWeights(set: SeriesSet, given: RiskOptions['weights'], notes: string[]): number[] {
  const k = set.ids.length;
  if (Array.isArray(given)) {
    if (given.length !== k) throw new RangeError(`weights: expected ${k} numbers (one per portfolio), got ${given.length}`);
    return [...given];
  }
  if (given) {
    return set.ids.map((id) => {
      const w = (given as Readonly<Record<string, number>>)[id];
      if (typeof w !== 'number' || !Number.isFinite(w)) throw new RangeError(`weights.${id}: expected a number, got ${w}`);
      return w;
    });
  }
  const equity = set.lastEquity;
  if (equity) {
    const values = set.ids.map((id) => equity[id]);
    const total = values.reduce((a, v) => a + v, 0);
    if (total > 0 && values.every(Number.isFinite)) return values.map((v) => v / total);
    notes.push('total last equity is not positive: equal weights');
  }
  return new Array(k).fill(1 / k);
}

/**
 * Risk contribution of each portfolio of a return set, with Σ the sample covariance of the returns
 * over the periods where every portfolio has one. Default weights: last-equity (capital) shares.
 * @example
 *   const returns = periodReturns(portfolios);             // daily
 *   const r = riskContribution(returns, { annualize: true, periodsPerYear: 252 });
 *   r.percent;  // e.g. [0.72, 0.28]
 */
export function riskContribution(set: SeriesSet, options: RiskOptions = {}): RiskContribution {
  const notes: string[] = [];
  const weights = resolveWeights(set, options.weights, notes);
  const m = moments(set.ids.map((id) => set.returns[id]));
  if (m.observations < 2) notes.push(`only ${m.observations} complete period(s): covariance taken as 0`);
  const result = riskFromCovariance(weights, m.covariance, { ...options, ids: [...set.ids] });
  return { ...result, observations: m.observations, notes: [...notes, ...result.notes] };
}
