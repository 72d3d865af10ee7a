// CSV bars in and out: the streaming, validating parser (parseCsv, parseCsvStream), its error type
// (CsvError) and the writer (toCsv). Runs in browsers, workers, Node and workerd (no Node imports).
import type { Bars, SymbolBars } from './bars.js';
import { calendarOf, civilFromDays, daysFromCivil, daysInMonth, DEFAULT_TIME_ZONE, formatInZone, MS_PER_DAY, type ExchangeCalendar } from './calendar.js';

/** `strict` stops at the first bad row; `skip` drops bad rows and lists them in `skipped`. */
export type CsvMode = 'strict' | 'skip';

export interface CsvOptions {
  /** Symbol of every row when the file has no `symbol` column (ignored when it has one). */
  symbol?: string;
  /** Name used in error messages; defaults to `<input>`. */
  fileName?: string;
  /** Default `strict`. Header problems (missing columns, no symbol) always throw. */
  mode?: CsvMode;
  /**
   * The exchange zone: times written without `Z` or an offset, and date-only values, are wall-clock
   * times there (`1995-01-03` is midnight of January 3 in New York, so the bar belongs to that session's
   * date). Default `America/New_York`; `UTC`, fixed offsets (`+05:30`) and IANA names (see calendar.ts).
   */
  timeZone?: string;
}

/** A row dropped in `skip` mode: its 1-based physical line and what was wrong with it. */
export interface SkippedRow {
  line: number;
  /** The same text a strict parse would throw, without the `file line N: ` prefix. */
  message: string;
}

/** Parsed bars (one series per symbol, in the order symbols were first seen) and the rows skipped. */
export type ParsedCsv = Bars & { skipped: SkippedRow[] };

/** Bad CSV input: the message names the file, the line and the value, e.g. `SPY_1m.csv line 1042: close is "abc", expected a number`. */
export class CsvError extends Error {
  readonly fileName: string;
  /** 1-based physical line, the header included. */
  readonly line: number;
  /** Lower-cased name of the offending column, when one is to blame. */
  readonly column: string | undefined;
  /** The offending cell as written, when one is to blame. */
  readonly value: string | undefined;
  /** The message without its `file line N: ` prefix. */
  readonly detail: string;

  constructor(fileName: string, line: number, detail: string, column?: string, value?: string) {
    super(`${fileName} line ${line}: ${detail}`);
    this.name = 'CsvError';
    this.fileName = fileName;
    this.line = line;
    this.detail = detail;
    this.column = column;
    this.value = value;
  }
}

/** Largest |ms| a JS Date can hold; epoch values beyond it are rejected. */
const MAX_DATE_MS = 8.64e15;

/**
 * Parses one timestamp cell the way `parseCsv` does (zone-less times in `calendar`'s zone); NaN when
 * it is not one. Used by the generator for its `start` option. @internal
 */
export function parseTimestamp(text: string, calendar: ExchangeCalendar = calendarOf(DEFAULT_TIME_ZONE)): number {
  return new TimeScanner(calendar).parseText(text.trim());
}

/** A cell as messages quote it: at most 100 characters, so a hostile megabyte cell is not echoed back. */
function shown(cell: string): string {
  return cell.length > 100 ? `${cell.slice(0, 100)}…` : cell;
}

/** Offsets beyond ±14:00 exist nowhere (Kiribati's +14 is the largest): such a value is a typo. */
const MAX_OFFSET_MINUTES = 14 * 60;

// ---------------------------------------------------------------------------------------------
// Scanning primitives. Cells are read in place (no substring per cell): each scan returns the
// value and leaves `pos` on the character that ended the cell.

const CHAR_CR = 13;
const CHAR_SPACE = 32;
const CHAR_QUOTE = 34;
const CHAR_PLUS = 43;
const CHAR_COMMA = 44;
const CHAR_MINUS = 45;
const CHAR_DOT = 46;
const CHAR_COLON = 58;
const CHAR_T = 84;
const CHAR_Z = 90;
const CHAR_LOWER_T = 116;
const CHAR_LOWER_Z = 122;

/** 10^k for k ≤ 22 are exact doubles, so `mantissa / 10^k` is correctly rounded (Clinger's fast path). */
const POW10 = new Float64Array(23);
for (let k = 0, p = 1; k < 23; k++, p *= 10) POW10[k] = p;

/** Plain decimals, exponents, and ±Infinity: what the slow path accepts (no hex, no empty cell). */
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?Infinity$/;

/** The digit at `s[i]`, or a large negative number so that any sum it enters is negative. */
function digitAt(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1e6;
}

/** ISO-8601 dates and datetimes, with a one-entry cache of the last date (rows are mostly in date order). */
class TimeScanner {
  pos = 0;
  /** Whether the last `iso` value had a time of day (false: a date-only value). */
  hadTime = false;
  private dateKey = -1;
  private dateMs = 0;

  constructor(private readonly calendar: ExchangeCalendar) {}

  /**
   * Reads `YYYY-MM-DD[(T| )HH:MM[:SS[.fff…]]][Z|±HH[:MM]]` starting at `p`. Returns ms since epoch
   * (NaN if malformed) and leaves `pos` just after it. A value without a zone is wall-clock time of
   * the calendar's zone; digits beyond milliseconds are dropped.
   */
  iso(s: string, p: number): number {
    const wall = this.isoWall(s, p);
    return this.zoned || wall !== wall ? wall : this.calendar.toEpoch(wall);
  }

  /** Set by `isoWall`: the value carried `Z` or an offset (it is then already an instant). */
  private zoned = false;

