// Spec of the CSV layer: every accepted format variant, every error with its exact message, strict vs
// skip, streaming == string parsing at any chunk boundary, and toCsv → parseCsv round trips.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CsvError, parseCsv, parseCsvStream, toCsv, type ParsedCsv } from '../../src/data/csv.js';
import { generateBars } from '../../src/data/generate.js';
import type { Bars, SymbolBars } from '../../src/data/bars.js';

const FIELDS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;

interface Expected {
  timestamp: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

function expectSeries(series: SymbolBars | undefined, expected: Expected): void {
  expect(series).toBeDefined();
  for (const field of FIELDS) {
    expect(series![field]).toBeInstanceOf(Float64Array);
    expect(Array.from(series![field]), field).toEqual(expected[field]);
  }
}

/** Bit-for-bit equality (distinguishes -0 from 0; NaN equals NaN). */
function expectSameArray(actual: Float64Array | undefined, expected: Float64Array | undefined, label: string): void {
  expect(actual, label).toBeInstanceOf(Float64Array);
  expect(actual!.length, label).toBe(expected!.length);
  for (let i = 0; i < expected!.length; i++) {
    if (!Object.is(actual![i], expected![i])) {
      throw new Error(`${label}[${i}]: got ${actual![i]}, expected ${expected![i]}`);
    }
  }
}

function expectSameBars(actual: Bars, expected: Bars): void {
  expect(actual.symbols).toEqual(expected.symbols);
  for (const symbol of expected.symbols) {
    const a = actual.series[symbol];
    const e = expected.series[symbol];
    expect(a.symbol).toBe(symbol);
    for (const field of FIELDS) expectSameArray(a[field], e[field], `${symbol}.${field}`);
    expect(Object.keys(a.columns ?? {})).toEqual(Object.keys(e.columns ?? {}));
    for (const name of Object.keys(e.columns ?? {})) expectSameArray(a.columns![name], e.columns![name], `${symbol}.${name}`);
  }
}

function parseError(text: string, options: Parameters<typeof parseCsv>[1] = { symbol: 'SPY' }): CsvError {
  try {
    parseCsv(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(CsvError);
    return error as CsvError;
  }
  throw new Error('expected parseCsv to throw');
}

const jan2 = (hour: number, minute: number, second = 0, ms = 0): number => Date.UTC(2024, 0, 2, hour, minute, second, ms);

const SIMPLE = [
  'timestamp,open,high,low,close,volume',
  '2024-01-02T14:30:00Z,100.5,101.25,100.1,101,1200',
  '2024-01-02T14:31:00Z,101,101.5,100.75,100.8,900',
  '2024-01-02T14:32:00Z,100.8,100.9,100.2,100.25,0',
].join('\n');

const SIMPLE_EXPECTED: Expected = {
  timestamp: [jan2(14, 30), jan2(14, 31), jan2(14, 32)],
  open: [100.5, 101, 100.8],
  high: [101.25, 101.5, 100.9],
  low: [100.1, 100.75, 100.2],
  close: [101, 100.8, 100.25],
  volume: [1200, 900, 0],
};

describe('parseCsv: format variants', () => {
  it('reads a header file for the symbol given in the options', () => {
    const bars = parseCsv(SIMPLE + '\n', { symbol: 'SPY' });
    expect(bars.symbols).toEqual(['SPY']);
    expect(Object.keys(bars.series)).toEqual(['SPY']);
    expect(bars.series.SPY.symbol).toBe('SPY');
    expect(bars.series.SPY.columns).toBeUndefined();
    expect(bars.skipped).toEqual([]);
    expectSeries(bars.series.SPY, SIMPLE_EXPECTED);
  });

  it('reads a file without header as timestamp,open,high,low,close,volume', () => {
    const text = SIMPLE.split('\n').slice(1).join('\n');
    expectSeries(parseCsv(text, { symbol: 'SPY' }).series.SPY, SIMPLE_EXPECTED);
  });

  it('reads a file without header and without volume (volume all 0)', () => {
    const text = ['2024-01-02,10,11,9,10.5', '2024-01-03,10.5,12,10,11'].join('\n');
    expectSeries(parseCsv(text, { symbol: 'X' }).series.X, {
      // Dates are midnights in New York (EST, UTC−5) by default.
      timestamp: [Date.UTC(2024, 0, 2, 5), Date.UTC(2024, 0, 3, 5)],
      open: [10, 10.5],
      high: [11, 12],
      low: [9, 10],
      close: [10.5, 11],
      volume: [0, 0],
    });
  });

  it('gives volume 0 when a header file has no volume column', () => {
    const text = 'date,open,high,low,close\n2024-01-02,10,11,9,10.5\n';
    expect(Array.from(parseCsv(text, { symbol: 'X' }).series.X.volume)).toEqual([0]);
  });

  it('takes columns in any order and case', () => {
    const text = [
      'Close,VOLUME,Date,Open,Low,High',
      '101,1200,2024-01-02T14:30:00Z,100.5,100.1,101.25',
      '100.8,900,2024-01-02T14:31:00Z,101,100.75,101.5',
      '100.25,0,2024-01-02T14:32:00Z,100.8,100.2,100.9',
    ].join('\n');
    expectSeries(parseCsv(text, { symbol: 'SPY' }).series.SPY, SIMPLE_EXPECTED);
  });

  it.each([
    ['semicolon', ';'],
    ['tab', '\t'],
  ])('detects the %s delimiter', (_, delimiter) => {
    const text = SIMPLE.replaceAll(',', delimiter);
    expectSeries(parseCsv(text, { symbol: 'SPY' }).series.SPY, SIMPLE_EXPECTED);
  });

  it('detects the delimiter of a file without header', () => {
    const text = '2024-01-02;10;11;9;10.5;7\n';
    expect(Array.from(parseCsv(text, { symbol: 'X' }).series.X.volume)).toEqual([7]);
  });

  it('reads the long format: a symbol column, symbols in the order first seen', () => {
    const text = [
      'symbol,time,open,high,low,close,volume',
      'IWM,2024-01-02T14:30:00Z,200,201,199,200.5,10',
      'SPY,2024-01-02T14:30:00Z,470,471,469,470.5,20',
      'IWM,2024-01-02T14:31:00Z,200.5,202,200,201,11',
      'SPY,2024-01-02T14:32:00Z,470.5,472,470,471,21',
      'IWM,2024-01-02T14:33:00Z,201,201.5,200.5,201.25,12',
    ].join('\n');
    // options.symbol is ignored when the file names its symbols
    const bars = parseCsv(text, { symbol: 'QQQ' });
    expect(bars.symbols).toEqual(['IWM', 'SPY']);
    expectSeries(bars.series.IWM, {
      timestamp: [jan2(14, 30), jan2(14, 31), jan2(14, 33)],
      open: [200, 200.5, 201],
      high: [201, 202, 201.5],
      low: [199, 200, 200.5],
      close: [200.5, 201, 201.25],
      volume: [10, 11, 12],
    });
    expectSeries(bars.series.SPY, {
      timestamp: [jan2(14, 30), jan2(14, 32)],
      open: [470, 470.5],
      high: [471, 472],
      low: [469, 470],
      close: [470.5, 471],
      volume: [20, 21],
    });
  });

  it.each([
    ['an ISO date (midnight in New York, EST = UTC−5)', '2024-01-02', Date.UTC(2024, 0, 2, 5)],
    ['an ISO datetime with Z', '2024-01-02T14:30:00Z', jan2(14, 30)],
    ['an ISO datetime with +02:00', '2024-01-02T16:30:00+02:00', jan2(14, 30)],
    ['an ISO datetime with -05:00', '2024-01-02T09:30:00-05:00', jan2(14, 30)],
    ['an ISO datetime with -0500', '2024-01-02T09:30:00-0500', jan2(14, 30)],
    ['an ISO datetime with -05', '2024-01-02T09:30:00-05', jan2(14, 30)],
    ['an offset that crosses midnight', '2024-01-02T01:00:00+02:00', Date.UTC(2024, 0, 1, 23, 0)],
    ['an ISO datetime without zone (New York wall clock)', '2024-01-02T09:30:00', jan2(14, 30)],
    ['a space instead of T', '2024-01-02 09:30:00', jan2(14, 30)],
    ['a summer datetime without zone (EDT = UTC−4)', '2024-07-01T09:30:00', Date.UTC(2024, 6, 1, 13, 30)],
    ['no seconds', '2024-01-02T14:30Z', jan2(14, 30)],
    ['milliseconds', '2024-01-02T14:30:00.250Z', jan2(14, 30, 0, 250)],
    ['one fraction digit', '2024-01-02T14:30:01.5Z', jan2(14, 30, 1, 500)],
    ['microseconds (dropped below the ms)', '2024-01-02T14:30:00.123456Z', jan2(14, 30, 0, 123)],
    ['a leap day', '2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['epoch seconds', '1704205800', jan2(14, 30)],
    ['epoch seconds with a fraction', '1704205800.25', jan2(14, 30, 0, 250)],
    ['epoch milliseconds', '1704205800000', jan2(14, 30)],
    ['a quoted ISO datetime', '"2024-01-02T14:30:00Z"', jan2(14, 30)],
  ])('reads %s', (_, cell, expected) => {
    const bars = parseCsv(`timestamp,open,high,low,close\n${cell},1,2,0.5,1.5\n`, { symbol: 'X' });
    expect(Array.from(bars.series.X.timestamp)).toEqual([expected]);
  });

  it('accepts CRLF line ends, a UTF-8 BOM, blank lines and a missing final newline', () => {
    const text = '\uFEFF' + SIMPLE.split('\n').join('\r\n') + '\r\n\r\n';
    expectSeries(parseCsv(text, { symbol: 'SPY' }).series.SPY, SIMPLE_EXPECTED);
    const lines = SIMPLE.split('\n');
    const withBlank = [lines[0], lines[1], '', lines[2], lines[3]].join('\n');
    expectSeries(parseCsv(withBlank, { symbol: 'SPY' }).series.SPY, SIMPLE_EXPECTED);
  });

  it('keeps extra numeric columns by lower-cased name (empty cells are NaN) and ignores text columns', () => {
    const text = [
      'timestamp,open,high,low,close,volume,Signal,exchange,Adj Close',
      '2024-01-02,10,11,9,10.5,100,1,ARCA,10.4',
      '2024-01-03,10.5,12,10,11,200,,ARCA,10.9',
      '2024-01-04,11,11.5,10,10,300,-1,NYSE,9.9',
    ].join('\n');
    const series = parseCsv(text, { symbol: 'X' }).series.X;
    expect(Object.keys(series.columns!)).toEqual(['signal', 'adj close']);
    expect(Array.from(series.columns!.signal)).toEqual([1, NaN, -1]);
    expect(Array.from(series.columns!['adj close'])).toEqual([10.4, 10.9, 9.9]);
    expect(Array.from(series.close)).toEqual([10.5, 11, 10]);
  });

  it('gives every symbol of a long file the extra columns', () => {
    const text = 'symbol,date,open,high,low,close,signal\nA,2024-01-02,1,1,1,1,1\nB,2024-01-02,2,2,2,2,-1\n';
    const bars = parseCsv(text);
    expect(Array.from(bars.series.A.columns!.signal)).toEqual([1]);
    expect(Array.from(bars.series.B.columns!.signal)).toEqual([-1]);
  });

  it('reads quoted cells and numbers in exotic forms', () => {
    const text = [
      '"Date","Open","High","Low","Close","Volume"',
      '"2024-01-02","10.5",1.1e1,"9",+10.75, 1200',
      '2024-01-03,.5,1.,0.25,0.75,1E3',
    ].join('\n');
    expectSeries(parseCsv(text, { symbol: 'X', timeZone: 'UTC' }).series.X, {
      timestamp: [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)],
      open: [10.5, 0.5],
      high: [11, 1],
      low: [9, 0.25],
      close: [10.75, 0.75],
      volume: [1200, 1000],
    });
  });

  it('parses every decimal exactly as Number() does', () => {
    const digits = (min: number, max: number) =>
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
    fc.assert(
      fc.property(digits(1, 20), digits(0, 25), fc.boolean(), (whole, fraction, dot) => {
        const text = dot || fraction.length > 0 ? `${whole}.${fraction}` : whole;
        const expected = Number(text);
        fc.pre(expected > 0 && Number.isFinite(expected));
        const csv = `date,open,high,low,close,signal\n2024-01-02,${text},${text},${text},${text},-${text}\n`;
        const series = parseCsv(csv, { symbol: 'X' }).series.X;
        expect(Object.is(series.close[0], expected)).toBe(true);
        expect(Object.is(series.columns!.signal[0], -expected)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('parseCsv: errors', () => {
  const HEADER = 'timestamp,open,high,low,close,volume';
  const row = (cells: string) => `${HEADER}\n2024-01-02T09:30:00,10,11,9,10.5,100\n${cells}\n`;

  it.each([
    ['a missing field', '2024-01-02T09:31:00Z,10,11,9,10.5', 'line 3: expected 6 fields, got 5'],
    ['an extra field', '2024-01-02T09:31:00Z,10,11,9,10.5,100,7', 'line 3: expected 6 fields, got 7'],
    ['a trailing delimiter', '2024-01-02T09:31:00Z,10,11,9,10.5,100,', 'line 3: expected 6 fields, got 7'],
    ['a missing field and a bad value', '2024-01-02T09:31:00Z,abc,11,9', 'line 3: expected 6 fields, got 4'],
    ['a non-numeric close', '2024-01-02T09:31:00Z,10,11,9,abc,100', 'line 3: close is "abc", expected a number'],
    ['an empty open', '2024-01-02T09:31:00Z,,11,9,10,100', 'line 3: open is "", expected a number'],
    ['an empty volume', '2024-01-02T09:31:00Z,10,11,9,10,', 'line 3: volume is "", expected a number'],
    ['a hexadecimal number', '2024-01-02T09:31:00Z,10,0x10,9,10,100', 'line 3: high is "0x10", expected a number'],
    ['an infinite price', '2024-01-02T09:31:00Z,10,Infinity,9,10,100', 'line 3: high is "Infinity", expected a number'],
    ['a negative close', '2024-01-02T09:31:00Z,10,11,9,-3,100', 'line 3: close is "-3", expected a number > 0'],
    ['a zero open', '2024-01-02T09:31:00Z,0,11,9,10,100', 'line 3: open is "0", expected a number > 0'],
    ['a negative volume', '2024-01-02T09:31:00Z,10,11,9,10,-1', 'line 3: volume is "-1", expected a number >= 0'],
    ['high below max(open, close)', '2024-01-02T09:31:00Z,9,9.5,8,10,100', 'line 3: high 9.5 is below max(open, close) = 10'],
    ['low above min(open, close)', '2024-01-02T09:31:00Z,10,11,10.5,10.75,100', 'line 3: low 10.5 is above min(open, close) = 10'],
    [
      'an impossible month',
      '2024-13-01T09:31:00Z,10,11,9,10,100',
      'line 3: timestamp is "2024-13-01T09:31:00Z", expected an ISO-8601 date or datetime, or epoch seconds or milliseconds',
    ],
    [
      'February 30',
      '2024-02-30,10,11,9,10,100',
      'line 3: timestamp is "2024-02-30", expected an ISO-8601 date or datetime, or epoch seconds or milliseconds',
    ],
    [
      'hour 25',
      '2024-01-02T25:00:00Z,10,11,9,10,100',
      'line 3: timestamp is "2024-01-02T25:00:00Z", expected an ISO-8601 date or datetime, or epoch seconds or milliseconds',
    ],
    [
      'text for a time',
      'yesterday,10,11,9,10,100',
      'line 3: timestamp is "yesterday", expected an ISO-8601 date or datetime, or epoch seconds or milliseconds',
    ],
    [
      'a US-style date',
      '01/02/2024,10,11,9,10,100',
      'line 3: timestamp is "01/02/2024", expected an ISO-8601 date or datetime, or epoch seconds or milliseconds',
    ],
    [
      'a timestamp going backwards',
      '2024-01-02T09:29:00,10,11,9,10,100',
      'line 3: timestamp 2024-01-02T09:29:00-05:00 is not after the previous one (2024-01-02T09:30:00-05:00, line 2)',
    ],
    [
      'a duplicate timestamp',
      '2024-01-02T09:30:00,10,11,9,10,100',
      'line 3: duplicate timestamp 2024-01-02T09:30:00-05:00 (first on line 2)',
    ],
  ])('reports %s', (_, cells, message) => {
    expect(parseError(row(cells)).message).toBe(`<input> ${message}`);
  });

  it('names the file and gives the offending cell in CsvError fields', () => {
    const lines = [HEADER];
    for (let minute = 0; minute < 1040; minute++) {
      lines.push(`${new Date(Date.UTC(2024, 0, 2, 14, 30) + minute * 60_000).toISOString()},10,11,9,10.5,100`);
    }
    lines.push('2024-01-03T14:30:00Z,10,11,9,abc,100');
    const error = parseError(lines.join('\n'), { symbol: 'SPY', fileName: 'SPY_1m.csv' });
    expect(error.message).toBe('SPY_1m.csv line 1042: close is "abc", expected a number');
    expect(error.name).toBe('CsvError');
    expect(error.fileName).toBe('SPY_1m.csv');
    expect(error.line).toBe(1042);
    expect(error.column).toBe('close');
    expect(error.value).toBe('abc');
    expect(error.detail).toBe('close is "abc", expected a number');
  });

  it('gives the exact example of a timestamp going backwards, and of a duplicate', () => {
    const lines = [
      'time,open,high,low,close',
      '2024-01-02T09:28:00,1,1,1,1',
      '2024-01-02T09:29:00,1,1,1,1',
      '2024-01-02T09:30:00,1,1,1,1',
      '2024-01-02T09:32:00,1,1,1,1',
      '2024-01-02T09:31:00,1,1,1,1',
    ];
    const error = parseError(lines.join('\n'));
    // Times without a zone are New York wall clock; messages show them so, with the offset.
    expect(error.message).toBe('<input> line 6: timestamp 2024-01-02T09:31:00-05:00 is not after the previous one (2024-01-02T09:32:00-05:00, line 5)');
    expect(error.column).toBe('time');
    expect(error.value).toBe('2024-01-02T09:31:00-05:00');
    lines[5] = '2024-01-02T09:32:00,1,1,1,1';
    expect(parseError(lines.join('\n')).message).toBe('<input> line 6: duplicate timestamp 2024-01-02T09:32:00-05:00 (first on line 5)');
  });

  it('counts physical lines: blank lines and CRLF included', () => {
    const text = `${HEADER}\r\n\r\n2024-01-02,10,11,9,10,100\r\n\r\n2024-01-03,10,11,9,x,100\r\n`;
    expect(parseError(text).message).toBe('<input> line 5: close is "x", expected a number');
  });

  it('checks timestamps per symbol in the long format', () => {
    const text = ['symbol,date,open,high,low,close', 'A,2024-01-03,1,1,1,1', 'B,2024-01-02,1,1,1,1', 'A,2024-01-02,1,1,1,1'].join('\n');
    expect(parseError(text, {}).message).toBe(
      '<input> line 4: timestamp 2024-01-02T00:00:00-05:00 is not after the previous one (2024-01-03T00:00:00-05:00, line 2)',
    );
  });

  it('rejects an empty symbol and a non-numeric extra cell', () => {
    expect(parseError('symbol,date,open,high,low,close\n,2024-01-02,1,1,1,1\n', {}).message).toBe(
      '<input> line 2: symbol is "", expected a symbol name',
    );
    expect(parseError('date,open,high,low,close,signal\n2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,1,buy\n').message).toBe(
      '<input> line 3: signal is "buy", expected a number',
    );
  });

  it('lists what is missing from the header and what was found', () => {
    const error = parseError('Date,Close,Volume\n2024-01-02,10,100\n', { symbol: 'SPY', fileName: 'spy.csv' });
    expect(error.message).toBe('spy.csv line 1: missing required column(s) open, high, low; the header has "Date", "Close", "Volume"');
    expect(parseError('Open,High,Low,Close\n1,1,1,1\n').message).toBe(
      '<input> line 1: missing required column(s) timestamp (or time, date, datetime); the header has "Open", "High", "Low", "Close"',
    );
  });

  it('reports header problems on the header line, after leading blank lines too', () => {
    expect(parseError('\n\ndate,close\n2024-01-02,1\n').message).toBe(
      '<input> line 3: missing required column(s) open, high, low; the header has "date", "close"',
    );
  });

  it('rejects ambiguous headers', () => {
    expect(parseError('timestamp,date,open,high,low,close\n').message).toBe(
      '<input> line 1: found several time columns (timestamp, date); expected exactly one of timestamp, time, date, datetime',
    );
    expect(parseError('date,open,high,low,close,Close\n').message).toBe('<input> line 1: column "close" appears twice (fields 5 and 6)');
  });

  it('needs a symbol from the file or the options', () => {
    expect(parseError(SIMPLE, {}).message).toBe(
      '<input> line 1: the file has no symbol column; pass the symbol, e.g. parseCsv(text, { symbol: "SPY" })',
    );
  });

  it('rejects a file without header and with a column count it cannot map', () => {
    expect(parseError('2024-01-02,1,1,1,1,1,1\n').message).toBe(
      '<input> line 1: a file without a header must have 5 or 6 fields (timestamp, open, high, low, close[, volume]), got 7',
    );
  });

  it('rejects empty input, and a header without rows, on the header line', () => {
    expect(parseError('').message).toBe('<input> line 1: the input is empty (no header and no rows)');
    expect(parseError('\n\r\n').message).toBe('<input> line 1: the input is empty (no header and no rows)');
    expect(parseError(`${HEADER}\n`, { symbol: 'SPY' }).message).toBe('<input> line 1: the file has a header but no rows');
    expect(parseError('\n\nsymbol,date,open,high,low,close\n\n', {}).message).toBe('<input> line 3: the file has a header but no rows');
  });

  it('rejects unknown options', () => {
    expect(() => parseCsv(SIMPLE, { symbol: 'X', mode: 'lenient' as 'skip' })).toThrow(
      'parseCsv: mode is "lenient", expected "strict" or "skip"',
    );
    expect(() => parseCsv(SIMPLE, { symbol: 'X', timeZone: 'Mars/Olympus_Mons' })).toThrow(
      `parseCsv: timeZone: expected an IANA zone name, 'UTC' or an offset like '+05:30', got "Mars/Olympus_Mons"`,
    );
  });
});

describe('parseCsv: strict and skip modes', () => {
  const text = [
    'timestamp,open,high,low,close,volume', // 1
    '2024-01-02,10,11,9,10.5,100', // 2 ok
    '2024-01-03,10,11,9,abc,100', // 3 bad close
    '2024-01-04,10,11,9', // 4 missing fields
    '2024-01-05,10.5,12,10,11,200', // 5 ok
    '2024-01-05,11,12,10,11.5,300', // 6 duplicate of line 5
    '2024-01-04,11,12,10,11.5,300', // 7 backwards
    '2024-01-08,11,10.5,10,11.5,300', // 8 high below close
    '2024-01-09,11,12,10,11.5,300', // 9 ok
  ].join('\n');

  it('strict (the default) stops at the first error', () => {
    expect(parseError(text).message).toBe('<input> line 3: close is "abc", expected a number');
    expect(parseError(text, { symbol: 'SPY', mode: 'strict' }).line).toBe(3);
  });

  it('skip drops bad rows and lists them; later rows compare with the last kept one', () => {
    const bars = parseCsv(text, { symbol: 'SPY', mode: 'skip' });
    expect(bars.skipped).toEqual([
      { line: 3, message: 'close is "abc", expected a number' },
      { line: 4, message: 'expected 6 fields, got 4' },
      { line: 6, message: 'duplicate timestamp 2024-01-05T00:00:00-05:00 (first on line 5)' },
      { line: 7, message: 'timestamp 2024-01-04T00:00:00-05:00 is not after the previous one (2024-01-05T00:00:00-05:00, line 5)' },
      { line: 8, message: 'high 10.5 is below max(open, close) = 11.5' },
    ]);
    expectSeries(bars.series.SPY, {
      timestamp: [Date.UTC(2024, 0, 2, 5), Date.UTC(2024, 0, 5, 5), Date.UTC(2024, 0, 9, 5)],
      open: [10, 10.5, 11],
      high: [11, 12, 12],
      low: [9, 10, 10],
      close: [10.5, 11, 11.5],
      volume: [100, 200, 300],
    });
  });

  it('skip still throws on header problems', () => {
    expect(parseError('date,close\n2024-01-02,1\n', { symbol: 'X', mode: 'skip' }).line).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------

function chunksOf<T>(items: T[]): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      for (const item of items) yield item;
    },
  };
}

function byteStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** Splits at the given sorted cut points. */
function cut<T extends string | Uint8Array>(whole: T, cuts: number[]): T[] {
  const pieces: T[] = [];
  let from = 0;
  for (const at of [...cuts, whole.length]) {
    pieces.push(whole.slice(from, at) as T);
    from = at;
  }
  return pieces;
}

describe('parseCsvStream', () => {
  const small =
    '\uFEFFsymbol;Date;Open;High;Low;Close;Volume;signal\r\n' +
    'ÄPFEL;2024-01-02T09:30:00+01:00;10.5;11;9;10;100;1\r\n' +
    'SPY;2024-01-02T14:30:00Z;470;471;469;470.5;20;\r\n' +
    'ÄPFEL;2024-01-02T09:31:00+01:00;10;10.5;9.5;10.25;101;-1\r\n' +
    '\r\n' +
    'SPY;1704205860;470.5;472;470;471;21;0';
  const expected = parseCsv(small);

  it('parses the small file as expected (hand check of the reference)', () => {
    expect(expected.symbols).toEqual(['ÄPFEL', 'SPY']);
    expect(Array.from(expected.series['ÄPFEL'].timestamp)).toEqual([Date.UTC(2024, 0, 2, 8, 30), Date.UTC(2024, 0, 2, 8, 31)]);
    expect(Array.from(expected.series.SPY.timestamp)).toEqual([jan2(14, 30), jan2(14, 31)]);
    expect(Array.from(expected.series.SPY.columns!.signal)).toEqual([NaN, 0]);
  });

  it('gives the string result when text chunks are cut at every position', async () => {
    for (let at = 0; at <= small.length; at++) {
      expectSameBars(await parseCsvStream(chunksOf(cut(small, [at]))), expected);
    }
    expectSameBars(await parseCsvStream(chunksOf(small.split(''))), expected);
  });

  it('gives the string result when bytes are cut at every position (inside multi-byte characters too)', async () => {
    const bytes = new TextEncoder().encode(small);
    for (let at = 0; at <= bytes.length; at++) {
      expectSameBars(await parseCsvStream(byteStream(cut(bytes, [at]))), expected);
    }
    for (let at = 1; at < bytes.length; at += 7) {
      for (let second = at; second <= bytes.length; second += 5) {
        expectSameBars(await parseCsv(chunksOf(cut(bytes, [at, second]))), expected);
      }
    }
  });

  it('gives the string result on a bigger file cut at random places', async () => {
    const bars = generateBars({ symbols: ['SPY', 'QQQ', 'IWM'], bars: 1500, interval: '5m', seed: 7 });
    const text = toCsv(bars);
    const reference = parseCsv(text);
    expectSameBars(reference, bars);
    const bytes = new TextEncoder().encode(text);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), async (points) => {
        const cuts = points.sort((a, b) => a - b);
        expectSameBars(await parseCsvStream(byteStream(cut(bytes, cuts))), reference);
        expectSameBars(await parseCsvStream(chunksOf(cut(text, cuts))), reference);
      }),
      { numRuns: 25 },
    );
  });

  it('reports the same error, on the same line, as the string parser', async () => {
    const bad = small.replace('10.25', '10.2.5');
    const message = '<input> line 4: close is "10.2.5", expected a number';
    expect(() => parseCsv(bad)).toThrow(message);
    for (let at = 0; at <= bad.length; at += 3) {
      await expect(parseCsvStream(chunksOf(cut(bad, [at])))).rejects.toThrow(message);
    }
    const skipped = await parseCsvStream(chunksOf(cut(bad, [100])), { mode: 'skip' });
    expect(skipped.skipped).toEqual([{ line: 4, message: 'close is "10.2.5", expected a number' }]);
  });

  it('is what parseCsv returns (as a Promise) for stream input', async () => {
    const result: Promise<ParsedCsv> = parseCsv(byteStream([new TextEncoder().encode(SIMPLE)]), { symbol: 'SPY' });
    expect(result).toBeInstanceOf(Promise);
    expectSeries((await result).series.SPY, SIMPLE_EXPECTED);
  });
});

// ---------------------------------------------------------------------------------------------

describe('toCsv', () => {
  it('writes the long format with ISO times and shortest numbers', () => {
    const bars: Bars = {
      symbols: ['SPY', 'IWM'],
      series: {
        SPY: {
          symbol: 'SPY',
          timestamp: new Float64Array([jan2(14, 30), jan2(14, 31, 5, 7)]),
          open: new Float64Array([470.1, 0.1 + 0.2]),
          high: new Float64Array([471, 1e21]),
          low: new Float64Array([469.25, 1e-7]),
          close: new Float64Array([470.5, 0.5]),
          volume: new Float64Array([100, 2.5]),
          columns: { signal: new Float64Array([1, NaN]) },
        },
        IWM: {
          symbol: 'IWM',
          timestamp: new Float64Array([Date.UTC(2024, 0, 3)]),
          open: new Float64Array([200]),
          high: new Float64Array([201]),
          low: new Float64Array([199]),
          close: new Float64Array([200.5]),
          volume: new Float64Array([0]),
        },
      },
    };
    expect(toCsv(bars)).toBe(
      [
        'symbol,timestamp,open,high,low,close,volume,signal',
        'SPY,2024-01-02T14:30:00Z,470.1,471,469.25,470.5,100,1',
        'SPY,2024-01-02T14:31:05.007Z,0.30000000000000004,1e+21,1e-7,0.5,2.5,',
        'IWM,2024-01-03T00:00:00Z,200,201,199,200.5,0,',
        '',
      ].join('\n'),
    );
  });

  it('writes dates only when every bar is at a midnight of the zone (New York here), and can leave out the symbol', () => {
    const daily = generateBars({ symbols: ['X'], bars: 2, interval: '1d', seed: 1, start: '2024-01-05' });
    const lines = toCsv(daily, { symbolColumn: false }).split('\n');
    expect(lines[0]).toBe('timestamp,open,high,low,close,volume');
    expect(lines[1].startsWith('2024-01-05,')).toBe(true);
    expect(lines[2].startsWith('2024-01-08,')).toBe(true);
    expect(() => toCsv(generateBars({ symbols: 2, bars: 1, seed: 1 }), { symbolColumn: false })).toThrow(
      'toCsv: 2 symbols need the symbol column (symbolColumn: true)',
    );
  });

  it('round-trips generated bars bit for bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        // A symbol with no bars leaves no row, so a long file cannot name it: at least one bar each.
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('1m' as const, '5m' as const, '15m' as const, '1h' as const, '1d' as const),
        (seed, count, symbols, interval) => {
          const bars = generateBars({ symbols, bars: count, interval, seed });
          expectSameBars(parseCsv(toCsv(bars)), bars);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('round-trips arbitrary doubles bit for bit (prices, volumes, extra columns)', () => {
    const positive = fc.double({ min: Number.MIN_VALUE, max: 1e300, noNaN: true, noDefaultInfinity: true });
    const barArb = fc
      .tuple(positive, positive, positive, positive, fc.double({ min: 0, max: 1e300, noNaN: true }), fc.double())
      .map(([a, b, c, d, volume, signal]) => {
        const [low, open, close, high] = [a, b, c, d].sort((x, y) => x - y);
        return { open, high, low, close, volume, signal };
      });
    fc.assert(
      fc.property(
        fc.array(barArb, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: -62_000_000_000_000, max: 250_000_000_000_000 }),
        fc.array(fc.integer({ min: 1, max: 10_000_000_000 }), { minLength: 30, maxLength: 30 }),
        (rows, start, steps) => {
          const timestamp = new Float64Array(rows.length);
          let t = start;
          rows.forEach((_, i) => {
            timestamp[i] = t;
            t += steps[i];
          });
          const column = (key: keyof (typeof rows)[number]) => new Float64Array(rows.map((r) => r[key]));
          const bars: Bars = {
            symbols: ['R'],
            series: {
              R: {
                symbol: 'R',
                timestamp,
                open: column('open'),
                high: column('high'),
                low: column('low'),
                close: column('close'),
                volume: column('volume'),
                columns: { signal: column('signal') },
              },
            },
          };
          expectSameBars(parseCsv(toCsv(bars)), bars);
        },
      ),
      { numRuns: 200 },
    );
  });
});
