// The worker pool's failure paths, each against an inline run of the same config: a call that rejects
// while its worker lives on, a worker that dies in runEach or in each lockstep phase, no worker left,
// use after dispose, a bad pool size. Only the portfolios the failure touched may fail; every other one
// must equal its inline result bit for bit.
import { afterAll, describe, expect, it } from 'vitest';
import type { RebalanceSpec, RunConfig } from '../../src/config/schema.js';
import { alignBars } from '../../src/data/align.js';
import { generateBars } from '../../src/data/generate.js';
import { DEFAULT_EXECUTION, type PortfolioSpec, type StrategySpec } from '../../src/engine/spec.js';
import { runBacktest, type PortfolioOk, type RunResult } from '../../src/workflow/run.js';
import { WorkerPool } from '../../workers/pool.js';
import { spawnNodeWorker } from '../../workers/spawn.js';
import { faultyPool, runEachIds, type FaultyPool } from '../helpers/faulty-pool.js';

const bars = alignBars(generateBars({ symbols: ['SPY', 'QQQ'], bars: 1_500, interval: '1m', seed: 23 }));
const strategies: StrategySpec[] = [
  { type: 'momentum', lookbackPeriod: 20, momentumThreshold: 0.0002, allowShort: true },
  { type: 'mean_reversion', lookbackPeriod: 15, entryThreshold: 1, exitThreshold: 0, allowShort: true },
  { type: 'sma_crossover', fastPeriod: 5, slowPeriod: 20, allowShort: true },
];
const systems: PortfolioSpec[] = Array.from({ length: 10 }, (_, i) => ({
  portfolioId: `p${i}`, namespace: `ns${i}`, initialCapital: 40_000 + 2_000 * i, strategy: strategies[i % 3],
  sizers: [{ type: 'percentage', size: 0.2 }], limits: [], execution: DEFAULT_EXECUTION, symbols: [i % 2 ? 'QQQ' : 'SPY'],
}));

function configOf(specs: PortfolioSpec[], rebalance?: RebalanceSpec): RunConfig {
  return {
    workflow: { type: 'multi_portfolio_backtest', name: 'pool-failures' }, data: { source: 'csv', symbols: bars.symbols },
    tradingSystems: specs, execution: DEFAULT_EXECUTION, rebalance,
    reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false }, tracing: 'full', warnings: [],
  };
}

// Four portfolios rebalanced every 300 bars (steps 299, 599, 899, 1199). Equal symbol counts, so
// assignSystems puts p0, p2 on worker 0 and p1, p3 on worker 1 (index order onto the least loaded).
const lockstep = configOf(systems.slice(0, 4), { targetWeights: { p0: 0.25, p1: 0.25, p2: 0.25, p3: 0.25 }, schedule: { everyBars: 300 } });

// The inline references, run by the first test that needs them (inside a test, not in beforeAll, so a
// mutation run sees which tests cover the code they run).
let inlineRuns: Promise<[RunResult, RunResult]> | undefined;
const references = () => (inlineRuns ??= Promise.all([
  runBacktest(configOf(systems), { bars, executor: 'inline' }), runBacktest(lockstep, { bars, executor: 'inline' })]));

const pools: FaultyPool[] = [];
afterAll(async () => Promise.all(pools.map((p) => p.pool.dispose())));
function track(p: FaultyPool): FaultyPool {
  pools.push(p);
  return p;
}

function expectSame(a: PortfolioOk, b: PortfolioOk): void {
  expect(a.status).toBe('ok');
  expect(Array.from(a.equity)).toEqual(Array.from(b.equity));
  expect(a.fills.toArray()).toEqual(b.fills.toArray());
  expect(a.records).toEqual(b.records);
  expect(a.flows).toEqual(b.flows);
}

/** The ids of the failed portfolios, and every other portfolio checked against the reference run. */
function failedAndCheck(r: RunResult, reference: RunResult): string[] {
  const failed: string[] = [];
  for (const [id, p] of Object.entries(r.portfolios)) {
    if (p.status === 'failed') failed.push(id);
    else expectSame(p, reference.portfolios[id] as PortfolioOk);
  }
  expect(Object.keys(r.portfolios).sort()).toEqual(Object.keys(reference.portfolios).sort());
  return failed.sort();
}