  /** `iso` without the zone step: a zone-less value stays wall-clock ms (as if UTC). */
  isoWall(s: string, p: number): number {
    this.zoned = false;
    this.hadTime = false;
    const year = digitAt(s, p) * 1000 + digitAt(s, p + 1) * 100 + digitAt(s, p + 2) * 10 + digitAt(s, p + 3);
    const month = digitAt(s, p + 5) * 10 + digitAt(s, p + 6);
    const day = digitAt(s, p + 8) * 10 + digitAt(s, p + 9);
    if (year < 0 || month < 0 || day < 0) return NaN;
    if (s.charCodeAt(p + 4) !== CHAR_MINUS || s.charCodeAt(p + 7) !== CHAR_MINUS) return NaN;
    const key = year * 10_000 + month * 100 + day;
    let ms: number;
    if (key === this.dateKey) {
      ms = this.dateMs;
    } else {
      if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
      ms = daysFromCivil(year, month, day) * MS_PER_DAY;
      this.dateKey = key;
      this.dateMs = ms;
    }
    let q = p + 10;
    const sep = s.charCodeAt(q);
    if (sep !== CHAR_T && sep !== CHAR_SPACE && sep !== CHAR_LOWER_T) {
      this.pos = q;
      return ms;
    }
    this.hadTime = true;
    const hour = digitAt(s, q + 1) * 10 + digitAt(s, q + 2);
    const minute = digitAt(s, q + 4) * 10 + digitAt(s, q + 5);
    if (hour < 0 || minute < 0 || hour > 23 || minute > 59 || s.charCodeAt(q + 3) !== CHAR_COLON) return NaN;
    ms += (hour * 60 + minute) * 60_000;
    q += 6;
    if (s.charCodeAt(q) === CHAR_COLON) {
      const second = digitAt(s, q + 1) * 10 + digitAt(s, q + 2);
      if (second < 0 || second > 59) return NaN;
      ms += second * 1000;
      q += 3;
      // Only `.` before a fraction: ISO's `,` would be ambiguous with the delimiter.
      if (s.charCodeAt(q) === CHAR_DOT) {
        let c = s.charCodeAt(++q);
        let digits = 0;
        let fraction = 0;
        while (c >= 48 && c <= 57) {
          if (digits < 3) fraction = fraction * 10 + (c - 48);
          digits++;
          c = s.charCodeAt(++q);
        }
        if (digits === 0) return NaN;
        if (digits === 1) fraction *= 100;
        else if (digits === 2) fraction *= 10;
        ms += fraction;
      }
    }
    const zone = s.charCodeAt(q);
    if (zone === CHAR_Z || zone === CHAR_LOWER_Z) {
      q++;
      this.zoned = true;
    } else if (zone === CHAR_PLUS || zone === CHAR_MINUS) {
      const hours = digitAt(s, q + 1) * 10 + digitAt(s, q + 2);
      if (hours < 0 || hours > 14) return NaN;
      this.zoned = true;
      q += 3;
      const colon = s.charCodeAt(q) === CHAR_COLON;
      const minutes = digitAt(s, q + (colon ? 1 : 0)) * 10 + digitAt(s, q + (colon ? 2 : 1));
      if (minutes >= 0) {
        if (minutes > 59) return NaN;
        q += colon ? 3 : 2;
      } else if (colon) {
        return NaN;
      }
      const offset = hours * 60 + (minutes >= 0 ? minutes : 0);
      if (offset > MAX_OFFSET_MINUTES) return NaN;
      ms += zone === CHAR_PLUS ? -offset * 60_000 : offset * 60_000;
    }
    this.pos = q;
    return ms;
  }

  /** A whole (trimmed, unquoted) cell: ISO, or epoch seconds (< 1e11, rounded to ms) or ms. */
  parseText(text: string): number {
    if (text.length >= 10 && text.charCodeAt(4) === CHAR_MINUS) {
      const t = this.iso(text, 0);
      return t === t && this.pos === text.length && Math.abs(t) <= MAX_DATE_MS ? t : NaN;
    }
    if (!NUMBER_TEXT.test(text)) return NaN;
    return epochToMs(Number(text));
  }
}

/** `YYYY-MM-DD` alone, as wall-clock ms of its midnight; NaN for anything else. */
function parseDateOnly(text: string, scanner: TimeScanner): number {
  if (text.length !== 10) return NaN;
  const wall = scanner.isoWall(text, 0);
  return wall === wall && scanner.pos === 10 ? wall : NaN;
}

const CLOCK_TEXT = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** `HH:MM[:SS[.fff…]]` as ms since midnight (digits beyond ms dropped); NaN when malformed or out of range. */
function parseClock(text: string): number {
  const m = CLOCK_TEXT.exec(text);
  if (!m) return NaN;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  const seconds = m[3] === undefined ? 0 : Number(m[3]);
  if (hours > 23 || minutes > 59 || seconds > 59) return NaN;
  const ms = m[4] === undefined ? 0 : Number(m[4].slice(0, 3).padEnd(3, '0'));
  return ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms;
}

function epochToMs(x: number): number {
  const ms = Math.abs(x) < 1e11 ? Math.round(x * 1000) : x;
  return Math.abs(ms) <= MAX_DATE_MS ? ms : NaN;
}

/** End of the cell starting at `p` (a delimiter or `end`), skipping over a quoted section. */
function cellEnd(s: string, p: number, end: number, delim: number): number {
  let i = p;
  if (s.charCodeAt(i) === CHAR_QUOTE) {
    i++;
    while (i < end) {
      if (s.charCodeAt(i) === CHAR_QUOTE) {
        if (s.charCodeAt(i + 1) === CHAR_QUOTE) i += 2;
        else break;
      } else {
        i++;
      }
    }
  }
  while (i < end && s.charCodeAt(i) !== delim) i++;
  return i;
}

