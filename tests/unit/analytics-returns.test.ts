// Period returns net of flows and the calendar they are cut on: New York DST by hand and against Intl,
// UTC midnights that are not New York midnights, ISO weeks, months, alignment and sampled flows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { periodLabel, periodReturns, zoneOffset, type PortfolioSeries } from '../../src/analytics/returns.js';

const H = 3_600_000;
const utc = (iso: string) => Date.parse(iso);

function portfolio(id: string, points: Array<[string, number]>, initialCapital = 100, flows?: PortfolioSeries['flows']): PortfolioSeries {
  return { id, timestamps: Float64Array.from(points, ([t]) => utc(t)), equity: Float64Array.from(points, ([, e]) => e), initialCapital, flows };
}

/** The zone's offset as Intl reports it (the independent oracle for the built-in New York rules). */
const formats = new Map<string, Intl.DateTimeFormat>();
function intlOffset(timeZone: string, t: number): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(t).map((p) => [p.type, Number(p.value)]));
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - Math.floor(t / 1000) * 1000;
}

describe('zoneOffset', () => {
  it('America/New_York switches at 2:00 local on the US DST dates (by hand)', () => {
    const ny = zoneOffset('America/New_York');
    expect(ny(utc('2024-03-10T06:59:59Z'))).toBe(-5 * H);
    expect(ny(utc('2024-03-10T07:00:00Z'))).toBe(-4 * H);
    expect(ny(utc('2024-11-03T05:59:59Z'))).toBe(-4 * H);
    expect(ny(utc('2024-11-03T06:00:00Z'))).toBe(-5 * H);
    // 1987–2006 rules: first Sunday of April, last Sunday of October.
    expect(ny(utc('2006-04-02T06:59:00Z'))).toBe(-5 * H);
    expect(ny(utc('2006-04-02T07:00:00Z'))).toBe(-4 * H);
    expect(ny(utc('2006-10-29T05:59:00Z'))).toBe(-4 * H);
    expect(ny(utc('2006-10-29T06:00:00Z'))).toBe(-5 * H);
    expect(ny(utc('2024-01-15T12:00:00Z'))).toBe(-5 * H);
    expect(ny(utc('2024-07-15T12:00:00Z'))).toBe(-4 * H);
  });

  it('America/New_York rules agree with Intl at random instants 1990–2037', () => {
    const ny = zoneOffset('America/New_York');
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2037, 11, 31) }), (t) => ny(t) === intlOffset('America/New_York', t)), { numRuns: 2000 });
    // Every hour around each transition of a few years, where an off-by-one would show.
    for (const year of [1995, 2006, 2007, 2024, 2030]) {
      for (const [month, day] of [[2, 1], [3, 1], [9, 20], [10, 1]]) {
        for (let h = 0; h < 24 * 14; h++) {
          const t = Date.UTC(year, month, day) + h * H;
          expect(ny(t), new Date(t).toISOString()).toBe(intlOffset('America/New_York', t));
        }
      }
    }
  });

  it('fixed offsets, UTC and other IANA zones (through Intl, transition found to the minute)', () => {
    expect(zoneOffset('UTC')(utc('2024-07-01T00:00:00Z'))).toBe(0);
    expect(zoneOffset('+05:30')(0)).toBe(330 * 60_000);
    expect(zoneOffset('-0400')(0)).toBe(-4 * H);
    expect(zoneOffset('UTC+01:00')(0)).toBe(H);
    const london = zoneOffset('Europe/London');
    expect(london(utc('2024-03-31T00:59:59Z'))).toBe(0);
    expect(london(utc('2024-03-31T01:00:00Z'))).toBe(H);
    expect(london(utc('2024-10-27T00:59:59Z'))).toBe(H);
    expect(london(utc('2024-10-27T01:00:00Z'))).toBe(0);
    const kolkata = zoneOffset('Asia/Kolkata');
    expect(kolkata(utc('2024-10-27T01:00:00Z'))).toBe(330 * 60_000);
  });

  it('rejects an unknown zone with a message naming it', () => {
    expect(() => zoneOffset('Mars/Olympus')).toThrow(/timeZone.*Mars\/Olympus/);
    expect(() => zoneOffset('+25:00')).toThrow(RangeError);
  });
});

