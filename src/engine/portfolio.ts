// One portfolio on one kernel instance: validates the spec, configures the kernel, moves chunks of
// aligned bars in and equity/records out through memory views, and collects the results.
import * as abi from '../../assembly/abi.js';
import type { AlignedBars } from '../data/bars.js';
import { FillTable, RecordLog, type TraceRecord } from './records.js';
import type { PortfolioSpec, StrategySpec, TracingLevel } from './spec.js';
import { instantiateKernel, type KernelExports, type KernelMemoryPool } from './wasm.js';

export interface EngineOptions {
  /** Steps per kernel call once warm (the chunk capacity). Default 16 384. */
  chunkSize?: number;
  /**
   * Steps of the first call. V8 runs a new wasm function on its baseline compiler and a long call
   * never tiers up, so a short first call lets the optimizing compiler take over early. Default 1 024.
   */
  firstChunk?: number;
  /** Which records are kept: off = fills only, trades = + orders/risk/cancels, full = + signals. */
  tracing?: TracingLevel;
  /** Records per kernel call before it pauses for the buffer to be drained. Default 16 384. */
  eventCapacity?: number;
  /**
   * Steps of the whole run, when known: the kernel then writes equity, cash and gross exposure for the
   * whole run into its own memory and `outputs()` reads them in place (no copy per chunk).
   */
  runSteps?: number;
  /** Steps the run will have, when known without `runSteps`: sizes the fill table and record log. */
  totalSteps?: number;
  /** The table fills are appended to (default: a new one); pass a cleared table to reuse its storage. */
  fills?: FillTable;
  /**
   * Where the instance's linear memory comes from (default: a fresh one). With a pool, `release()`
   * gives the memory back for the next portfolio of this thread.
   */
  memories?: KernelMemoryPool;
}

/** Per-step outputs: equity, cash and gross exposure. */
export interface StepOutputs {
  equity: Float64Array;
  cash: Float64Array;
  gross: Float64Array;
}

/** Zeroed per-step output arrays for `steps` steps. */
export function stepOutputs(steps: number): StepOutputs {
  return { equity: new Float64Array(steps), cash: new Float64Array(steps), gross: new Float64Array(steps) };
}

/** Final state of one symbol's book. */
export interface PositionState {
  symbol: string;
  position: number;
  avgCost: number;
  mark: number;
  realized: number;
  fees: number;
}

/**
 * What one portfolio run yields; arrays are one value per step of the aligned timeline. The three
 * series are views of the portfolio's WebAssembly memory: `slice()` them before posting them to
 * another thread (a view clones its whole buffer).
 */
export interface PortfolioRun {
  symbols: string[];
  equity: Float64Array;
  cash: Float64Array;
  gross: Float64Array;
  fills: FillTable;
  /** The records kept by the tracing level (none with 'off'; fills are always in `fills`), decoded on first access. */
  readonly records: TraceRecord[];
  positions: PositionState[];
  /** Halted for good, by max_drawdown or by bankruptcy. */
  halted: boolean;
  /** Equity reached zero or below at a mark: flattened and halted. */
  bankrupt: boolean;
}

export class EngineError extends Error {
  override name = 'EngineError';
}

const STATUS_TEXT: Record<number, string> = {
  [abi.ERR_NOT_STARTED]: 'kernel not started',
  [abi.ERR_ALREADY_STARTED]: 'kernel already started',
  [abi.ERR_BAD_ARGUMENT]: 'invalid argument',
  [abi.ERR_CHUNK_TOO_LARGE]: 'chunk larger than the capacity',
  [abi.ERR_TOO_MANY_RULES]: `too many sizers or limits (at most ${abi.MAX_SIZERS} sizers and ${abi.MAX_LIMITS} limits)`,
  [abi.ERR_NO_SIZER]: 'no position sizer',
  [abi.ERR_NO_STRATEGY]: 'no strategy',
};

function ok(status: number, what: string): number {
  if (status < 0) throw new EngineError(`${what}: ${STATUS_TEXT[status] ?? `status ${status}`}`);
  return status;
}

export const TRACE_MASKS: Record<TracingLevel, number> = {
  off: 0,
  trades: abi.TRACE_FILL | abi.TRACE_ORDER | abi.TRACE_RISK | abi.TRACE_CANCEL,
  full: abi.TRACE_FILL | abi.TRACE_ORDER | abi.TRACE_RISK | abi.TRACE_CANCEL | abi.TRACE_SIGNAL,
};

