// The exchange calendar against independent oracles: Intl's tz database for US DST (before and after
// the 1987 and 2007 rule changes), Date.UTC for civil dates, hand-worked ISO weeks and wall-clock gaps.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  calendarOf, civilFromDays, daysFromCivil, formatInZone, isLeapYear, periodKeyLabel, periodKeyOfDay, usEasternDaylightTime,
} from '../../src/data/calendar.js';

const HOUR = 3_600_000;

/** Offset of a zone at an instant, straight from Intl (the oracle; the calendar uses no Intl for New York after 1967). */
const formats = new Map<string, Intl.DateTimeFormat>();
function intlOffset(timeZone: string, t: number): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(t);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  // Whole seconds on both sides: Intl shows no milliseconds.
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second')) - Math.floor(t / 1000) * 1000;
}

describe('calendar: US Eastern daylight saving time', () => {
  it('switches on the hand-checked Sundays of each rule (last Sunday of April before 1987, first Sunday of April 1987–2006, March/November since 2007)', () => {
    const ny = calendarOf('America/New_York');
    // [year, DST start (month, day), DST end (month, day)]: 2:00 local, 07:00 UTC in spring, 06:00 UTC in autumn.
    const cases: Array<[number, [number, number], [number, number]]> = [
      [1975, [2, 23], [10, 26]], // energy crisis
      [1986, [4, 27], [10, 26]],
      [1987, [4, 5], [10, 25]],
      [2006, [4, 2], [10, 29]],
      [2007, [3, 11], [11, 4]],
      [2024, [3, 10], [11, 3]],
    ];
    for (const [year, [sm, sd], [em, ed]] of cases) {
      const start = Date.UTC(year, sm - 1, sd, 7);
      const end = Date.UTC(year, em - 1, ed, 6);
      expect(usEasternDaylightTime(year), String(year)).toEqual([start, end]);
      expect(ny.offsetAt(start - 1)).toBe(-5 * HOUR);
      expect(ny.offsetAt(start)).toBe(-4 * HOUR);
      expect(ny.offsetAt(end - 1)).toBe(-4 * HOUR);
      expect(ny.offsetAt(end)).toBe(-5 * HOUR);
    }
  });

  it('agrees with Intl at four instants around 02:00 local of every day, 1960–2035', () => {
    const ny = calendarOf('America/New_York');
    let checked = 0;
    for (let year = 1960; year <= 2035; year++) {
      for (let day = daysFromCivil(year, 1, 1); day < daysFromCivil(year + 1, 1, 1); day++) {
        // 05:30–08:30 UTC covers 01:30–03:30 local in either offset: both switch instants and their neighbours.
        for (const hour of [5.5, 6.5, 7.5, 8.5]) {
          const t = day * 86_400_000 + hour * HOUR;
          expect(ny.offsetAt(t)).toBe(intlOffset('America/New_York', t));
          checked++;
        }
      }
    }
    expect(checked).toBe(4 * daysFromCivil(2036, 1, 1) - 4 * daysFromCivil(1960, 1, 1));
  });

  it('agrees with Intl for zones read through Intl (London, Sydney, Kolkata) at random instants', () => {
    for (const zone of ['Europe/London', 'Australia/Sydney', 'Asia/Kolkata']) {
      const calendar = calendarOf(zone);
      fc.assert(fc.property(fc.integer({ min: Date.UTC(1980, 0, 1), max: Date.UTC(2040, 0, 1) }), (t) => {
        expect(calendar.offsetAt(t)).toBe(intlOffset(zone, t));
      }), { numRuns: 300 });
    }
  });
});

