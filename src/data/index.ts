// Public surface of src/data: bar types, CSV in/out, synthetic bars, alignment and the exchange calendar.
export type { AlignedBars, Bars, SymbolBars } from './bars.js';
export { CsvError, parseCsv, parseCsvStream, toCsv } from './csv.js';
export type { CsvMode, CsvOptions, ParsedCsv, SkippedRow, ToCsvOptions } from './csv.js';
export { generateBars } from './generate.js';
export type { BarInterval, GenerateOptions } from './generate.js';
export { alignBars } from './align.js';
export { calendarOf, DEFAULT_TIME_ZONE, ExchangeCalendar } from './calendar.js';
export type { CalendarPeriod } from './calendar.js';
