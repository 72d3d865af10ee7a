// The kernel's state: configuration (set before start), buffer layout (allocated once by start) and
// the portfolio's book, as static fields (one instance is one portfolio), and the accessors to them.
import {
  REC_SLOTS, REC_KIND, REC_SEQ, REC_CAUSE, REC_STEP, REC_SYMBOL, REC_REASON, REC_A, REC_B, REC_C, REC_D,
  FILL_NEXT_OPEN, MAX_SIZERS, MAX_LIMITS, SYM_SLOTS, REASON_MAX_DRAWDOWN,
} from './abi';

/** The strategy and its parameters, derived once by setStrategy (docs/semantics.md, "Strategies"). */
export class Strategy {
  static code: i32 = 0;
  /** momentum, mean_reversion, breakout: lookback L; sma_crossover: fast F; rsi: period P. */
  static period: i32 = 0;
  /** sma_crossover: slow S. */
  static slowPeriod: i32 = 0;
  /** momentum: 1 + th + EPS and 1 − (th + EPS). */
  static momentumUp: f64 = 0;
  static momentumDown: f64 = 0;
  /** mean_reversion: (ze + EPS)² and (zx + EPS)². */
  static entry2: f64 = 0;
  static exit2: f64 = 0;
  /** rsi: oversold − EPS and overbought + EPS. */
  static rsiLow: f64 = 0;
  static rsiHigh: f64 = 0;
  /** The direction a short signal gives: −1, or 0 when shorts are off. */
  static short: i32 = -1;
}

export const sizerKind = new StaticArray<i32>(MAX_SIZERS);
export const sizerValue = new StaticArray<f64>(MAX_SIZERS);
export const limitKind = new StaticArray<i32>(MAX_LIMITS);
export const limitValue = new StaticArray<f64>(MAX_LIMITS);

/** Sizing, limits, execution and margin rules. */
export class Rules {
  static sizers: i32 = 0;
  static limits: i32 = 0;
  /** The tightest max_drawdown fraction; < 0: none. */
  static drawdownLimit: f64 = -1;
  static fillMode: i32 = FILL_NEXT_OPEN;
  static slip: f64 = 0;
  static perShare: f64 = 0;
  static rate: f64 = 0;
  static minimum: f64 = 0;
  static allowMargin: bool = false;
  static initialMargin: f64 = 0.5;
  static maintenanceMargin: f64 = 0.3;
  static traceMask: i32 = 0;
}

/** Where everything lives in linear memory (allocated once by start) and the chunk being run. */
export class Layout {
  static started: bool = false;
  static symbols: i32 = 0;
  /** Steps per chunk. */
  static cap: i32 = 0;
  /** Records (and fills) per call. */
  static evCap: i32 = 0;
  static recordsPerStep: i32 = 0;
  static ringMask: i32 = 0;
  static ringBytes: usize = 0;
  static input: usize = 0;
  static dir: usize = 0;
  static ind: usize = 0;
  /** Where index 0 of the current chunk's outputs goes. */
  static equityOut: usize = 0;
  static cashOut: usize = 0;
  static grossOut: usize = 0;
  /** > 0: outputs span the whole run (indexed by global step), else one chunk. */
  static runLength: i32 = 0;
  static equityRun: usize = 0;
  static cashRun: usize = 0;
  static grossRun: usize = 0;
  static events: usize = 0;
  /** FILL_FIELDS columns of evCap f64. */
  static fills: usize = 0;
  static symState: usize = 0;
  static stratState: usize = 0;
  static ring: usize = 0;
  static chunkLen: i32 = 0;
  static chunkDone: i32 = 0;
}

/** The portfolio's account (positions live per symbol in symState) and the record counters. */
export class Book {
  static cash: f64 = 0;
  static peak: f64 = 0;
  static halted: bool = false;
  static bankrupt: bool = false;
  /** The record that halted the portfolio (max_drawdown or bankrupt), the reason and limit it gives. */
  static haltSeq: f64 = -1;
  static haltReason: i32 = REASON_MAX_DRAWDOWN;
  static haltLimit: f64 = 0;
  static seq: f64 = 0;
  /** Global step of the bar being processed (then of the next one). */
  static stepIndex: f64 = 0;
  /** Global step of index 0 of the current chunk. */
  static stepBase: f64 = 0;
  static evCount: i32 = 0;
  static fillCount: i32 = 0;
}

// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function column(field: i32, s: i32): usize {
  return Layout.input + ((<usize>(field * Layout.symbols + s) * <usize>Layout.cap) << 3);
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function at(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function sym(s: i32, k: i32): f64 {
  return load<f64>(Layout.symState + ((<usize>(s * SYM_SLOTS + k)) << 3));
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function setSym(s: i32, k: i32, v: f64): void {
  store<f64>(Layout.symState + ((<usize>(s * SYM_SLOTS + k)) << 3), v);
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function direction(s: i32, i: i32): i32 {
  return load<i32>(Layout.dir + ((<usize>s * <usize>Layout.cap + <usize>i) << 2));
}
/** Where the two indicator values behind symbol s's direction at step i are (written on changes only). */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function indicators(s: i32, i: i32): usize {
  return Layout.ind + ((<usize>s * <usize>Layout.cap + <usize>i) << 4);
}

/** Takes the next sequence number and, if the tracing mask keeps this kind, writes the record. */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function record(kind: i32, bit: i32, cause: f64, s: i32, reason: i32, a: f64, b: f64, c: f64, d: f64): f64 {
  const id = Book.seq;
  Book.seq = id + 1;
  if ((Rules.traceMask & bit) != 0) writeRecord(kind, id, cause, s, reason, a, b, c, d);
  return id;
}

export function writeRecord(kind: i32, id: f64, cause: f64, s: i32, reason: i32, a: f64, b: f64, c: f64, d: f64): void {
  const p = Layout.events + ((<usize>(Book.evCount * REC_SLOTS)) << 3);
  store<f64>(p, <f64>kind, REC_KIND << 3);
  store<f64>(p, id, REC_SEQ << 3);
  store<f64>(p, cause, REC_CAUSE << 3);
  store<f64>(p, Book.stepIndex, REC_STEP << 3);
  store<f64>(p, <f64>s, REC_SYMBOL << 3);
  store<f64>(p, <f64>reason, REC_REASON << 3);
  store<f64>(p, a, REC_A << 3);
  store<f64>(p, b, REC_B << 3);
  store<f64>(p, c, REC_C << 3);
  store<f64>(p, d, REC_D << 3);
  Book.evCount++;
}
