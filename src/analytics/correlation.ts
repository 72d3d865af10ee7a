// Correlation matrices of return series (Pearson or Spearman, pairwise over overlapping observations)
// and the complete-case mean vector and covariance matrix that risk and frontier use.
import type { SeriesSet } from './returns.js';

export type CorrelationMethod = 'pearson' | 'spearman';

export interface CorrelationMatrix {
  ids: string[];
  method: CorrelationMethod;
  /**
   * matrix[i][j]: correlation over the periods where both series are finite. NaN when fewer than 2
   * such periods or when either series is constant over them; the diagonal is 1 when the series has
   * at least two different finite values, NaN otherwise.
   */
  matrix: number[][];
  /** observations[i][j]: periods where both series are finite (the diagonal: the series' own count). */
  observations: number[][];
}

export interface CorrelationOptions {
  /** Default 'pearson'. */
  method?: CorrelationMethod;
}

/**
 * Ranks 1..n of the values, ties sharing the average of the ranks they span.
 * @example
 *   averageRanks([10, 20, 20, 5]); // Float64Array [2, 3.5, 3.5, 1]
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

function isConstant(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}

/**
 * Pearson correlation of two equal-length finite samples; NaN when n < 2 or either is constant.
 * @example
 *   pearson([1, 2, 3], [2, 4, 7]); // ≈ 0.993
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2 || isConstant(x) || isConstant(y)) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * Correlation matrix of the series of a set, each pair over the periods where both are finite
 * (NaN marks a period without a return). Never throws on data: degenerate pairs are NaN.
 * @example
 *   const c = correlationMatrix(periodReturns(portfolios), { method: 'spearman' });
 *   c.matrix[0][1];        // correlation of the first two portfolios
 *   c.observations[0][1];  // over this many common periods
 */
export function correlationMatrix(set: SeriesSet, options: CorrelationOptions = {}): CorrelationMatrix {
  const method = options.method ?? 'pearson';
  const columns = set.ids.map((id) => set.returns[id]);
  const k = columns.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(NaN));
  const observations = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const a = columns[i];
      const b = columns[j];
      const x: number[] = [];
      const y: number[] = [];
      const n = Math.min(a.length, b.length);
      for (let t = 0; t < n; t++) {
        if (Number.isFinite(a[t]) && Number.isFinite(b[t])) {
          x.push(a[t]);
          y.push(b[t]);
        }
      }
      observations[i][j] = observations[j][i] = x.length;
      let r: number;
      if (i === j) r = x.length >= 2 && !isConstant(x) ? 1 : NaN;
      else r = method === 'spearman' ? pearson(averageRanks(x), averageRanks(y)) : pearson(x, y);
      matrix[i][j] = matrix[j][i] = r;
    }
  }
  return { ids: [...set.ids], method, matrix, observations };
}

/** Mean vector and sample covariance (divided by n − 1) over the periods where every series is finite. */
export interface Moments {
  mean: number[];
  covariance: number[][];
  /** Complete-case periods used; with fewer than 2 the covariance is all zeros (and mean zeros with none). */
  observations: number;
}

/**
 * Means and sample covariance of columns over complete cases (periods where all are finite).
 * @example
 *   const { mean, covariance, observations } = moments([r.returns.a, r.returns.b]);
 */
export function moments(columns: readonly ArrayLike<number>[]): Moments {
  const k = columns.length;
  const n = k ? Math.min(...columns.map((c) => c.length)) : 0;
  const rows: number[] = [];
  for (let t = 0; t < n; t++) if (columns.every((c) => Number.isFinite(c[t]))) rows.push(t);
  const m = rows.length;
  const mean = new Array<number>(k).fill(0);
  const covariance = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  if (m === 0) return { mean, covariance, observations: 0 };
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (const t of rows) s += columns[i][t];
    mean[i] = s / m;
  }
  if (m < 2) return { mean, covariance, observations: m };
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      for (const t of rows) s += (columns[i][t] - mean[i]) * (columns[j][t] - mean[j]);
      covariance[i][j] = covariance[j][i] = s / (m - 1);
    }
  }
  return { mean, covariance, observations: m };
}