/** A cell as the user wrote it, without surrounding quotes (doubled quotes undone). */
function cellText(s: string, p: number, e: number): string {
  const raw = s.slice(p, e);
  const trimmed = raw.trim();
  if (trimmed.length >= 2 && trimmed.charCodeAt(0) === CHAR_QUOTE && trimmed.charCodeAt(trimmed.length - 1) === CHAR_QUOTE) {
    return trimmed.slice(1, -1).replace(/""/g, '"');
  }
  return raw;
}

function splitCells(line: string, delim: number): string[] {
  const cells: string[] = [];
  let p = 0;
  for (;;) {
    const e = cellEnd(line, p, line.length, delim);
    cells.push(cellText(line, p, e));
    if (e >= line.length) return cells;
    p = e + 1;
  }
}

/** The delimiter is whichever of `,` `;` tab occurs most often in the first line (ties: tab, `;`, `,`). */
function detectDelimiter(line: string): number {
  let commas = 0;
  let semicolons = 0;
  let tabs = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === CHAR_QUOTE) quoted = !quoted;
    else if (quoted) continue;
    else if (c === CHAR_COMMA) commas++;
    else if (c === 59) semicolons++;
    else if (c === 9) tabs++;
  }
  if (tabs > 0 && tabs >= semicolons && tabs >= commas) return 9;
  if (semicolons > 0 && semicolons >= commas) return 59;
  return CHAR_COMMA;
}

// ---------------------------------------------------------------------------------------------
// Column roles and per-symbol storage.

const ROLE_TIME = 0;
const ROLE_OPEN = 1;
const ROLE_HIGH = 2;
const ROLE_LOW = 3;
const ROLE_CLOSE = 4;
const ROLE_VOLUME = 5;
const ROLE_SYMBOL = 6;
const ROLE_EXTRA = 7;
const ROLE_IGNORE = 8;
const ROLE_PENDING = 9;
/** A `time` column of time-of-day beside a `date` column: the two make the timestamp. */
const ROLE_CLOCK = 10;

const TIME_NAMES = ['timestamp', 'time', 'date', 'datetime'];
const FIELD_ROLES: Record<string, number> = {
  open: ROLE_OPEN,
  high: ROLE_HIGH,
  low: ROLE_LOW,
  close: ROLE_CLOSE,
  volume: ROLE_VOLUME,
  symbol: ROLE_SYMBOL,
};

/** Growable columns of one symbol (capacity doubles; trimmed to length once at the end). */
class SeriesBuilder {
  length = 0;
  lastTime = -Infinity;
  lastLine = 0;
  timestamp: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  extras: Float64Array[];

  constructor(
    readonly symbol: string,
    private capacity: number,
    extraCount: number,
  ) {
    this.timestamp = new Float64Array(capacity);
    this.open = new Float64Array(capacity);
    this.high = new Float64Array(capacity);
    this.low = new Float64Array(capacity);
    this.close = new Float64Array(capacity);
    this.volume = new Float64Array(capacity);
    this.extras = [];
    for (let k = 0; k < extraCount; k++) this.extras.push(new Float64Array(capacity));
  }

  /** Makes room for one more row. */
  reserve(): void {
    if (this.length < this.capacity) return;
    const capacity = this.capacity * 2;
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    this.timestamp = grow(this.timestamp);
    this.open = grow(this.open);
    this.high = grow(this.high);
    this.low = grow(this.low);
    this.close = grow(this.close);
    this.volume = grow(this.volume);
    this.extras = this.extras.map(grow);
    this.capacity = capacity;
  }

  build(extraNames: string[]): SymbolBars {
    // Exact-length arrays: callers transfer `.buffer` to workers and expect it to hold just this series.
    const n = this.length;
    const fit = (a: Float64Array): Float64Array => (a.length === n ? a : a.slice(0, n));
    const bars: SymbolBars = {
      symbol: this.symbol,
      timestamp: fit(this.timestamp),
      open: fit(this.open),
      high: fit(this.high),
      low: fit(this.low),
      close: fit(this.close),
      volume: fit(this.volume),
    };
    if (extraNames.length > 0) {
      const columns: Record<string, Float64Array> = {};
      extraNames.forEach((name, k) => (columns[name] = fit(this.extras[k])));
      bars.columns = columns;
    }
    return bars;
  }
}

const STATE_FIRST_LINE = 0;
const STATE_AFTER_HEADER = 1;
const STATE_ROWS = 2;


/**
 * The incremental parser behind parseCsv and parseCsvStream. Text is pushed in chunks; complete
 * lines are parsed at once, the unfinished last line is carried to the next chunk.
 */
class CsvParser {
  private readonly fileName: string;
  private readonly strict: boolean;
  private readonly defaultSymbol: string | undefined;
  readonly skipped: SkippedRow[] = [];

  private state = STATE_FIRST_LINE;
  private line = 0;
  private carry = '';
  private started = false;
  private sizeHint = 0;

  private delim = CHAR_COMMA;
  private delimText = ',';
  private fieldCount = 0;
  private roles = new Int32Array(0);
  /** Column names for messages (lower-cased header names, or the positional defaults). */
  private names: string[] = [];
  /** For ROLE_EXTRA columns: index into the extras; -1 otherwise. */
  private extraSlot = new Int32Array(0);
  private extraNames: string[] = [];
  private extraRow = new Float64Array(0);
  private hasSymbolColumn = false;

  private pos = 0;
  private readonly calendar: ExchangeCalendar;
  private readonly time: TimeScanner;
  /** Separate `date` and `time` columns: the date cell is a date-only wall-clock day, the time cell its time of day. */
  private splitTime = false;
  private headerLine = 1;
  private readonly builders = new Map<string, SeriesBuilder>();
  private readonly order: SeriesBuilder[] = [];
  private single: SeriesBuilder | null = null;
  private lastBuilder: SeriesBuilder | null = null;

