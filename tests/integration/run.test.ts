// runBacktest end to end: the seed config's portfolios equal the reference model's, a failing
// portfolio does not stop the others, abort returns nothing (the CLI is in cli.test.ts).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { alignBars } from '../../src/data/align.js';
import { generateBars } from '../../src/data/generate.js';
import { fillsOf } from '../../src/engine/records.js';
import { runBacktest, type PortfolioOk } from '../../src/workflow/run.js';
import { createWorkerPool } from '../../workers/index.js';
import { runReference } from '../reference/model.js';

const seedYaml = await readFile(new URL('../fixtures/seed-config.yaml', import.meta.url), 'utf8');
const bars = generateBars({ symbols: ['SPY'], bars: 20_000, interval: '1m', seed: 99 });

describe('runBacktest', () => {
  it('runs the seed config and matches the reference model portfolio by portfolio', async () => {
    const config = loadConfig(seedYaml);
    const result = await runBacktest(config, { bars, tracing: 'full' });
    const aligned = alignBars(bars);
    expect(Object.keys(result.portfolios)).toEqual(['momentum_portfolio', 'mean_reversion_portfolio']);
    for (const spec of config.tradingSystems) {
      const p = result.portfolios[spec.portfolioId];
      if (p.status !== 'ok') throw new Error(p.error);
      const ref = runReference(spec, aligned);
      expect(p.fills.length).toBeGreaterThan(50);
      expect(p.records).toEqual(ref.records);
      expect(p.fills.table.toArray()).toEqual(fillsOf(ref.records));
      expect(Array.from(p.equity)).toEqual(Array.from(ref.equity));
    }
  });

  it('reports a failing portfolio and still runs the others', async () => {
    const config = loadConfig(seedYaml);
    config.tradingSystems[0] = { ...config.tradingSystems[0], symbols: ['QQQ'] };
    const result = await runBacktest(config, { bars });
    expect(result.portfolios.momentum_portfolio).toEqual({
      status: 'failed', portfolioId: 'momentum_portfolio', namespace: 'momentum', error: 'unknown symbol "QQQ"; the data has SPY',
    });
    expect(result.portfolios.mean_reversion_portfolio.status).toBe('ok');
  });

  it('reports progress and stops on abort without a result', async () => {
    const config = loadConfig(seedYaml);
    const seen: number[] = [];
    await runBacktest(config, { bars, sliceSteps: 5_000, onProgress: (p) => seen.push(p.stepsDone) });
    expect(seen).toEqual([5_000, 10_000, 15_000, 20_000, 5_000, 10_000, 15_000, 20_000]);
    const controller = new AbortController();
    const run = runBacktest(config, { bars, sliceSteps: 5_000, signal: controller.signal, onProgress: (p) => { if (p.stepsDone === 10_000) controller.abort(); } });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('generates its own bars for a generated data source', async () => {
    const config = loadConfig(seedYaml.replace(/data:\n(  .*\n)+/, 'data:\n  source: generated\n  symbols: [SPY]\n  bars: 3000\n  interval: 1m\n  seed: 5\n'));
    const result = await runBacktest(config);
    expect(result.timestamps.length).toBe(3_000);
    expect(result.portfolios.momentum_portfolio.status).toBe('ok');
  });
});

describe('metrics and trades in the result', () => {
  it('are computed on every bar, even when the run keeps only daily equity in workers', async () => {
    const config = loadConfig(seedYaml);
    const full = await runBacktest(config, { bars, executor: 'inline' });
    const pool = createWorkerPool({ size: 2 });
    try {
      const daily = await runBacktest(config, { bars, executor: pool, keep: { equity: 'daily', fills: false } });
      for (const spec of config.tradingSystems) {
        const f = full.portfolios[spec.portfolioId] as PortfolioOk;
        const d = daily.portfolios[spec.portfolioId] as PortfolioOk;
        // The daily run in workers kept 1 value a day but computed its metrics on every bar: the same as inline.
        expect(d.metrics).toEqual(f.metrics);
        expect(d.equity.length).toBeLessThan(f.equity.length / 50);
        // The metrics against values computed here from the kept series and fills.
        const fills = f.fills.toArray();
        const last = f.equity[f.equity.length - 1];
        let peak = -Infinity;
        let worst = 0;
        for (const e of f.equity) {
          peak = Math.max(peak, e);
          worst = Math.max(worst, (peak - e) / peak);
        }
        expect(f.metrics).toMatchObject({ bars: 20_000, initialCapital: spec.initialCapital, finalEquity: last });
        expect(f.metrics.totalReturn).toBeCloseTo(last / spec.initialCapital - 1, 12);
        expect(f.metrics.maxDrawdown).toBeCloseTo(worst, 12);
        expect(f.metrics.fees).toBeCloseTo(fills.reduce((a, x) => a + x.commission, 0), 6);
        expect(f.metrics.tradedValue).toBeCloseTo(fills.reduce((a, x) => a + Math.abs(x.quantity * x.price), 0), 4);
        // Round trips counted here: a fill that takes a position to flat or through it closes one.
        let position = 0;
        let closed = 0;
        const entries: number[] = [];
        for (const x of fills) {
          const after = position + x.quantity;
          if (position !== 0 && (after === 0 || Math.sign(after) !== Math.sign(position))) closed++;
          if (after !== 0 && (position === 0 || Math.sign(after) !== Math.sign(position))) entries.push(x.barIndex);
          position = after;
        }
        expect(closed).toBeGreaterThan(10);
        expect(f.metrics.trades).toBe(closed);
        expect(f.metrics.openTrades).toBe(position === 0 ? 0 : 1);
        expect(f.trades.map((t) => t.entryStep)).toEqual(entries);
        expect(f.trades.filter((t) => !t.open)).toHaveLength(closed);
        expect(d.trades).toEqual([]);
        // The fills iterate as named objects, built here from columns that crossed no boundary (f) or a
        // worker's (checked in tests/unit/fills.test.ts); they agree with the columns they come from.
        const first = f.fills.table.at(0);
        expect([...f.fills][0]).toEqual({
          barIndex: first.step, timestamp: full.timestamps[first.step], symbol: f.symbols[first.symbol], quantity: first.quantity, price: first.price,
          commission: first.commission, realized: first.realized,
        });
        expect([...f.fills].length).toBe(f.fills.length);
      }
    } finally {
      await pool.dispose();
    }
  });
});
