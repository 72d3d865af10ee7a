// Isolation between portfolios: by construction (one instance, one memory per portfolio), by routing
// (events stay in their namespace) and by result (each portfolio equals itself run alone, whatever
// runs beside it, on whichever executor and however many workers).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { RunConfig } from '../../src/config/schema.js';
import { alignBars } from '../../src/data/align.js';
import { generateBars } from '../../src/data/generate.js';
import { PortfolioKernel } from '../../src/engine/portfolio.js';
import { DEFAULT_EXECUTION, type PortfolioSpec, type StrategySpec } from '../../src/engine/spec.js';
import { EventBus, IsolationViolation } from '../../src/events/bus.js';
import type { FolioEvent } from '../../src/events/event.js';
import { EventTracer } from '../../src/events/tracer.js';
import { IsolationValidator } from '../../src/workflow/isolation.js';
import { runBacktest, type PortfolioOk, type RunResult } from '../../src/workflow/run.js';
import { createWorkerPool, WorkerPool } from '../../workers/index.js';
import { spawnNodeWorker, type Spawn } from '../../workers/spawn.js';
import { kernelModule } from '../helpers/kernel.js';

const bars = alignBars(generateBars({ symbols: ['SPY', 'QQQ'], bars: 6_000, interval: '1m', seed: 17 }));
const pools = [1, 2, 4].map((size) => createWorkerPool({ size }));
afterAll(async () => Promise.all(pools.map((p) => p.dispose())));

const strategies: StrategySpec[] = [
  { type: 'momentum', lookbackPeriod: 20, momentumThreshold: 0.0002, allowShort: true },
  { type: 'mean_reversion', lookbackPeriod: 15, entryThreshold: 1, exitThreshold: 0, allowShort: true },
  { type: 'breakout', lookbackPeriod: 30, allowShort: true },
  { type: 'rsi', period: 14, oversold: 30, overbought: 70, allowShort: false },
  { type: 'sma_crossover', fastPeriod: 5, slowPeriod: 20, allowShort: true },
];

function system(i: number, over: Partial<PortfolioSpec> = {}): PortfolioSpec {
  return {
    portfolioId: `p${i}`, namespace: `ns${i}`, initialCapital: 50_000 + 1_000 * i, strategy: strategies[i % strategies.length],
    sizers: [{ type: i % 2 ? 'percentage' : 'fixed', size: i % 2 ? 0.1 : 50 } as PortfolioSpec['sizers'][0]],
    limits: i % 3 === 0 ? [{ type: 'max_gross_exposure', value: 1 }] : [], execution: DEFAULT_EXECUTION,
    symbols: i % 4 === 3 ? ['QQQ'] : undefined, ...over,
  };
}

function configOf(systems: PortfolioSpec[], tracing: RunConfig['tracing'] = 'full'): RunConfig {
  return {
    workflow: { type: 'multi_portfolio_backtest', name: 'isolation' }, data: { source: 'csv', symbols: bars.symbols },
    tradingSystems: systems, execution: DEFAULT_EXECUTION, reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false },
    tracing, warnings: [],
  };
}

const ok = (r: RunResult, id: string) => {
  const p = r.portfolios[id];
  if (p.status !== 'ok') throw new Error(`${id} failed: ${p.error}`);
  return p;
};

/** Bit-identical comparison of everything a portfolio produced. */
function expectSamePortfolio(a: PortfolioOk, b: PortfolioOk): void {
  expect(Buffer.from(a.equity.buffer, a.equity.byteOffset, a.equity.byteLength).equals(Buffer.from(b.equity.buffer, b.equity.byteOffset, b.equity.byteLength))).toBe(true);
  expect(Array.from(a.cash)).toEqual(Array.from(b.cash));
  expect(Array.from(a.gross)).toEqual(Array.from(b.gross));
  expect(a.fills.toArray()).toEqual(b.fills.toArray());
  expect(a.records).toEqual(b.records);
  expect(a.positions).toEqual(b.positions);
}

async function alone(spec: PortfolioSpec, tracing: RunConfig['tracing'] = 'full') {
  return ok(await runBacktest(configOf([spec], tracing), { bars, executor: 'inline', kernel: await kernelModule() }), spec.portfolioId);
}