  constructor(options: CsvOptions) {
    this.fileName = options.fileName ?? '<input>';
    this.strict = (options.mode ?? 'strict') === 'strict';
    this.defaultSymbol = options.symbol;
    if (options.mode !== undefined && options.mode !== 'strict' && options.mode !== 'skip') {
      throw new TypeError(`parseCsv: mode is "${String(options.mode)}", expected "strict" or "skip"`);
    }
    try {
      this.calendar = calendarOf(options.timeZone ?? DEFAULT_TIME_ZONE);
    } catch (error) {
      throw new TypeError(`parseCsv: ${(error as Error).message}`);
    }
    this.time = new TimeScanner(this.calendar);
  }

  /** Feeds text; `whole` says this is the entire input (lets the first series be sized up front). */
  push(chunk: string, whole = false): void {
    if (chunk.length === 0) return;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      if (whole) this.sizeHint = chunk.length;
    }
    const lastNewline = chunk.lastIndexOf('\n');
    if (lastNewline === -1) {
      this.carry += chunk;
      return;
    }
    const text = this.carry.length === 0 ? chunk : this.carry + chunk;
    const upTo = text.length - (chunk.length - lastNewline - 1);
    this.carry = lastNewline + 1 < chunk.length ? chunk.slice(lastNewline + 1) : '';
    this.lines(text, 0, upTo);
  }

  finish(): ParsedCsv {
    if (this.carry.length > 0) {
      const rest = this.carry;
      this.carry = '';
      this.lines(rest, 0, rest.length);
    }
    if (this.state === STATE_FIRST_LINE) throw this.error(1, 'the input is empty (no header and no rows)');
    if (this.state === STATE_AFTER_HEADER) throw this.error(this.headerLine, 'the file has a header but no rows');
    const series: Record<string, SymbolBars> = {};
    const symbols: string[] = [];
    for (const builder of this.order) {
      symbols.push(builder.symbol);
      series[builder.symbol] = builder.build(this.extraNames);
    }
    return { symbols, series, skipped: this.skipped };
  }

  private error(line: number, detail: string, column?: string, value?: string): CsvError {
    return new CsvError(this.fileName, line, detail, column, value);
  }

  /** A bad row: thrown in strict mode, recorded in skip mode. */
  private reject(detail: string, column?: string, value?: string): void {
    if (this.strict) throw this.error(this.line, detail, column, value);
    this.skipped.push({ line: this.line, message: detail });
  }

  /** Parses the complete lines of `s[from, to)`; the text after the last `\n` counts as a line too. */
  private lines(s: string, from: number, to: number): void {
    let p = from;
    while (p < to) {
      let nl = s.indexOf('\n', p);
      if (nl === -1 || nl > to) nl = to;
      let e = nl;
      if (e > p && s.charCodeAt(e - 1) === CHAR_CR) e--;
      this.line++;
      if (e > p) {
        if (this.state === STATE_ROWS) this.row(s, p, e);
        else if (this.state === STATE_AFTER_HEADER) {
          this.startRows(splitCells(s.slice(p, e), this.delim), e - p);
          this.row(s, p, e);
        } else this.firstLine(s.slice(p, e), s, p, e);
      }
      p = nl + 1;
    }
  }

  private firstLine(text: string, s: string, p: number, e: number): void {
    this.delim = detectDelimiter(text);
    this.delimText = String.fromCharCode(this.delim);
    const cells = splitCells(text, this.delim);
    const isData =
      cells.length >= 2 &&
      !Number.isNaN(new TimeScanner(this.calendar).parseText(cells[0].trim())) &&
      cells.slice(1).every((c) => NUMBER_TEXT.test(c.trim()));
    if (isData) {
      if (cells.length !== 5 && cells.length !== 6) {
        throw this.error(
          this.line,
          `a file without a header must have 5 or 6 fields (timestamp, open, high, low, close[, volume]), got ${cells.length}`,
        );
      }
      this.setColumns(['timestamp', 'open', 'high', 'low', 'close', 'volume'].slice(0, cells.length), cells.length);
      this.startRows(cells, e - p);
      this.row(s, p, e);
    } else {
      this.readHeader(cells);
    }
  }

  private readHeader(cells: string[]): void {
    const names = cells.map((c) => c.trim().toLowerCase());
    const seen = new Map<string, number>();
    names.forEach((name, k) => {
      if (name === '') return;
      const first = seen.get(name);
      if (first !== undefined) {
        throw this.error(this.line, `column "${shown(name)}" appears twice (fields ${first + 1} and ${k + 1})`, shown(name));
      }
      seen.set(name, k);
    });
    const timeColumns = names.filter((n) => TIME_NAMES.includes(n));
    // backtrader's and many brokers' files: `Date,Time,...` with the time of day apart.
    this.splitTime = timeColumns.length === 2 && timeColumns.includes('date') && timeColumns.includes('time');
    if (timeColumns.length > 1 && !this.splitTime) {
      throw this.error(
        this.line,
        `found several time columns (${timeColumns.join(', ')}); expected exactly one of timestamp, time, date, datetime`,
      );
    }
    const missing: string[] = [];
    if (timeColumns.length === 0) missing.push('timestamp (or time, date, datetime)');
    for (const required of ['open', 'high', 'low', 'close']) if (!seen.has(required)) missing.push(required);
    if (missing.length > 0) {
      throw this.error(
        this.line,
        `missing required column(s) ${missing.join(', ')}; the header has ${cells.map((c) => `"${shown(c.trim())}"`).join(', ')}`,
      );
    }
    this.setColumns(names, names.length);
    this.headerLine = this.line;
    this.state = STATE_AFTER_HEADER;
  }

  private setColumns(names: string[], fieldCount: number): void {
    this.fieldCount = fieldCount;
    this.names = names;
    this.roles = new Int32Array(fieldCount);
    this.extraSlot = new Int32Array(fieldCount).fill(-1);
    names.forEach((name, k) => {
      if (name === '') this.roles[k] = ROLE_IGNORE;
      else if (this.splitTime && name === 'time') this.roles[k] = ROLE_CLOCK;
      else if (TIME_NAMES.includes(name)) this.roles[k] = ROLE_TIME;
      else this.roles[k] = FIELD_ROLES[name] ?? ROLE_PENDING;
    });
    this.hasSymbolColumn = names.includes('symbol');
    if (!this.hasSymbolColumn && (this.defaultSymbol === undefined || this.defaultSymbol === '')) {
      throw this.error(this.line, 'the file has no symbol column; pass the symbol, e.g. parseCsv(text, { symbol: "SPY" })');
    }
  }

  /**
   * Extra columns are numeric (kept) or text (ignored), judged by the first data row: a number or
   * an empty cell there makes the column numeric.
   */
  private startRows(firstRow: string[] | null, lineLength: number): void {
    for (let k = 0; k < this.fieldCount; k++) {
      if (this.roles[k] !== ROLE_PENDING) continue;
      const cell = firstRow === null ? '' : (firstRow[k] ?? '').trim();
      if (cell === '' || NUMBER_TEXT.test(cell)) {
        this.roles[k] = ROLE_EXTRA;
        this.extraSlot[k] = this.extraNames.length;
        this.extraNames.push(this.names[k]);
      } else {
        this.roles[k] = ROLE_IGNORE;
      }
    }
    this.extraRow = new Float64Array(this.extraNames.length);
    if (!this.hasSymbolColumn) {
      // One series: when the whole text is known, size it from the first row's length (rows of a
      // file are about as long as each other) so that it rarely has to grow.
      const capacity = this.sizeHint > 0 && lineLength > 0 ? Math.ceil((this.sizeHint / (lineLength + 1)) * 1.05) + 16 : 1024;
      this.single = this.addSeries(this.defaultSymbol as string, capacity);
    }
    this.state = STATE_ROWS;
  }

  private addSeries(symbol: string, capacity: number): SeriesBuilder {
    const builder = new SeriesBuilder(symbol, capacity, this.extraNames.length);
    this.builders.set(symbol, builder);
    this.order.push(builder);
    return builder;
  }

  /**
   * Reads a number cell at `p`: digits with an optional sign and dot go through the exact fast
   * path (mantissa ≤ 2^53 divided by an exact power of ten); anything else through Number().
   * Returns NaN when the cell is not a number (an empty cell included).
   */
  private number(s: string, p: number, e: number): number {
    let i = p;
    let c = s.charCodeAt(i);
    const negative = c === CHAR_MINUS;
    if (negative) c = s.charCodeAt(++i);
    let mantissa = 0;
    let digits = 0;
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      c = s.charCodeAt(++i);
    }
    let fraction = 0;
    if (c === CHAR_DOT) {
      c = s.charCodeAt(++i);
      while (c >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        fraction++;
        c = s.charCodeAt(++i);
      }
    }
    if ((i === e || c === this.delim) && digits > 0 && mantissa <= 9_007_199_254_740_991 && fraction <= 22) {
      this.pos = i;
      const x = fraction === 0 ? mantissa : mantissa / POW10[fraction];
      return negative ? -x : x;
    }
    return this.numberSlow(s, p, e);
  }

  private numberSlow(s: string, p: number, e: number): number {
    const end = cellEnd(s, p, e, this.delim);
    this.pos = end;
    const text = cellText(s, p, end).trim();
    return NUMBER_TEXT.test(text) ? Number(text) : NaN;
  }

  private timestamp(s: string, p: number, e: number): number {
    if (s.charCodeAt(p + 4) === CHAR_MINUS) {
      const t = this.time.iso(s, p);
      const q = this.time.pos;
      if (t === t && (q === e || s.charCodeAt(q) === this.delim)) {
        this.pos = q;
        return t;
      }
    } else {
      const x = this.number(s, p, e);
      if (x === x) return epochToMs(x);
    }
    const end = cellEnd(s, p, e, this.delim);
    this.pos = end;
    return this.time.parseText(cellText(s, p, end).trim());
  }

  /** A date-only cell as wall-clock ms of its midnight (the `date` of separate date and time columns); NaN otherwise. */
  private dateCell(s: string, p: number, e: number): number {
    const end = cellEnd(s, p, e, this.delim);
    this.pos = end;
    return parseDateOnly(cellText(s, p, end).trim(), this.time);
  }

  /** A `HH:MM[:SS[.fff]]` cell as ms since midnight; NaN otherwise. */
  private clockCell(s: string, p: number, e: number): number {
    const end = cellEnd(s, p, e, this.delim);
    this.pos = end;
    return parseClock(cellText(s, p, end).trim());
  }

  private series(s: string, p: number, e: number): SeriesBuilder | null {
    let end = s.indexOf(this.delimText, p);
    if (end === -1 || end > e) end = e;
    const last = this.lastBuilder;
    if (last !== null && end - p === last.symbol.length && s.startsWith(last.symbol, p)) {
      this.pos = end;
      return last;
    }
    end = cellEnd(s, p, e, this.delim);
    this.pos = end;
    const symbol = cellText(s, p, end).trim();
    if (symbol === '') return null;
    const builder = this.builders.get(symbol) ?? this.addSeries(symbol, 1024);
    this.lastBuilder = builder;
    return builder;
  }

  /** The hot loop: one data line `s[p, e)`, validated and appended to its series. */
  private row(s: string, p: number, e: number): void {
    const roles = this.roles;
    const fieldCount = this.fieldCount;
    const delim = this.delim;
    let builder = this.single;
    let t = NaN;
    let open = NaN;
    let high = NaN;
    let low = NaN;
    let close = NaN;
    let volume = 0;
    let clock = 0;
    let pos = p;
    let field = 0;
    for (;;) {
      if (field === fieldCount) return this.badRow(s, p, e, -1);
      switch (roles[field]) {
        case ROLE_TIME:
          t = this.splitTime ? this.dateCell(s, pos, e) : this.timestamp(s, pos, e);
          if (t !== t) return this.badRow(s, p, e, field);
          break;
        case ROLE_CLOCK:
          clock = this.clockCell(s, pos, e);
          if (clock !== clock) return this.badRow(s, p, e, field);
          break;
        case ROLE_OPEN:
          open = this.number(s, pos, e);
          if (open !== open) return this.badRow(s, p, e, field);
          break;
        case ROLE_HIGH:
          high = this.number(s, pos, e);
          if (high !== high) return this.badRow(s, p, e, field);
          break;
        case ROLE_LOW:
          low = this.number(s, pos, e);
          if (low !== low) return this.badRow(s, p, e, field);
          break;
        case ROLE_CLOSE:
          close = this.number(s, pos, e);
          if (close !== close) return this.badRow(s, p, e, field);
          break;
        case ROLE_VOLUME:
          volume = this.number(s, pos, e);
          if (volume !== volume) return this.badRow(s, p, e, field);
          break;
        case ROLE_SYMBOL:
          builder = this.series(s, pos, e);
          if (builder === null) return this.badRow(s, p, e, field);
          break;
        case ROLE_EXTRA: {
          const x = this.number(s, pos, e);
          if (x !== x && cellText(s, pos, this.pos).trim() !== '') return this.badRow(s, p, e, field);
          this.extraRow[this.extraSlot[field]] = x;
          break;
        }
        default:
          this.pos = cellEnd(s, pos, e, delim);
      }
      pos = this.pos;
      field++;
      if (pos >= e) break;
      pos++;
    }
    if (field !== fieldCount) return this.badRow(s, p, e, -1);
    if (this.splitTime) t = this.calendar.toEpoch(t + clock);
    if (!(open > 0 && high > 0 && low > 0 && close > 0 && volume >= 0) || !Number.isFinite(open + high + low + close + volume)) {
      return this.badRow(s, p, e, -1);
    }
    const top = open > close ? open : close;
    if (high < top) return this.reject(`high ${high} is below max(open, close) = ${top}`, 'high', String(high));
    const bottom = open < close ? open : close;
    if (low > bottom) return this.reject(`low ${low} is above min(open, close) = ${bottom}`, 'low', String(low));
    const series = builder as SeriesBuilder;
    if (t <= series.lastTime) return this.badOrder(t, series);
    series.reserve();
    const k = series.length++;
    series.timestamp[k] = t;
    series.open[k] = open;
    series.high[k] = high;
    series.low[k] = low;
    series.close[k] = close;
    series.volume[k] = volume;
    for (let x = 0; x < series.extras.length; x++) series.extras[x][k] = this.extraRow[x];
    series.lastTime = t;
    series.lastLine = this.line;
  }

  private badOrder(t: number, series: SeriesBuilder): void {
    const column = this.names[this.roles.indexOf(ROLE_TIME)];
    const isoText = (ms: number) => formatInZone(ms, this.calendar);
    if (t === series.lastTime) {
      return this.reject(`duplicate timestamp ${isoText(t)} (first on line ${series.lastLine})`, column, isoText(t));
    }
    return this.reject(
      `timestamp ${isoText(t)} is not after the previous one (${isoText(series.lastTime)}, line ${series.lastLine})`,
      column,
      isoText(t),
    );
  }

  /**
   * Explains a row the fast loop refused (slow, runs once per bad row): wrong field count first,
   * then the first bad cell in column order, then non-positive prices / negative volume.
   */
  private badRow(s: string, p: number, e: number, field: number): void {
    const cells = splitCells(s.slice(p, e), this.delim);
    if (cells.length !== this.fieldCount) return this.reject(`expected ${this.fieldCount} fields, got ${cells.length}`);
    const describe = (k: number): string | null => {
      const cell = cells[k];
      const text = cell.trim();
      const name = this.names[k];
      switch (this.roles[k]) {
        case ROLE_TIME:
          if (this.splitTime) return Number.isNaN(parseDateOnly(text, this.time)) ? `${name} is "${shown(cell)}", expected a date YYYY-MM-DD (the time is in its own column)` : null;
          return Number.isNaN(this.time.parseText(text))
            ? `${name} is "${shown(cell)}", expected an ISO-8601 date or datetime, or epoch seconds or milliseconds`
            : null;
        case ROLE_CLOCK:
          return Number.isNaN(parseClock(text)) ? `${name} is "${shown(cell)}", expected a time of day HH:MM[:SS[.fff]]` : null;
        case ROLE_OPEN:
        case ROLE_HIGH:
        case ROLE_LOW:
        case ROLE_CLOSE:
        case ROLE_VOLUME: {
          const x = NUMBER_TEXT.test(text) ? Number(text) : NaN;
          if (!Number.isFinite(x)) return `${name} is "${shown(cell)}", expected a number`;
          if (this.roles[k] === ROLE_VOLUME ? !(x >= 0) : !(x > 0)) {
            return `${name} is "${shown(cell)}", expected a number ${this.roles[k] === ROLE_VOLUME ? '>= 0' : '> 0'}`;
          }
          return null;
        }
        case ROLE_SYMBOL:
          return text === '' ? `${name} is "${shown(cell)}", expected a symbol name` : null;
        case ROLE_EXTRA:
          return text === '' || NUMBER_TEXT.test(text) ? null : `${name} is "${shown(cell)}", expected a number`;
        default:
          return null;
      }
    };
    if (field >= 0) {
      const detail = describe(field);
      if (detail !== null) return this.reject(detail, this.names[field], shown(cells[field]));
    }
    // Value problems are reported in a fixed order: time, then open, high, low, close, volume.
    const byRole = [ROLE_TIME, ROLE_CLOCK, ROLE_SYMBOL, ROLE_OPEN, ROLE_HIGH, ROLE_LOW, ROLE_CLOSE, ROLE_VOLUME, ROLE_EXTRA];
    for (const role of byRole) {
      for (let k = 0; k < this.fieldCount; k++) {
        if (this.roles[k] !== role) continue;
        const detail = describe(k);
        if (detail !== null) return this.reject(detail, this.names[k], shown(cells[k]));
      }
    }
    return this.reject('malformed row');
  }
}

