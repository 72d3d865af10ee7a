// Spec of generateBars: determinism, bar invariants, NYSE session times in EST and EDT (checked against
// Intl's America/New_York), daily calendars and option errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateBars, type BarInterval } from '../../src/data/generate.js';
import type { SymbolBars } from '../../src/data/bars.js';

const FIELDS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** First index where a bar breaks an invariant, with the reason, or null. */
function invariantViolation(s: SymbolBars): string | null {
  const isCents = (x: number) => Math.round(x * 100) / 100 === x;
  for (let i = 0; i < s.close.length; i++) {
    const [o, h, l, c, v] = [s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]];
    if (!(o > 0 && h > 0 && l > 0 && c > 0)) return `bar ${i}: a price is not > 0`;
    if (!(h >= Math.max(o, c))) return `bar ${i}: high ${h} < max(${o}, ${c})`;
    if (!(l <= Math.min(o, c))) return `bar ${i}: low ${l} > min(${o}, ${c})`;
    if (![o, h, l, c].every(isCents)) return `bar ${i}: a price is not in cents`;
    if (!(Number.isInteger(v) && v >= 0)) return `bar ${i}: volume ${v} is not a whole number >= 0`;
    if (!Number.isInteger(s.timestamp[i])) return `bar ${i}: timestamp is not whole ms`;
    if (i > 0 && !(s.timestamp[i] > s.timestamp[i - 1])) return `bar ${i}: timestamp not after the previous one`;
  }
  return null;
}

