// A TradingSystem run: one portfolio's whole pipeline on its own kernel instance, from bars to a
// plain, transferable result (kept series, fills, records, final book). The same code runs inline
// and inside a worker, which is what makes the executors give identical results.
import { computeMetrics, type MetricsOptions, type PortfolioMetrics } from '../analytics/metrics.js';
import type { AlignedBars } from '../data/bars.js';
import { calendarOf, DEFAULT_TIME_ZONE, type ExchangeCalendar } from '../data/calendar.js';
import { PortfolioKernel, stepOutputs, type PositionState, type StepOutputs } from '../engine/portfolio.js';
import { FILL_COLUMNS, FillTable, type FillColumns } from '../engine/records.js';
import type { KernelMemoryPool } from '../engine/wasm.js';
import type { PortfolioSpec, TracingLevel } from '../engine/spec.js';

/** How much of each portfolio's output is kept (memory follows this, not the number of bars). */
export interface KeepOptions {
  /**
   * Equity, cash and gross exposure at the portfolio's own steps (those where one of its symbols has a
   * bar): every one, the last of each exchange day, N evenly spaced ones, or none.
   */
  equity?: 'bar' | 'daily' | number | 'none';
  /** Keep the fill table. Default true. */
  fills?: boolean;
}

export type { FillColumns };

export interface SystemOutcome {
  status: 'ok';
  portfolioId: string;
  namespace: string;
  initialCapital: number;
  symbols: string[];
  /**
   * Steps of the aligned timeline the series below are sampled at; undefined means every step. A
   * portfolio whose symbols have no bar at some steps of the run is sampled at its own steps only.
   */
  sampledAt?: Float64Array;
  equity: Float64Array;
  cash: Float64Array;
  gross: Float64Array;
  finalEquity: number;
  /** Capital moved in (+) or out (−) by the rebalancer, at the close of these steps. */
  flows: CashFlow[];
  /** Computed on the full per-bar series, whatever `keep` says. */
  metrics: PortfolioMetrics;
  fills?: FillColumns;
  fillCount: number;
  /** The kept records, raw (REC_SLOTS f64 each; decode with decodeAll): transferable, unlike objects. */
  recordData: Float64Array;
  positions: PositionState[];
  /** Halted for good, by max_drawdown or by bankruptcy. */
  halted: boolean;
  /** Equity reached zero or below at a mark (then also halted). */
  bankrupt: boolean;
}

export interface SystemRunOptions {
  tracing: TracingLevel;
  keep?: KeepOptions;
  /** Steps per kernel slice between progress reports and abort checks. */
  sliceSteps?: number;
  onProgress?: (stepsDone: number, steps: number) => void;
  /** Checked between slices; returning true abandons the run (the caller reports the abort). */
  aborted?: () => boolean;
  /** Annualization and risk-free rate for the metrics. */
  metrics?: MetricsOptions;
  /**
   * Storage the system writes its per-step outputs and fills into, instead of whole-run outputs in
   * its own instance's memory and a fill table of its own. A thread running systems one after another
   * passes the same scratch to each: its pages are mapped once, not once per system (allocating and
   * faulting in fresh memory was a large part of a system's cost). Results copy what they keep.
   * Not for systems whose capital moves: those advance in lockstep, all alive at once, so they cannot
   * share storage.
   */
  scratch?: SystemScratch;
  /**
   * Where the system's kernel memory comes from, and goes back to when `finish()` has read it (for a
   * thread running systems one after another; see KernelMemoryPool). Default: a fresh memory.
   */
  memories?: KernelMemoryPool;
}

/** Reusable per-step arrays (one value per step of the run, at least) and a fill table. */
export interface SystemScratch extends StepOutputs {
  fills: FillTable;
}

/** Scratch storage for runs of `steps` steps. */
export function systemScratch(steps: number): SystemScratch {
  return { ...stepOutputs(steps), fills: new FillTable() };
}