describe('worker pool: a call that rejects while its worker lives', () => {
  for (const size of [1, 2]) {
    it(`only the portfolios whose call failed are reported failed (${size} worker${size > 1 ? 's' : ''})`, async () => {
      const [inline, inlineLockstep] = await references();
      // runEach is called with one system at a time: fail p3's and p7's calls, leave the workers alive.
      const faulty = track(faultyPool(size, ({ method, args }) =>
        method === 'runEach' && ['p3', 'p7'].includes(runEachIds(args)[0]) ? 'reject' : undefined));
      const r = await runBacktest(configOf(systems), { bars, executor: faulty.pool });
      expect(faulty.rejections()).toBe(2);
      expect(failedAndCheck(r, inline)).toEqual(['p3', 'p7']);
      expect(r.portfolios.p3).toMatchObject({ status: 'failed', error: 'injected failure of runEach' });
      expect(faulty.deaths()).toBe(0);
      expect(faulty.spawned()).toBe(size); // no worker was replaced: none died
    });
  }

  it('a rejected lockstep call fails only the systems of that worker; the others run on, rebalanced among themselves', async () => {
    // The second advance of worker 1 (p1, p3) rejects: from then on only p0 and p2 are live.
    const faulty = track(faultyPool(2, ({ worker, method, count }) => (worker === 1 && method === 'advance' && count === 2 ? 'reject' : undefined)));
    const r = await runBacktest(lockstep, { bars, executor: faulty.pool });
    expect(Object.entries(r.portfolios).filter(([, p]) => p.status === 'failed').map(([id]) => id).sort()).toEqual(['p1', 'p3']);
    expect(r.portfolios.p1).toMatchObject({ error: 'injected failure of advance' });
    // The first rebalance (step 299) saw all four; the later ones only the two left, at 1/2 each.
    expect(r.rebalances.map((d) => Object.keys(d.targets).sort())).toEqual([['p0', 'p1', 'p2', 'p3'], ['p0', 'p2'], ['p0', 'p2'], ['p0', 'p2']]);
    expect(r.rebalances[1].targets).toEqual({ p0: 0.5, p2: 0.5 });
  });
});