describe('isolation by construction', () => {
  it('1. each portfolio gets its own instance and linear memory', async () => {
    const module = await kernelModule();
    const a = await PortfolioKernel.create(module, system(0), ['SPY']);
    const b = await PortfolioKernel.create(module, system(1), ['SPY']);
    expect(a.memory).not.toBe(b.memory);
    expect(a.memory.buffer).not.toBe(b.memory.buffer);
  });

  it('2. writing into one instance memory leaves another untouched', async () => {
    const module = await kernelModule();
    const a = await PortfolioKernel.create(module, system(0), ['SPY']);
    const b = await PortfolioKernel.create(module, system(0), ['SPY']);
    const before = Buffer.from(b.memory.buffer.slice(0));
    new Uint8Array(a.memory.buffer).fill(0xab, 1024);
    expect(Buffer.from(b.memory.buffer).equals(before)).toBe(true);
    expect(Buffer.from(a.memory.buffer).equals(before)).toBe(false);
  });

  it('3. no shared mutable module state: A, then B, then A again gives A twice the same', async () => {
    const first = await alone(system(0));
    await alone(system(1, { initialCapital: 1_000_000, sizers: [{ type: 'fixed', size: 5_000 }] }));
    expectSamePortfolio(first, await alone(system(0)));
  });
});

describe('isolation by routing (EventBus)', () => {
  const event = (ns: string, pid: string, seq = 0): FolioEvent => ({
    id: `${ns}#${seq}`, type: 'fill', portfolioId: pid, namespace: ns, seq, barIndex: 0, timestamp: 0, payload: { quantity: 1 },
  });

  it('4. a subscriber of one namespace never sees another namespace', () => {
    const bus = new EventBus();
    bus.register('a', 'pa');
    bus.register('b', 'pb');
    const seen: string[] = [];
    bus.subscribe('a', (e) => seen.push(e.id));
    bus.publish(event('a', 'pa', 1));
    bus.publish(event('b', 'pb', 2));
    expect(seen).toEqual(['a#1']);
  });

  it('5. the same namespace cannot belong to two portfolios', () => {
    const bus = new EventBus();
    bus.register('shared', 'p1');
    expect(() => bus.register('shared', 'p2')).toThrow('namespace "shared" already belongs to portfolio "p1"; "p2" cannot use it');
  });

  it('6. the config rejects the same namespace twice', () => {
    const yaml = `trading_systems:
  - { portfolio_id: a, initial_capital: 1000, namespace: same, strategy: { type: buy_and_hold }, risk: { position_sizers: [{ type: fixed, size: 1 }] } }
  - { portfolio_id: b, initial_capital: 1000, namespace: same, strategy: { type: buy_and_hold }, risk: { position_sizers: [{ type: fixed, size: 1 }] } }
data: { source: generated, symbols: [SPY], bars: 10, interval: 1m, seed: 1 }`;
    expect(() => loadConfig(yaml)).toThrow(/namespace/);
  });

  it('7. strict mode: an event whose portfolio does not own its namespace is an IsolationViolation', () => {
    const bus = new EventBus({ strict: true });
    bus.register('a', 'pa');
    expect(() => bus.publish(event('a', 'intruder'))).toThrow(IsolationViolation);
    expect(() => bus.publish(event('unregistered', 'pa'))).toThrow(/not registered/);
  });

  it('8. strict mode catches a handler that leaks into another namespace', () => {
    const bus = new EventBus({ strict: true });
    bus.register('a', 'pa');
    bus.register('b', 'pb');
    bus.subscribe('a', () => bus.publish(event('b', 'pb', 9))); // the leak
    expect(() => bus.publish(event('a', 'pa'))).toThrow('a handler of namespace "a" published into namespace "b"');
  });

  it('9. tracers see every namespace, and cannot change what they see', () => {
    const bus = new EventBus();
    bus.register('a', 'pa');
    bus.register('b', 'pb');
    const tracer = new EventTracer('full');
    tracer.attach(bus);
    let mutated = false;
    bus.trace((e) => {
      try {
        (e.payload as { quantity: number }).quantity = 99;
        mutated = true;
      } catch {
        /* frozen: the attempt throws in strict-mode code */
      }
    });
    const b = event('b', 'pb', 3);
    bus.publish(event('a', 'pa', 1));
    bus.publish(b);
    expect(tracer.events().map((e) => e.id)).toEqual(['a#1', 'b#3']);
    expect(mutated).toBe(false);
    expect(b.payload.quantity).toBe(1);
  });

  it('10. unsubscribing stops delivery', () => {
    const bus = new EventBus();
    bus.register('a', 'pa');
    const seen: string[] = [];
    const off = bus.subscribe('a', (e) => seen.push(e.id));
    bus.publish(event('a', 'pa', 1));
    off();
    bus.publish(event('a', 'pa', 2));
    expect(seen).toEqual(['a#1']);
  });

  it('11. events never cross namespaces under random interleavings (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.nat(1_000)), { minLength: 1, maxLength: 200 }),
      (sequence) => {
        const bus = new EventBus();
        const seen = new Map<string, FolioEvent[]>();
        for (let i = 0; i < 5; i++) {
          bus.register(`ns${i}`, `p${i}`);
          seen.set(`ns${i}`, []);
          bus.subscribe(`ns${i}`, (e) => seen.get(`ns${i}`)!.push(e));
        }
        sequence.forEach(([i, seq], k) => bus.publish(event(`ns${i}`, `p${i}`, seq * 1_000 + k)));
        for (const [ns, events] of seen) {
          expect(events.every((e) => e.namespace === ns && e.portfolioId === `p${ns.slice(2)}`)).toBe(true);
          expect(events.length).toBe(sequence.filter(([i]) => `ns${i}` === ns).length);
        }
      },
    ), { numRuns: 300 });
  });
});