const newYork = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Weekday and minutes after midnight in New York, from the platform's time-zone database. */
function newYorkClock(ms: number): { weekday: string; minutes: number } {
  const parts = Object.fromEntries(newYork.formatToParts(ms).map((p) => [p.type, p.value]));
  return { weekday: parts.weekday, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

function barsPerUtcDay(timestamps: Float64Array): Map<number, number[]> {
  const days = new Map<number, number[]>();
  for (const t of timestamps) {
    const day = Math.floor(t / 86_400_000);
    if (!days.has(day)) days.set(day, []);
    days.get(day)!.push(t);
  }
  return days;
}

describe('generateBars: determinism', () => {
  it('gives bit-identical output for the same options', () => {
    const options = { symbols: ['SPY', 'QQQ'], bars: 5000, interval: '5m' as const, seed: 123 };
    const a = generateBars(options);
    const b = generateBars(options);
    expect(a.symbols).toEqual(['SPY', 'QQQ']);
    for (const symbol of a.symbols) for (const f of FIELDS) expect(sameBits(a.series[symbol][f], b.series[symbol][f])).toBe(true);
  });

  it('gives different paths for different seeds and different symbols', () => {
    const a = generateBars({ symbols: ['SPY', 'QQQ'], bars: 500, seed: 1, startPrice: 100 });
    const b = generateBars({ symbols: ['SPY'], bars: 500, seed: 2, startPrice: 100 });
    expect(sameBits(a.series.SPY.close, b.series.SPY.close)).toBe(false);
    expect(sameBits(a.series.SPY.close, a.series.QQQ.close)).toBe(false);
    expect(sameBits(a.series.SPY.timestamp, a.series.QQQ.timestamp)).toBe(true);
    // but not different arrays that alias each other
    expect(a.series.SPY.timestamp).not.toBe(a.series.QQQ.timestamp);
  });

  it("makes a symbol's path depend only on the seed and its name", () => {
    const together = generateBars({ symbols: ['AAA', 'BBB', 'CCC'], bars: 800, seed: 9 });
    const alone = generateBars({ symbols: ['BBB'], bars: 800, seed: 9 });
    for (const f of FIELDS) expect(sameBits(together.series.BBB[f], alone.series.BBB[f])).toBe(true);
  });

  it('names made-up symbols SYM1, SYM2, …', () => {
    expect(generateBars({ symbols: 3, bars: 1, seed: 0 }).symbols).toEqual(['SYM1', 'SYM2', 'SYM3']);
  });
});

describe('generateBars: invariants', () => {
  it.each(['1m', '5m', '15m', '1h', '1d'] as BarInterval[])('keeps OHLC consistent, in cents, > 0, whole volumes (%s)', (interval) => {
    const bars = generateBars({ symbols: ['A', 'B'], bars: 20_000, interval, seed: 5 });
    for (const symbol of bars.symbols) {
      expect(bars.series[symbol].close.length).toBe(20_000);
      expect(invariantViolation(bars.series[symbol])).toBeNull();
    }
  });

  it('holds the invariants for random seeds, sizes and start prices (tiny prices included)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.constantFrom<BarInterval>('1m', '5m', '15m', '1h', '1d'),
        fc.option(fc.constantFrom(0.01, 0.05, 1, 37.5, 5000)),
        (seed, count, interval, startPrice) => {
          const bars = generateBars({ symbols: 1, bars: count, interval, seed, startPrice: startPrice ?? undefined });
          const s = bars.series.SYM1;
          expect(s.timestamp.length).toBe(count);
          expect(invariantViolation(s)).toBeNull();
          if (startPrice !== null && count > 0) expect(s.open[0]).toBe(startPrice);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('opens each bar at the previous close within a session and gaps overnight', () => {
    const s = generateBars({ symbols: ['X'], bars: 390 * 20, seed: 3 }).series.X;
    let gaps = 0;
    for (let i = 1; i < s.close.length; i++) {
      if (i % 390 === 0) {
        if (s.open[i] !== s.close[i - 1]) gaps++;
      } else {
        expect(s.open[i]).toBe(s.close[i - 1]);
      }
    }
    expect(gaps).toBeGreaterThan(10);
  });

  it('looks like a market: plausible volatility, and volatility clustering', () => {
    for (const seed of [1, 2, 3]) {
      const s = generateBars({ symbols: ['X'], bars: 5000, interval: '1d', seed, startPrice: 100 }).series.X;
      const returns: number[] = [];
      for (let i = 1; i < s.close.length; i++) returns.push(Math.log(s.close[i] / s.close[i - 1]));
      const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
      const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / returns.length;
      const annualVol = Math.sqrt(variance * 252);
      expect(annualVol).toBeGreaterThan(0.08);
      expect(annualVol).toBeLessThan(0.6);
      // GARCH: large moves follow large moves, so |r| is autocorrelated (≈ 0 for plain GBM).
      const abs = returns.map(Math.abs);
      const m = abs.reduce((a, b) => a + b, 0) / abs.length;
      let num = 0;
      let den = 0;
      for (let i = 0; i < abs.length; i++) {
        den += (abs[i] - m) ** 2;
        if (i > 0) num += (abs[i] - m) * (abs[i - 1] - m);
      }
      expect(num / den).toBeGreaterThan(0.05);
    }
  });

  it('generates a million bars with consistent OHLC and strictly increasing times (speed is in bench/)', () => {
    const bars = generateBars({ symbols: ['X'], bars: 1_000_000, seed: 11 });
    const { timestamp, open, high, low, close } = bars.series.X;
    expect(close.length).toBe(1_000_000);
    let bad = 0;
    for (let i = 0; i < close.length; i++) {
      if (!(high[i] >= Math.max(open[i], close[i]) && low[i] <= Math.min(open[i], close[i]) && low[i] > 0)) bad++;
      if (i > 0 && !(timestamp[i] > timestamp[i - 1])) bad++;
    }
    expect(bad).toBe(0);
  });
});

describe('generateBars: sessions', () => {
  it('stamps 1-minute bars 09:30–15:59 New York time on weekdays, across the March DST switch', () => {
    // Thu 2024-03-07 … Tue 2024-03-12; New York moves to EDT on Sunday 2024-03-10.
    const ts = generateBars({ symbols: ['X'], bars: 390 * 4, seed: 1, start: '2024-03-07' }).series.X.timestamp;
    expect(ts[0]).toBe(Date.UTC(2024, 2, 7, 14, 30)); // Thu, EST (UTC−5)
    expect(ts[389]).toBe(Date.UTC(2024, 2, 7, 20, 59));
    expect(ts[390]).toBe(Date.UTC(2024, 2, 8, 14, 30)); // Fri, EST
    expect(ts[780]).toBe(Date.UTC(2024, 2, 11, 13, 30)); // Mon, EDT (UTC−4)
    expect(ts[1169]).toBe(Date.UTC(2024, 2, 11, 19, 59));
    expect(ts[1170]).toBe(Date.UTC(2024, 2, 12, 13, 30));
    const days = barsPerUtcDay(ts);
    expect([...days.values()].map((d) => d.length)).toEqual([390, 390, 390, 390]);
  });

  it('switches back to EST after the first Sunday of November', () => {
    const ts = generateBars({ symbols: ['X'], bars: 78 * 2, interval: '5m', seed: 1, start: '2024-11-01' }).series.X.timestamp;
    expect(ts[0]).toBe(Date.UTC(2024, 10, 1, 13, 30)); // Fri, EDT
    expect(ts[77]).toBe(Date.UTC(2024, 10, 1, 19, 55));
    expect(ts[78]).toBe(Date.UTC(2024, 10, 4, 14, 30)); // Mon, EST
  });

  it('uses the 1987–2006 rules before 2007', () => {
    // 2006: EDT from Sunday April 2 to Sunday October 29.
    const spring = generateBars({ symbols: ['X'], bars: 14, interval: '1h', seed: 1, start: '2006-03-31' }).series.X.timestamp;
    expect(spring[0]).toBe(Date.UTC(2006, 2, 31, 14, 30)); // Fri, EST
    expect(spring[7]).toBe(Date.UTC(2006, 3, 3, 13, 30)); // Mon, EDT
    const autumn = generateBars({ symbols: ['X'], bars: 14, interval: '1h', seed: 1, start: '2006-10-27' }).series.X.timestamp;
    expect(autumn[0]).toBe(Date.UTC(2006, 9, 27, 13, 30)); // Fri, EDT
    expect(autumn[7]).toBe(Date.UTC(2006, 9, 30, 14, 30)); // Mon, EST
  });

  it('stays inside the New York session for random starts and intervals (checked with Intl)', () => {
    const minutesOf: Record<string, number> = { '1m': 1, '5m': 5, '15m': 15, '1h': 60 };
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom<BarInterval>('1m', '5m', '15m', '1h'),
        (start, interval) => {
          const ts = generateBars({ symbols: ['X'], bars: 400, interval, seed: 1, start }).series.X.timestamp;
          expect(ts[0]).toBeGreaterThanOrEqual(start);
          for (const t of ts) {
            const { weekday, minutes } = newYorkClock(t);
            expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(weekday);
            expect(minutes).toBeGreaterThanOrEqual(9 * 60 + 30);
            expect(minutes).toBeLessThan(16 * 60);
            expect((minutes - (9 * 60 + 30)) % minutesOf[interval]).toBe(0);
          }
          for (const day of barsPerUtcDay(ts).values()) {
            // full sessions have 390 / interval bars (7 for hourly: 09:30 … 15:30)
            expect(day.length).toBeLessThanOrEqual(Math.ceil(390 / minutesOf[interval]));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives hourly bars at 09:30, 10:30 … 15:30', () => {
    const ts = generateBars({ symbols: ['X'], bars: 7, interval: '1h', seed: 1 }).series.X.timestamp;
    expect(Array.from(ts)).toEqual([14, 15, 16, 17, 18, 19, 20].map((h) => Date.UTC(2024, 0, 2, h, 30)));
  });

  it('starts at the first bar at or after a start instant', () => {
    const ts = generateBars({ symbols: ['X'], bars: 2, seed: 1, start: '2024-01-02T15:00:30Z' }).series.X.timestamp;
    expect(Array.from(ts)).toEqual([Date.UTC(2024, 0, 2, 15, 1), Date.UTC(2024, 0, 2, 15, 2)]);
    const late = generateBars({ symbols: ['X'], bars: 1, seed: 1, start: Date.UTC(2024, 0, 5, 22) }).series.X.timestamp;
    expect(Array.from(late)).toEqual([Date.UTC(2024, 0, 8, 14, 30)]); // after Friday's close → Monday
  });

  it('stamps daily bars at midnight of the exchange zone on weekdays only (New York: 05:00 UTC in winter)', () => {
    const ts = generateBars({ symbols: ['X'], bars: 6, interval: '1d', seed: 1, start: '2024-01-05' }).series.X.timestamp;
    expect(Array.from(ts)).toEqual([5, 8, 9, 10, 11, 12].map((d) => Date.UTC(2024, 0, d, 5)));
    // Across the March switch: Friday 2024-03-08 is EST (05:00 UTC), Monday 03-11 EDT (04:00 UTC).
    const spring = generateBars({ symbols: ['X'], bars: 2, interval: '1d', seed: 1, start: '2024-03-08' }).series.X.timestamp;
    expect(Array.from(spring)).toEqual([Date.UTC(2024, 2, 8, 5), Date.UTC(2024, 2, 11, 4)]);
  });

  it('follows data.timezone: UTC midnights and sessions 09:30 UTC; Tokyo (+09:00, no DST) 09:30 = 00:30 UTC', () => {
    const utcDaily = generateBars({ symbols: ['X'], bars: 2, interval: '1d', seed: 1, start: '2024-01-05', timeZone: 'UTC' }).series.X.timestamp;
    expect(Array.from(utcDaily)).toEqual([Date.UTC(2024, 0, 5), Date.UTC(2024, 0, 8)]);
    const tokyo = generateBars({ symbols: ['X'], bars: 2, interval: '1h', seed: 1, start: '2024-01-05', timeZone: 'Asia/Tokyo' }).series.X.timestamp;
    expect(Array.from(tokyo)).toEqual([Date.UTC(2024, 0, 5, 0, 30), Date.UTC(2024, 0, 5, 1, 30)]);
    const kolkata = generateBars({ symbols: ['X'], bars: 1, interval: '1h', seed: 1, start: '2024-01-05', timeZone: '+05:30' }).series.X.timestamp;
    expect(Array.from(kolkata)).toEqual([Date.UTC(2024, 0, 5, 4, 0)]); // 09:30 − 5:30
  });
});

describe('generateBars: options', () => {
  it.each([
    [{ symbols: ['X'], bars: 1, seed: 1.5 }, 'generateBars: seed is 1.5, expected an integer'],
    [{ symbols: ['X'], bars: -1, seed: 1 }, 'generateBars: bars is -1, expected an integer >= 0'],
    [{ symbols: ['X'], bars: 1, seed: 1, interval: '2m' as BarInterval }, 'generateBars: interval is "2m", expected one of 1m, 5m, 15m, 1h, 1d'],
    [{ symbols: ['X'], bars: 1, seed: 1, startPrice: 0 }, 'generateBars: startPrice is 0, expected a number > 0'],
    [{ symbols: ['X', 'X'], bars: 1, seed: 1 }, 'generateBars: symbol "X" appears twice'],
    [{ symbols: [], bars: 1, seed: 1 }, 'generateBars: symbols is empty'],
    [{ symbols: 0, bars: 1, seed: 1 }, 'generateBars: symbols is 0, expected an integer >= 1'],
    [{ symbols: ['X'], bars: 1, seed: 1, start: 'soon' }, 'generateBars: start is "soon", expected an ISO date or ms since epoch'],
  ])('rejects %o', (options, message) => {
    expect(() => generateBars(options)).toThrow(message);
  });
});
