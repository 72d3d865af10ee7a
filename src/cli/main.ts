// The foliolab command line (Node only): `foliolab run <config> [--data f.csv ...] [--out dir] [--json]`.
// Reads files, shows progress on stderr, prints a summary on stdout and writes results under --out.
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/index.js';
import type { RunConfig } from '../config/schema.js';
import type { Bars } from '../data/bars.js';
import { CsvError, parseCsvStream } from '../data/csv.js';
import { analysisToJSON, analyze, toJSONSafe, type Analysis } from '../analytics/analyze.js';
import { runBacktest, type PortfolioOk, type RunResult } from '../workflow/run.js';

export const EXIT = { ok: 0, portfolioFailed: 1, badInput: 2, internal: 3 } as const;

const USAGE = `usage: foliolab run <config.yaml> [--data file.csv ...] [--out dir] [--json] [--tracing off|trades|full]

  --data     CSV file(s) for the config's symbols (default: the config's data.file_path / data.files)
  --out      write summary.json and per-portfolio equity.csv / fills.csv under this folder
  --json     print the summary as JSON instead of a table
`;

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

const defaultIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
};

/** Reads the config's CSV data (or the --data files) into one Bars value. */
async function readBars(config: RunConfig, dataFiles: string[]): Promise<Bars> {
  if (config.data.source !== 'csv') throw new Error('unreachable');
  const files = dataFiles.length ? dataFiles
    : config.data.filePath ? [config.data.filePath] : Object.values(config.data.files ?? {});
  const bars: Bars = { symbols: [], series: {} };
  const bySymbolFile = config.data.files && !dataFiles.length ? config.data.files : undefined;
  for (const [i, file] of files.entries()) {
    // One file per symbol names its symbol in the config; a single file may hold a symbol column.
    const symbol = bySymbolFile ? Object.keys(bySymbolFile)[i] : config.data.symbols.length === 1 ? config.data.symbols[0] : undefined;
    const stream = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
    const parsed = await parseCsvStream(stream, { symbol, fileName: basename(file) });
    for (const s of parsed.symbols) {
      if (bars.series[s]) throw new Error(`${basename(file)}: symbol ${s} appears in more than one file`);
      bars.symbols.push(s);
      bars.series[s] = parsed.series[s];
    }
  }
  return bars;
}

function summaryRow(p: PortfolioOk) {
  const m = p.metrics;
  return {
    portfolio: p.portfolioId, finalEquity: p.finalEquity, totalReturn: m.totalReturn, cagr: m.cagr, sharpe: m.sharpe,
    maxDrawdown: m.maxDrawdown, trades: m.trades, winRate: m.winRate, fills: p.fillCount, fees: m.fees, metrics: toJSONSafe(m),
  };
}

function summaryOf(result: RunResult, analysis: Analysis) {
  return {
    name: result.name,
    bars: result.timestamps.length,
    symbols: result.symbols,
    portfolios: Object.values(result.portfolios).map((p) => (p.status === 'ok' ? { status: 'ok' as const, ...summaryRow(p) } : p)),
    rebalances: result.rebalances.filter((d) => d.transfers.length).length,
    analytics: analysisToJSON(analysis),
    warnings: result.warnings,
  };
}

/** The correlation matrix (daily returns) and the attribution of the combined return, as text. */
function crossText(a: Analysis): string {
  const ids = a.correlation.ids;
  if (ids.length < 2) return '';
  const cell = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
  const rows = ids.map((id, i) => ({ '': id, ...Object.fromEntries(ids.map((other, j) => [other, cell(a.correlation.matrix[i][j])])) }));
  const attribution = ids.map((id) => ({
    portfolio: id, 'P&L': a.attribution.pnl[id].toFixed(2), 'net flows': a.attribution.netFlows[id].toFixed(2),
    contribution: `${(a.attribution.contributions[id] * 100).toFixed(3)}%`,
  }));
  attribution.push({ portfolio: 'combined', 'P&L': '', 'net flows': '', contribution: `${(a.attribution.combinedReturn * 100).toFixed(3)}%` });
  const overlap = a.correlation.observations[0]?.[1] ?? 0;
  return `\ncorrelation of daily returns (${a.correlation.method}, ${overlap} common days):\n${table(rows)}` +
    `\nattribution of the combined return:\n${table(attribution)}`;
}

function table(rows: Array<Record<string, string>>): string {
  if (!rows.length) return '';
  const keys = Object.keys(rows[0]);
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  return [line(keys), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => r[k])))].join('\n') + '\n';
}

