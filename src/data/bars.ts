// Columnar bar types shared by every data source, the engine and the reference model.

/** Bars of one symbol: one Float64Array per field, timestamps in ms since epoch, strictly increasing. */
export interface SymbolBars {
  symbol: string;
  timestamp: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** Extra numeric columns by name (for example the target column of a `signals` strategy). */
  columns?: Record<string, Float64Array>;
}

/** Bars of several symbols, in the order symbols were first seen. */
export interface Bars {
  symbols: string[];
  series: Record<string, SymbolBars>;
}

/**
 * Several symbols aligned on the union of their timestamps. A symbol with no bar at a step has NaN
 * in every field at that step (it is not traded there and is marked at its last close).
 * Arrays are indexed `[symbolIndex][step]`.
 */
export interface AlignedBars {
  timestamps: Float64Array;
  symbols: string[];
  open: Float64Array[];
  high: Float64Array[];
  low: Float64Array[];
  close: Float64Array[];
  volume: Float64Array[];
  columns: Record<string, Float64Array[]>;
}