export class SystemAborted extends Error {
  override name = 'AbortError';
}

const dailySteps = new WeakMap<Float64Array, Map<string, Float64Array>>();

/**
 * Indices of the steps kept for a `keep.equity` choice (undefined: every step); 'daily' keeps the last
 * step of each day of the exchange calendar (default New York).
 */
export function sampleSteps(timestamps: Float64Array, keep: KeepOptions['equity'], calendar: ExchangeCalendar = calendarOf()): Float64Array | undefined {
  const n = timestamps.length;
  if (keep === undefined || keep === 'bar') return undefined;
  if (keep === 'none') return new Float64Array(0);
  if (keep === 'daily') {
    // The same for every system of a run: computed once per timestamps array and zone, copied per result.
    let byZone = dailySteps.get(timestamps);
    if (!byZone) dailySteps.set(timestamps, (byZone = new Map()));
    let days = byZone.get(calendar.timeZone);
    if (!days) {
      const out: number[] = [];
      let day = n > 0 ? calendar.localDay(timestamps[0]) : 0;
      for (let i = 0; i < n; i++) {
        const next = i === n - 1 ? NaN : calendar.localDay(timestamps[i + 1]);
        if (next !== day) out.push(i);
        day = next;
      }
      days = Float64Array.from(out);
      byZone.set(calendar.timeZone, days);
    }
    return days.slice();
  }
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep.equity: expected 'bar', 'daily', 'none' or a whole number of points ≥ 1, got ${keep}`);
  if (keep >= n) return undefined;
  // The last step of each of `keep` equal buckets, so the final step is always kept.
  return Float64Array.from({ length: keep }, (_, b) => Math.floor(((b + 1) * n) / keep) - 1);
}

/**
 * The steps at which one of the symbols (indices into the aligned bars) has a bar; undefined when that
 * is every step (the usual case: one symbol, or symbols sharing their timestamps).
 */
export function ownSteps(bars: AlignedBars, index: readonly number[]): Float64Array | undefined {
  // Every step of the run is some symbol's bar: a portfolio trading all of them owns every step.
  if (new Set(index).size === bars.symbols.length) return undefined;
  const n = bars.timestamps.length;
  const closes = index.map((k) => bars.close[k]);
  let count = 0;
  const own = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < closes.length; k++) {
      if (closes[k][t] === closes[k][t]) {
        own[count++] = t;
        break;
      }
    }
  }
  return count === n ? undefined : own.slice(0, count);
}

/**
 * A run's per-step outputs restricted to a portfolio's own steps, for its metrics: fills and flows
 * renumbered onto that timeline (a flow at a step the portfolio has no bar belongs to its next own step,
 * the first whose equity includes it; flows after its last own step are in no equity it reports).
 */
function onOwnSteps(own: Float64Array, timestamps: Float64Array, out: StepOutputs, fills: FillTable, flows: readonly CashFlow[]) {
  const m = own.length;
  const position = new Int32Array(timestamps.length).fill(-1);
  for (let k = 0; k < m; k++) position[own[k]] = k;
  // Fills happen at a bar of their own symbol, so at an own step.
  const step = Float64Array.from(fills.column('step'), (t) => position[t]);
  const renumbered = FillTable.fromColumns({ step, symbol: fills.column('symbol'), quantity: fills.column('quantity'), price: fills.column('price'),
    commission: fills.column('commission'), realized: fills.column('realized') });
  const movedFlows: CashFlow[] = [];
  let k = 0;
  for (const flow of flows) {
    while (k < m && own[k] < flow.step) k++;
    if (k < m) movedFlows.push({ step: k, amount: flow.amount });
  }
  return {
    timestamps: gather(timestamps, own, false), equity: gather(out.equity, own, false), gross: gather(out.gross, own, false),
    fills: renumbered, flows: movedFlows,
  };
}

function gather(series: Float64Array, at: Float64Array | undefined, copy: boolean): Float64Array {
  if (!at) return copy ? series.slice() : series;
  const out = new Float64Array(at.length);
  for (let i = 0; i < at.length; i++) out[i] = series[at[i]];
  return out;
}

/** A capital move applied to a portfolio at the close of a step (by the rebalancer). */
export interface CashFlow {
  step: number;
  amount: number;
}

/** Equity and cash of a live system after the last step it ran. */
export interface SystemState {
  portfolioId: string;
  step: number;
  equity: number;
  cash: number;
  /** Halted for good (max_drawdown or bankrupt): a rebalancer moves no capital into it. */
  halted: boolean;
}

/**
 * One portfolio's pipeline, run step range by step range so several systems can advance in lockstep
 * (capital moves between them happen between ranges).
 */
export class TradingSystem {
  readonly flows: CashFlow[] = [];
  private readonly index: number[];

  /**
   * Where the per-step outputs go: the scratch arrays, or arrays of this system's own (copied into
   * chunk by chunk: cheaper than whole-run outputs in the instance, whose fresh pages cost more to
   * fault in than the copies, and the instance stays small).
   */
  private readonly out: StepOutputs;

  private constructor(readonly spec: PortfolioSpec, private readonly engine: PortfolioKernel, private readonly bars: AlignedBars,
    readonly symbols: string[], private readonly options: SystemRunOptions) {
    this.index = symbols.map((name) => bars.symbols.indexOf(name));
    const steps = bars.timestamps.length;
    this.out = options.scratch ?? stepOutputs(steps);
  }

  /** The per-step outputs so far. */
  private outputs(): StepOutputs {
    const done = this.engine.stepsDone;
    const out = this.out;
    return { equity: out.equity.subarray(0, done), cash: out.cash.subarray(0, done), gross: out.gross.subarray(0, done) };
  }

  static async create(module: WebAssembly.Module, spec: PortfolioSpec, bars: AlignedBars, options: SystemRunOptions): Promise<TradingSystem> {
    const symbols = spec.symbols ?? bars.symbols;
    for (const name of symbols) {
      if (!bars.symbols.includes(name)) throw new Error(`unknown symbol "${name}"; the data has ${bars.symbols.join(', ')}`);
    }
    const steps = bars.timestamps.length;
    const scratch = options.scratch;
    if (scratch && [scratch.equity, scratch.cash, scratch.gross].some((a) => a.length < steps)) {
      throw new RangeError(`scratch outputs hold ${Math.min(scratch.equity.length, scratch.cash.length, scratch.gross.length)} steps; the run has ${steps}`);
    }
    scratch?.fills.clear();
    const engine = await PortfolioKernel.create(module, spec, symbols,
      { tracing: options.tracing, totalSteps: steps, fills: scratch?.fills, memories: options.memories });
    return new TradingSystem(spec, engine, bars, symbols, options);
  }

  get stepsDone(): number {
    return this.engine.stepsDone;
  }

  /** Runs up to (not including) step `to`, in slices with progress reports and abort checks. */
  advance(to: number): void {
    const steps = this.bars.timestamps.length;
    const slice = this.options.sliceSteps ?? 65_536;
    for (let from = this.engine.stepsDone; from < Math.min(to, steps); from = this.engine.stepsDone) {
      if (this.options.aborted?.()) throw new SystemAborted(`portfolio "${this.spec.portfolioId}" aborted`);
      this.engine.runSteps(this.bars, this.index, from, Math.min(to, steps, from + slice), this.out);
      this.options.onProgress?.(this.engine.stepsDone, steps);
    }
  }

  state(): SystemState {
    const done = this.engine.stepsDone;
    const equity = done > 0 ? this.out.equity[done - 1] : this.spec.initialCapital;
    return { portfolioId: this.spec.portfolioId, step: done - 1, equity, cash: this.engine.cash, halted: this.engine.halted };
  }

  /** Moves capital at the close of the last step run. */
  adjustCash(amount: number): void {
    if (this.engine.stepsDone === 0) throw new Error('capital can move only after a step has run');
    if (this.options.scratch) throw new Error('capital cannot move in a system that writes to scratch outputs');
    this.engine.adjustCash(amount);
    this.flows.push({ step: this.engine.stepsDone - 1, amount });
  }

  /** Ends the run and returns the kept results (arrays of their own: they can be transferred to another thread). */
  finish(): SystemOutcome {
    const { engine, spec, bars } = this;
    engine.finish();
    const steps = bars.timestamps.length;
    const out = this.outputs();
    const calendar = calendarOf(this.options.metrics?.timeZone ?? DEFAULT_TIME_ZONE);
    const table = engine.fills;
    // The portfolio's own timeline: steps where another portfolio's symbol trades alone are not its.
    const own = ownSteps(bars, this.index);
    let at: Float64Array | undefined;
    let metrics: PortfolioMetrics;
    if (own) {
      const mine = onOwnSteps(own, bars.timestamps, out, table, this.flows);
      const sampled = sampleSteps(mine.timestamps, this.options.keep?.equity, calendar);
      at = sampled ? Float64Array.from(sampled, (k) => own[k]) : own;
      metrics = computeMetrics({ ...mine, symbols: this.symbols, initialCapital: spec.initialCapital }, this.options.metrics);
    } else {
      at = sampleSteps(bars.timestamps, this.options.keep?.equity, calendar);
      metrics = computeMetrics({ timestamps: bars.timestamps, equity: out.equity, gross: out.gross, fills: table, symbols: this.symbols,
        initialCapital: spec.initialCapital, flows: this.flows }, this.options.metrics);
    }
    const copy = this.options.scratch !== undefined; // scratch arrays are reused by the next system; own ones are handed over
    const keepFills = this.options.keep?.fills ?? true;
    const fills = keepFills
      ? Object.fromEntries(FILL_COLUMNS.map((f) => [f, table.column(f).slice()])) as FillColumns
      : undefined;
    const outcome: SystemOutcome = {
      status: 'ok', portfolioId: spec.portfolioId, namespace: spec.namespace, initialCapital: spec.initialCapital, symbols: this.symbols,
      sampledAt: at, equity: gather(out.equity, at, copy), cash: gather(out.cash, at, copy), gross: gather(out.gross, at, copy),
      finalEquity: steps ? out.equity[steps - 1] : spec.initialCapital, flows: this.flows, metrics,
      fills, fillCount: table.length, recordData: engine.log.raw().slice(), positions: engine.positions(), halted: engine.halted,
      bankrupt: engine.bankrupt,
    };
    engine.release(); // everything above is read: the memory can go to the next system of this thread
    return outcome;
  }
}

/** Runs one trading system over the aligned bars to the end. */
export async function runTradingSystem(module: WebAssembly.Module, spec: PortfolioSpec, bars: AlignedBars,
  options: SystemRunOptions): Promise<SystemOutcome> {
  const system = await TradingSystem.create(module, spec, bars, options);
  system.advance(bars.timestamps.length);
  return system.finish();
}

/** The buffers of fill columns, for a transfer list. */
export function fillBuffersOf(fills: FillColumns): ArrayBuffer[] {
  return Object.values(fills).map((a) => a.buffer as ArrayBuffer);
}

/** The typed arrays of an outcome, for a transfer list. */
export function transferablesOf(outcome: SystemOutcome): ArrayBuffer[] {
  const arrays = [outcome.equity, outcome.cash, outcome.gross, outcome.sampledAt, outcome.recordData];
  const own = arrays.filter((a): a is Float64Array => a !== undefined).map((a) => a.buffer as ArrayBuffer);
  return outcome.fills ? [...own, ...fillBuffersOf(outcome.fills)] : own;
}