async function writeOutputs(dir: string, result: RunResult, summary: ReturnType<typeof summaryOf>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  for (const p of Object.values(result.portfolios)) {
    if (p.status !== 'ok') continue;
    // Portfolio ids are untrusted: no separators, and never "." or ".." (the folder stays inside --out).
    const name = p.portfolioId.replace(/[^A-Za-z0-9_.-]/g, '_');
    const folder = join(dir, /^\.+$/.test(name) ? `_${name}` : name);
    await mkdir(folder, { recursive: true });
    const eq = ['timestamp,equity,cash,gross'];
    for (let i = 0; i < p.equity.length; i++) eq.push(`${new Date(result.timestamps[i]).toISOString()},${p.equity[i]},${p.cash[i]},${p.gross[i]}`);
    await writeFile(join(folder, 'equity.csv'), eq.join('\n') + '\n');
    const fills = ['timestamp,symbol,quantity,price,commission,realized'];
    for (const f of p.fills) {
      fills.push(`${new Date(f.timestamp).toISOString()},${f.symbol},${f.quantity},${f.price},${f.commission},${f.realized}`);
    }
    await writeFile(join(folder, 'fills.csv'), fills.join('\n') + '\n');
    const iso = (t: number | undefined) => (t === undefined || !Number.isFinite(t) ? '' : new Date(t).toISOString());
    const trades = ['symbol,direction,entry_time,exit_time,quantity,entry_price,exit_price,gross_pnl,fees,net_pnl,bars,open'];
    for (const t of p.trades) {
      trades.push([t.symbol, t.direction, iso(t.entryTime), iso(t.exitTime), t.quantity, t.entryPrice, t.exitPrice, t.grossPnl, t.fees, t.netPnl, t.bars, t.open].join(','));
    }
    await writeFile(join(folder, 'trades.csv'), trades.join('\n') + '\n');
  }
}

/** Runs the CLI with the given arguments; returns the exit code (it never calls process.exit). */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv, allowPositionals: true,
      options: { data: { type: 'string', multiple: true }, out: { type: 'string' }, json: { type: 'boolean' }, tracing: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    io.stderr(`foliolab: ${(e as Error).message}\n${USAGE}`);
    return EXIT.badInput;
  }
  const [command, configPath] = args.positionals;
  if (args.values.help || command !== 'run' || !configPath) {
    io.stderr(USAGE);
    return args.values.help ? EXIT.ok : EXIT.badInput;
  }
  const tracing = args.values.tracing;
  if (tracing !== undefined && !['off', 'trades', 'full'].includes(tracing)) {
    io.stderr(`foliolab: --tracing must be off, trades or full, got "${tracing}"\n`);
    return EXIT.badInput;
  }
  try {
    const config = loadConfig(await readFile(configPath, 'utf8'), { fileName: basename(configPath) });
    for (const w of config.warnings) io.stderr(`warning: ${w}\n`);
    const bars = config.data.source === 'csv' ? await readBars(config, args.values.data ?? []) : undefined;
    const systems = config.tradingSystems.length;
    let last = 0;
    const result = await runBacktest(config, {
      bars, tracing: tracing as 'off' | 'trades' | 'full' | undefined,
      onProgress: ({ portfolioId, stepsDone, steps }) => {
        const now = Date.now();
        if (!io.isTTY || (now - last < 100 && stepsDone < steps)) return;
        last = now;
        const width = 30;
        const filled = Math.round((stepsDone / steps) * width);
        io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${portfolioId} (${systems} systems) ${Math.round((100 * stepsDone) / steps)}%\x1b[K`);
      },
    });
    if (io.isTTY) io.stderr('\r\x1b[K');
    const analysis = analyze(result);
    const summary = summaryOf(result, analysis);
    if (args.values.json) io.stdout(JSON.stringify(summary, null, 2) + '\n');
    else {
      io.stdout(`${summary.name}: ${summary.bars} bars of ${summary.symbols.join(', ')}\n`);
      const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '—');
      const num = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
      io.stdout(table(summary.portfolios.map((p) => p.status === 'ok'
        ? { portfolio: p.portfolio, 'final equity': p.finalEquity.toFixed(2), return: pct(p.totalReturn), CAGR: pct(p.cagr), Sharpe: num(p.sharpe),
            'max drawdown': pct(p.maxDrawdown), trades: String(p.trades), 'win rate': pct(p.winRate), fills: String(p.fills), fees: p.fees.toFixed(2) }
        : { portfolio: p.portfolioId, 'final equity': 'FAILED', return: '', CAGR: '', Sharpe: '', 'max drawdown': '', trades: '', 'win rate': '', fills: '', fees: p.error })));
      if (config.reporting.correlationAnalysis) io.stdout(crossText(analysis));
    }
    if (args.values.out) {
      await writeOutputs(args.values.out, result, summary);
      io.stderr(`results written to ${args.values.out}/\n`);
    }
    return Object.values(result.portfolios).some((p) => p.status === 'failed') ? EXIT.portfolioFailed : EXIT.ok;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof CsvError) {
      io.stderr(`${e.message}\n`);
      return EXIT.badInput;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      io.stderr(`foliolab: ${(e as Error).message}\n`);
      return EXIT.badInput;
    }
    io.stderr(`foliolab: ${(e as Error).stack ?? e}\n`);
    return EXIT.internal;
  }
}
