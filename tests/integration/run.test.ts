// runBacktest and the CLI end to end: the seed config's portfolios equal the reference model's, a
// failing portfolio does not stop the others, abort returns nothing, and the CLI's exit codes/files.
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, EXIT } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/index.js';
import { alignBars } from '../../src/data/align.js';
import { toCsv } from '../../src/data/csv.js';
import { generateBars } from '../../src/data/generate.js';
import { fillsOf } from '../../src/engine/records.js';
import { runBacktest, type PortfolioOk } from '../../src/workflow/run.js';
import { createWorkerPool } from '../../workers/index.js';
import { runReference } from '../reference/model.js';

const seedYaml = await readFile(new URL('../fixtures/seed-config.yaml', import.meta.url), 'utf8');
const bars = generateBars({ symbols: ['SPY'], bars: 20_000, interval: '1m', seed: 99 });

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t), isTTY: false } };
}

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
      expect(p.fills.toArray()).toEqual(fillsOf(ref.records));
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
          if (after !== 0 && (position === 0 || Math.sign(after) !== Math.sign(position))) entries.push(x.step);
          position = after;
        }
        expect(closed).toBeGreaterThan(10);
        expect(f.metrics.trades).toBe(closed);
        expect(f.metrics.openTrades).toBe(position === 0 ? 0 : 1);
        expect(f.trades.map((t) => t.entryStep)).toEqual(entries);
        expect(f.trades.filter((t) => !t.open)).toHaveLength(closed);
        expect(d.trades).toEqual([]);
        const first = f.fills.toArray()[0];
        expect(f.fills.named(f.symbols, full.timestamps)[0]).toEqual({
          barIndex: first.step, timestamp: full.timestamps[first.step], symbol: 'SPY', quantity: first.quantity, price: first.price,
          commission: first.commission, realized: first.realized,
        });
      }
    } finally {
      await pool.dispose();
    }
  });
});

describe('CLI', () => {
  it('runs a config on a CSV, prints the summary and writes the results', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'foliolab-cli-'));
    const csv = join(dir, 'SPY_1m.csv');
    await writeFile(csv, toCsv(bars));
    const config = join(dir, 'config.yaml');
    await writeFile(config, seedYaml);
    const { out, io } = capture();
    const code = await main(['run', config, '--data', csv, '--out', join(dir, 'out')], io);
    expect(out.stderr).toContain('results written to');
    expect(code).toBe(EXIT.ok);
    expect(out.stdout).toMatch(/Dual Strategy Test: 20000 bars of SPY/);
    expect(out.stdout).toMatch(/momentum_portfolio\s+\d+\.\d\d\s+-?\d+\.\d\d%/);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['mean_reversion_portfolio', 'momentum_portfolio', 'summary.json']);
    expect((await readdir(join(dir, 'out', 'momentum_portfolio'))).sort()).toEqual(['equity.csv', 'fills.csv', 'trades.csv']);
    const equity = (await readFile(join(dir, 'out', 'momentum_portfolio', 'equity.csv'), 'utf8')).trim().split('\n');
    expect(equity).toHaveLength(20_001);
    expect(equity[0]).toBe('timestamp,equity,cash,gross');
    const summary = JSON.parse(await readFile(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.portfolios.map((p: { portfolio: string }) => p.portfolio)).toEqual(['momentum_portfolio', 'mean_reversion_portfolio']);
    expect(out.stdout).toMatch(/correlation of daily returns \(pearson, \d+ common days\)/);
    expect(out.stdout).toMatch(/attribution of the combined return:[\s\S]*combined\s+-?\d+\.\d{3}%/);
    // Typed arrays are written as arrays, not as {"0": …} objects.
    const rolling = summary.portfolios[0].metrics.rollingSharpe;
    expect(Array.isArray(rolling.values)).toBe(true);
    expect(rolling.values.length).toBe(rolling.timestamps.length);
    const a = summary.analytics;
    expect(a.correlation.ids).toEqual(['momentum_portfolio', 'mean_reversion_portfolio']);
    expect(a.correlation.matrix[0][0]).toBe(1);
    expect(a.attribution.contributions.momentum_portfolio + a.attribution.contributions.mean_reversion_portfolio).toBeCloseTo(a.attribution.combinedReturn, 12);
    expect(Object.keys(a)).toEqual(expect.arrayContaining(['correlation', 'attribution', 'riskContribution', 'frontier', 'drawdowns', 'metrics']));
  });

  it('exits 2 with the path and value for a bad config, and for a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'foliolab-cli-'));
    const config = join(dir, 'bad.yaml');
    await writeFile(config, seedYaml.replace('size: 0.02', 'size: "abc"'));
    const { out, io } = capture();
    expect(await main(['run', config], io)).toBe(EXIT.badInput);
    // Line 43 of the seed holds the mean-reversion portfolio's `size: 0.02`.
    expect(out.stderr).toBe('bad.yaml:43 trading_systems[1].risk.position_sizers[0].size: expected a number > 0 and ≤ 10, got "abc"\n');
    const missing = capture();
    expect(await main(['run', join(dir, 'nope.yaml')], missing.io)).toBe(EXIT.badInput);
    expect(missing.out.stderr).toMatch(/ENOENT.*nope\.yaml/);
    const usage = capture();
    expect(await main(['walk'], usage.io)).toBe(EXIT.badInput);
    expect(usage.out.stderr).toMatch(/^usage: foliolab run/);
  });

  it('exits 2 naming the line of a bad CSV row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'foliolab-cli-'));
    const lines = toCsv(generateBars({ symbols: ['SPY'], bars: 50, interval: '1m', seed: 1 })).split('\n');
    const cols = lines[0].split(',');
    const closeAt = cols.findIndex((c) => c.toLowerCase() === 'close');
    const row = lines[10].split(',');
    row[closeAt] = 'abc';
    lines[10] = row.join(',');
    await writeFile(join(dir, 'SPY.csv'), lines.join('\n'));
    await writeFile(join(dir, 'c.yaml'), seedYaml);
    const { out, io } = capture();
    expect(await main(['run', join(dir, 'c.yaml'), '--data', join(dir, 'SPY.csv')], io)).toBe(EXIT.badInput);
    expect(out.stderr).toContain('SPY.csv line 11: close is "abc", expected a number');
  });
});
