import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimateMinMax } from '../../src/analytics/decimate.js';

describe('decimateMinMax', () => {
  it('keeps the ends and each bucket’s extremes in order (hand-worked)', () => {
    // 10 points, maxPoints 6 → 2 buckets over interior indices 1..8: [1,5) and [5,9).
    // Bucket 1 = y[1..4] = 5, 1, 9, 4 → min at 2 (1), max at 3 (9). Bucket 2 = y[5..8] = 3, 3, 8, 2 → max 7, min 8.
    const y = [0, 5, 1, 9, 4, 3, 3, 8, 2, 6];
    const x = y.map((_, i) => i * 10);
    const d = decimateMinMax(x, y, 6);
    expect(Array.from(d.x)).toEqual([0, 20, 30, 70, 80, 90]);
    expect(Array.from(d.y)).toEqual([0, 1, 9, 8, 2, 6]);
  });

  it('returns short series unchanged and refuses bad sizes', () => {
    expect(Array.from(decimateMinMax([1, 2, 3], [4, 5, 6], 4).y)).toEqual([4, 5, 6]);
    expect(() => decimateMinMax([1], [1, 2], 10)).toThrow(/x has 1 values, y has 2/);
    expect(() => decimateMinMax([1], [1], 3)).toThrow(/maxPoints/);
  });

  it('skips NaN values and never exceeds maxPoints; the global extremes survive', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(NaN)), { minLength: 2, maxLength: 400 }),
      fc.integer({ min: 4, max: 60 }),
      (y, maxPoints) => {
        const x = y.map((_, i) => i);
        const d = decimateMinMax(x, y, maxPoints);
        expect(d.x.length).toBeLessThanOrEqual(Math.max(maxPoints, y.length <= maxPoints ? y.length : 0));
        for (let k = 1; k < d.x.length; k++) expect(d.x[k]!).toBeGreaterThan(d.x[k - 1]!);
        if (y.length > maxPoints) {
          const finite = y.filter((v) => !Number.isNaN(v));
          const kept = Array.from(d.y).filter((v) => !Number.isNaN(v));
          if (finite.length) {
            expect(Math.min(...kept)).toBe(Math.min(...finite));
            expect(Math.max(...kept)).toBe(Math.max(...finite));
          }
          for (let k = 0; k < d.x.length; k++) expect(Object.is(d.y[k], y[d.x[k]!])).toBe(true);
        }
      }));
  });
});
