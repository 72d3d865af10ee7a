// runBacktest: a whole config over shared bars, one kernel instance per trading system, on an executor
// (inline or a worker pool). A system that fails is reported with its error while the others run.
import { alignBars } from '../data/align.js';
import type { AlignedBars, Bars } from '../data/bars.js';
import { calendarOf, DEFAULT_TIME_ZONE } from '../data/calendar.js';
import { generateBars } from '../data/generate.js';
import type { RunConfig } from '../config/schema.js';
import { defaultKernel } from '../engine/default-kernel.js';
import { decodeAll, Fills, type TraceRecord } from '../engine/records.js';
import type { TracingLevel } from '../engine/spec.js';
import { toEvents, type FolioEvent } from '../events/event.js';
import {
  abortError, defaultWorkerPool, InlineExecutor, markWorkersUnavailable, workerPoolAvailable, WorkersUnavailable,
  workersUnavailableReason, type Executor, type ExecutorJob, type SystemFailure,
} from './executor.js';
import { PortfolioRebalancer, rebalanceSteps, type RebalanceDecision, type RebalanceTransfer } from './rebalance.js';
import type { MetricsOptions } from '../analytics/metrics.js';
import { extractTrades, type Trade } from '../analytics/trades.js';
import type { KeepOptions, SystemOutcome } from './system.js';

export interface RunProgress {
  portfolioId: string;
  stepsDone: number;
  steps: number;
}

export interface RunOptions {
  /** Bars for the run; required when the config's data source is `csv` (src/ reads no files). */
  bars?: Bars | AlignedBars;
  /** A compiled kernel; defaults to the package's own. */
  kernel?: WebAssembly.Module;
  /** Overrides the config's tracing level. */
  tracing?: TracingLevel;
  /**
   * Where the systems run: 'inline' (this thread), 'workers' (a pool, one kernel instance per
   * portfolio inside it), 'auto' (workers when a pool is available and the run is large enough),
   * or an Executor you manage. Default 'auto'.
   */
  executor?: 'auto' | 'inline' | 'workers' | Executor;
  /** Pool size for 'workers'/'auto'. */
  workers?: number;
  /** What to keep of each portfolio's series and fills. Metrics always use every bar. */
  keep?: KeepOptions;
  /** Annualization (periods per year; default inferred from bar spacing and sessions) and risk-free rate. */
  metrics?: MetricsOptions;
  onProgress?: (progress: RunProgress) => void;
  /** Stops the run promptly; the promise then rejects with an AbortError and returns nothing. */
  signal?: AbortSignal;
  /** Steps per progress report and abort check. Default 65 536. */
  sliceSteps?: number;
}

/** A portfolio that ran, with its results (series as kept by `keep`). */
export interface PortfolioOk extends Omit<SystemOutcome, 'fills'> {
  /** The kept records as objects (decoded on first access from `recordData`). */
  records: TraceRecord[];
  /** Round trips (flat to flat), derived from the fills on first access; empty when fills are not kept. */
  trades: Trade[];
  /** Timestamps of the kept series (the run's timestamps when every bar is kept). */
  timestamps: Float64Array;
  /**
   * The fills: iterate them (or `at(i)`) as `{ barIndex, timestamp, symbol, quantity, price, commission,
   * realized }`; `columns` holds them as typed arrays. Empty when fills are not kept.
   */
  fills: Fills;
  /**
   * The records as Events of the portfolio's namespace (with tracing 'trades' or 'full'). Decoded on
   * first access (records are compact; Events are objects), then kept.
   */
  events: FolioEvent[];
}

export type PortfolioFailed = SystemFailure;
export type PortfolioResult = PortfolioOk | PortfolioFailed;

export interface RunResult {
  name: string;
  timestamps: Float64Array;
  symbols: string[];
  portfolios: Record<string, PortfolioResult>;
  executor: 'inline' | 'workers';
  /** Every scheduled rebalance, including those skipped by the threshold. */
  rebalances: RebalanceDecision[];
  warnings: string[];
  /** The exchange zone (`data.timezone`) whose calendar cut days, weeks and months. */
  timeZone: string;
}

function isAligned(bars: Bars | AlignedBars): bars is AlignedBars {
  return (bars as AlignedBars).timestamps instanceof Float64Array;
}

/** Bars the config asks for: the given ones, or generated from `data` when its source is `generated`. */
export function barsForConfig(config: RunConfig, given?: Bars | AlignedBars): AlignedBars {
  if (given) return isAligned(given) ? given : alignBars(given, config.data.symbols);
  if (config.data.source === 'generated') {
    const { symbols, bars, interval, seed, start, timeZone } = config.data;
    return alignBars(generateBars({ symbols, bars, interval, seed, start, timeZone }), symbols);
  }
  throw new Error(`data.source is "csv": pass the bars (parseCsv of ${config.data.filePath ?? Object.values(config.data.files ?? {}).join(', ')}) in options.bars`);
}

