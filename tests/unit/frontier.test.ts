// Efficient frontier against independent oracles: the two-asset closed form for minimum variance, a
// brute-force search over a 0.01 weight grid for 3–4 portfolios (with and without bounds), degenerate cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { efficientFrontier, frontierFromReturns, type Frontier, type FrontierPoint } from '../../src/analytics/frontier.js';

const GRID = 100; // weight step 0.01

/** Σ from volatilities and a correlation matrix. */
function covarianceOf(vols: number[], corr: number[][]): number[][] {
  return vols.map((si, i) => vols.map((sj, j) => si * sj * corr[i][j]));
}

/** Every long-only fully invested mix on the 0.01 grid (within bounds), with its mean and variance. */
function* grid(k: number, lo: number[], hi: number[]): Generator<number[]> {
  const w = new Array<number>(k).fill(0);
  function* fill(i: number, left: number): Generator<number[]> {
    if (i === k - 1) {
      w[i] = left / GRID;
      if (w[i] >= lo[i] - 1e-12 && w[i] <= hi[i] + 1e-12) yield [...w];
      return;
    }
    for (let units = 0; units <= left; units++) {
      w[i] = units / GRID;
      if (w[i] < lo[i] - 1e-12 || w[i] > hi[i] + 1e-12) continue;
      yield* fill(i + 1, left - units);
    }
  }
  yield* fill(0, GRID);
}

function stats(w: number[], mu: number[], cov: number[][]): { mean: number; variance: number } {
  let mean = 0;
  let variance = 0;
  for (let i = 0; i < w.length; i++) {
    mean += w[i] * mu[i];
    for (let j = 0; j < w.length; j++) variance += w[i] * cov[i][j] * w[j];
  }
  return { mean, variance };
}

function bruteForce(mu: number[], cov: number[][], rf: number, lo: number[], hi: number[]) {
  let minVar = { w: [] as number[], variance: Infinity };
  let maxSharpe = { w: [] as number[], sharpe: -Infinity };
  for (const w of grid(mu.length, lo, hi)) {
    const { mean, variance } = stats(w, mu, cov);
    if (variance < minVar.variance) minVar = { w, variance };
    const sharpe = (mean - rf) / Math.sqrt(variance);
    if (sharpe > maxSharpe.sharpe) maxSharpe = { w, sharpe };
  }
  return { minVar, maxSharpe };
}

function expectWeightsNear(actual: number[], expected: number[], tolerance: number) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]), `weight ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance));
}

function expectValidPoint(p: FrontierPoint, lo: number[], hi: number[]) {
  expect(p.weights.reduce((a, w) => a + w, 0)).toBeCloseTo(1, 12);
  p.weights.forEach((w, i) => {
    expect(w).toBeGreaterThanOrEqual(lo[i] - 1e-12);
    expect(w).toBeLessThanOrEqual(hi[i] + 1e-12);
  });
}

/** No NaN anywhere in the answer (null is the documented "undefined ratio"). */
function expectNoNaN(value: unknown, path = 'frontier'): void {
  if (typeof value === 'number') expect(Number.isNaN(value), path).toBe(false);
  else if (Array.isArray(value)) value.forEach((v, i) => expectNoNaN(v, `${path}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) expectNoNaN(v, `${path}.${k}`);
}

describe('two portfolios: closed-form minimum variance', () => {
  it('w1 = (σ2² − σ12) / (σ1² + σ2² − 2σ12), clipped to [0, 1]', () => {
    fc.assert(fc.property(
      fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.double({ min: -0.95, max: 0.95, noNaN: true }),
      (s1, s2, rho) => {
        const v1 = s1 * s1;
        const v2 = s2 * s2;
        const c = rho * s1 * s2;
        const w1 = Math.min(1, Math.max(0, (v2 - c) / (v1 + v2 - 2 * c)));
        const f = efficientFrontier([0.01, 0.02], [[v1, c], [c, v2]]);
        expect(Math.abs(f.minVariance.weights[0] - w1)).toBeLessThan(1e-8);
        expect(f.minVariance.volatility).toBeCloseTo(Math.sqrt(w1 * w1 * v1 + (1 - w1) ** 2 * v2 + 2 * w1 * (1 - w1) * c), 10);
      },
    ), { numRuns: 200 });
  });

  it('a high covariance pushes the closed form past 1: all in the quieter portfolio', () => {
    const f = efficientFrontier([0.05, 0.1], [[0.01, 0.02], [0.02, 0.09]]);
    expect(f.minVariance.weights).toEqual([1, 0]);
  });
});

