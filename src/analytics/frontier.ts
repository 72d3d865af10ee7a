// Efficient frontier over portfolios' return streams (long-only, fully invested, per-portfolio bounds):
// the minimum-variance point, the maximum-Sharpe point and the frontier between them, via quadprog.
// @ts-expect-error quadprog 1.6.1 ships no type declarations (and there is no @types/quadprog); typed below.
import quadprog from 'quadprog';
import { moments } from './correlation.js';
import { periodsPerYearOf, type ReturnSeries, type SeriesSet } from './returns.js';
import { power } from './power.js';

/**
 * quadprog's solveQP (Goldfarb–Idnani dual method): min −dᵀb + ½bᵀDb subject to Aᵀb ≥ b0, the first
 * `meq` constraints as equalities. Arrays are 1-based (index 0 unused), A is n×q (one column per
 * constraint), and D and d are overwritten.
 */
type SolveQP = (D: number[][], d: number[], A: number[][], b0: number[], meq?: number) => { solution: number[]; message: string };
const { solveQP } = quadprog as { solveQP: SolveQP };

/** One portfolio mix: weights by position in `ids`, with its expected return, volatility and Sharpe ratio. */
export interface FrontierPoint {
  weights: number[];
  /** wᵀμ (per period, or ×periodsPerYear when annualized). */
  expectedReturn: number;
  /** √(wᵀΣw) (per period, or ×√periodsPerYear when annualized). */
  volatility: number;
  /** (expectedReturn − riskFree) / volatility; null when volatility is 0 (the ratio is undefined). */
  sharpe: number | null;
}

export type FrontierDegeneracy = 'single portfolio' | 'singular covariance' | 'insufficient data';

export interface Frontier {
  ids: string[];
  minVariance: FrontierPoint;
  maxSharpe: FrontierPoint;
  /** Min-variance mixes for evenly spaced target returns from minVariance to the end point, both included. */
  points: FrontierPoint[];
  /** Risk-free rate per period (or annualized ×periodsPerYear when annualized). */
  riskFree: number;
  bounds: Array<[number, number]>;
  annualized: boolean;
  periodsPerYear?: number;
  /** Complete-case periods behind μ and Σ (from return series). */
  observations?: number;
  /** Set when the inputs do not determine a unique answer; the answer given is the documented choice. */
  degenerate?: FrontierDegeneracy;
  notes: string[];
}

export interface FrontierOptions {
  /** [lo, hi] per portfolio (by position or id), within [0, 1]. Default [0, 1] (long-only, no cap). */
  bounds?: ReadonlyArray<readonly [number, number]> | Readonly<Record<string, readonly [number, number]>>;
  /** Risk-free rate: per period of the returns, or per year (converted to (1 + r)^(1/periodsPerYear) − 1). Default 0. */
  riskFree?: { rate: number; per: 'period' | 'year' };
  /** Number of frontier points, endpoints included (≥ 2). Default 20. */
  points?: number;
  /** Where the frontier stops: at the max-Sharpe point (default) or at the highest attainable return. */
  end?: 'max-sharpe' | 'max-return';
  /** Report returns ×periodsPerYear and volatilities ×√periodsPerYear. Default false. */
  annualize?: boolean;
  /** Needed to annualize or for an annual risk-free rate; default from the return frequency (252/52/12). */
  periodsPerYear?: number;
}

const SINGULAR_PIVOT = 1e-11; // Cholesky pivot, relative to the mean variance, below which Σ counts as singular
const RIDGE = 1e-9; // relative ridge added to a Σ still singular after identical portfolios are merged

/** The problem the solver sees: identical portfolios merged into one group each. */
interface Problem {
  /** Number of groups. */
  k: number;
  /** Members (positions in the caller's order) of each group. */
  groups: number[][];
  mu: number[];
  /** Σ over groups, scaled to unit mean variance, plus a small ridge when singular. */
  solverCov: number[][];
  /** Group bounds: the sums of the members' bounds. */
  lo: number[];
  hi: number[];
  /** Caller's per-portfolio bounds. */
  memberLo: number[];
  memberHi: number[];
  /** Distance to a bound under which a weight is snapped to it (larger when a ridge was used). */
  snap: number;
  /** Some portfolios were merged as identical. */
  merged: boolean;
  /** Σ over groups was still singular and got the ridge. */
  ridged: boolean;
}