/** Symbol-steps from which 'auto' prefers workers (below it, starting workers costs more than it saves). */
export const AUTO_WORKERS_MIN_WORK = 2_000_000;

/**
 * The executor of a run: the caller's own, or inline, or the default pool (shared across runs, not
 * disposed here). Workers that could not start before are not tried again: the run goes inline.
 */
function chooseExecutor(option: RunOptions['executor'], work: number, systems: number, size?: number): { executor: Executor; notStarting?: string } {
  if (typeof option === 'object') return { executor: option };
  const choice = option ?? 'auto';
  const useWorkers = choice === 'workers' || (choice === 'auto' && workerPoolAvailable() && systems > 1 && work >= AUTO_WORKERS_MIN_WORK);
  if (!useWorkers) return { executor: new InlineExecutor() };
  const notStarting = workersUnavailableReason();
  if (notStarting !== undefined) return { executor: new InlineExecutor(), notStarting };
  return { executor: size === undefined ? defaultWorkerPool() : defaultWorkerPool(size) };
}

/** Said once per context, then only in each result's warnings. */
let warnedInline = false;

function inlineFallbackWarning(reason: string): string {
  const warning = `workers could not start (${reason}); the run went inline on this thread`;
  if (!warnedInline) {
    warnedInline = true;
    console.warn(`foliolab: ${warning}`);
  }
  return warning;
}

/** Rebalance transfers as events of one portfolio's namespace (both sides get one per transfer). */
function rebalanceEvents(portfolioId: string, namespace: string, transfers: RebalanceTransfer[], timestamps: Float64Array): FolioEvent[] {
  return transfers.filter((t) => t.from === portfolioId || t.to === portfolioId).map((t, k) => ({
    id: `${namespace}@rebalance${k}`, type: 'rebalance', portfolioId, namespace, seq: k, barIndex: t.step, timestamp: timestamps[t.step],
    causationId: `${namespace}@bar${t.step}`,
    payload: { from: t.from, to: t.to, amount: t.from === portfolioId ? -t.amount : t.amount },
  }));
}

/** A worker's outcome as a PortfolioOk (derived views decoded on first access); also used by the run cache. */
export function revive(outcome: SystemOutcome, config: RunConfig, timestamps: Float64Array, transfers: RebalanceTransfer[]): PortfolioOk {
  const spec = config.tradingSystems.find((s) => s.portfolioId === outcome.portfolioId)!;
  const source = { portfolioId: outcome.portfolioId, namespace: outcome.namespace, symbols: outcome.symbols, timestamps, strategy: spec.strategy.type };
  const kept = outcome.sampledAt ? Float64Array.from(outcome.sampledAt, (i) => timestamps[i]) : timestamps;
  const result = { ...outcome, timestamps: kept, fills: Fills.fromColumns(outcome.fills, outcome.symbols, timestamps) } as PortfolioOk;
  let events: FolioEvent[] | undefined;
  let records: TraceRecord[] | undefined;
  const decoded = () => (records ??= decodeAll(outcome.recordData));
  Object.defineProperty(result, 'records', { enumerable: true, configurable: true, get: decoded });
  let trades: Trade[] | undefined;
  Object.defineProperty(result, 'trades', {
    enumerable: true, configurable: true,
    get: () => (trades ??= extractTrades(result.fills.table, outcome.symbols, { timestamps, steps: timestamps.length })),
  });
  Object.defineProperty(result, 'events', {
    enumerable: true, configurable: true,
    get: () => (events ??= mergeByBar(toEvents(decoded(), source), rebalanceEvents(outcome.portfolioId, outcome.namespace, transfers, timestamps))),
    set: (value: FolioEvent[]) => (events = value),
  });
  return result;
}

/** Kernel events and rebalance events in time order (a rebalance comes after its step's other events). */
function mergeByBar(kernel: FolioEvent[], rebalances: FolioEvent[]): FolioEvent[] {
  if (!rebalances.length) return kernel;
  const out: FolioEvent[] = [];
  let r = 0;
  for (const e of kernel) {
    while (r < rebalances.length && rebalances[r].barIndex < e.barIndex) out.push(rebalances[r++]);
    out.push(e);
  }
  return out.concat(rebalances.slice(r));
}