const SIZER_CODES = { fixed: abi.SIZER_FIXED, percentage: abi.SIZER_PERCENTAGE, fixed_value: abi.SIZER_FIXED_VALUE };
const LIMIT_CODES = {
  max_position_value: abi.LIMIT_MAX_POSITION_VALUE,
  max_position_size: abi.LIMIT_MAX_POSITION_SIZE,
  max_gross_exposure: abi.LIMIT_MAX_GROSS_EXPOSURE,
  max_drawdown: abi.LIMIT_MAX_DRAWDOWN,
};

function strategyArgs(s: StrategySpec): [number, number, number, number, boolean] {
  switch (s.type) {
    case 'momentum':
      return [abi.STRATEGY_MOMENTUM, s.lookbackPeriod, s.momentumThreshold, 0, s.allowShort];
    case 'mean_reversion':
      return [abi.STRATEGY_MEAN_REVERSION, s.lookbackPeriod, s.entryThreshold, s.exitThreshold, s.allowShort];
    case 'sma_crossover':
      return [abi.STRATEGY_SMA_CROSSOVER, s.fastPeriod, s.slowPeriod, 0, s.allowShort];
    case 'breakout':
      return [abi.STRATEGY_BREAKOUT, s.lookbackPeriod, 0, 0, s.allowShort];
    case 'rsi':
      return [abi.STRATEGY_RSI, s.period, s.oversold, s.overbought, s.allowShort];
    case 'buy_and_hold':
      return [abi.STRATEGY_BUY_AND_HOLD, 0, 0, 0, false];
    case 'signals':
      return [abi.STRATEGY_SIGNALS, 0, 0, 0, s.allowShort];
  }
}

/** The input fields a spec reads (close always). */
function fieldsFor(spec: PortfolioSpec): number[] {
  const fields = [abi.FIELD_CLOSE];
  if (spec.execution.fill === 'next_open') fields.push(abi.FIELD_OPEN);
  if (spec.strategy.type === 'breakout') fields.push(abi.FIELD_HIGH, abi.FIELD_LOW);
  if (spec.strategy.type === 'signals') fields.push(abi.FIELD_SIGNAL);
  return fields;
}

/**
 * A portfolio bound to its own kernel instance. Feed it consecutive chunks of the timeline with
 * `runSteps`, then call `finish`. Create with `PortfolioKernel.create`.
 */
export class PortfolioKernel {
  /** The kept records, raw (see `records` for objects). */
  readonly log = new RecordLog();
  private readonly view: Float64Array;
  private readonly fields: number[];
  private readonly capacity: number;
  private done = 0;
  /** The arrays the last runSteps call copied outputs into (a capital move must change them too). */
  private lastOut: StepOutputs | undefined;
  private released = false;

  private constructor(
    private readonly instance: KernelExports,
    readonly spec: PortfolioSpec,
    readonly symbols: string[],
    private readonly firstChunk: number,
    private readonly keepRecords: boolean,
    readonly fills: FillTable,
    private readonly totalSteps: number,
    private readonly pool: KernelMemoryPool | undefined,
  ) {
    this.view = new Float64Array(instance.memory.buffer);
    this.fields = fieldsFor(spec);
    this.capacity = instance.chunkCapacity();
  }

  /** The instance, while it is not released (its memory may then hold another portfolio). */
  private get kernel(): KernelExports {
    if (this.released) throw new EngineError(`portfolio "${this.spec.portfolioId}": its kernel instance has been released`);
    return this.instance;
  }

  /**
   * Ends this portfolio's use of its instance: its memory goes back to the pool it came from (cleared,
   * for the next portfolio of this thread). Read positions, outputs and records first; every later
   * call throws. Without a pool, nothing is given back and the memory is collected with the instance.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool?.give(this.instance.memory);
  }

  static async create(module: WebAssembly.Module, spec: PortfolioSpec, symbols: string[],
    options: EngineOptions = {}): Promise<PortfolioKernel> {
    const chunkSize = options.chunkSize ?? 16_384;
    const firstChunk = Math.min(options.firstChunk ?? 1_024, chunkSize);
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new EngineError(`chunkSize must be a positive integer, got ${chunkSize}`);
    if (symbols.length === 0) throw new EngineError(`portfolio "${spec.portfolioId}" trades no symbol`);
    const kernel = await instantiateKernel(module, options.memories?.take());
    const [code, p1, p2, p3, allowShort] = strategyArgs(spec.strategy);
    const where = `portfolio "${spec.portfolioId}"`;
    ok(kernel.setStrategy(code, p1, p2, p3, allowShort ? 1 : 0), `${where}: strategy ${spec.strategy.type}`);
    spec.sizers.forEach((s, i) =>
      ok(kernel.addSizer(SIZER_CODES[s.type], s.type === 'fixed_value' ? s.value : s.size), `${where}: position_sizers[${i}]`));
    spec.limits.forEach((l, i) =>
      ok(kernel.addLimit(LIMIT_CODES[l.type], l.type === 'max_position_size' ? l.size : l.value), `${where}: limits[${i}]`));
    const ex = spec.execution;
    ok(kernel.setExecution(ex.fill === 'close' ? abi.FILL_CLOSE : abi.FILL_NEXT_OPEN, ex.slippageBps,
      ex.commission.perShare, ex.commission.percent, ex.commission.minimum, ex.allowMargin ? 1 : 0,
      ex.margin.initial, ex.margin.maintenance), `${where}: execution`);
    kernel.setTraceMask(TRACE_MASKS[options.tracing ?? 'off']);
    const runSteps = options.runSteps ?? 0;
    if (!Number.isInteger(runSteps) || runSteps < 0) throw new EngineError(`runSteps must be a whole number, got ${runSteps}`);
    ok(kernel.start(symbols.length, spec.initialCapital, chunkSize, options.eventCapacity ?? 16_384, runSteps), `${where}: start`);
    return new PortfolioKernel(kernel, spec, symbols, firstChunk, (options.tracing ?? 'off') !== 'off',
      options.fills ?? new FillTable(), runSteps || (options.totalSteps ?? 0), options.memories);
  }

  /** The kept records as objects (decoded on first access). */
  get records(): TraceRecord[] {
    return this.log.toArray();
  }