describe('3–4 portfolios against a brute-force 0.01 grid', () => {
  const cases = [
    {
      name: '3 portfolios',
      mu: [0.05, 0.08, 0.12],
      cov: covarianceOf([0.1, 0.15, 0.2], [[1, 0.2, 0.1], [0.2, 1, 0.3], [0.1, 0.3, 1]]),
      rf: 0.02,
    },
    {
      name: '4 portfolios',
      mu: [0.06, 0.09, 0.13, 0.03],
      cov: covarianceOf([0.12, 0.18, 0.25, 0.08], [[1, 0.3, -0.2, 0.1], [0.3, 1, 0.4, -0.1], [-0.2, 0.4, 1, 0.05], [0.1, -0.1, 0.05, 1]]),
      rf: 0.01,
    },
  ];
  for (const c of cases) {
    for (const bounded of [false, true]) {
      it(`${c.name}${bounded ? ' with bounds' : ''}: min variance and max Sharpe`, () => {
        const k = c.mu.length;
        const lo = bounded ? c.mu.map((_, i) => (i === 0 ? 0.1 : 0)) : new Array(k).fill(0);
        const hi = bounded ? c.mu.map((_, i) => (i === k - 1 ? 1 : 0.4)) : new Array(k).fill(1);
        const f = efficientFrontier(c.mu, c.cov, { riskFree: { rate: c.rf, per: 'period' }, points: 12, bounds: lo.map((l, i) => [l, hi[i]] as [number, number]) });
        const brute = bruteForce(c.mu, c.cov, c.rf, lo, hi);
        for (const p of [f.minVariance, f.maxSharpe, ...f.points]) expectValidPoint(p, lo, hi);
        // The QP optimum is at least as good as the best grid point, and its weights are within the grid's reach.
        expect(f.minVariance.volatility ** 2).toBeLessThanOrEqual(brute.minVar.variance + 1e-15);
        expectWeightsNear(f.minVariance.weights, brute.minVar.w, 0.015);
        expect(f.maxSharpe.sharpe!).toBeGreaterThanOrEqual(brute.maxSharpe.sharpe - 1e-12);
        expectWeightsNear(f.maxSharpe.weights, brute.maxSharpe.w, 0.02);
        // The grid optimum is within the grid's resolution of the QP's.
        expect(f.maxSharpe.sharpe! - brute.maxSharpe.sharpe).toBeLessThan(1e-3);
        // Frontier: from min variance to max Sharpe, returns and volatilities rising, each point no riskier
        // than any grid mix reaching its return.
        expect(f.points[0]).toBe(f.minVariance);
        expect(f.points.at(-1)).toBe(f.maxSharpe);
        for (let j = 1; j < f.points.length; j++) {
          expect(f.points[j].expectedReturn).toBeGreaterThan(f.points[j - 1].expectedReturn);
          expect(f.points[j].volatility).toBeGreaterThanOrEqual(f.points[j - 1].volatility - 1e-12);
        }
        const middle = f.points[5];
        let gridBest = Infinity;
        for (const w of grid(k, lo, hi)) {
          const s = stats(w, c.mu, c.cov);
          if (s.mean >= middle.expectedReturn - 1e-12 && s.variance < gridBest) gridBest = s.variance;
        }
        expect(middle.volatility ** 2).toBeLessThanOrEqual(gridBest + 1e-15);
        for (const p of f.points) expect(p.sharpe!).toBeLessThanOrEqual(f.maxSharpe.sharpe! + 1e-12);
      });
    }
  }

  it("end: 'max-return' runs the frontier up to the highest attainable return", () => {
    const c = cases[0];
    const f = efficientFrontier(c.mu, c.cov, { end: 'max-return', points: 5 });
    expect(f.points.at(-1)!.expectedReturn).toBeCloseTo(0.12, 9);
    expectWeightsNear(f.points.at(-1)!.weights, [0, 0, 1], 1e-8);
  });
});

describe('risk-free rate and annualization', () => {
  const mu = [0.0004, 0.0007];
  const cov = [[1e-4, 2e-5], [2e-5, 3e-4]];

  it('an annual rate becomes (1 + r)^(1/periodsPerYear) − 1 per period', () => {
    const annual = efficientFrontier(mu, cov, { riskFree: { rate: 0.05, per: 'year' }, periodsPerYear: 252 });
    const perPeriod = efficientFrontier(mu, cov, { riskFree: { rate: Math.pow(1.05, 1 / 252) - 1, per: 'period' } });
    expect(annual.maxSharpe.weights).toEqual(perPeriod.maxSharpe.weights);
    expect(annual.riskFree).toBe(Math.pow(1.05, 1 / 252) - 1);
    expect(() => efficientFrontier(mu, cov, { riskFree: { rate: 0.05, per: 'year' } })).toThrow(/periodsPerYear/);
  });

  it('annualize: return × P, volatility × √P, Sharpe × √P, same weights', () => {
    const raw = efficientFrontier(mu, cov, { riskFree: { rate: 0.0001, per: 'period' } });
    const annual = efficientFrontier(mu, cov, { riskFree: { rate: 0.0001, per: 'period' }, annualize: true, periodsPerYear: 252 });
    expect(annual.maxSharpe.weights).toEqual(raw.maxSharpe.weights);
    expect(annual.maxSharpe.expectedReturn).toBeCloseTo(raw.maxSharpe.expectedReturn * 252, 12);
    expect(annual.maxSharpe.volatility).toBeCloseTo(raw.maxSharpe.volatility * Math.sqrt(252), 12);
    expect(annual.maxSharpe.sharpe!).toBeCloseTo(raw.maxSharpe.sharpe! * Math.sqrt(252), 12);
    expect(annual.riskFree).toBeCloseTo(0.0252, 15);
  });
});

