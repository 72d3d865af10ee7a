// Run options that choose where a run happens: `executor` ('inline', 'workers', 'auto', an Executor)
// and `workers` (the pool size), checked at the pool factory they must reach; 'auto' exactly at its
// work threshold; who disposes what; and an abort that lands after the last step.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/schema.js';
import type { AlignedBars } from '../../src/data/bars.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../../src/engine/spec.js';
import { DEFAULT_POOL_IDLE_MS, defaultPoolSize, disposeDefaultPool, registerWorkerPool, type Executor, type WorkerPoolOptions } from '../../src/workflow/executor.js';
import { AUTO_WORKERS_MIN_WORK, runBacktest, type PortfolioOk } from '../../src/workflow/run.js';
import { createWorkerPool } from '../../workers/index.js';
import { barsFrom, kernelModule } from '../helpers/kernel.js';

const hold = (id: string, symbols?: string[]): PortfolioSpec => ({
  portfolioId: id, namespace: id, initialCapital: 10_000, strategy: { type: 'buy_and_hold' }, sizers: [{ type: 'fixed', size: 1 }],
  limits: [], execution: DEFAULT_EXECUTION, symbols,
});

function configOf(systems: PortfolioSpec[], symbols: string[]): RunConfig {
  return {
    workflow: { type: 'multi_portfolio_backtest', name: 'options' }, data: { source: 'csv', symbols }, tradingSystems: systems,
    execution: DEFAULT_EXECUTION, reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false },
    tracing: 'off', warnings: [],
  };
}

/** `steps` one-minute bars of one symbol at a flat 100 (cheap to build at a million steps). */
function flatBars(steps: number): AlignedBars {
  const col = () => [new Float64Array(steps).fill(100)];
  return { timestamps: Float64Array.from({ length: steps }, (_, i) => Date.UTC(2024, 0, 2) + 60_000 * i), symbols: ['SPY'],
    open: col(), high: col(), low: col(), close: col(), volume: col(), columns: {} };
}

/** Pool factory spy: the options each pool was made with, and how many of them were disposed. */
function spyPools(make: (options: WorkerPoolOptions) => Executor = createWorkerPool) {
  const made: WorkerPoolOptions[] = [];
  let disposed = 0;
  registerWorkerPool((options) => {
    made.push(options);
    const pool = make(options);
    return { kind: pool.kind, open: (job) => pool.open(job), run: (job) => pool.run(job), dispose: async () => { disposed++; await pool.dispose(); } };
  });
  return { made, disposed: () => disposed };
}

/** A pool that refuses to run: proves it was chosen without running a million bars in workers. */
const refusing = (): Executor => ({
  kind: 'workers', open: async () => { throw new Error('pool chosen'); }, run: async () => { throw new Error('pool chosen'); }, dispose: async () => {},
});

afterEach(async () => {
  await disposeDefaultPool(); // the default pools were made by the spied factory
  registerWorkerPool(createWorkerPool);
});