interface Constraint {
  a: number[];
  b: number;
}

function solve(problem: Problem, equalities: Constraint[], inequalities: Constraint[]): number[] {
  const { k, solverCov } = problem;
  const D: number[][] = [[]];
  const d: number[] = [0];
  for (let i = 0; i < k; i++) {
    D.push([0, ...solverCov[i]]);
    d.push(0);
  }
  const all = [...equalities, ...inequalities];
  const A: number[][] = [[]];
  for (let i = 0; i < k; i++) A.push([0, ...all.map((c) => c.a[i])]);
  const b0 = [0, ...all.map((c) => c.b)];
  const result = solveQP(D, d, A, b0, equalities.length);
  if (result.message) throw new Error(`efficient frontier: quadprog failed (${result.message})`);
  return result.solution.slice(1);
}

/** Box and budget constraints Σw = 1, lo ≤ w ≤ hi. */
function boxConstraints(problem: Problem): { equalities: Constraint[]; inequalities: Constraint[] } {
  const { k, lo, hi } = problem;
  const unit = (i: number, s: number) => Array.from({ length: k }, (_, j) => (j === i ? s : 0));
  const inequalities: Constraint[] = [];
  for (let i = 0; i < k; i++) {
    inequalities.push({ a: unit(i, 1), b: lo[i] });
    if (hi[i] < 1) inequalities.push({ a: unit(i, -1), b: -hi[i] });
  }
  return { equalities: [{ a: new Array(k).fill(1), b: 1 }], inequalities };
}

/** Min-variance weights, with wᵀμ ≥ target when a target is given. */
function minVarianceWeights(problem: Problem, target?: number): number[] {
  const { equalities, inequalities } = boxConstraints(problem);
  if (target !== undefined) {
    const scale = Math.max(...problem.mu.map(Math.abs));
    if (scale > 0) inequalities.unshift({ a: problem.mu.map((m) => m / scale), b: target / scale });
  }
  return expand(tidy(solve(problem, equalities, inequalities), problem), problem);
}

/**
 * Max-Sharpe weights by the homogeneous transform w = y / Σy: min yᵀΣy subject to (μ − rf)ᵀy = 1 and
 * the bounds made homogeneous, yᵢ ≥ loᵢ·Σy and yᵢ ≤ hiᵢ·Σy. Needs some feasible mix with μᵀw > rf.
 */
function maxSharpeWeights(problem: Problem, riskFree: number): number[] {
  const { k, lo, hi } = problem;
  const excess = problem.mu.map((m) => m - riskFree);
  const scale = Math.max(...excess.map(Math.abs));
  const inequalities: Constraint[] = [];
  for (let i = 0; i < k; i++) {
    inequalities.push({ a: Array.from({ length: k }, (_, j) => (j === i ? 1 : 0) - lo[i]), b: 0 });
    if (hi[i] < 1) inequalities.push({ a: Array.from({ length: k }, (_, j) => hi[i] - (j === i ? 1 : 0)), b: 0 });
  }
  const y = solve(problem, [{ a: excess.map((e) => e / scale), b: 1 }], inequalities);
  const total = y.reduce((a, v) => a + v, 0);
  return expand(tidy(y.map((v) => v / total), problem), problem);
}

/** Clips solver noise: weights within `snap` of a bound go to it, and the sum is restored to 1. */
function tidy(w: number[], problem: Problem): number[] {
  const { lo, hi, snap } = problem;
  const out = w.map((v, i) => {
    const c = Math.min(hi[i], Math.max(lo[i], v));
    return Math.abs(c - lo[i]) < snap ? lo[i] : Math.abs(c - hi[i]) < snap ? hi[i] : c;
  });
  const residual = 1 - out.reduce((a, v) => a + v, 0);
  if (residual !== 0) {
    // Give the residual to the weight with the most room in that direction.
    let best = -1;
    let room = 0;
    for (let i = 0; i < out.length; i++) {
      const r = residual > 0 ? hi[i] - out[i] : out[i] - lo[i];
      if (r > room) {
        room = r;
        best = i;
      }
    }
    if (best >= 0) out[best] += residual > 0 ? Math.min(residual, room) : -Math.min(-residual, room);
  }
  return out;
}

