// The CLI end to end, in process: every exit code, the files it writes read back and compared with the
// reference model (fills, trades, equity) or with runBacktest (metrics, rebalances), and its flags.
import { mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toJSONSafe } from '../../src/analytics/analyze.js';
import { EXIT, main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/index.js';
import { alignBars } from '../../src/data/align.js';
import { toCsv } from '../../src/data/csv.js';
import { generateBars } from '../../src/data/generate.js';
import { fillsOf, type Fill } from '../../src/engine/records.js';
import { runBacktest, type PortfolioOk } from '../../src/workflow/run.js';
import { runReference } from '../reference/model.js';

const seedYaml = await readFile(new URL('../fixtures/seed-config.yaml', import.meta.url), 'utf8');
const bars = generateBars({ symbols: ['SPY'], bars: 20_000, interval: '1m', seed: 99 });
const aligned = alignBars(bars);
const seed = loadConfig(seedYaml);
const reference = Object.fromEntries(seed.tradingSystems.map((s) => [s.portfolioId, runReference(s, aligned)]));

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t), isTTY: false } };
}

/** A temp folder holding the seed config and SPY.csv (no symbol column, as most downloads are). */
async function workspace(): Promise<{ dir: string; config: string; csv: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'foliolab-cli-'));
  const csv = join(dir, 'SPY.csv');
  await writeFile(csv, toCsv(bars, { symbolColumn: false }));
  const config = join(dir, 'config.yaml');
  await writeFile(config, seedYaml);
  return { dir, config, csv };
}

const csvRows = async (path: string) => (await readFile(path, 'utf8')).trimEnd().split('\n').map((l) => l.split(','));
const ms = (iso: string) => Date.parse(iso);

/** Wall-clock New York date of an instant, by Intl (not by the library's calendar code). */
const nyDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * Round trips of one symbol from fills, worked out here from the position alone: a trade opens when
 * the position leaves 0 and closes when it returns to 0 or changes sign (a flip opens the next one).
 */
function roundTrips(fills: Fill[], timestamps: Float64Array) {
  const trips: Array<{ direction: string; entry: number; exit: number | undefined }> = [];
  let position = 0;
  for (const f of fills) {
    const after = position + f.quantity;
    const t = timestamps[f.step]!;
    if (position !== 0 && Math.sign(after) !== Math.sign(position)) trips.at(-1)!.exit = t;
    if (after !== 0 && Math.sign(after) !== Math.sign(position)) trips.push({ direction: after > 0 ? 'long' : 'short', entry: t, exit: undefined });
    position = after;
  }
  return trips;
}

