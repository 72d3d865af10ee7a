// CSV times in the exchange zone, checked against the files' own text: real Yahoo and backtrader files
// (tests/fixtures/real), separate Date and Time columns, calendar validation (leap centuries, seconds,
// offsets, epochs out of range) and the hostile CSV corpus (tests/fixtures/hostile).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv, toCsv } from '../../src/data/csv.js';
import { calendarOf, daysFromCivil, periodKeyLabel } from '../../src/data/calendar.js';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

function csvError(text: string, options: Parameters<typeof parseCsv>[1] = { symbol: 'X' }): CsvError {
  try {
    parseCsv(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(CsvError);
    return error as CsvError;
  }
  throw new Error('expected a CsvError');
}

describe('CSV dates in the exchange zone (real files)', () => {
  it('puts each bar of a Yahoo daily file on the date written in its row (New York by default)', () => {
    const text = fixture('real/yhoo-2003-2005.txt');
    const dates = text.trim().split('\n').slice(1).map((line) => line.slice(0, 10));
    const bars = parseCsv(text, { symbol: 'YHOO', fileName: 'yhoo-2003-2005.txt' }).series.YHOO;
    expect(bars.timestamp.length).toBe(dates.length);
    expect(dates.length).toBe(756);
    const ny = calendarOf('America/New_York');
    for (let i = 0; i < dates.length; i++) {
      expect(periodKeyLabel(ny.localDay(bars.timestamp[i]), 'daily')).toBe(dates[i]);
    }
    // The first bars by hand: 2003-01-02 and -03 are EST midnights (05:00 UTC), a Thursday and a Friday; then Monday 01-06.
    expect(Array.from(bars.timestamp.subarray(0, 3))).toEqual([Date.UTC(2003, 0, 2, 5), Date.UTC(2003, 0, 3, 5), Date.UTC(2003, 0, 6, 5)]);
    // A summer date is an EDT midnight (04:00 UTC).
    const july = dates.indexOf('2003-07-01');
    expect(bars.timestamp[july]).toBe(Date.UTC(2003, 6, 1, 4));
  });

  it('reads the same file in another zone as that zone\'s midnights (UTC here)', () => {
    const bars = parseCsv(fixture('real/yhoo-2003-2005.txt'), { symbol: 'YHOO', timeZone: 'UTC' }).series.YHOO;
    expect(bars.timestamp[0]).toBe(Date.UTC(2003, 0, 2));
  });

  it('combines separate Date and Time columns (backtrader 5-minute file) as wall-clock time of the zone', () => {
    const text = fixture('real/2006-min-005.txt');
    const rows = text.trim().split('\n').slice(1).map((line) => line.split(','));
    const bars = parseCsv(text, { symbol: 'ES' }).series.ES;
    expect(bars.timestamp.length).toBe(rows.length);
    // 2006-01-02 09:05 EST = 14:05 UTC; the last row by the same rule from its own cells.
    expect(bars.timestamp[0]).toBe(Date.UTC(2006, 0, 2, 14, 5));
    const [date, time] = rows[rows.length - 1];
    const [y, m, d] = date.split('-').map(Number);
    const [hh, mm, ss] = time.split(':').map(Number);
    expect(m).toBe(1); // the file ends in January: EST, UTC−5
    const offsetHours = 5;
    expect(bars.timestamp[bars.timestamp.length - 1]).toBe(Date.UTC(y, m - 1, d, hh + offsetHours, mm, ss));
    expect(Array.from(bars.close.subarray(0, 2))).toEqual([Number(rows[0][5]), Number(rows[1][5])]);
    // The zone applies to the combination: in UTC the first bar is 09:05 UTC.
    expect(parseCsv(text, { symbol: 'ES', timeZone: 'UTC' }).series.ES.timestamp[0]).toBe(Date.UTC(2006, 0, 2, 9, 5));
  });

  it('locates a bad time of day and a date with a time in the date column', () => {
    expect(csvError('Date,Time,Open,High,Low,Close\n2006-01-02,25:00:00,1,1,1,1\n').message)
      .toBe('<input> line 2: time is "25:00:00", expected a time of day HH:MM[:SS[.fff]]');
    expect(csvError('Date,Time,Open,High,Low,Close\n2006-01-02T09:00,09:05,1,1,1,1\n').message)
      .toBe('<input> line 2: date is "2006-01-02T09:00", expected a date YYYY-MM-DD (the time is in its own column)');
  });

  it('writes a New York daily series as dates and reads it back to the same instants', () => {
    const parsed = parseCsv(fixture('real/yhoo-2003-2005.txt'), { symbol: 'YHOO' });
    const text = toCsv(parsed, { symbolColumn: false });
    expect(text.split('\n')[1].startsWith('2003-01-02,')).toBe(true);
    expect(Array.from(parseCsv(text, { symbol: 'YHOO' }).series.YHOO.timestamp)).toEqual(Array.from(parsed.series.YHOO.timestamp));
  });
});

describe('CSV calendar validation', () => {
  const row = (time: string) => `timestamp,open,high,low,close\n${time},1,1,1,1\n`;
  const expected = 'expected an ISO-8601 date or datetime, or epoch seconds or milliseconds';

  it.each([
    ['1900-02-29', 'a leap day of a century not divisible by 400'],
    ['2100-02-29', 'a leap day of 2100'],
    ['2023-02-29', 'a leap day of a common year'],
    ['2024-04-31', 'April 31'],
    ['2024-01-02T09:30:60Z', 'second 60'],
    ['2024-01-02T24:00:00Z', 'hour 24'],
    ['2024-01-02T09:60:00Z', 'minute 60'],
    ['2024-01-02T09:30:00+15:00', 'an offset beyond +14:00'],
    ['2024-01-02T09:30:00-14:30', 'an offset beyond -14:00'],
    ['2024-01-02T09:30:00+05:60', 'offset minutes 60'],
    ['8640000000000001', 'epoch ms beyond what a Date holds'],
    ['-8640000000000001', 'epoch ms before what a Date holds'],
  ])('refuses %s (%s) with a located message', (time) => {
    expect(csvError(row(time)).message).toBe(`<input> line 2: timestamp is "${time}", ${expected}`);
  });

  it.each([
    ['2000-02-29', Date.UTC(2000, 1, 29, 5)],
    ['2024-02-29', Date.UTC(2024, 1, 29, 5)],
    ['2024-01-02T09:30:59.999Z', Date.UTC(2024, 0, 2, 9, 30, 59, 999)],
    ['2024-01-02T09:30:00+14:00', Date.UTC(2024, 0, 1, 19, 30)],
    ['2024-01-02T09:30:00-12:00', Date.UTC(2024, 0, 2, 21, 30)],
    ['8640000000000000', 8.64e15],
  ])('accepts %s', (time, ms) => {
    expect(parseCsv(row(time), { symbol: 'X' }).series.X.timestamp[0]).toBe(ms);
  });
});

describe('hostile CSV corpus', () => {
  it('a Yahoo file without its header row: a located error, not bars with the wrong columns', () => {
    expect(csvError(fixture('hostile/yahoo-no-header.csv'), { symbol: 'YHOO', fileName: 'yahoo-no-header.csv' }).message).toBe(
      'yahoo-no-header.csv line 1: a file without a header must have 5 or 6 fields (timestamp, open, high, low, close[, volume]), got 7',
    );
  });

  it('a header and no rows: a located error, not an empty result', () => {
    const error = csvError(fixture('hostile/header-only.csv'), { symbol: 'YHOO', fileName: 'header-only.csv' });
    expect(error.message).toBe('header-only.csv line 1: the file has a header but no rows');
    expect(error.line).toBe(1);
  });

  it('Yahoo "null" rows: strict stops on them, skip mode drops and lists them', () => {
    const text = fixture('hostile/yahoo-null-rows.csv');
    expect(csvError(text, { symbol: 'YHOO' }).message).toBe('<input> line 3: open is "null", expected a number');
    const parsed = parseCsv(text, { symbol: 'YHOO', mode: 'skip' });
    expect(parsed.skipped).toEqual([{ line: 3, message: 'open is "null", expected a number' }]);
    expect(Array.from(parsed.series.YHOO.close)).toEqual([8.8, 9.3]);
    expect(Array.from(parsed.series.YHOO.timestamp)).toEqual([Date.UTC(2003, 0, 2, 5), Date.UTC(2003, 0, 6, 5)]);
  });

  it('a 5 MB cell: the message quotes the row number, not megabytes', () => {
    const huge = 'x'.repeat(5_000_000);
    const error = csvError(`date,open,high,low,close\n2024-01-02,1,1,1,${huge}\n`);
    expect(error.message).toBe(`<input> line 2: close is "${'x'.repeat(100)}…", expected a number`);
    expect(error.value).toBe(`${'x'.repeat(100)}…`);
    const header = csvError(`date,open,high,low,${huge}\n2024-01-02,1,1,1,1\n`);
    expect(header.message.length).toBeLessThan(300);
  });

  it('the daily first bars of a long day-count fall on their own weekdays (no Sunday among them)', () => {
    const bars = parseCsv(fixture('real/orcl-2003-2005.txt'), { symbol: 'ORCL' }).series.ORCL;
    const ny = calendarOf('America/New_York');
    for (const t of bars.timestamp) {
      const weekday = ((ny.localDay(t) - daysFromCivil(2003, 1, 5)) % 7 + 7) % 7; // 2003-01-05 was a Sunday
      expect(weekday === 0 || weekday === 6).toBe(false);
    }
  });
});