/** Runs the job in lockstep, stopping at each scheduled step to move capital. */
async function runRebalanced(executor: Executor, job: ExecutorJob, config: RunConfig): Promise<{ outcomes: Array<SystemOutcome | SystemFailure>; decisions: RebalanceDecision[] }> {
  const rebalancer = new PortfolioRebalancer(config.rebalance!);
  const session = await executor.open(job);
  const decisions: RebalanceDecision[] = [];
  // Config order, whatever order the executor answers in: sums and donor/receiver pairing depend on it.
  const order = new Map(job.systems.map((s, i) => [s.portfolioId, i]));
  for (const step of rebalanceSteps(job.bars.timestamps, config.rebalance!.schedule, calendarOf(config.data.timeZone ?? DEFAULT_TIME_ZONE))) {
    const states = (await session.advance(step + 1)).sort((a, b) => order.get(a.portfolioId)! - order.get(b.portfolioId)!);
    const decision = rebalancer.plan(states, step, job.bars.timestamps[step]);
    if (decision.moves.length) await session.adjust(decision.moves);
    decisions.push(decision);
  }
  await session.advance(job.bars.timestamps.length);
  return { outcomes: await session.finish(), decisions };
}

/**
 * The multi-portfolio workflow: every trading system of a config over the same bars, one kernel
 * instance per system, on an executor (inline or a worker pool); in lockstep with capital moves when
 * the config rebalances. `runBacktest` is `new MultiPortfolioWorkflow(config, options).run()`.
 */
export class MultiPortfolioWorkflow {
  readonly bars: AlignedBars;

  constructor(readonly config: RunConfig, readonly options: RunOptions = {}) {
    this.bars = barsForConfig(config, options.bars);
  }

  /** Symbol-steps of work: what 'auto' weighs against starting workers. */
  get work(): number {
    const { bars, config } = this;
    return bars.timestamps.length * config.tradingSystems.reduce((n, s) => n + (s.symbols ?? bars.symbols).length, 0);
  }

  async run(): Promise<RunResult> {
    const { config, options, bars } = this;
    if (options.signal?.aborted) throw abortError();
    const timeZone = config.data.timeZone ?? DEFAULT_TIME_ZONE;
    const module = options.kernel ?? (await defaultKernel());
    const chosen = chooseExecutor(options.executor, this.work, config.tradingSystems.length, options.workers);
    let { executor } = chosen;
    const warnings = [...config.warnings];
    if (chosen.notStarting !== undefined) warnings.push(inlineFallbackWarning(chosen.notStarting));
    const job: ExecutorJob = {
      module, bars, systems: config.tradingSystems, tracing: options.tracing ?? config.tracing, keep: options.keep,
      metrics: { timeZone, ...options.metrics },
      sliceSteps: options.sliceSteps, signal: options.signal,
      onProgress: options.onProgress && ((portfolioId, stepsDone, steps) => options.onProgress!({ portfolioId, stepsDone, steps })),
    };
    const runOn = (on: Executor) => (config.rebalance ? runRebalanced(on, job, config) : on.run(job).then((outcomes) => ({ outcomes, decisions: [] })));
    let ran: Awaited<ReturnType<typeof runOn>>;
    try {
      ran = await runOn(executor);
    } catch (e) {
      // Workers that cannot start (a CSP without worker-src, a bundler that dropped the worker file)
      // never fail a run: it goes inline, with a warning.
      if (!(e instanceof WorkersUnavailable)) throw e;
      if (typeof options.executor !== 'object') markWorkersUnavailable(e.message);
      warnings.push(inlineFallbackWarning(e.message));
      executor = new InlineExecutor();
      ran = await runOn(executor);
    }
    const { outcomes, decisions } = ran;
    if (options.signal?.aborted) throw abortError();
    const transfers = decisions.flatMap((d) => d.transfers);
    const portfolios: Record<string, PortfolioResult> = {};
    for (const o of outcomes) portfolios[o.portfolioId] = o.status === 'ok' ? revive(o, config, bars.timestamps, transfers) : o;
    return { name: config.workflow.name, timestamps: bars.timestamps, symbols: bars.symbols, portfolios, executor: executor.kind, rebalances: decisions, warnings, timeZone };
  }
}

/**
 * Runs every trading system of a config over the same bars.
 * @example
 *   const result = await runBacktest(loadConfig(yaml), { bars: parseCsv(csv, { symbol: 'SPY' }) });
 *   for (const p of Object.values(result.portfolios)) if (p.status === 'ok') console.log(p.portfolioId, p.finalEquity);
 */
export async function runBacktest(config: RunConfig, options: RunOptions = {}): Promise<RunResult> {
  if (options.signal?.aborted) throw abortError();
  return new MultiPortfolioWorkflow(config, options).run();
}