  /** Steps processed so far. */
  get stepsDone(): number {
    return this.done;
  }

  /**
   * Runs steps [from, to) of the aligned bars (from must equal stepsDone). Equity, cash and gross
   * exposure are copied into `out` at the same indices when it is given; without it the kernel must
   * have been created with `runSteps` and `outputs()` holds them.
   */
  runSteps(bars: AlignedBars, symbolIndex: number[], from: number, to: number, out?: StepOutputs): void {
    if (!out && this.kernel.equityRunPtr() === 0) throw new EngineError('runSteps needs output arrays when the kernel was created without runSteps');
    if (from !== this.done) throw new EngineError(`steps must be consecutive: expected ${this.done}, got ${from}`);
    this.lastOut = out;
    let start = from;
    while (start < to) {
      const limit = start === 0 ? this.firstChunk : this.capacity;
      const end = Math.min(to, start + limit);
      this.runChunk(bars, symbolIndex, start, end, out);
      start = end;
    }
  }

  private runChunk(bars: AlignedBars, symbolIndex: number[], from: number, to: number, out: StepOutputs | undefined): void {
    const k = this.kernel;
    const view = this.view;
    const n = to - from;
    for (let s = 0; s < symbolIndex.length; s++) {
      const src = symbolIndex[s];
      for (const field of this.fields) {
        const column = this.columnOf(bars, field, src);
        view.set(column.subarray(from, to), k.inputPtr(field, s) >>> 3);
      }
    }
    let stepsDone = ok(k.run(n), 'run');
    this.drain();
    while (stepsDone < n) {
      stepsDone = ok(k.resume(), 'resume');
      this.drain();
    }
    if (out) {
      out.equity.set(view.subarray(k.equityPtr() >>> 3, (k.equityPtr() >>> 3) + n), from);
      out.cash.set(view.subarray(k.cashPtr() >>> 3, (k.cashPtr() >>> 3) + n), from);
      out.gross.set(view.subarray(k.grossPtr() >>> 3, (k.grossPtr() >>> 3) + n), from);
    }
    this.done = to;
  }

  private columnOf(bars: AlignedBars, field: number, symbol: number): Float64Array {
    switch (field) {
      case abi.FIELD_OPEN:
        return bars.open[symbol];
      case abi.FIELD_HIGH:
        return bars.high[symbol];
      case abi.FIELD_LOW:
        return bars.low[symbol];
      case abi.FIELD_CLOSE:
        return bars.close[symbol];
      default: {
        const name = this.spec.strategy.type === 'signals' ? this.spec.strategy.column : '';
        const column = bars.columns[name]?.[symbol];
        if (!column) throw new EngineError(`portfolio "${this.spec.portfolioId}": the data has no "${name}" column for its signals strategy`);
        return column;
      }
    }
  }

  private drain(): void {
    const k = this.kernel;
    // When a table must grow, it makes room for the whole run at the rate so far (when the run's length
    // is known), so it grows about once rather than log2(size) times.
    const done = k.stepsDone();
    const projected = (needed: number, capacity: number) =>
      this.totalSteps > done && done > 0 ? Math.max(2 * capacity, Math.ceil((needed * this.totalSteps * 1.1) / done)) : 0;
    const fills = k.fillCountNow();
    if (fills > 0) {
      const needed = this.fills.length + fills;
      if (needed > this.fills.capacity) this.fills.reserve(projected(needed, this.fills.capacity));
      this.fills.appendColumns(this.view, k.fillColumnPtr(abi.FILL_STEP) >>> 3, k.eventCapacity(), fills);
    }
    const count = k.eventCount();
    if (count > 0 && this.keepRecords) {
      const needed = this.log.length + count;
      if (needed > this.log.capacity) this.log.reserve(projected(needed, this.log.capacity));
      this.log.append(this.view, k.eventsPtr() >>> 3, count);
    }
  }