/** Group weights back to portfolios: each group's weight split evenly among its members, within their bounds. */
function expand(groupWeights: number[], problem: Problem): number[] {
  const { groups, memberLo, memberHi } = problem;
  const out = new Array<number>(memberLo.length).fill(0);
  groups.forEach((members, g) => {
    if (members.length === 1) {
      out[members[0]] = groupWeights[g];
      return;
    }
    for (const i of members) out[i] = memberLo[i];
    let left = groupWeights[g] - members.reduce((a, i) => a + memberLo[i], 0);
    let open = members.filter((i) => memberHi[i] > memberLo[i]);
    while (left > 1e-15 && open.length) {
      const share = left / open.length;
      for (const i of open) {
        const add = Math.min(share, memberHi[i] - out[i]);
        out[i] += add;
        left -= add;
      }
      open = open.filter((i) => memberHi[i] - out[i] > 1e-15);
    }
  });
  return out;
}

/** Highest attainable wᵀμ over the box and budget (fill the best returns first). */
function maxAttainableReturn(problem: Problem): { value: number; weights: number[] } {
  const { k, mu, lo, hi } = problem;
  const weights = [...lo];
  let left = 1 - lo.reduce((a, v) => a + v, 0);
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => mu[b] - mu[a] || a - b);
  for (const i of order) {
    const add = Math.min(hi[i] - lo[i], left);
    weights[i] += add;
    left -= add;
  }
  return { value: weights.reduce((a, w, i) => a + w * mu[i], 0), weights: expand(weights, problem) };
}

/**
 * Groups of identical portfolios: var(xᵢ − xⱼ) = Σᵢᵢ + Σⱼⱼ − 2Σᵢⱼ = 0 and equal means (to 1e-12
 * relative) mean the two series are the same over the complete cases, so only their sum matters.
 */
function identicalGroups(mu: number[], cov: number[][]): number[][] {
  const k = mu.length;
  const varScale = Math.max(...cov.map((row, i) => Math.abs(row[i])));
  const muScale = Math.max(...mu.map(Math.abs));
  const groupOf = new Array<number>(k).fill(-1);
  const groups: number[][] = [];
  for (let i = 0; i < k; i++) {
    if (groupOf[i] >= 0) continue;
    groupOf[i] = groups.length;
    const members = [i];
    for (let j = i + 1; j < k; j++) {
      if (groupOf[j] >= 0) continue;
      const spread = cov[i][i] + cov[j][j] - 2 * cov[i][j];
      if (Math.abs(spread) <= 1e-12 * varScale && Math.abs(mu[i] - mu[j]) <= 1e-12 * muScale) {
        groupOf[j] = groups.length;
        members.push(j);
      }
    }
    groups.push(members);
  }
  return groups;
}

function buildProblem(mu: number[], cov: number[][], memberLo: number[], memberHi: number[]): Problem {
  const groups = identicalGroups(mu, cov);
  const reps = groups.map((g) => g[0]);
  const groupCov = reps.map((i) => reps.map((j) => cov[i][j]));
  const { solverCov, singular } = solverCovariance(groupCov);
  return {
    k: groups.length,
    groups,
    mu: reps.map((i) => mu[i]),
    solverCov,
    lo: groups.map((g) => g.reduce((a, i) => a + memberLo[i], 0)),
    hi: groups.map((g) => Math.min(1, g.reduce((a, i) => a + memberHi[i], 0))),
    memberLo,
    memberHi,
    snap: singular ? 1e-7 : 1e-10,
    merged: groups.length < mu.length,
    ridged: singular,
  };
}

/** Σ scaled to unit mean variance; singular (a Cholesky pivot ≤ SINGULAR_PIVOT) gets a small ridge. */
function solverCovariance(cov: number[][]): { solverCov: number[][]; singular: boolean } {
  const k = cov.length;
  const meanVariance = cov.reduce((a, row, i) => a + row[i], 0) / k;
  const scaled = meanVariance > 0 ? cov.map((row) => row.map((c) => c / meanVariance)) : cov.map((row) => row.map(() => 0));
  const L = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let singular = !(meanVariance > 0);
  for (let j = 0; j < k && !singular; j++) {
    let pivot = scaled[j][j];
    for (let m = 0; m < j; m++) pivot -= L[j][m] * L[j][m];
    if (!(pivot > SINGULAR_PIVOT)) {
      singular = true;
      break;
    }
    L[j][j] = Math.sqrt(pivot);
    for (let i = j + 1; i < k; i++) {
      let s = scaled[i][j];
      for (let m = 0; m < j; m++) s -= L[i][m] * L[j][m];
      L[i][j] = s / L[j][j];
    }
  }
  if (singular) for (let i = 0; i < k; i++) scaled[i][i] += RIDGE;
  return { solverCov: scaled, singular };
}

