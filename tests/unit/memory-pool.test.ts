// KernelMemoryPool: a finished portfolio's linear memory, cleared, for the next instance of the same
// thread. What must hold: the next portfolio's results are bit-identical to a run on fresh memory (so
// nothing of the last portfolio leaks into it), a released kernel can no longer be used, and a memory
// never serves two live instances.
import { describe, expect, it } from 'vitest';
import { alignBars } from '../../src/data/align.js';
import { generateBars } from '../../src/data/generate.js';
import { EngineError, PortfolioKernel, stepOutputs } from '../../src/engine/portfolio.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../../src/engine/spec.js';
import { KernelMemoryPool } from '../../src/engine/wasm.js';
import { LocalSession } from '../../src/workflow/executor.js';
import { runTradingSystem, type SystemOutcome } from '../../src/workflow/system.js';
import { kernelModule } from '../helpers/kernel.js';

const bars = alignBars(generateBars({ symbols: ['SPY', 'QQQ', 'IWM'], bars: 5_000, interval: '1m', seed: 5 }));

const spec = (i: number, over: Partial<PortfolioSpec> = {}): PortfolioSpec => ({
  portfolioId: `p${i}`, namespace: `p${i}`, initialCapital: 100_000 + 7_000 * i,
  strategy: i % 2 === 0
    ? { type: 'momentum', lookbackPeriod: 5 + i, momentumThreshold: 0.0002, allowShort: true }
    : { type: 'mean_reversion', lookbackPeriod: 10 + i, entryThreshold: 1, exitThreshold: 0, allowShort: true },
  sizers: [{ type: 'percentage', size: 0.1 }],
  limits: i % 3 === 0 ? [{ type: 'max_gross_exposure', value: 1 }, { type: 'max_drawdown', value: 0.2 }] : [],
  execution: { ...DEFAULT_EXECUTION, slippageBps: i, commission: { perShare: 0.005, percent: 0, minimum: 1 } },
  ...over,
});

/** One portfolio on the kernel: equity, fills and final positions. */
async function runOn(memories: KernelMemoryPool | undefined, s: PortfolioSpec, symbols: string[]) {
  const module = await kernelModule();
  const engine = await PortfolioKernel.create(module, s, symbols, { tracing: 'full', memories, chunkSize: 700 });
  const out = stepOutputs(bars.timestamps.length);
  engine.runSteps(bars, symbols.map((name) => bars.symbols.indexOf(name)), 0, bars.timestamps.length, out);
  engine.finish();
  const result = { equity: out.equity, fills: engine.fills.toArray(), records: engine.records, positions: engine.positions(), memory: engine.memory };
  engine.release();
  return result;
}

describe('KernelMemoryPool', () => {
  it('a portfolio on a reused memory gives what it gives on a fresh one, whatever ran there before', async () => {
    const pool = new KernelMemoryPool();
    // The first portfolio trades three symbols with tracing and limits: it writes all over its memory.
    const first = await runOn(pool, spec(0), ['SPY', 'QQQ', 'IWM']);
    expect(first.fills.length).toBeGreaterThan(50);
    expect(pool.size).toBe(1);
    for (const [i, symbols] of [[1, ['QQQ']], [2, ['IWM', 'SPY']], [3, ['SPY', 'QQQ', 'IWM']]] as const) {
      const reused = await runOn(pool, spec(i), [...symbols]);
      const fresh = await runOn(undefined, spec(i), [...symbols]);
      expect(reused.memory).toBe(first.memory); // it really ran on the first portfolio's memory
      expect(fresh.memory).not.toBe(first.memory);
      expect(Buffer.from(reused.equity.buffer).equals(Buffer.from(fresh.equity.buffer))).toBe(true);
      expect(reused.fills).toEqual(fresh.fills);
      expect(reused.records).toEqual(fresh.records);
      expect(reused.positions).toEqual(fresh.positions);
    }
  });

  it('clears a memory when it comes back', async () => {
    const pool = new KernelMemoryPool();
    const { memory } = await runOn(pool, spec(0), ['SPY', 'QQQ']);
    expect(new Uint8Array(memory.buffer).every((b) => b === 0)).toBe(true);
  });

  it('a released kernel refuses every later call', async () => {
    const module = await kernelModule();
    const pool = new KernelMemoryPool();
    const engine = await PortfolioKernel.create(module, spec(1), ['SPY'], { memories: pool });
    engine.runSteps(bars, [0], 0, 100, stepOutputs(bars.timestamps.length));
    engine.release();
    engine.release(); // twice is harmless and gives the memory back once
    expect(pool.size).toBe(1);
    expect(() => engine.runSteps(bars, [0], 100, 200, stepOutputs(bars.timestamps.length))).toThrow(EngineError);
    expect(() => engine.positions()).toThrow(/released/);
    expect(() => engine.cash).toThrow(/released/);
    expect(() => engine.finish()).toThrow(/released/);
  });

  it('never gives one memory to two live instances', async () => {
    const module = await kernelModule();
    const pool = new KernelMemoryPool(2);
    const a = await PortfolioKernel.create(module, spec(0), ['SPY'], { memories: pool });
    const b = await PortfolioKernel.create(module, spec(1), ['SPY'], { memories: pool });
    expect(a.memory).not.toBe(b.memory); // nothing was given back yet: both are fresh
    const memoryOfA = a.memory;
    a.release();
    const c = await PortfolioKernel.create(module, spec(2), ['SPY'], { memories: pool });
    expect(c.memory).toBe(memoryOfA);
    expect(c.memory).not.toBe(b.memory);
    const memoryOfB = b.memory;
    b.release();
    pool.give(memoryOfB); // a memory given back twice is kept once
    expect(pool.size).toBe(1);
    expect(pool.take()).toBe(memoryOfB);
    expect(pool.size).toBe(0);
  });

  it('systems run one after another (runEach) equal each system run alone on a fresh memory', async () => {
    const module = await kernelModule();
    const specs = Array.from({ length: 6 }, (_, i) => spec(i, { symbols: i % 2 ? ['QQQ'] : ['SPY', 'IWM'] }));
    let taken = 0;
    const pool = new KernelMemoryPool();
    const take = pool.take.bind(pool);
    pool.take = () => { taken++; return take(); };
    const together = await LocalSession.runEach(module, bars, specs, { tracing: 'full', keep: { equity: 'daily' }, memories: pool });
    expect(taken).toBe(specs.length);
    expect(pool.size).toBe(1);
    for (const [i, s] of specs.entries()) {
      const alone = await runTradingSystem(module, s, bars, { tracing: 'full', keep: { equity: 'daily' } });
      const got = together[i] as SystemOutcome;
      expect(got.status).toBe('ok');
      expect(Array.from(got.equity)).toEqual(Array.from(alone.equity));
      expect(got.fills).toEqual(alone.fills);
      expect(Array.from(got.recordData)).toEqual(Array.from(alone.recordData));
      expect(got.metrics).toEqual(alone.metrics);
    }
  });
});