describe('periodReturns', () => {
  it('per bar: r = (E − flow) / E_prev − 1, the first from the initial capital', () => {
    const p = portfolio('a', [['2024-01-02T15:00:00Z', 100], ['2024-01-02T16:00:00Z', 110], ['2024-01-02T17:00:00Z', 160], ['2024-01-02T18:00:00Z', 150]], 100, [{ step: 2, amount: 50 }]);
    const r = periodReturns([p], { frequency: 'bar' });
    expect(Array.from(r.returns.a)).toEqual([0, 110 / 100 - 1, (160 - 50) / 110 - 1, 150 / 160 - 1]);
    expect(Array.from(r.timestamps)).toEqual(Array.from(p.timestamps));
    expect(r.labels).toBeUndefined();
  });

  it('daily in New York time across the March DST change (closes at 21:00Z in EST, 20:00Z in EDT)', () => {
    const p = portfolio('a', [
      ['2024-03-08T14:30:00Z', 101], ['2024-03-08T21:00:00Z', 102], // Fri 09:30 and 16:00 EST
      ['2024-03-11T13:30:00Z', 99], ['2024-03-11T20:00:00Z', 105], // Mon 09:30 and 16:00 EDT
      ['2024-03-12T01:00:00Z', 106], // Mon 21:00 EDT: still Monday in New York, Tuesday in UTC
    ]);
    const r = periodReturns([p], { frequency: 'daily' });
    expect(r.labels).toEqual(['2024-03-08', '2024-03-11']);
    expect(Array.from(r.returns.a)).toEqual([102 / 100 - 1, 106 / 102 - 1]);
    expect(Array.from(r.timestamps)).toEqual([utc('2024-03-08T21:00:00Z'), utc('2024-03-12T01:00:00Z')]);
    const inUtc = periodReturns([p], { frequency: 'daily', timeZone: 'UTC' });
    expect(inUtc.labels).toEqual(['2024-03-08', '2024-03-11', '2024-03-12']);
  });

  it('a UTC midnight that is not a New York midnight does not cut the New York day', () => {
    const p = portfolio('a', [
      ['2024-01-02T23:30:00Z', 100], // 18:30 NY, Jan 2
      ['2024-01-03T00:30:00Z', 104], // 19:30 NY, still Jan 2
      ['2024-01-03T15:00:00Z', 91], // 10:00 NY, Jan 3
      ['2024-01-04T04:59:00Z', 95], // 23:59 NY, Jan 3
      ['2024-01-04T05:00:00Z', 96], // 00:00 NY, Jan 4
    ], 80);
    const ny = periodReturns([p]);
    expect(ny.labels).toEqual(['2024-01-02', '2024-01-03', '2024-01-04']);
    expect(Array.from(ny.returns.a)).toEqual([104 / 80 - 1, 95 / 104 - 1, 96 / 95 - 1]);
    const inUtc = periodReturns([p], { timeZone: 'UTC' });
    expect(inUtc.labels).toEqual(['2024-01-02', '2024-01-03', '2024-01-04']);
    expect(Array.from(inUtc.returns.a)).toEqual([100 / 80 - 1, 91 / 100 - 1, 96 / 91 - 1]);
    const kolkata = periodReturns([p], { timeZone: '+05:30' });
    expect(kolkata.labels).toEqual(['2024-01-03', '2024-01-04']);
  });

  it('the November fall-back hour (01:00–02:00 twice) stays in one New York day', () => {
    const p = portfolio('a', [['2024-11-03T05:30:00Z', 101], ['2024-11-03T06:30:00Z', 102], ['2024-11-04T04:30:00Z', 103]]);
    const r = periodReturns([p]);
    expect(r.labels).toEqual(['2024-11-03']);
    expect(Array.from(r.returns.a)).toEqual([103 / 100 - 1]);
  });

  it('ISO weeks (Monday start, ISO week-year) and months', () => {
    const days = ['2020-12-31', '2021-01-03', '2021-01-04', '2024-12-29', '2024-12-30', '2025-01-05'];
    const p = portfolio('a', days.map((d, i) => [`${d}T12:00:00Z`, 100 + i]));
    const weekly = periodReturns([p], { frequency: 'weekly', timeZone: 'UTC' });
    expect(weekly.labels).toEqual(['2020-W53', '2021-W01', '2024-W52', '2025-W01']);
    expect(Array.from(weekly.returns.a)).toEqual([101 / 100 - 1, 102 / 101 - 1, 103 / 102 - 1, 105 / 103 - 1]);
    const monthly = periodReturns([p], { frequency: 'monthly', timeZone: 'UTC' });
    expect(monthly.labels).toEqual(['2020-12', '2021-01', '2024-12', '2025-01']);
    expect(Array.from(monthly.returns.a)).toEqual([100 / 100 - 1, 102 / 100 - 1, 104 / 102 - 1, 105 / 104 - 1]);
    expect(periodLabel(Math.floor((Date.UTC(2026, 0, 1) / 86_400_000 + 3) / 7), 'weekly')).toBe('2026-W01');
  });

  it('a flow inside a period is taken out of its end equity: r = (E_end − Σflows) / E_start − 1', () => {
    const p = portfolio('a', [
      ['2024-02-01T20:00:00Z', 100], ['2024-02-02T20:00:00Z', 120], // day 1 ends at 100; day 2 gets +30 at its first bar
      ['2024-02-02T20:30:00Z', 133],
    ], 100, [{ step: 1, amount: 30 }]);
    const r = periodReturns([p], { timeZone: 'UTC' });
    expect(Array.from(r.returns.a)).toEqual([0, (133 - 30) / 100 - 1]);
  });

  it('flows of a sampled run go to the first kept sample at or after their step', () => {
    const p: PortfolioSeries = {
      id: 'a', timestamps: Float64Array.of(1, 3, 5), equity: Float64Array.of(100, 170, 180), initialCapital: 100,
      sampledAt: Float64Array.of(1, 3, 5), flows: [{ step: 2, amount: 50 }, { step: 6, amount: 99 }],
    };
    const r = periodReturns([p], { frequency: 'bar' });
    expect(Array.from(r.returns.a)).toEqual([0, (170 - 50) / 100 - 1, 180 / 170 - 1]);
  });

  it('aligns portfolios on the union of periods, NaN where one has no bar', () => {
    const a = portfolio('a', [['2024-01-02T20:00:00Z', 101], ['2024-01-03T20:00:00Z', 102], ['2024-01-04T20:00:00Z', 103]]);
    const b = portfolio('b', [['2024-01-02T21:00:00Z', 50], ['2024-01-04T19:00:00Z', 55], ['2024-01-05T20:00:00Z', 60]], 50);
    const r = periodReturns([a, b]);
    expect(r.ids).toEqual(['a', 'b']);
    expect(r.labels).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    expect(Array.from(r.returns.a)).toEqual([101 / 100 - 1, 102 / 101 - 1, 103 / 102 - 1, NaN]);
    expect(Array.from(r.returns.b)).toEqual([0, NaN, 55 / 50 - 1, 60 / 55 - 1]);
    expect(r.timestamps[0]).toBe(utc('2024-01-02T21:00:00Z'));
    expect(r.lastEquity).toEqual({ a: 103, b: 60 });
  });

  it('rejects bad input naming the portfolio', () => {
    const bad = { id: 'x', timestamps: Float64Array.of(2, 1), equity: Float64Array.of(1, 1), initialCapital: 1 };
    expect(() => periodReturns([bad])).toThrow(/portfolio "x": timestamps\[1\]/);
    expect(() => periodReturns([{ ...bad, timestamps: Float64Array.of(1) }])).toThrow(/1 timestamps but 2 equity/);
  });
});