describe('foliolab run', () => {
  it('writes fills, trades and daily equity that match the reference model', async () => {
    const { dir, config, csv } = await workspace();
    const { out, io } = capture();
    const code = await main(['run', config, '--data', `SPY=${csv}`, '--out', join(dir, 'out')], io);
    expect(out.stderr).toBe(`results written to ${join(dir, 'out')}/\n`);
    expect(code).toBe(EXIT.ok);
    expect(out.stdout).toMatch(/^Dual Strategy Test: 20000 bars of SPY\n/);
    expect(out.stdout).toMatch(/correlation of daily returns \(pearson, \d+ common days\)/);
    // The seed config's reporting block asks for the combined dashboard and one page per portfolio.
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['dashboard.html', 'mean_reversion_portfolio', 'mean_reversion_portfolio.html',
      'momentum_portfolio', 'momentum_portfolio.html', 'summary.json']);
    const dashboard = await readFile(join(dir, 'out', 'dashboard.html'), 'utf8');
    expect(dashboard).toMatch(/^<!doctype html>/i);
    expect(dashboard).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']?https?:/i); // self-contained
    expect(dashboard.length).toBeLessThan(3 * 2 ** 20);
    for (const spec of seed.tradingSystems) {
      const folder = join(dir, 'out', spec.portfolioId);
      const ref = reference[spec.portfolioId]!;
      const refFills = fillsOf(ref.records);
      expect(refFills.length).toBeGreaterThan(50);
      const [fillHeader, ...fills] = await csvRows(join(folder, 'fills.csv'));
      expect(fillHeader).toEqual(['bar_index', 'timestamp', 'symbol', 'quantity', 'price', 'commission', 'realized']);
      expect(fills.map(([step, t, symbol, q, price, fee, realized]) => ({ step: Number(step), t: ms(t!), symbol, q: Number(q), price: Number(price), fee: Number(fee), realized: Number(realized) })))
        .toEqual(refFills.map((f) => ({ step: f.step, t: aligned.timestamps[f.step], symbol: 'SPY', q: f.quantity, price: f.price, fee: f.commission, realized: f.realized })));

      const [tradeHeader, ...trades] = await csvRows(join(folder, 'trades.csv'));
      expect(tradeHeader.slice(0, 4)).toEqual(['symbol', 'direction', 'entry_time', 'exit_time']);
      const trips = roundTrips(refFills, aligned.timestamps);
      expect(trips.length).toBeGreaterThan(10);
      expect(trades.map((r) => ({ direction: r[1], entry: ms(r[2]!), exit: r[3] === '' ? undefined : ms(r[3]!) }))).toEqual(trips);

      // Daily equity: one row per New York day, the equity at that day's last bar.
      const [eqHeader, ...days] = await csvRows(join(folder, 'equity.csv'));
      expect(eqHeader).toEqual(['timestamp', 'equity', 'cash', 'gross']);
      const lastOfDay = new Map<string, number>();
      aligned.timestamps.forEach((t, i) => lastOfDay.set(nyDate.format(t), i));
      expect(lastOfDay.size).toBeGreaterThan(40);
      expect(days.map((r) => [ms(r[0]!), Number(r[1])])).toEqual([...lastOfDay.values()].map((i) => [aligned.timestamps[i], ref.equity[i]]));
    }
    // The summary's metrics are runBacktest's, as JSON.
    const summary = JSON.parse(await readFile(join(dir, 'out', 'summary.json'), 'utf8'));
    const run = await runBacktest(seed, { bars, executor: 'inline' });
    for (const p of summary.portfolios) expect(p.metrics).toEqual(toJSONSafe((run.portfolios[p.portfolioId] as PortfolioOk).metrics));
    expect(summary.data.files).toEqual([{ file: csv, symbols: ['SPY'], bars: 20_000, skipped: 0 }]);
  });

  it('--equity bar writes every bar as CSV or as little-endian float64 rows', async () => {
    const { dir, config, csv } = await workspace();
    expect(await main(['run', config, '--data', csv, '--out', join(dir, 'csv'), '--equity', 'bar'], capture().io)).toBe(EXIT.ok);
    const ref = reference.momentum_portfolio!;
    const [, ...rows] = await csvRows(join(dir, 'csv', 'momentum_portfolio', 'equity.csv'));
    expect(rows.length).toBe(20_000);
    expect(rows.map((r) => Number(r[1]))).toEqual(Array.from(ref.equity));
    expect(rows.map((r) => Number(r[2]))).toEqual(Array.from(ref.cash));
    expect(await main(['run', config, '--data', csv, '--out', join(dir, 'bin'), '--equity', 'bar', '--equity-format', 'f64'], capture().io)).toBe(EXIT.ok);
    const bytes = await readFile(join(dir, 'bin', 'momentum_portfolio', 'equity.f64'));
    expect(bytes.byteLength).toBe(20_000 * 32);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const i of [0, 1, 777, 19_999]) {
      expect(view.getFloat64(i * 32, true)).toBe(aligned.timestamps[i]);
      expect(view.getFloat64(i * 32 + 8, true)).toBe(ref.equity[i]);
      expect(view.getFloat64(i * 32 + 16, true)).toBe(ref.cash[i]);
      expect(view.getFloat64(i * 32 + 24, true)).toBe(ref.gross[i]);
    }
    const none = capture();
    expect(await main(['run', config, '--data', csv, '--equity', 'bar'], none.io)).toBe(EXIT.badInput);
    expect(none.out.stderr).toMatch(/^foliolab: --equity writes files: give --out DIR\n/);
  });

  it('--json prints the summary; --tracing writes each portfolio\'s events as JSON lines', async () => {
    const { dir, config, csv } = await workspace();
    const { out, io } = capture();
    expect(await main(['run', config, '--data', csv, '--json', '--tracing', 'full', '--out', join(dir, 'out')], io)).toBe(EXIT.ok);
    const printed = JSON.parse(out.stdout);
    expect(printed).toEqual(JSON.parse(await readFile(join(dir, 'out', 'summary.json'), 'utf8')));
    expect(printed.portfolios.map((p: { portfolioId: string; status: string }) => [p.portfolioId, p.status])).toEqual([['momentum_portfolio', 'ok'], ['mean_reversion_portfolio', 'ok']]);
    for (const spec of seed.tradingSystems) {
      const lines = (await readFile(join(dir, 'out', spec.portfolioId, 'events.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
      const refFills = fillsOf(reference[spec.portfolioId]!.records);
      const fillEvents = lines.filter((e) => e.type === 'fill');
      expect(fillEvents.map((e) => e.barIndex)).toEqual(refFills.map((f) => f.step));
      expect(new Set(lines.map((e) => e.namespace))).toEqual(new Set([spec.namespace]));
      expect(new Set(lines.map((e) => e.type))).toEqual(new Set(['signal', 'order', 'fill', ...(lines.some((e) => e.type === 'risk') ? ['risk'] : [])]));
    }
  });

  it('reads data.files relative to the config\'s folder, from any working directory', async () => {
    const { dir } = await workspace();
    await mkdir(join(dir, 'configs'));
    await writeFile(join(dir, 'configs', 'c.yaml'), seedYaml.replace('file_path: "data/SPY_1m.csv"\n  symbols: ["SPY"]', 'files: { SPY: "../SPY.csv" }'));
    const { out, io } = capture();
    expect(await main(['run', join(dir, 'configs', 'c.yaml'), '--json'], io)).toBe(EXIT.ok);
    const summary = JSON.parse(out.stdout);
    expect(summary.portfolios[0].finalEquity).toBe(reference.momentum_portfolio!.equity.at(-1));
    expect(summary.data.files[0].file).toBe(join(dir, 'SPY.csv'));
  });

  it('refuses a file given for the wrong symbol (exit 2), never relabelling it', async () => {
    const { dir, config, csv } = await workspace();
    const notInConfig = capture();
    expect(await main(['run', config, '--data', `QQQ=${csv}`], notInConfig.io)).toBe(EXIT.badInput);
    expect(notInConfig.out.stderr).toBe(`--data "QQQ=${csv}": symbol "QQQ" is not in data.symbols (SPY)\n`);
    // Two symbols; the QQQ file's symbol column says SPY.
    const two = join(dir, 'two.yaml');
    await writeFile(two, seedYaml.replace('file_path: "data/SPY_1m.csv"\n  symbols: ["SPY"]', 'files: { SPY: SPY.csv, QQQ: labelled.csv }'));
    await writeFile(join(dir, 'labelled.csv'), toCsv(bars)); // symbol column: SPY
    const swapped = capture();
    expect(await main(['run', two], swapped.io)).toBe(EXIT.badInput);
    expect(swapped.out.stderr).toBe('data.files.QQQ (labelled.csv): labelled.csv: given for QQQ, but its symbol column holds "SPY"\n');
    const cli = capture();
    expect(await main(['run', two, '--data', `SPY=${csv}`, '--data', `QQQ=${join(dir, 'labelled.csv')}`], cli.io)).toBe(EXIT.badInput);
    expect(cli.out.stderr).toMatch(/^--data QQQ=.*labelled\.csv: labelled\.csv: given for QQQ, but its symbol column holds "SPY"\n$/);
    const twice = capture();
    expect(await main(['run', two, '--data', `SPY=${csv}`, '--data', `SPY=${csv}`], twice.io)).toBe(EXIT.badInput);
    expect(twice.out.stderr).toBe(`--data SPY=${csv}: symbol SPY is given more than once\n`);
    // A symbol holding "=" (Yahoo's EURUSD=X) is matched whole, not cut at its "=".
    const fx = join(dir, 'fx.yaml');
    await writeFile(fx, seedYaml.replace('file_path: "data/SPY_1m.csv"\n  symbols: ["SPY"]', 'symbols: ["EURUSD=X"]'));
    const fxRun = capture();
    expect(await main(['validate', fx, '--data', `EURUSD=X=${csv}`], fxRun.io)).toBe(EXIT.ok);
    expect(fxRun.out.stdout).toBe('fx.yaml: ok, 2 portfolios, 1 symbol (EURUSD=X), 20000 bars\n');
    // A symbol of data.symbols with no file.
    const missing = capture();
    expect(await main(['run', two, '--data', `SPY=${csv}`], missing.io)).toBe(EXIT.badInput);
    expect(missing.out.stderr).toBe(`no data for "QQQ" of data.symbols: --data SPY=${csv} gave only "SPY"\n`);
  });

  it('--skip-bad-rows drops bad rows and lists them; without it the first bad row stops the run', async () => {
    const { dir, config } = await workspace();
    const lines = toCsv(bars, { symbolColumn: false }).split('\n');
    lines[10] = lines[10]!.replace(/,[^,]*,([^,]*)$/, ',abc,$1'); // line 11: close is "abc"
    lines[500] = lines[499]!; // line 501 repeats line 500's timestamp
    await writeFile(join(dir, 'bad.csv'), lines.join('\n'));
    const strict = capture();
    expect(await main(['run', config, '--data', join(dir, 'bad.csv')], strict.io)).toBe(EXIT.badInput);
    expect(strict.out.stderr).toBe('bad.csv line 11: close is "abc", expected a number\n');
    const skip = capture();
    expect(await main(['run', config, '--data', join(dir, 'bad.csv'), '--skip-bad-rows', '--json'], skip.io)).toBe(EXIT.ok);
    expect(skip.out.stderr).toMatch(/^warning: bad\.csv: skipped 2 bad rows:\n  line 11: close is "abc", expected a number\n  line 501: .*timestamp/);
    const summary = JSON.parse(skip.out.stdout);
    expect(summary.data.skipped[0].rows.map((r: { line: number }) => r.line)).toEqual([11, 501]);
    expect(summary.data.files[0].bars).toBe(19_998);
    expect(summary.bars).toBe(19_998);
    expect(summary.warnings).toHaveLength(1);
  });

  it('writes the rebalance decisions and reports config warnings', async () => {
    const { dir, csv } = await workspace();
    const config = join(dir, 'rebalanced.yaml');
    const text = `${seedYaml.replace(/reporting:[\s\S]*$/, '')}
  - portfolio_id: "idle"
    initial_capital: 10000
    strategy: { type: buy_and_hold }
    risk: { position_sizers: [{ type: fixed, size: 1 }] }
rebalance:
  target_weights: { momentum_portfolio: 0.5, mean_reversion_portfolio: 0.5 }
  schedule: daily
`;
    await writeFile(config, text);
    const { out, io } = capture();
    expect(await main(['run', config, '--data', csv, '--out', join(dir, 'out')], io)).toBe(EXIT.ok);
    expect(out.stderr).toMatch(/^warning: rebalanced\.yaml:\d+ rebalance\.target_weights: no weight for portfolio "idle", so its target weight is 0\n/);
    const run = await runBacktest(loadConfig(text), { bars, executor: 'inline' });
    expect(run.rebalances.filter((d) => d.transfers.length).length).toBeGreaterThan(10);
    const [header, ...rows] = await csvRows(join(dir, 'out', 'rebalances.csv'));
    expect(header).toEqual(['step', 'timestamp', 'portfolio', 'weight_before', 'target', 'moved', 'partial', 'skipped']);
    const expected = run.rebalances.flatMap((d) => Object.keys(d.weightsBefore).map((id) => [
      d.step, d.timestamp, id, d.weightsBefore[id], d.targets[id], d.moves.find((m) => m.portfolioId === id)?.amount ?? 0, String(d.partial), d.skipped ?? '',
    ]));
    expect(rows.map((r) => [Number(r[0]), ms(r[1]!), r[2], Number(r[3]), Number(r[4]), Number(r[5]), r[6], r[7]])).toEqual(expected);
    const summary = JSON.parse(await readFile(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.rebalances.scheduled).toBe(run.rebalances.length);
    expect(summary.rebalances.moved).toBe(run.rebalances.filter((d) => d.transfers.length).length);
  });

  it('keeps summary.json small on a large run (curves decimated, no per-bar arrays)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'foliolab-cli-'));
    const config = join(dir, 'big.yaml');
    await writeFile(config, seedYaml.replace('source: "csv"\n  file_path: "data/SPY_1m.csv"', 'source: generated\n  bars: 400000\n  interval: 1m\n  seed: 3'));
    expect(await main(['run', config, '--out', join(dir, 'out'), '--equity', 'none'], capture().io)).toBe(EXIT.ok);
    const size = (await stat(join(dir, 'out', 'summary.json'))).size;
    // 400 000 bars × 2 portfolios: one per-bar series alone would be > 3 MB of JSON.
    expect(size).toBeLessThan(1_500_000);
    const summary = JSON.parse(await readFile(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.bars).toBe(400_000);
    for (const p of summary.portfolios) {
      expect(p.curves.equity.values.length).toBeLessThanOrEqual(1000);
      expect(p.curves.equity.values.length).toBeGreaterThan(900);
      // min/max decimation keeps the trough: the drawdown curve reaches −maxDrawdown.
      expect(Math.min(...p.curves.drawdown.values)).toBeCloseTo(-p.metrics.maxDrawdown, 12);
    }
    expect(summary.analytics.attribution.series.combined.values.length).toBeLessThanOrEqual(1000);
    expect((await readdir(join(dir, 'out', 'momentum_portfolio'))).sort()).toEqual(['fills.csv', 'trades.csv']);
  });
});

describe('foliolab exit codes and commands', () => {
  it('exits 1 when a portfolio fails, still running and writing the others', async () => {
    const { dir, csv } = await workspace();
    const config = join(dir, 'one-fails.yaml');
    await writeFile(config, seedYaml.replace(/type: "mean_reversion"\n\s+parameters:\n\s+lookback_period: 15\n\s+entry_threshold: 1.0/, 'type: signals\n      parameters: { column: target }'));
    const { out, io } = capture();
    expect(await main(['run', config, '--data', csv, '--out', join(dir, 'out')], io)).toBe(EXIT.portfolioFailed);
    expect(out.stderr).toContain('error: portfolio mean_reversion_portfolio failed: portfolio "mean_reversion_portfolio": the data has no "target" column for its signals strategy\n');
    expect(out.stdout).toMatch(/mean_reversion_portfolio\s+FAILED/);
    const [, ...fills] = await csvRows(join(dir, 'out', 'momentum_portfolio', 'fills.csv'));
    expect(fills.length).toBe(fillsOf(reference.momentum_portfolio!.records).length);
    expect(await readdir(join(dir, 'out'))).not.toContain('mean_reversion_portfolio');
  });

  it('exits 2 on bad input, naming the file, line, path and value', async () => {
    const { dir, csv } = await workspace();
    const config = join(dir, 'bad.yaml');
    await writeFile(config, seedYaml.replace('size: 0.02', 'size: "abc"'));
    const bad = capture();
    expect(await main(['run', config, '--data', csv], bad.io)).toBe(EXIT.badInput);
    // Line 43 of the seed holds the mean-reversion portfolio's `size: 0.02`.
    expect(bad.out.stderr).toBe('bad.yaml:43 trading_systems[1].risk.position_sizers[0].size: expected a number > 0 and ≤ 10, got "abc"\n');
    const missing = capture();
    expect(await main(['run', join(dir, 'nope.yaml')], missing.io)).toBe(EXIT.badInput);
    expect(missing.out.stderr).toMatch(/^foliolab: ENOENT.*nope\.yaml/);
    const noData = capture();
    expect(await main(['run', join(dir, 'config.yaml')], noData.io)).toBe(EXIT.badInput); // data/SPY_1m.csv is not there
    expect(noData.out.stderr).toMatch(/ENOENT.*data\/SPY_1m\.csv/);
    for (const argv of [['walk'], [], ['run'], ['run', config, 'extra'], ['run', config, '--equity', 'hourly'], ['run', config, '--points', '2'], ['run', config, '--bogus'],
      ['run', config, '--out', dir, '--equity-format', 'f64'], ['run', join(dir, 'config.yaml'), '--data', csv, '--data', `SPY=${csv}`]]) {
      const usage = capture();
      expect(await main(argv, usage.io), argv.join(' ')).toBe(EXIT.badInput);
      expect(usage.out.stderr).toMatch(/^foliolab: .+\n\(foliolab --help for usage\)\n$/);
    }
  });

  it('exits 3 on a bug, with its trace', async () => {
    const { dir, config, csv } = await workspace();
    const { out, io } = capture();
    const renderReport = () => {
      throw new TypeError('report renderer broke');
    };
    expect(await main(['run', config, '--data', csv, '--out', join(dir, 'out')], io, { reports: renderReport })).toBe(EXIT.internal);
    expect(out.stderr).toMatch(/^foliolab: internal error \(a bug; please report it with this trace\):\nTypeError: report renderer broke\n\s+at /);
  });

  it('validate checks the config and the data without running', async () => {
    const { dir, config, csv } = await workspace();
    const ok = capture();
    expect(await main(['validate', config, '--data', csv], ok.io)).toBe(EXIT.ok);
    expect(ok.out.stdout).toBe('config.yaml: ok, 2 portfolios, 1 symbol (SPY), 20000 bars\n');
    const lines = toCsv(bars, { symbolColumn: false }).split('\n').slice(0, 30);
    lines[20] = lines[20]!.replace(/^([^,]*),([^,]*),([^,]*),/, '$1,$2,-1,'); // high = -1
    await writeFile(join(dir, 'short.csv'), lines.join('\n'));
    const bad = capture();
    expect(await main(['validate', config, '--data', join(dir, 'short.csv')], bad.io)).toBe(EXIT.badInput);
    expect(bad.out.stderr).toMatch(/^short\.csv line 21: high is "-1"/);
    const generated = join(dir, 'gen.yaml');
    await writeFile(generated, seedYaml.replace('source: "csv"\n  file_path: "data/SPY_1m.csv"', 'source: generated\n  bars: 5000'));
    const gen = capture();
    expect(await main(['validate', generated], gen.io)).toBe(EXIT.ok);
    expect(gen.out.stdout).toBe('gen.yaml: ok, 2 portfolios, 1 symbol (SPY), 5000 bars to generate\n');
    const withData = capture();
    expect(await main(['validate', generated, '--data', csv], withData.io)).toBe(EXIT.badInput);
    expect(withData.out.stderr).toMatch(/--data: the config's data.source is "generated"/);
  });

  it('--help goes to stdout, --version prints the package version', async () => {
    const help = capture();
    expect(await main(['--help'], help.io)).toBe(EXIT.ok);
    expect(help.out.stdout).toMatch(/^usage: foliolab run <config.yaml> \[options\]/);
    expect(help.out.stdout).toMatch(/exit codes: 0 ok · 1 a portfolio failed/);
    expect(help.out.stderr).toBe('');
    const version = capture();
    expect(await main(['--version'], version.io)).toBe(EXIT.ok);
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(version.out.stdout).toBe(`foliolab ${pkg.version}\n`);
  });
});
