// CSV ingest benchmark: parseCsv against a straightforward split/Number() parser and papaparse, on the
// same generated text and with the same validation. Runnable alone: `npx tsx bench/ingest.ts [mb]`.
import { pathToFileURL } from 'node:url';
import Papa from 'papaparse';
import { generateBars } from '../src/data/generate.js';
import { parseCsv, toCsv } from '../src/data/csv.js';

export interface IngestResult {
  foliolab_mb_per_s: number;
  naive_mb_per_s: number;
  papaparse_mb_per_s: number;
  /** Size of the CSV text (ASCII, so characters = bytes); MB means 10^6 bytes. */
  bytes: number;
}

/** Bytes of one generated row (`2024-01-02T14:30:00Z,242.16,242.39,241.95,241.98,50165`), to size the input. */
const BYTES_PER_ROW = 54;

interface Columns {
  timestamp: Float64Array;
  close: Float64Array;
}

function fail(line: number, detail: string): never {
  throw new Error(`line ${line}: ${detail}`);
}

/**
 * The reference a developer would write first: split lines and cells, Number() and Date.parse,
 * the same checks as parseCsv (field count, numbers, prices > 0, volume >= 0, high/low around
 * open/close, increasing timestamps), values pushed to arrays.
 */
function naiveParse(text: string): Columns {
  const lines = text.split('\n');
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const at = (name: string) => header.indexOf(name);
  const [ti, oi, hi, li, ci, vi] = ['timestamp', 'open', 'high', 'low', 'close', 'volume'].map(at);
  const timestamps: number[] = [];
  const closes: number[] = [];
  let last = -Infinity;
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n].endsWith('\r') ? lines[n].slice(0, -1) : lines[n];
    if (line === '') continue;
    const cells = line.split(',');
    if (cells.length !== header.length) fail(n + 1, `expected ${header.length} fields, got ${cells.length}`);
    const t = Date.parse(cells[ti]);
    if (Number.isNaN(t)) fail(n + 1, `timestamp is "${cells[ti]}"`);
    const [o, h, l, c, v] = [oi, hi, li, ci, vi].map((k) => Number(cells[k]));
    if (!(o > 0 && h > 0 && l > 0 && c > 0 && v >= 0)) fail(n + 1, 'bad number');
    if (h < Math.max(o, c) || l > Math.min(o, c)) fail(n + 1, 'high/low outside open/close');
    if (!(t > last)) fail(n + 1, 'timestamp not increasing');
    last = t;
    timestamps.push(t);
    closes.push(c);
  }
  return { timestamp: Float64Array.from(timestamps), close: Float64Array.from(closes) };
}

/** papaparse with header and dynamicTyping (which turns ISO datetimes into Date objects), then the same checks. */
function papaParse(text: string): Columns {
  const parsed = Papa.parse<Record<string, unknown>>(text, { header: true, dynamicTyping: true, skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new Error(`papaparse: ${parsed.errors[0].message} (row ${parsed.errors[0].row})`);
  const rows = parsed.data;
  const timestamp = new Float64Array(rows.length);
  const close = new Float64Array(rows.length);
  let last = -Infinity;
  for (let n = 0; n < rows.length; n++) {
    const row = rows[n];
    const time = row.timestamp;
    const t = time instanceof Date ? time.getTime() : typeof time === 'number' ? time : Date.parse(String(time));
    const [o, h, l, c, v] = [row.open, row.high, row.low, row.close, row.volume] as number[];
    if (Number.isNaN(t)) fail(n + 2, 'bad timestamp');
    if (!(typeof o === 'number' && typeof h === 'number' && typeof l === 'number' && typeof c === 'number' && typeof v === 'number')) {
      fail(n + 2, 'bad number');
    }
    if (!(o > 0 && h > 0 && l > 0 && c > 0 && v >= 0)) fail(n + 2, 'bad number');
    if (h < Math.max(o, c) || l > Math.min(o, c)) fail(n + 2, 'high/low outside open/close');
    if (!(t > last)) fail(n + 2, 'timestamp not increasing');
    last = t;
    timestamp[n] = t;
    close[n] = c;
  }
  return { timestamp, close };
}

function foliolabParse(text: string): Columns {
  const series = parseCsv(text, { symbol: 'SPY' }).series.SPY;
  return { timestamp: series.timestamp, close: series.close };
}

function sameColumns(a: Columns, b: Columns): boolean {
  if (a.close.length !== b.close.length) return false;
  for (let i = 0; i < a.close.length; i++) {
    if (!Object.is(a.close[i], b.close[i]) || !Object.is(a.timestamp[i], b.timestamp[i])) return false;
  }
  return true;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Warm-up once, then the median of three timed runs, in MB/s. */
function time(text: string, parse: (text: string) => Columns): number {
  parse(text);
  const seconds: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    parse(text);
    seconds.push((performance.now() - started) / 1000);
  }
  return text.length / 1e6 / median(seconds);
}

/**
 * Builds ~`mb` MB (default 50) of one-symbol 1-minute CSV with generateBars + toCsv, checks that
 * the three parsers give the same closes and timestamps, then times each.
 *
 * @example
 * ```ts
 * const { foliolab_mb_per_s, papaparse_mb_per_s } = await benchIngest({ mb: 10 });
 * ```
 */
export async function benchIngest(opts: { mb?: number } = {}): Promise<IngestResult> {
  const mb = opts.mb ?? 50;
  const rows = Math.max(1, Math.round((mb * 1e6) / BYTES_PER_ROW));
  const text = toCsv(generateBars({ symbols: ['SPY'], bars: rows, interval: '1m', seed: 20240102 }), { symbolColumn: false });
  text.charCodeAt(0); // flatten the string once, outside the timings

  const reference = foliolabParse(text);
  if (reference.close.length !== rows) throw new Error(`parseCsv read ${reference.close.length} rows, expected ${rows}`);
  if (!sameColumns(naiveParse(text), reference)) throw new Error('naive parser disagrees with parseCsv');
  if (!sameColumns(papaParse(text), reference)) throw new Error('papaparse disagrees with parseCsv');

  return {
    foliolab_mb_per_s: time(text, foliolabParse),
    naive_mb_per_s: time(text, naiveParse),
    papaparse_mb_per_s: time(text, papaParse),
    bytes: text.length,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mb = process.argv[2] === undefined ? 50 : Number(process.argv[2]);
  const result = await benchIngest({ mb });
  const rows: [string, number][] = [
    ['foliolab parseCsv', result.foliolab_mb_per_s],
    ['naive split/Number', result.naive_mb_per_s],
    ['papaparse', result.papaparse_mb_per_s],
  ];
  console.log(`CSV ingest, ${(result.bytes / 1e6).toFixed(1)} MB, parsed and validated (median of 3):`);
  for (const [name, speed] of rows) {
    console.log(`  ${name.padEnd(20)} ${speed.toFixed(0).padStart(6)} MB/s  ${(speed / result.foliolab_mb_per_s).toFixed(2)}x`);
  }
}