describe('degenerate inputs give a definite answer, never NaN', () => {
  it('one portfolio: weights [1]', () => {
    const f = efficientFrontier([0.001], [[1e-4]], { ids: ['only'] });
    expect(f.degenerate).toBe('single portfolio');
    expect(f.minVariance.weights).toEqual([1]);
    expect(f.maxSharpe.weights).toEqual([1]);
    expect(f.points).toHaveLength(1);
    expect(f.maxSharpe.sharpe).toBeCloseTo(0.1, 12);
    expectNoNaN(f);
  });

  it('identical series: singular Σ, split evenly', () => {
    const series = Float64Array.of(0.01, -0.02, 0.015, 0.003, -0.004, 0.02);
    const other = Float64Array.of(0.002, 0.001, -0.003, 0.004, 0.0, -0.001);
    const two = frontierFromReturns({ ids: ['a', 'b'], returns: { a: series, b: series.slice() } });
    expect(two.degenerate).toBe('singular covariance');
    expect(two.minVariance.weights).toEqual([0.5, 0.5]);
    expect(two.maxSharpe.weights).toEqual([0.5, 0.5]);
    expectNoNaN(two);
    const three = frontierFromReturns({ ids: ['a', 'b', 'c'], returns: { a: series, b: other, c: series.slice() } });
    expect(three.degenerate).toBe('singular covariance');
    expect(three.minVariance.weights[0]).toBe(three.minVariance.weights[2]);
    // Against the two-asset closed form with the identical pair as one asset.
    const pair = frontierFromReturns({ ids: ['a', 'b'], returns: { a: series, b: other } });
    expect(three.minVariance.weights[0] * 2).toBeCloseTo(pair.minVariance.weights[0], 10);
    expectNoNaN(three);
  });

  it('a constant (cash-like) series: all of it at min variance, Sharpe null, no NaN', () => {
    const f = efficientFrontier([0, 0.001, 0.0005], [[0, 0, 0], [0, 1e-4, 0], [0, 0, 2e-4]], { ids: ['cash', 'x', 'y'] });
    expect(f.degenerate).toBe('singular covariance');
    expect(f.minVariance.weights).toEqual([1, 0, 0]);
    expect(f.minVariance.volatility).toBe(0);
    expect(f.minVariance.sharpe).toBeNull();
    expect(f.maxSharpe.sharpe!).toBeCloseTo(Math.sqrt(0.001 ** 2 / 1e-4 + 0.0005 ** 2 / 2e-4), 6);
    expectNoNaN(f);
  });

  it('every expected return ≤ rf: max Sharpe is the min-variance point, with a note', () => {
    const f = efficientFrontier([-0.001, 0.0002], [[1e-4, 0], [0, 2e-4]], { riskFree: { rate: 0.0003, per: 'period' } });
    expect(f.maxSharpe).toBe(f.minVariance);
    expect(f.points).toEqual([f.minVariance]);
    expect(f.notes.join(' ')).toMatch(/risk-free/);
    expectWeightsNear(f.minVariance.weights, [2 / 3, 1 / 3], 1e-10);
    expectNoNaN(f);
  });

  it('fewer than two complete periods: insufficient data, still an answer', () => {
    const f = frontierFromReturns({ ids: ['a', 'b'], returns: { a: Float64Array.of(0.01, NaN), b: Float64Array.of(NaN, 0.02) } });
    expect(f.degenerate).toBe('insufficient data');
    expect(f.observations).toBe(0);
    expect(f.minVariance.weights).toEqual([0.5, 0.5]);
    expectNoNaN(f);
  });

  it('bounds that admit no fully invested mix are refused with the sums', () => {
    expect(() => efficientFrontier([0.1, 0.2], [[0.04, 0], [0, 0.09]], { bounds: [[0, 0.3], [0, 0.3]] })).toThrow(/Σhi = 0.6/);
    expect(() => efficientFrontier([0.1, 0.2], [[0.04, 0], [0, 0.09]], { bounds: [[0.5, 0.2], [0, 1]] })).toThrow(/bounds.0/);
  });

  it('is plain JSON', () => {
    const f: Frontier = efficientFrontier([0.05, 0.08], [[0.01, 0.002], [0.002, 0.04]], { ids: ['a', 'b'] });
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });
});