function resolveBounds(ids: string[], bounds: FrontierOptions['bounds']): { lo: number[]; hi: number[] } {
  const k = ids.length;
  const pairs: Array<readonly [number, number]> = Array.isArray(bounds)
    ? bounds
    : ids.map((id) => (bounds as Readonly<Record<string, readonly [number, number]>> | undefined)?.[id] ?? [0, 1]);
  if (pairs.length !== k) throw new RangeError(`bounds: expected ${k} [lo, hi] pairs (one per portfolio), got ${pairs.length}`);
  const lo: number[] = [];
  const hi: number[] = [];
  pairs.forEach(([l, h], i) => {
    if (!(l >= 0 && h <= 1 && l <= h)) throw new RangeError(`bounds.${ids[i]}: expected 0 ≤ lo ≤ hi ≤ 1, got [${l}, ${h}]`);
    lo.push(l);
    hi.push(h);
  });
  const sumLo = lo.reduce((a, v) => a + v, 0);
  const sumHi = hi.reduce((a, v) => a + v, 0);
  if (sumLo > 1 + 1e-12 || sumHi < 1 - 1e-12) throw new RangeError(`bounds: no fully invested mix fits (Σlo = ${sumLo}, Σhi = ${sumHi}; need Σlo ≤ 1 ≤ Σhi)`);
  return { lo, hi };
}

function perPeriodRiskFree(riskFree: FrontierOptions['riskFree'], periodsPerYear: number | undefined): number {
  if (!riskFree || riskFree.rate === 0) return 0;
  if (!Number.isFinite(riskFree.rate)) throw new RangeError(`riskFree.rate: expected a number, got ${riskFree.rate}`);
  if (riskFree.per === 'period') return riskFree.rate;
  if (!(periodsPerYear !== undefined && periodsPerYear > 0)) throw new RangeError('riskFree: an annual rate needs periodsPerYear');
  return power(1 + riskFree.rate, 1 / periodsPerYear) - 1;
}

/**
 * Efficient frontier from expected returns μ and covariance Σ (both per period). Long-only and fully
 * invested, with optional [lo, hi] per portfolio. Degenerate inputs get a definite answer and a
 * `degenerate` flag or note, never NaN (see docs/analytics.md).
 * @example
 *   const f = efficientFrontier([0.0004, 0.0006], [[1e-4, 2e-5], [2e-5, 4e-4]], { points: 10 });
 *   f.minVariance.weights;  // ≈ [0.826, 0.174] = (σ2² − σ12)/(σ1² + σ2² − 2σ12) and the rest
 *   f.maxSharpe.sharpe;     // highest (μ − rf)/σ over all long-only mixes
 */