describe('executor and workers options', () => {
  const bars = barsFrom([[100, 101], [101, 102], [102, 103]]);
  const config = configOf([hold('a'), hold('b')], ['SPY']);

  it("'workers' with workers: 3 makes one default pool of 3, reused by the next run and disposed by disposeDefaultPool; 'inline' makes none", async () => {
    const spy = spyPools();
    const pooled = await runBacktest(config, { bars, executor: 'workers', workers: 3, kernel: await kernelModule() });
    expect(spy.made).toEqual([{ size: 3, idleMs: DEFAULT_POOL_IDLE_MS }]);
    expect(spy.disposed()).toBe(0); // the default pool outlives the run
    expect(pooled.executor).toBe('workers');
    const again = await runBacktest(config, { bars, executor: 'workers', workers: 3, kernel: await kernelModule() });
    expect(again.executor).toBe('workers');
    expect(spy.made).toHaveLength(1);
    await runBacktest(config, { bars, executor: 'workers', workers: 2, kernel: await kernelModule() });
    expect(spy.made).toEqual([{ size: 3, idleMs: DEFAULT_POOL_IDLE_MS }, { size: 2, idleMs: DEFAULT_POOL_IDLE_MS }]);
    await disposeDefaultPool();
    expect(spy.disposed()).toBe(2);
    const inline = await runBacktest(config, { bars, executor: 'inline', kernel: await kernelModule() });
    expect(inline.executor).toBe('inline');
    expect(spy.made).toHaveLength(2);
    // Buy and hold: 1 share ordered at bar 0's close, filled at bar 1's open 101, marked at 103 → 10 002.
    expect((pooled.portfolios.a as PortfolioOk).finalEquity).toBe(10_002);
    expect((inline.portfolios.b as PortfolioOk).finalEquity).toBe(10_002);
  });

  it("'workers' with a bad size is refused before anything runs", async () => {
    await expect(runBacktest(config, { bars, executor: 'workers', workers: 0 })).rejects.toThrow('worker pool size must be a whole number ≥ 1, got 0');
  });

  it('an Executor passed in is used and left open for the next run', async () => {
    const pool = createWorkerPool({ size: 1 });
    try {
      const first = await runBacktest(config, { bars, executor: pool });
      const second = await runBacktest(config, { bars, executor: pool });
      expect([first.executor, second.executor]).toEqual(['workers', 'workers']);
      expect((second.portfolios.a as PortfolioOk).finalEquity).toBe(10_002);
    } finally {
      await pool.dispose();
    }
  });

  it(`'auto' takes workers from ${AUTO_WORKERS_MIN_WORK} symbol-steps with two systems or more, inline below or with one`, async () => {
    expect(AUTO_WORKERS_MIN_WORK).toBe(2_000_000);
    const spy = spyPools(refusing);
    const two = configOf([hold('a'), hold('b')], ['SPY']);
    // 1 000 000 steps × 2 systems × 1 symbol = 2 000 000: exactly the threshold → the pool.
    await expect(runBacktest(two, { bars: flatBars(1_000_000), kernel: await kernelModule() })).rejects.toThrow('pool chosen');
    expect(spy.made).toEqual([{ size: defaultPoolSize(), idleMs: DEFAULT_POOL_IDLE_MS }]);
    // One step less is inline (stopped by an abort at the first progress report, to keep the test short).
    const controller = new AbortController();
    await expect(runBacktest(two, { bars: flatBars(999_999), kernel: await kernelModule(), sliceSteps: 1_000, signal: controller.signal,
      onProgress: () => controller.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(spy.made).toHaveLength(1);
    // A single system never goes to a pool, however large.
    const stop = new AbortController();
    await expect(runBacktest(configOf([hold('a')], ['SPY']), { bars: flatBars(2_000_000), kernel: await kernelModule(), sliceSteps: 1_000,
      signal: stop.signal, onProgress: () => stop.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(spy.made).toHaveLength(1);
  });
});

describe('abort', () => {
  it('an abort that lands with the last step still rejects, with no result', async () => {
    const bars = barsFrom([[100, 101], [101, 102], [102, 103], [103, 104]]);
    const controller = new AbortController();
    // Progress is reported after each slice: the last report of the last system comes after its last step.
    const run = runBacktest(configOf([hold('a'), hold('b')], ['SPY']), { bars, executor: 'inline', kernel: await kernelModule(), signal: controller.signal,
      onProgress: (p) => { if (p.portfolioId === 'b' && p.stepsDone === 4) controller.abort(); } });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an already aborted signal runs nothing', async () => {
    const spy = spyPools();
    let progress = 0;
    await expect(runBacktest(configOf([hold('a')], ['SPY']), { bars: barsFrom([[1, 1]]), executor: 'workers', signal: AbortSignal.abort(), onProgress: () => progress++ }))
      .rejects.toMatchObject({ name: 'AbortError' });
    expect(progress).toBe(0);
    expect(spy.made).toEqual([]);
  });
});

afterAll(() => registerWorkerPool(createWorkerPool));
