// Min/max decimation of a series to a number of points: the one definition used by the CLI's
// summary, the edge handler's curves and the charts. No extreme is lost (a drawdown's trough stays).

/** A decimated series: x (timestamps or step indices) and y, in x order. */
export interface DecimatedSeries {
  x: Float64Array;
  y: Float64Array;
}

/**
 * Reduces `(x, y)` to at most `maxPoints` points (`maxPoints ≥ 4`). The steps are cut into
 * `floor(maxPoints / 2)` buckets of consecutive indices; each bucket keeps its first minimum and its
 * first maximum of y, in index order (one point when they coincide). NaN values of y are skipped; a
 * bucket of NaNs keeps nothing. The first and the last point are always kept. A series already short
 * enough is returned as copies.
 */
export function decimateMinMax(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number): DecimatedSeries {
  const n = y.length;
  if (x.length !== n) throw new RangeError(`decimateMinMax: x has ${x.length} values, y has ${n}`);
  if (!(maxPoints >= 4) || !Number.isInteger(maxPoints)) throw new RangeError(`decimateMinMax: maxPoints must be an integer ≥ 4, got ${maxPoints}`);
  if (n <= maxPoints) return { x: Float64Array.from(x), y: Float64Array.from(y) };
  const buckets = Math.floor((maxPoints - 2) / 2);
  const keep: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    // Interior indices 1 … n−2 split evenly; the ends are kept apart.
    const from = 1 + Math.floor((b * (n - 2)) / buckets);
    const to = 1 + Math.floor(((b + 1) * (n - 2)) / buckets);
    let lo = -1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      const v = y[i]!;
      if (v !== v) continue;
      if (lo < 0 || v < y[lo]!) lo = i;
      if (hi < 0 || v > y[hi]!) hi = i;
    }
    if (lo < 0) continue;
    if (lo === hi) keep.push(lo);
    else if (lo < hi) keep.push(lo, hi);
    else keep.push(hi, lo);
  }
  keep.push(n - 1);
  const out = { x: new Float64Array(keep.length), y: new Float64Array(keep.length) };
  for (let k = 0; k < keep.length; k++) {
    out.x[k] = x[keep[k]!]!;
    out.y[k] = y[keep[k]!]!;
  }
  return out;
}