export function efficientFrontier(mu: ArrayLike<number>, covariance: ArrayLike<ArrayLike<number>>, options: FrontierOptions & { ids?: string[] } = {}): Frontier {
  const k = mu.length;
  if (k === 0) throw new RangeError('efficient frontier: expected at least one portfolio');
  const ids = options.ids ?? Array.from({ length: k }, (_, i) => String(i));
  const cov = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => covariance[i]?.[j] ?? NaN));
  const means = Array.from(mu);
  if (!means.every(Number.isFinite) || !cov.every((row) => row.every(Number.isFinite))) throw new RangeError('efficient frontier: μ and Σ must be finite (one number per portfolio, a k×k matrix)');
  const pointCount = options.points ?? 20;
  if (!Number.isInteger(pointCount) || pointCount < 2) throw new RangeError(`points: expected a whole number ≥ 2, got ${pointCount}`);
  const periodsPerYear = options.periodsPerYear;
  const annualize = !!options.annualize;
  if (annualize && !(periodsPerYear !== undefined && periodsPerYear > 0)) throw new RangeError(`annualize: expected periodsPerYear > 0, got ${periodsPerYear}`);
  const riskFree = perPeriodRiskFree(options.riskFree, periodsPerYear);
  const { lo, hi } = resolveBounds(ids, options.bounds);
  const notes: string[] = [];

  const returnScale = annualize ? periodsPerYear! : 1;
  const volScale = annualize ? Math.sqrt(periodsPerYear!) : 1;
  const point = (weights: number[]): FrontierPoint => {
    const expected = weights.reduce((a, w, i) => a + w * means[i], 0);
    let variance = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) variance += weights[i] * cov[i][j] * weights[j];
    const volatility = Math.sqrt(Math.max(0, variance));
    return {
      weights,
      expectedReturn: expected * returnScale,
      volatility: volatility * volScale,
      sharpe: volatility > 0 ? ((expected - riskFree) / volatility) * Math.sqrt(returnScale) : null,
    };
  };
  const base = { ids: [...ids], riskFree: riskFree * returnScale, bounds: lo.map((l, i): [number, number] => [l, hi[i]]), annualized: annualize, periodsPerYear, notes };

  if (k === 1) {
    const only = point([1]);
    return { ...base, minVariance: only, maxSharpe: only, points: [only], degenerate: 'single portfolio' };
  }

  const problem = buildProblem(means, cov, lo, hi);
  const singular = problem.merged || problem.ridged;
  if (problem.merged) notes.push('identical return series: each group of them is one asset whose weight its members share evenly');
  if (problem.ridged) notes.push('Σ is singular (a constant series, or one that is a combination of others): solved with a 1e-9 relative ridge');
  const minVariance = point(minVarianceWeights(problem));
  const best = maxAttainableReturn(problem);
  let maxSharpe: FrontierPoint;
  if (best.value - riskFree > 0) {
    maxSharpe = point(maxSharpeWeights(problem, riskFree));
    // The transform can lose a tie to rounding; the min-variance point is always a candidate.
    if (minVariance.sharpe !== null && maxSharpe.sharpe !== null && maxSharpe.sharpe < minVariance.sharpe) maxSharpe = minVariance;
  } else {
    maxSharpe = minVariance;
    notes.push('no attainable expected return exceeds the risk-free rate: max Sharpe is the min-variance point');
  }

  const mvReturn = minVariance.expectedReturn / returnScale;
  let end = maxSharpe;
  if (options.end === 'max-return') {
    // Just inside the highest attainable return, so rounding cannot make the target infeasible.
    const target = best.value - 1e-9 * Math.max(0, best.value - mvReturn);
    let weights: number[];
    try {
      weights = minVarianceWeights(problem, target);
    } catch {
      weights = best.weights;
    }
    end = point(weights);
  }
  const from = mvReturn;
  const to = end.expectedReturn / returnScale;
  const points: FrontierPoint[] = [minVariance];
  if (to - from > 1e-12 * Math.max(Math.abs(from), Math.abs(to), 1e-12)) {
    for (let j = 1; j < pointCount - 1; j++) points.push(point(minVarianceWeights(problem, from + ((to - from) * j) / (pointCount - 1))));
    points.push(end);
  } else if (options.end === 'max-return' || maxSharpe !== minVariance) {
    notes.push('the frontier is a single point: the end point has the min-variance return');
  }
  return { ...base, minVariance, maxSharpe, points, ...(singular ? { degenerate: 'singular covariance' as const } : {}) };
}

/**
 * Efficient frontier of the portfolios of a return set: μ = mean return per period and Σ = sample
 * covariance, both over the periods where every portfolio has a return.
 * @example
 *   const returns = periodReturns(portfolios, { frequency: 'daily' });
 *   const f = frontierFromReturns(returns, { annualize: true, riskFree: { rate: 0.04, per: 'year' } });
 *   f.maxSharpe.weights;  // e.g. [0.64, 0.36]
 */
export function frontierFromReturns(set: SeriesSet | ReturnSeries, options: FrontierOptions = {}): Frontier {
  const periodsPerYear = options.periodsPerYear ?? ('frequency' in set ? periodsPerYearOf(set.frequency) : undefined);
  const m = moments(set.ids.map((id) => set.returns[id]));
  const frontier = efficientFrontier(m.mean, m.covariance, { ...options, periodsPerYear, ids: set.ids });
  frontier.observations = m.observations;
  if (m.observations < 2 && set.ids.length > 1) {
    frontier.degenerate = 'insufficient data';
    frontier.notes.push(`only ${m.observations} complete period(s): Σ taken as 0${m.observations ? '' : ' and μ as 0'}`);
  }
  return frontier;
}