  /** The whole-run outputs (created with `runSteps`), as views of the kernel's memory, up to stepsDone. */
  outputs(): StepOutputs {
    const k = this.kernel;
    if (k.equityRunPtr() === 0) throw new EngineError('outputs() needs a kernel created with runSteps');
    const at = (ptr: number) => new Float64Array(this.kernel.memory.buffer, ptr, this.done);
    return { equity: at(k.equityRunPtr()), cash: at(k.cashRunPtr()), gross: at(k.grossRunPtr()) };
  }

  /**
   * Moves capital in (+) or out (−) at the close of the last step run (see docs/semantics.md,
   * "Capital flows"): the recorded equity and cash of that step include the move, in the whole-run
   * outputs or in the arrays the last runSteps call wrote. Returns the equity after the move.
   */
  adjustCash(amount: number): number {
    if (!Number.isFinite(amount)) throw new EngineError(`adjustCash: amount must be a finite number, got ${amount}`);
    if (this.done === 0) throw new EngineError('adjustCash: no step has run yet');
    const after = this.kernel.adjustCash(amount);
    const out = this.kernel.equityRunPtr() === 0 ? this.lastOut : undefined;
    if (out) {
      // The kernel changed its own copy of the step; the caller's arrays took theirs before the move.
      out.equity[this.done - 1] += amount;
      out.cash[this.done - 1] += amount;
    }
    return after;
  }

  /** Cash now. */
  get cash(): number {
    return this.kernel.cashNow();
  }

  /** Cancels orders still pending at the end of the data. */
  finish(): void {
    ok(this.kernel.finish(), 'finish');
    this.drain();
  }

  positions(): PositionState[] {
    const base = this.kernel.symbolStatePtr() >>> 3;
    return this.symbols.map((symbol, s) => {
      const p = base + s * abi.SYM_SLOTS;
      return {
        symbol,
        position: this.view[p + abi.SYM_POSITION],
        avgCost: this.view[p + abi.SYM_AVG_COST],
        mark: this.view[p + abi.SYM_MARK],
        realized: this.view[p + abi.SYM_REALIZED],
        fees: this.view[p + abi.SYM_FEES],
      };
    });
  }

  get halted(): boolean {
    return this.kernel.isHalted() !== 0;
  }

  get bankrupt(): boolean {
    return this.kernel.isBankrupt() !== 0;
  }

  /** This instance's linear memory: it never grows after create (nothing is allocated per chunk). */
  get memory(): WebAssembly.Memory {
    return this.kernel.memory;
  }

  get memoryBytes(): number {
    return this.kernel.memory.buffer.byteLength;
  }
}

/**
 * Runs one portfolio over aligned bars from start to end.
 * @example
 *   const run = await runPortfolio(module, spec, alignBars(bars), { tracing: 'trades' });
 *   console.log(run.equity.at(-1), run.fills.length);
 */
export async function runPortfolio(module: WebAssembly.Module, spec: PortfolioSpec, bars: AlignedBars,
  options: EngineOptions = {}): Promise<PortfolioRun> {
  const symbols = spec.symbols ?? bars.symbols;
  const symbolIndex = symbols.map((name) => {
    const i = bars.symbols.indexOf(name);
    if (i < 0) throw new EngineError(`portfolio "${spec.portfolioId}": unknown symbol "${name}"; the data has ${bars.symbols.join(', ')}`);
    return i;
  });
  const steps = bars.timestamps.length;
  // Outputs go to JS arrays chunk by chunk rather than to whole-run outputs in the instance: the
  // instance stays small (~5 MB rather than ~35 MB per 1M bars), and faulting in fresh wasm memory
  // cost more than the copies (1M bars end to end: ~10 ms rather than ~20 ms).
  const out = stepOutputs(steps);
  const engine = await PortfolioKernel.create(module, spec, symbols, { ...options, runSteps: 0, totalSteps: steps });
  engine.runSteps(bars, symbolIndex, 0, steps, out);
  engine.finish();
  const run = { symbols, ...out, fills: engine.fills, positions: engine.positions(), halted: engine.halted, bankrupt: engine.bankrupt } as PortfolioRun;
  Object.defineProperty(run, 'records', { enumerable: true, get: () => engine.log.toArray() });
  return run;
}
