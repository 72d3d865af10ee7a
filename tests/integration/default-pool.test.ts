// The default pool and the inline fallback: runs share one pool, its idle workers stop after idleMs and
// start again on the next run, and workers that cannot start never fail a run (it goes inline, says so,
// and later runs go inline without trying again).
import { afterEach, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/schema.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../../src/engine/spec.js';
import { disposeDefaultPool, registerWorkerPool } from '../../src/workflow/executor.js';
import { runBacktest, type PortfolioOk } from '../../src/workflow/run.js';
import { createWorkerPool, WorkerPool } from '../../workers/index.js';
import { spawnNodeWorker, type Spawn } from '../../workers/spawn.js';
import { barsFrom, kernelModule } from '../helpers/kernel.js';

const hold = (id: string): PortfolioSpec => ({
  portfolioId: id, namespace: id, initialCapital: 10_000, strategy: { type: 'buy_and_hold' }, sizers: [{ type: 'fixed', size: 1 }],
  limits: [], execution: DEFAULT_EXECUTION,
});
const config: RunConfig = {
  workflow: { type: 'multi_portfolio_backtest', name: 'pool' }, data: { source: 'csv', symbols: ['SPY'] }, tradingSystems: [hold('a'), hold('b')],
  execution: DEFAULT_EXECUTION, reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false }, tracing: 'off', warnings: [],
};
// Buy and hold of 1 share: ordered at bar 0's close, filled at bar 1's open 101, marked at 103 → 10 002.
const bars = barsFrom([[100, 101], [101, 102], [102, 103]]);
const equityOf = (r: Awaited<ReturnType<typeof runBacktest>>) => Object.values(r.portfolios).map((p) => (p as PortfolioOk).finalEquity);

afterEach(async () => {
  await disposeDefaultPool();
  registerWorkerPool(createWorkerPool);
});

describe('workers that cannot start', () => {
  it('the run goes inline with a warning, and the next run goes inline without trying', async () => {
    let spawns = 0;
    const broken: Spawn = async () => {
      spawns++;
      throw new Error('Worker is blocked by the page’s CSP');
    };
    registerWorkerPool((options) => new WorkerPool(broken, options));
    const warn = console.warn;
    const said: unknown[] = [];
    console.warn = (...args: unknown[]) => void said.push(args.join(' '));
    try {
      const first = await runBacktest(config, { bars, executor: 'workers', workers: 2, kernel: await kernelModule() });
      expect(first.executor).toBe('inline');
      expect(first.warnings).toEqual(['workers could not start (Worker is blocked by the page’s CSP); the run went inline on this thread']);
      expect(equityOf(first)).toEqual([10_002, 10_002]);
      expect(spawns).toBe(2);
      const second = await runBacktest(config, { bars, executor: 'workers', workers: 2, kernel: await kernelModule() });
      expect(second.executor).toBe('inline');
      expect(second.warnings).toHaveLength(1);
      expect(spawns).toBe(2); // not tried again
      expect(said.length).toBeLessThanOrEqual(1); // said on the console once per context at most
    } finally {
      console.warn = warn;
    }
  });

  it('a worker that dies before answering counts as not starting; one that starts keeps the run in workers', async () => {
    let n = 0;
    const halfBroken: Spawn = async () => {
      const worker = await spawnNodeWorker();
      if (n++ > 0) return worker;
      worker.terminate(); // the first worker never answers its first call
      return worker;
    };
    registerWorkerPool((options) => new WorkerPool(halfBroken, options));
    const result = await runBacktest(config, { bars, executor: 'workers', workers: 2, kernel: await kernelModule() });
    expect(result.executor).toBe('workers');
    expect(result.warnings).toEqual([]);
    expect(equityOf(result)).toEqual([10_002, 10_002]);
  });
});

describe('idle workers', () => {
  it('stop after idleMs and start again on the next run', async () => {
    let spawned = 0;
    let terminated = 0;
    const counting: Spawn = async () => {
      spawned++;
      const worker = await spawnNodeWorker();
      return { ...worker, terminate: () => { terminated++; worker.terminate(); } };
    };
    const pool = new WorkerPool(counting, { size: 1, idleMs: 50 });
    try {
      expect(equityOf(await runBacktest(config, { bars, executor: pool, kernel: await kernelModule() }))).toEqual([10_002, 10_002]);
      expect([spawned, terminated]).toEqual([1, 0]);
      await new Promise((r) => setTimeout(r, 300));
      expect(terminated).toBe(1);
      expect(equityOf(await runBacktest(config, { bars, executor: pool, kernel: await kernelModule() }))).toEqual([10_002, 10_002]);
      expect(spawned).toBe(2);
    } finally {
      await pool.dispose();
    }
  });

  it('refuses a negative idleMs', () => {
    expect(() => new WorkerPool(spawnNodeWorker, { idleMs: -1 })).toThrow('idleMs must be ≥ 0, got -1');
  });
});