describe('isolation by result', () => {
  const ten = Array.from({ length: 10 }, (_, i) => system(i));

  it('12. ten systems side by side equal each system run alone (bit-identical)', async () => {
    const together = await runBacktest(configOf(ten), { bars, executor: 'inline' });
    for (const spec of ten) expectSamePortfolio(ok(together, spec.portfolioId), await alone(spec));
  });

  it('13. same strategy, different capital: each equals its own run alone, and the two differ', async () => {
    const small = system(1, { portfolioId: 'small', namespace: 'small', initialCapital: 10_000 });
    const large = system(1, { portfolioId: 'large', namespace: 'large', initialCapital: 1_000_000 });
    const r = await runBacktest(configOf([small, large]), { bars, executor: 'inline' });
    expectSamePortfolio(ok(r, 'small'), await alone(small));
    expectSamePortfolio(ok(r, 'large'), await alone(large));
    expect(ok(r, 'large').fills.toArray().map((f) => f.quantity)).not.toEqual(ok(r, 'small').fills.toArray().map((f) => f.quantity));
  });

  it('14. one failing system is reported and the others are unaffected', async () => {
    const broken = system(2, { portfolioId: 'broken', namespace: 'broken', symbols: ['NOPE'] });
    const r = await runBacktest(configOf([ten[0], broken, ten[1]]), { bars, executor: 'inline' });
    expect(r.portfolios.broken).toMatchObject({ status: 'failed', error: 'unknown symbol "NOPE"; the data has SPY, QQQ' });
    expectSamePortfolio(ok(r, 'p0'), await alone(ten[0]));
    expectSamePortfolio(ok(r, 'p1'), await alone(ten[1]));
  });

  it('15. the order of systems in the config changes nothing', async () => {
    const a = await runBacktest(configOf(ten), { bars, executor: 'inline' });
    const b = await runBacktest(configOf([...ten].reverse()), { bars, executor: 'inline' });
    for (const spec of ten) expectSamePortfolio(ok(a, spec.portfolioId), ok(b, spec.portfolioId));
  });

  it('16. a very active neighbour changes nothing', async () => {
    const noisy = system(9, { portfolioId: 'noisy', namespace: 'noisy', strategy: { type: 'momentum', lookbackPeriod: 1, momentumThreshold: 0, allowShort: true }, initialCapital: 1e9, sizers: [{ type: 'fixed', size: 100_000 }], execution: { ...DEFAULT_EXECUTION, allowMargin: true } });
    const r = await runBacktest(configOf([noisy, ten[4]]), { bars, executor: 'inline' });
    expect(ok(r, 'noisy').fills.length).toBeGreaterThan(1_000);
    expectSamePortfolio(ok(r, 'p4'), await alone(ten[4]));
  });

  it('17. inline and workers give identical results', async () => {
    const inline = await runBacktest(configOf(ten), { bars, executor: 'inline' });
    const pooled = await runBacktest(configOf(ten), { bars, executor: pools[1] });
    expect(pooled.executor).toBe('workers');
    for (const spec of ten) expectSamePortfolio(ok(inline, spec.portfolioId), ok(pooled, spec.portfolioId));
  });

  it('18. 1, 2 and 4 workers give identical results', async () => {
    const [one, two, four] = await Promise.all(pools.map((pool) => runBacktest(configOf(ten), { bars, executor: pool })));
    for (const spec of ten) {
      expectSamePortfolio(ok(one, spec.portfolioId), ok(two, spec.portfolioId));
      expectSamePortfolio(ok(one, spec.portfolioId), ok(four, spec.portfolioId));
    }
  });

  it('19. a failing system inside a worker is reported while its worker-mates finish', async () => {
    const broken = system(3, { portfolioId: 'broken', namespace: 'broken', symbols: ['NOPE'] });
    const r = await runBacktest(configOf([broken, ten[0], ten[1]]), { bars, executor: pools[0] });
    expect(r.portfolios.broken.status).toBe('failed');
    expectSamePortfolio(ok(r, 'p0'), await alone(ten[0]));
  });

  it('20. every decoded event carries its own system ids; the validator agrees', async () => {
    const r = await runBacktest(configOf(ten), { bars, executor: pools[1] });
    let events = 0;
    for (const spec of ten) {
      for (const e of ok(r, spec.portfolioId).events) {
        expect(e.portfolioId).toBe(spec.portfolioId);
        expect(e.namespace).toBe(spec.namespace);
        events++;
      }
    }
    expect(events).toBeGreaterThan(100);
    const report = await new IsolationValidator().validate(r, { module: await kernelModule(), bars, systems: ten }, { tracing: 'full' });
    expect(report.violations).toEqual([]);
    expect(report.comparedAlone).toEqual(ten.map((s) => s.portfolioId));
  });

  it('21. the validator reports a tampered event and a namespace used twice', async () => {
    const r = await runBacktest(configOf(ten.slice(0, 2)), { bars, executor: 'inline' });
    const p0 = ok(r, 'p0');
    p0.events = [{ ...p0.events[0], portfolioId: 'p1' }, ...p0.events.slice(1)];
    (r.portfolios.p1 as PortfolioOk).namespace = 'ns0';
    const violations = new IsolationValidator().checkEvents(r);
    expect(violations).toContain(`p0: event ${p0.events[0].id} claims portfolio "p1" in namespace "ns0"`);
    expect(violations).toContain('namespace "ns0" is used by "p0" and "p1"');
  });

  it('22. the validator reports results that differ from the run alone', async () => {
    const r = await runBacktest(configOf(ten.slice(0, 2)), { bars, executor: 'inline' });
    ok(r, 'p1').equity[100] += 0.01;
    const report = await new IsolationValidator().validate(r, { module: await kernelModule(), bars, systems: ten.slice(0, 2) });
    expect(report.ok).toBe(false);
    expect(report.violations).toEqual(['p1: equity differs from its run alone']);
  });

  it('23. abort stops every worker promptly and returns no result', async () => {
    const pool = createWorkerPool({ size: 2 });
    const controller = new AbortController();
    const big = alignBars(generateBars({ symbols: ['SPY'], bars: 400_000, interval: '1m', seed: 2 }));
    let progressAfterAbort = 0;
    const started = performance.now();
    const run = runBacktest(configOf(ten.map((s) => ({ ...s, symbols: ['SPY'] })), 'off'), {
      bars: big, executor: pool, sliceSteps: 10_000, signal: controller.signal,
      onProgress: () => {
        if (controller.signal.aborted) progressAfterAbort++;
        else controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(progressAfterAbort).toBe(0);
    await pool.dispose();
  });

  it('24. keep.equity "daily" keeps the last bar of each day and the final equity of the full run', async () => {
    const full = await runBacktest(configOf([ten[0]]), { bars, executor: 'inline' });
    const daily = await runBacktest(configOf([ten[0]]), { bars, executor: pools[1], keep: { equity: 'daily', fills: false } });
    const f = ok(full, 'p0');
    const d = ok(daily, 'p0');
    expect(d.sampledAt!.length).toBeLessThan(40); // 6 000 one-minute bars ≈ 16 sessions
    expect(Array.from(d.equity)).toEqual(Array.from(d.sampledAt!, (i) => f.equity[i]));
    expect(d.finalEquity).toBe(f.equity[f.equity.length - 1]);
    expect(d.fills.length).toBe(0);
    expect(d.fillCount).toBe(f.fills.length);
  });

  it('25. systems that run one after another through the same scratch storage each equal their run alone', async () => {
    // Sampled equity makes the inline executor write every system's per-step outputs and fills into one
    // set of reused arrays; a value left over from the previous system would show up here. The active
    // neighbour first leaves more fills and larger values behind than the systems after it write.
    const noisy = system(9, { portfolioId: 'noisy', namespace: 'noisy', strategy: { type: 'momentum', lookbackPeriod: 1, momentumThreshold: 0, allowShort: true }, initialCapital: 1e9, sizers: [{ type: 'fixed', size: 100_000 }], execution: { ...DEFAULT_EXECUTION, allowMargin: true } });
    const specs = [noisy, ...ten.slice(0, 4)];
    const shared = await runBacktest(configOf(specs), { bars, executor: 'inline', keep: { equity: 'daily' } });
    for (const spec of specs) {
      const full = await alone(spec);
      const s = ok(shared, spec.portfolioId);
      expect(Array.from(s.equity)).toEqual(Array.from(s.sampledAt!, (i) => full.equity[i]));
      expect(Array.from(s.cash)).toEqual(Array.from(s.sampledAt!, (i) => full.cash[i]));
      expect(s.fills.toArray()).toEqual(full.fills.toArray());
      expect(s.metrics).toEqual(full.metrics);
      expect(s.positions).toEqual(full.positions);
    }
  });

  it('26. a worker that dies after running systems, before returning their fills: they run again on the workers left', async () => {
    // Fills stay in their worker until its queue is done (one message per worker, see the worker's load()).
    // The first worker spawned dies when asked for them; the other reruns its systems.
    const pool = sabotagedPool(2);
    try {
      const r = await runBacktest(configOf(ten), { bars, executor: pool.pool });
      expect(pool.deaths()).toBe(1);
      const inline = await runBacktest(configOf(ten), { bars, executor: 'inline' });
      for (const spec of ten) expectSamePortfolio(ok(r, spec.portfolioId), ok(inline, spec.portfolioId));
      // The pool replaces the dead worker for the next run.
      const again = await runBacktest(configOf(ten.slice(0, 3)), { bars, executor: pool.pool });
      for (const spec of ten.slice(0, 3)) expectSamePortfolio(ok(again, spec.portfolioId), ok(inline, spec.portfolioId));
    } finally {
      await pool.pool.dispose();
    }
  });

  it('27. with no worker left to run them again, those systems are reported failed, not returned without fills', async () => {
    // Both workers die when asked for their fills.
    const pool = sabotagedPool(2, { all: true });
    try {
      const r = await runBacktest(configOf(ten.slice(0, 4)), { bars, executor: pool.pool });
      for (const spec of ten.slice(0, 4)) {
        expect(r.portfolios[spec.portfolioId]).toMatchObject({ status: 'failed', error: 'its worker stopped before returning its fills' });
      }
      expect(pool.deaths()).toBe(2);
      // Without fills to hold, nothing is lost with the worker.
      const bare = await runBacktest(configOf(ten.slice(0, 4)), { bars, executor: pool.pool, keep: { fills: false } });
      for (const spec of ten.slice(0, 4)) expect(ok(bare, spec.portfolioId).fillCount).toBeGreaterThan(0);
    } finally {
      await pool.pool.dispose();
    }
  });

  it('28. a single worker holds nothing back: its results come as each system ends', async () => {
    // One worker leaves this thread a core of its own, so the pool does not ask it for held fills.
    const pool = sabotagedPool(1);
    try {
      const r = await runBacktest(configOf(ten.slice(0, 4)), { bars, executor: pool.pool });
      expect(pool.deaths()).toBe(0);
      for (const spec of ten.slice(0, 4)) expectSamePortfolio(ok(r, spec.portfolioId), await alone(spec));
    } finally {
      await pool.pool.dispose();
    }
  });
});

/** A Node worker pool whose first worker (or every worker) dies when asked for the fills it holds. */
function sabotagedPool(size: number, { all = false } = {}) {
  let spawned = 0;
  let deaths = 0;
  const spawn: Spawn = async () => {
    const worker = await spawnNodeWorker();
    if (spawned++ > 0 && !all) return worker;
    const api = new Proxy(worker.api, {
      get(target, key) {
        if (key !== 'collectFills') return Reflect.get(target, key);
        return () => {
          deaths++;
          worker.terminate();
          return new Promise(() => {}); // never answered: the pool learns of the death from `died`
        };
      },
    });
    return { ...worker, api };
  };
  return { pool: new WorkerPool(spawn, { size }), deaths: () => deaths };
}