// ---------------------------------------------------------------------------------------------
// Public entry points.

/**
 * Parses CSV bars: one series per symbol, validated, as columnar Float64Arrays.
 *
 * Format: an optional header (the first line is a header unless it is a timestamp followed by
 * numbers; without one the columns are `timestamp,open,high,low,close[,volume]`). Columns in any
 * order and case: a time column (`timestamp`, `time`, `date` or `datetime`), `open`, `high`, `low`,
 * `close`, optional `volume` (all 0 when absent), optional `symbol` (long format: several symbols
 * in one file; otherwise pass `options.symbol`). Other columns whose first value is a number (or
 * empty) are kept in `SymbolBars.columns` under their lower-cased name; empty cells become NaN;
 * text columns are ignored. Delimiter `,`, `;` or tab, detected from the first line. CRLF, a UTF-8
 * BOM, blank lines and double-quoted cells are accepted.
 *
 * Times: ISO-8601 dates (`2024-01-02`) and datetimes (`2024-01-02T09:30:00`, `T` or space, optional
 * seconds and fraction) with `Z` or an offset (`+02:00`, `-0500`, `+02`; at most ±14:00);
 * **a date or datetime without zone is wall-clock time of `options.timeZone`** (default New York:
 * `1995-01-03` is 05:00 UTC, and the bar belongs to January 3). Separate `date` and `time` columns
 * (`2006-01-02,09:05:00`) are combined the same way. Numbers are epoch seconds when |x| < 1e11
 * (rounded to the millisecond), else epoch milliseconds. Dates are proleptic Gregorian (1900-02-29
 * is refused, 2000-02-29 accepted). Date.parse is never used, so every runtime agrees.
 *
 * Validation: field count, numbers, prices > 0, volume ≥ 0, high ≥ max(open, close),
 * low ≤ min(open, close), timestamps strictly increasing per symbol. In `strict` mode (default)
 * the first bad row throws a {@link CsvError}; in `skip` mode bad rows are dropped and listed.
 *
 * A string is parsed synchronously; a `ReadableStream<Uint8Array>` or an async iterable of
 * strings or bytes is parsed incrementally (see {@link parseCsvStream}) and gives a Promise.
 *
 * @example
 * ```ts
 * const bars = parseCsv('date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,1200\n', { symbol: 'SPY' });
 * bars.series.SPY.close; // Float64Array [10.5]
 * const long = parseCsv(text, { fileName: 'prices.csv', mode: 'skip' }); // symbol column in the file
 * for (const s of long.skipped) console.warn(`line ${s.line}: ${s.message}`);
 * ```
 */