describe('worker pool: a worker that dies', () => {
  it('in runEach: the systems it was running fail, every other one is run (again) elsewhere', async () => {
      const [inline, inlineLockstep] = await references();
    // The worker handed p4 dies. It has two calls in flight, so p4 and at most one other system fail
    // with the death; systems it had finished (fills still held there) run again on the other worker.
    const faulty = track(faultyPool(2, ({ method, args }) => (method === 'runEach' && runEachIds(args)[0] === 'p4' ? 'die' : undefined)));
    const r = await runBacktest(configOf(systems), { bars, executor: faulty.pool });
    const failed = failedAndCheck(r, inline);
    expect(faulty.deaths()).toBe(1);
    expect(failed).toContain('p4');
    expect(failed.length).toBeLessThanOrEqual(2);
    for (const id of failed) expect((r.portfolios[id] as { error: string }).error).toMatch(/worker exited|terminated/);
  });

  it('with no worker left, the systems never started are failed with that reason; the pool recovers for the next run', async () => {
      const [inline, inlineLockstep] = await references();
    // One worker, two calls in flight: p0 and p1 are sent at once, p2 when p0's result is back (one
    // worker holds no fills), and p2 kills the worker. p1 finished or died with it. If p1 finished
    // first, p3 was already sent to the dying worker and fails with the death (the timing decides);
    // p4 and p5 were never handed to any worker.
    const faulty = track(faultyPool(1, ({ worker, method, args }) => (worker === 0 && method === 'runEach' && runEachIds(args)[0] === 'p2' ? 'die' : undefined)));
    const r = await runBacktest(configOf(systems.slice(0, 6)), { bars, executor: faulty.pool });
    const errors = Object.fromEntries(Object.entries(r.portfolios).map(([id, p]) => [id, p.status === 'ok' ? 'ok' : p.error]));
    expect(errors.p0).toBe('ok');
    expect(errors.p1).toMatch(/^ok$|worker exited|terminated/);
    expect(errors.p2).toMatch(/worker exited|terminated/);
    expect(errors.p3).toMatch(/^no worker left to run it$|worker exited|terminated/);
    if (errors.p1 !== 'ok') expect(errors.p3).toBe('no worker left to run it'); // p1 held the second slot to the end
    for (const id of ['p4', 'p5']) expect(errors[id]).toBe('no worker left to run it');
    expectSame(r.portfolios.p0 as PortfolioOk, inline.portfolios.p0 as PortfolioOk);
    const again = await runBacktest(configOf(systems.slice(2, 4)), { bars, executor: faulty.pool });
    expect(failedAndCheck(again, { ...inline, portfolios: { p2: inline.portfolios.p2, p3: inline.portfolios.p3 } })).toEqual([]);
  });

  for (const phase of ['open', 'advance', 'adjust', 'finish'] as const) {
    it(`in lockstep ${phase}: the systems of that worker fail, the others finish`, async () => {
      const [inline, inlineLockstep] = await references();
      const faulty = track(faultyPool(2, ({ worker, method, count }) =>
        worker === 0 && method === phase && count === (phase === 'advance' || phase === 'adjust' ? 2 : 1) ? 'die' : undefined));
      const r = await runBacktest(lockstep, { bars, executor: faulty.pool });
      expect(faulty.deaths()).toBe(1);
      for (const id of ['p0', 'p2']) expect(r.portfolios[id]).toMatchObject({ status: 'failed', error: expect.stringMatching(/worker exited|terminated/) });
      for (const id of ['p1', 'p3']) expect(r.portfolios[id].status).toBe('ok');
      if (phase === 'finish') {
        // Everything up to the end ran as inline: the survivors are bit-identical to the inline run.
        for (const id of ['p1', 'p3']) expectSame(r.portfolios[id] as PortfolioOk, inlineLockstep.portfolios[id] as PortfolioOk);
        expect(r.rebalances).toEqual(inlineLockstep.rebalances);
      } else if (phase === 'open') {
        // p0 and p2 never started: the same as an inline run without them (their weights are ignored).
        const without = await runBacktest({ ...lockstep, tradingSystems: [systems[1], systems[3]] }, { bars, executor: 'inline' });
        for (const id of ['p1', 'p3']) expectSame(r.portfolios[id] as PortfolioOk, without.portfolios[id] as PortfolioOk);
        expect(r.rebalances.every((d) => Object.keys(d.targets).join() === 'p1,p3')).toBe(true);
        expect(r.rebalances).toHaveLength(4);
      } else {
        // Died at the second advance (steps 300…599) or the second adjust (step 599): rebalances after
        // that see only p1 and p3, each targeted at one half.
        const lastWithAll = phase === 'advance' ? 0 : 1;
        expect(r.rebalances.map((d) => Object.keys(d.targets).join())).toEqual(
          [0, 1, 2, 3].map((k) => (k <= lastWithAll ? 'p0,p1,p2,p3' : 'p1,p3')));
        expect(r.rebalances[3].targets).toEqual({ p1: 0.5, p3: 0.5 });
      }
      // The pool replaces the dead worker for the next run.
      const again = await runBacktest(lockstep, { bars, executor: faulty.pool });
      for (const id of ['p0', 'p1', 'p2', 'p3']) expectSame(again.portfolios[id] as PortfolioOk, inlineLockstep.portfolios[id] as PortfolioOk);
    });
  }
});

describe('worker pool: misuse', () => {
  it('refuses runs after dispose, in both modes', async () => {
    const pool = new WorkerPool(spawnNodeWorker, { size: 1 });
    await pool.dispose();
    await expect(runBacktest(configOf(systems.slice(0, 2)), { bars, executor: pool })).rejects.toThrow('this worker pool has been disposed');
    await expect(runBacktest(lockstep, { bars, executor: pool })).rejects.toThrow('this worker pool has been disposed');
  });

  it('refuses a size that is not a whole number ≥ 1, naming it', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) {
      expect(() => new WorkerPool(spawnNodeWorker, { size })).toThrow(new RangeError(`worker pool size must be a whole number ≥ 1, got ${size}`));
    }
    expect(new WorkerPool(spawnNodeWorker, { size: 3 }).size).toBe(3);
  });
});