describe('calendar: wall clock to instant', () => {
  it('reads a wall-clock time back to the instant it came from (New York, London, fixed offsets), except the second of two equal wall times', () => {
    for (const zone of ['America/New_York', 'Europe/London', '+05:30', '-03:00', 'UTC']) {
      const calendar = calendarOf(zone);
      fc.assert(fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2040, 0, 1) }), (t) => {
        const wall = t + calendar.offsetAt(t);
        const back = calendar.toEpoch(wall);
        // In a fall-back hour the wall time also names an earlier instant, one hour before: the 'compatible' choice.
        if (back !== t) expect(back).toBe(t - HOUR);
        expect(back + calendar.offsetAt(back)).toBe(wall);
      }), { numRuns: 500 });
    }
  });

  it('resolves the spring gap forward and the autumn overlap to the earlier instant', () => {
    const ny = calendarOf('America/New_York');
    // 2024-03-10 02:30 does not exist: read with EST (−5) it is 07:30 UTC, which is 03:30 EDT.
    expect(ny.toEpoch(Date.UTC(2024, 2, 10, 2, 30))).toBe(Date.UTC(2024, 2, 10, 7, 30));
    // 2024-11-03 01:30 happens twice (EDT then EST): the earlier is 05:30 UTC.
    expect(ny.toEpoch(Date.UTC(2024, 10, 3, 1, 30))).toBe(Date.UTC(2024, 10, 3, 5, 30));
    // Midnight of a date-only bar: EST in winter, EDT in summer.
    expect(ny.toEpoch(Date.UTC(1995, 0, 3))).toBe(Date.UTC(1995, 0, 3, 5));
    expect(ny.toEpoch(Date.UTC(1995, 6, 3))).toBe(Date.UTC(1995, 6, 3, 4));
    expect(calendarOf('+05:30').toEpoch(Date.UTC(2024, 0, 2))).toBe(Date.UTC(2024, 0, 1, 18, 30));
  });

  it('formats an instant as wall clock with its offset', () => {
    expect(formatInZone(Date.UTC(2024, 0, 2, 14, 30), calendarOf('America/New_York'))).toBe('2024-01-02T09:30:00-05:00');
    expect(formatInZone(Date.UTC(2024, 6, 2, 13, 30, 0, 5), calendarOf('America/New_York'))).toBe('2024-07-02T09:30:00.005-04:00');
    expect(formatInZone(Date.UTC(2024, 0, 2), calendarOf('UTC'))).toBe('2024-01-02T00:00:00Z');
  });

  it('refuses unknown zones and offsets beyond ±14:00', () => {
    expect(() => calendarOf('Mars/Olympus_Mons')).toThrow(`timeZone: expected an IANA zone name, 'UTC' or an offset like '+05:30', got "Mars/Olympus_Mons"`);
    expect(() => calendarOf('+14:30')).toThrow('timeZone: offset out of range (at most ±14:00), got "+14:30"');
    expect(calendarOf('+14:00').offsetAt(0)).toBe(14 * HOUR);
  });
});

describe('calendar: civil dates and period keys', () => {
  it('has leap centuries right: 1900 and 2100 are not leap years, 2000 is', () => {
    expect([1900, 2000, 2024, 2100, 2023].map(isLeapYear)).toEqual([false, true, true, false, false]);
    expect(daysFromCivil(2000, 3, 1) - daysFromCivil(2000, 2, 28)).toBe(2);
    expect(daysFromCivil(1900, 3, 1) - daysFromCivil(1900, 2, 28)).toBe(1);
  });

  it('matches Date.UTC for any day of years 0–9999', () => {
    fc.assert(fc.property(fc.integer({ min: -719_528, max: 2_932_896 }), (day) => {
      const d = new Date(day * 86_400_000);
      expect(civilFromDays(day)).toBe(d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate());
      expect(daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())).toBe(day);
    }), { numRuns: 2000 });
  });

  it('labels ISO weeks, months and quarters (2024-12-30 is in week 1 of 2025; 2021-01-03 in week 53 of 2020)', () => {
    expect(periodKeyLabel(periodKeyOfDay(daysFromCivil(2024, 12, 30), 'weekly'), 'weekly')).toBe('2025-W01');
    expect(periodKeyLabel(periodKeyOfDay(daysFromCivil(2021, 1, 3), 'weekly'), 'weekly')).toBe('2020-W53');
    expect(periodKeyLabel(periodKeyOfDay(daysFromCivil(2024, 3, 31), 'monthly'), 'monthly')).toBe('2024-03');
    expect(periodKeyLabel(periodKeyOfDay(daysFromCivil(2024, 10, 1), 'quarterly'), 'quarterly')).toBe('2024-Q4');
    // Monday and Sunday of one ISO week share a key; the next Monday does not.
    const monday = daysFromCivil(2024, 1, 1);
    expect(periodKeyOfDay(monday + 6, 'weekly')).toBe(periodKeyOfDay(monday, 'weekly'));
    expect(periodKeyOfDay(monday + 7, 'weekly')).toBe(periodKeyOfDay(monday, 'weekly') + 1);
  });

  it('cuts New York days at New York midnight: 03:00 UTC on Jan 2 is still Jan 1', () => {
    const ny = calendarOf('America/New_York');
    expect(ny.localDay(Date.UTC(2024, 0, 2, 3))).toBe(daysFromCivil(2024, 1, 1));
    expect(ny.localDay(Date.UTC(2024, 0, 2, 5))).toBe(daysFromCivil(2024, 1, 2));
    expect(ny.periodKey(Date.UTC(2024, 1, 1, 4, 59), 'monthly')).toBe(2024 * 12 + 0); // Jan 31, 23:59 EST
  });
});