export function parseCsv(input: string, options?: CsvOptions): ParsedCsv;
export function parseCsv(
  input: ReadableStream<Uint8Array> | AsyncIterable<string | Uint8Array>,
  options?: CsvOptions,
): Promise<ParsedCsv>;
export function parseCsv(
  input: string | ReadableStream<Uint8Array> | AsyncIterable<string | Uint8Array>,
  options: CsvOptions = {},
): ParsedCsv | Promise<ParsedCsv> {
  if (typeof input !== 'string') return parseCsvStream(input, options);
  const parser = new CsvParser(options);
  parser.push(input, true);
  return parser.finish();
}

/**
 * Parses CSV bars from a byte stream or an async iterable of text/byte chunks, chunk by chunk:
 * only the current chunk and the unfinished line are held as text, and the columns grow by
 * doubling. Same format, validation and result as {@link parseCsv}.
 *
 * @example
 * ```ts
 * const response = await fetch('/data/SPY_1m.csv');
 * const bars = await parseCsvStream(response.body!, { symbol: 'SPY', fileName: 'SPY_1m.csv' });
 * ```
 */
export async function parseCsvStream(
  input: ReadableStream<Uint8Array> | AsyncIterable<string | Uint8Array>,
  options: CsvOptions = {},
): Promise<ParsedCsv> {
  const parser = new CsvParser(options);
  // TextDecoder drops a leading BOM and keeps multi-byte characters split across chunks intact.
  const decoder = new TextDecoder('utf-8');
  const feed = (chunk: string | Uint8Array): void => {
    parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  };
  if (typeof (input as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (input as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        feed(value);
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    for await (const chunk of input as AsyncIterable<string | Uint8Array>) feed(chunk);
  }
  parser.push(decoder.decode());
  return parser.finish();
}

// ---------------------------------------------------------------------------------------------
// Writer.

const TWO_DIGITS: string[] = [];
for (let k = 0; k < 100; k++) TWO_DIGITS.push(k < 10 ? `0${k}` : String(k));

/** ISO dates in a CSV have four-digit years. */
const FIRST_WRITABLE_MS = daysFromCivil(0, 1, 1) * MS_PER_DAY;
const LAST_WRITABLE_MS = daysFromCivil(10_000, 1, 1) * MS_PER_DAY - 1;

/**
 * Shortest round-trip text of a number. Whole cents (most prices) are formatted from integers:
 * when k / 100 === x the decimal `k/100` parses back to x, and no shorter text can.
 */
export function formatNumber(x: number): string {
  if (x > 0 && x < 1e13) {
    const k = Math.round(x * 100);
    if (k / 100 === x) {
      const fraction = k % 100;
      const whole = (k - fraction) / 100;
      if (fraction === 0) return String(whole);
      return fraction % 10 === 0 ? `${whole}.${fraction / 10}` : `${whole}.${TWO_DIGITS[fraction]}`;
    }
  }
  if (x !== x) return '';
  return x === 0 && 1 / x < 0 ? '-0' : String(x);
}

export interface ToCsvOptions {
  /** Write a leading `symbol` column (default true, so the file parses back without options). */
  symbolColumn?: boolean;
  /**
   * The exchange zone the file will be read in (default New York): when every timestamp is a midnight
   * there, the file holds dates only (`2024-01-02`), which `parseCsv` reads back in that zone.
   */
  timeZone?: string;
}

/**
 * Writes bars as CSV (long format: the rows of each symbol in turn), such that
 * `parseCsv(toCsv(bars))` gives back identical Float64 values: numbers use JavaScript's shortest
 * round-trip form, NaN in an extra column is an empty cell. Times are dates (`2024-01-02`) when
 * every timestamp is a midnight of `options.timeZone` (so `parseCsv` with that zone reads them back),
 * else ISO-8601 UTC (`2024-01-02T14:30:00Z`, with `.sss` when needed). Timestamps must be whole
 * milliseconds.
 *
 * @example
 * ```ts
 * const text = toCsv(generateBars({ symbols: ['SPY'], bars: 390, seed: 1 }));
 * // symbol,timestamp,open,high,low,close,volume
 * // SPY,2024-01-02T14:30:00Z,...
 * ```
 */
export function toCsv(bars: Bars, options: ToCsvOptions = {}): string {
  const withSymbol = options.symbolColumn ?? true;
  const calendar = calendarOf(options.timeZone ?? DEFAULT_TIME_ZONE);
  if (!withSymbol && bars.symbols.length > 1) {
    throw new Error(`toCsv: ${bars.symbols.length} symbols need the symbol column (symbolColumn: true)`);
  }
  const extraNames: string[] = [];
  let dateOnly = true;
  for (const symbol of bars.symbols) {
    const series = bars.series[symbol];
    if (series === undefined) throw new Error(`toCsv: symbol "${symbol}" has no series`);
    for (const name of Object.keys(series.columns ?? {})) {
      if (TIME_NAMES.includes(name) || name in FIELD_ROLES) throw new Error(`toCsv: extra column "${name}" clashes with a bar field`);
      if (!extraNames.includes(name)) extraNames.push(name);
    }
    const ts = series.timestamp;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i];
      if (!Number.isInteger(t) || t < FIRST_WRITABLE_MS || t > LAST_WRITABLE_MS) {
        throw new Error(`toCsv: ${symbol} timestamp[${i}] = ${t} is not a whole number of ms within years 0000–9999`);
      }
      if (dateOnly && calendar.toEpoch(calendar.localDay(t) * MS_PER_DAY) !== t) dateOnly = false;
    }
  }
  const header = (withSymbol ? ['symbol'] : []).concat(['timestamp', 'open', 'high', 'low', 'close', 'volume'], extraNames);
  // Rows are joined in blocks: a million live row strings cost more in GC than the formatting.
  const blocks: string[] = [header.join(',') + '\n'];
  let rows: string[] = [];
  const flush = (): void => {
    rows.push('');
    blocks.push(rows.join('\n'));
    rows = [];
  };
  // Bars repeat the same times of day (390 per session for 1-minute bars).
  const clocks = new Map<number, string>();
  let cachedDay = NaN;
  let cachedDate = '';
  for (const symbol of bars.symbols) {
    const series = bars.series[symbol];
    const prefix = withSymbol ? `${symbol},` : '';
    const extras = extraNames.map((name) => series.columns?.[name]);
    const { timestamp, open, high, low, close, volume } = series;
    for (let i = 0; i < timestamp.length; i++) {
      const t = timestamp[i];
      const day = dateOnly ? calendar.localDay(t) : Math.floor(t / MS_PER_DAY);
      if (day !== cachedDay) {
        const ymd = civilFromDays(day);
        const year = Math.floor(ymd / 10_000);
        cachedDate = `${String(year).padStart(4, '0')}-${TWO_DIGITS[Math.floor(ymd / 100) % 100]}-${TWO_DIGITS[ymd % 100]}`;
        cachedDay = day;
      }
      let time = cachedDate;
      if (!dateOnly) {
        const msOfDay = t - day * MS_PER_DAY;
        let clock = clocks.get(msOfDay);
        if (clock === undefined) {
          const seconds = Math.floor(msOfDay / 1000);
          const ms = msOfDay - seconds * 1000;
          clock = `T${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}`;
          clock += ms === 0 ? 'Z' : `.${String(ms).padStart(3, '0')}Z`;
          if (clocks.size > 100_000) clocks.clear();
          clocks.set(msOfDay, clock);
        }
        time += clock;
      }
      let row = `${prefix}${time},${formatNumber(open[i])},${formatNumber(high[i])},${formatNumber(low[i])},${formatNumber(close[i])},${formatNumber(volume[i])}`;
      for (const column of extras) row += column === undefined ? ',' : `,${formatNumber(column[i])}`;
      rows.push(row);
      if (rows.length === 4096) flush();
    }
  }
  if (rows.length > 0) flush();
  return blocks.join('');
}
