// Checks on a run's inputs that neither the config schema nor the CSV grammar can make: which file
// belongs to which symbol, and that the config's symbols all have data. Shared by the edge and the CLI.
import type { Bars, SymbolBars } from '../data/bars.js';
import type { ParsedCsv } from '../data/csv.js';

/** Bad input found by these checks: the message names the file (or request part) and the value. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A value as it appears in a message, truncated to about 100 characters. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

/**
 * The series of a file given for `symbol`. A file with a symbol column must hold that symbol and no
 * other: a file given for the wrong symbol is an error, never relabelled.
 */
export function seriesOfFile(parsed: ParsedCsv, symbol: string, source: string): SymbolBars {
  const held = parsed.symbols;
  if (held.length === 1 && held[0] === symbol) return parsed.series[symbol]!;
  if (held.length === 0) throw new InputError(`${source}: no bars for ${symbol} (the file has no data rows)`);
  const list = held.slice(0, 5).map(shown).join(', ') + (held.length > 5 ? `, … (${held.length} symbols)` : '');
  throw new InputError(`${source}: given for ${symbol}, but its symbol column holds ${list}`);
}

/** Adds one symbol's series, refusing a symbol given twice. */
export function addSeries(bars: Bars, series: SymbolBars, source: string): void {
  if (Object.prototype.hasOwnProperty.call(bars.series, series.symbol)) {
    throw new InputError(`${source}: symbol ${series.symbol} is given more than once`);
  }
  bars.symbols.push(series.symbol);
  bars.series[series.symbol] = series;
}

/** Every symbol the config trades has data; `given` says where the data came from, for the message. */
export function checkConfigSymbols(bars: Bars, configSymbols: readonly string[], given: string): void {
  const missing = configSymbols.filter((s) => !Object.prototype.hasOwnProperty.call(bars.series, s));
  if (missing.length) {
    const had = bars.symbols.length ? `only ${bars.symbols.map(shown).join(', ')}` : 'no bars';
    throw new InputError(`no data for ${missing.map(shown).join(', ')} of data.symbols: ${given} gave ${had}`);
  }
}
