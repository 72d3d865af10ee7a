import { describe, expect, it } from 'vitest';
import { power } from '../../src/analytics/power.js';

describe('power', () => {
  it('agrees with Math.pow to a few ulp, and exactly at the edges', () => {
    // Compounding a yearly rate into a daily one and a growth into a CAGR: the metrics' two uses.
    for (const [x, y] of [[1.05, 1 / 252], [1.5, 1 / 3.7], [0.3, 1 / 0.9], [2, 10], [1e-3, 0.5], [123.456, 1.5]]) {
      expect(Math.abs(power(x!, y!) - Math.pow(x!, y!))).toBeLessThanOrEqual(8 * Number.EPSILON * Math.pow(x!, y!));
    }
    expect(power(1, 12.3)).toBe(1);
    expect(power(4, 0.5)).toBe(2);
    expect(power(0, 2)).toBe(0);
    expect(power(0, 0)).toBe(1);
    expect(power(0, -1)).toBe(Infinity);
    expect(power(-1, 0.5)).toBeNaN();
  });
});
