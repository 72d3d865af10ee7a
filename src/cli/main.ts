// The foliolab command line (Node only): `foliolab run` and `foliolab validate`. Reads the config and
// CSV files, runs, prints a summary and writes result files sized for people (see --help).
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { analyze, type Analysis } from '../analytics/analyze.js';
import { zoneOffset } from '../analytics/returns.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { SYMBOL_PATTERN, type CsvDataSpec, type RunConfig } from '../config/schema.js';
import type { Bars } from '../data/bars.js';
import { CsvError, formatNumber, parseCsvStream, type ParsedCsv, type SkippedRow } from '../data/csv.js';
import { addSeries, checkConfigSymbols, InputError, seriesOfFile, shown } from '../edge/inputs.js';
import { DEFAULT_CURVE_POINTS, summarizeRun, type RunSummary } from '../edge/summary.js';
import type { TracingLevel } from '../engine/spec.js';
import { reportFiles } from '../report/index.js';
import { barsForConfig, runBacktest, type PortfolioOk, type RunResult } from '../workflow/run.js';

/** Exit codes: documented in --help and README. */
export const EXIT = { ok: 0, portfolioFailed: 1, badInput: 2, internal: 3 } as const;

export const USAGE = `usage: foliolab run <config.yaml> [options]
       foliolab validate <config.yaml> [--data ...] [--skip-bad-rows]
       foliolab --version | --help

Runs every trading system of a config (YAML or JSON). Relative paths in the config are read from the
config file's folder; paths given on the command line from the current folder.

options:
  --data SYM=file.csv   CSV bars for one symbol (repeat per symbol); replaces the config's data files.
                        A file with a symbol column must hold that symbol only.
  --data file.csv       one CSV holding every symbol (a symbol column), or the config's only symbol
  --skip-bad-rows       drop bad CSV rows (each is listed with its line) instead of stopping at the first
  --out DIR             write the results under DIR (below)
  --json                print the summary as JSON on stdout instead of a table
  --points N            points per curve in summary.json, min/max kept per bucket (default ${DEFAULT_CURVE_POINTS})
  --equity daily|bar|none
                        each portfolio's equity file: one row per day (default), per bar, or none
  --equity-format csv|f64
                        per-bar equity as CSV (default) or equity.f64: little-endian float64 rows of
                        timestamp_ms, equity, cash, gross
  --tracing trades|full record events and write each portfolio's events.jsonl (JSON lines)
  -v, --version         print the version
  -h, --help            print this help

files under --out:
  summary.json          metrics, analytics tables and decimated curves per portfolio (no per-bar arrays)
  rebalances.csv        each scheduled rebalance: weights before, targets, cash moved (configs with rebalance)
  <portfolio>/fills.csv, trades.csv, equity.csv (or equity.f64), events.jsonl (with --tracing)

exit codes: 0 ok · 1 a portfolio failed (the others still ran and were written) · 2 bad input
(the message names the file, line or config path, and the value) · 3 a bug in foliolab
`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

/**
 * Extensions the caller wires in. `renderReport` turns a run into a self-contained HTML page; when
 * given, `run --out` writes it to report.html if the config's reporting.combined_dashboard is true.
 */
export interface CliHooks {
  /** Writes the HTML reports the config's `reporting` block asks for (default: reportFiles of src/report). */
  reports?: (result: RunResult, config: RunConfig, analysis: Analysis | undefined, bars: Bars | undefined) => Array<{ file: string; html: string }>;
}

const defaultIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
};

/** A usage mistake on the command line (exit 2). */
class UsageError extends Error {}

interface DataArg {
  symbol?: string;
  path: string;
  /** How the file is named in messages: the argument or the config key. */
  label: string;
}

/** Where each symbol's CSV comes from: --data arguments, else the config's data block. */
function dataArgs(data: CsvDataSpec, args: string[], configDir: string): DataArg[] {
  const symbols = data.symbols;
  if (args.length) {
    const out: DataArg[] = args.map((arg) => {
      // The longest config symbol that prefixes the argument wins, so a symbol holding "=" (EURUSD=X) works.
      const symbol = symbols.filter((s) => arg.startsWith(`${s}=`)).sort((a, b) => b.length - a.length)[0];
      if (symbol !== undefined) return { symbol, path: resolve(arg.slice(symbol.length + 1)), label: `--data ${arg}` };
      const eq = arg.indexOf('=');
      if (eq > 0 && SYMBOL_PATTERN.test(arg.slice(0, eq))) {
        throw new InputError(`--data ${shown(arg)}: symbol ${shown(arg.slice(0, eq))} is not in data.symbols (${symbols.join(', ')})`);
      }
      return { path: resolve(arg), label: `--data ${arg}` };
    });
    if (out.some((d) => d.symbol === undefined) && out.length > 1) {
      throw new UsageError('--data: give either one file holding every symbol, or SYM=file.csv for each symbol');
    }
    return out;
  }
  const fromConfig = (p: string) => (isAbsolute(p) ? p : join(configDir, p));
  if (data.files) return Object.entries(data.files).map(([symbol, p]) => ({ symbol, path: fromConfig(p), label: `data.files.${symbol} (${p})` }));
  if (data.filePath) return [{ path: fromConfig(data.filePath), label: `data.file_path (${data.filePath})` }];
  throw new UsageError('the config names no data file: give --data SYM=file.csv for each symbol of data.symbols');
}

interface LoadedData {
  bars: Bars;
  files: Array<{ file: string; symbols: string[]; bars: number; skipped: number }>;
  skipped: Array<{ file: string; rows: SkippedRow[] }>;
}

/** Reads each CSV (streamed), checking that a file given for a symbol holds that symbol. */
async function readData(config: RunConfig, args: DataArg[], mode: 'strict' | 'skip'): Promise<LoadedData> {
  const loaded: LoadedData = { bars: { symbols: [], series: {} }, files: [], skipped: [] };
  for (const arg of args) {
    const onlySymbol = arg.symbol ?? (config.data.symbols.length === 1 ? config.data.symbols[0] : undefined);
    const stream = Readable.toWeb(createReadStream(arg.path)) as ReadableStream<Uint8Array>;
    const parsed: ParsedCsv = await parseCsvStream(stream, { symbol: onlySymbol, fileName: basename(arg.path), mode, timeZone: config.data.timeZone });
    if (arg.symbol !== undefined) addSeries(loaded.bars, seriesOfFile(parsed, arg.symbol, `${arg.label}: ${basename(arg.path)}`), arg.label);
    else for (const s of parsed.symbols) addSeries(loaded.bars, parsed.series[s]!, arg.label);
    const count = parsed.symbols.reduce((n, s) => n + parsed.series[s]!.timestamp.length, 0);
    loaded.files.push({ file: arg.path, symbols: parsed.symbols, bars: count, skipped: parsed.skipped.length });
    if (parsed.skipped.length) loaded.skipped.push({ file: basename(arg.path), rows: parsed.skipped });
  }
  checkConfigSymbols(loaded.bars, config.data.symbols, args.length === 1 ? `${args[0]!.label}` : 'the data files');
  return loaded;
}

/** "skipped 3 bad rows:" and the first `listed` of them, one per line. */
function skippedText(file: string, rows: SkippedRow[], listed = 10): string {
  const head = rows.slice(0, listed).map((r) => `  line ${r.line}: ${r.message}`).join('\n');
  return `${file}: skipped ${rows.length} bad row${rows.length === 1 ? '' : 's'}:\n${head}${rows.length > listed ? `\n  … and ${rows.length - listed} more (all in the summary: --json, or summary.json under --out)` : ''}`;
}

function table(rows: Array<Record<string, string>>): string {
  if (!rows.length) return '';
  const keys = Object.keys(rows[0]!);
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => r[k]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ');
  return [line(keys), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => r[k]!)))].join('\n') + '\n';
}

const pct = (x: number | null) => (x !== null && Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '—');
const num = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toFixed(2) : '—');

function summaryTable(summary: RunSummary): string {
  return table(summary.portfolios.map((p) => p.status === 'ok'
    ? { portfolio: p.portfolioId, 'final equity': p.finalEquity.toFixed(2), return: pct(p.metrics.totalReturn), CAGR: pct(p.metrics.cagr), Sharpe: num(p.metrics.sharpe),
        'max drawdown': pct(p.metrics.maxDrawdown), trades: String(p.metrics.trades), 'win rate': pct(p.metrics.winRate), fills: String(p.fillCount), fees: num(p.metrics.fees) }
    : { portfolio: p.portfolioId, 'final equity': 'FAILED', return: '', CAGR: '', Sharpe: '', 'max drawdown': '', trades: '', 'win rate': '', fills: '', fees: '' }));
}

/** The correlation matrix (daily returns) and the attribution of the combined return, as text. */
function crossText(a: Analysis): string {
  const ids = a.correlation.ids;
  if (ids.length < 2) return '';
  const cell = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
  const rows = ids.map((id, i) => ({ '': id, ...Object.fromEntries(ids.map((other, j) => [other, cell(a.correlation.matrix[i]![j]!)])) }));
  const attribution = ids.map((id) => ({
    portfolio: id, 'P&L': a.attribution.pnl[id]!.toFixed(2), 'net flows': a.attribution.netFlows[id]!.toFixed(2),
    contribution: `${(a.attribution.contributions[id]! * 100).toFixed(3)}%`,
  }));
  attribution.push({ portfolio: 'combined', 'P&L': '', 'net flows': '', contribution: `${(a.attribution.combinedReturn * 100).toFixed(3)}%` });
  const overlap = a.correlation.observations[0]?.[1] ?? 0;
  return `\ncorrelation of daily returns (${a.correlation.method}, ${overlap} common days):\n${table(rows)}` +
    `\nattribution of the combined return:\n${table(attribution)}`;
}

/** Portfolio ids are validated by the config, but a folder name is never "." or "..". */
function folderOf(dir: string, portfolioId: string): string {
  const name = portfolioId.replace(/[^A-Za-z0-9_.-]/g, '_');
  return join(dir, /^\.+$/.test(name) ? `_${name}` : name);
}

const iso = (t: number) => new Date(t).toISOString();
/** Shortest text that reads back as the same double (whole cents take a fast path); NaN as empty. */
const text = formatNumber;

/** Writes lines to a file through a stream, in blocks, so a million rows never sit in one string. */
async function writeLines(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  const done = new Promise<void>((ok, fail) => {
    out.on('finish', ok);
    out.on('error', fail);
  });
  let block = header + '\n';
  for (let i = 0; i < count; i++) {
    block += line(i) + '\n';
    if (block.length > 1 << 20) {
      if (!out.write(block)) await new Promise<void>((ok) => out.once('drain', () => ok()));
      block = '';
    }
  }
  out.end(block);
  await done;
}

/** The last step of each calendar day (in the metrics' zone) of a series. */
function dailySteps(timestamps: Float64Array, timeZone: string): number[] {
  const offset = zoneOffset(timeZone);
  const day = (t: number) => Math.floor((t + offset(t)) / 86_400_000);
  const out: number[] = [];
  for (let i = 0; i < timestamps.length; i++) if (i === timestamps.length - 1 || day(timestamps[i + 1]!) !== day(timestamps[i]!)) out.push(i);
  return out;
}

interface OutputOptions {
  equity: 'daily' | 'bar' | 'none';
  equityFormat: 'csv' | 'f64';
  tracing: boolean;
}

async function writePortfolio(dir: string, p: PortfolioOk, result: RunResult, options: OutputOptions): Promise<void> {
  const folder = folderOf(dir, p.portfolioId);
  await mkdir(folder, { recursive: true });
  const t = p.timestamps;
  if (options.equity === 'bar' && options.equityFormat === 'f64') {
    const rows = new DataView(new ArrayBuffer(p.equity.length * 32));
    for (let i = 0; i < p.equity.length; i++) {
      rows.setFloat64(i * 32, t[i]!, true);
      rows.setFloat64(i * 32 + 8, p.equity[i]!, true);
      rows.setFloat64(i * 32 + 16, p.cash[i]!, true);
      rows.setFloat64(i * 32 + 24, p.gross[i]!, true);
    }
    await writeFile(join(folder, 'equity.f64'), new Uint8Array(rows.buffer));
  } else if (options.equity !== 'none') {
    const steps = options.equity === 'bar' ? null : dailySteps(t, p.metrics.timeZone);
    await writeLines(join(folder, 'equity.csv'), 'timestamp,equity,cash,gross', steps ? steps.length : t.length, (k) => {
      const i = steps ? steps[k]! : k;
      return `${iso(t[i]!)},${text(p.equity[i]!)},${text(p.cash[i]!)},${text(p.gross[i]!)}`;
    });
  }
  // Straight from the fill columns: no object per fill.
  const [step, symbol, quantity, price, commission, realized] = (['step', 'symbol', 'quantity', 'price', 'commission', 'realized'] as const).map((f) => p.fills.column(f));
  await writeLines(join(folder, 'fills.csv'), 'bar_index,timestamp,symbol,quantity,price,commission,realized', p.fills.length, (i) =>
    `${step![i]},${iso(result.timestamps[step![i]!]!)},${p.symbols[symbol![i]!]},${text(quantity![i]!)},${text(price![i]!)},${text(commission![i]!)},${text(realized![i]!)}`);
  const trades = p.trades;
  const when = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : iso(x));
  await writeLines(join(folder, 'trades.csv'), 'symbol,direction,entry_time,exit_time,quantity,entry_price,exit_price,gross_pnl,fees,net_pnl,bars,open', trades.length, (i) => {
    const x = trades[i]!;
    return `${x.symbol},${x.direction},${when(x.entryTime)},${when(x.exitTime)},${text(x.quantity)},${text(x.entryPrice)},${text(x.exitPrice)},${text(x.grossPnl)},${text(x.fees)},${text(x.netPnl)},${x.bars},${x.open}`;
  });
  if (options.tracing) {
    const events = p.events;
    const out = createWriteStream(join(folder, 'events.jsonl'));
    const done = new Promise<void>((ok, fail) => {
      out.on('finish', ok);
      out.on('error', fail);
    });
    let block = '';
    for (const e of events) {
      block += JSON.stringify(e) + '\n';
      if (block.length > 1 << 20) {
        if (!out.write(block)) await new Promise<void>((ok) => out.once('drain', () => ok()));
        block = '';
      }
    }
    out.end(block);
    await done;
  }
}

/** One row per portfolio per scheduled rebalance: what it held, what it should hold, what moved. */
async function writeRebalances(dir: string, result: RunResult): Promise<void> {
  const rows: string[] = [];
  for (const d of result.rebalances) {
    for (const id of Object.keys(d.weightsBefore)) {
      const moved = d.moves.find((m) => m.portfolioId === id)?.amount ?? 0;
      rows.push([d.step, iso(d.timestamp), id, d.weightsBefore[id], d.targets[id] ?? '', moved, d.partial, d.skipped ?? ''].join(','));
    }
  }
  await writeLines(join(dir, 'rebalances.csv'), 'step,timestamp,portfolio,weight_before,target,moved,partial,skipped', rows.length, (i) => rows[i]!);
}

function version(): string {
  // The package.json above this file: ../../ from src/cli/, ../ from dist/.
  for (let url = new URL('./', import.meta.url); url.pathname !== '/'; url = new URL('../', url)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'foliolab' && pkg.version) return pkg.version;
    } catch {
      // not here; look one folder up
    }
  }
  return 'unknown';
}

const OPTIONS = {
  data: { type: 'string', multiple: true },
  'skip-bad-rows': { type: 'boolean' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  points: { type: 'string' },
  equity: { type: 'string' },
  'equity-format': { type: 'string' },
  tracing: { type: 'string' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')}, got ${shown(value)}`);
  return value as T;
}

/** Runs the CLI with the given arguments; returns the exit code (it never calls process.exit). */
/** The HTML pages of the config's `reporting` block (generated data is generated again for the prices). */
function defaultReports(result: RunResult, config: RunConfig, analysis: Analysis | undefined, bars: Bars | undefined) {
  const prices = bars ?? (config.data.source === 'generated' ? barsForConfig(config) : undefined);
  return reportFiles(result, { config, analysis, bars: prices });
}

export async function main(argv: string[], io: Io = defaultIo, hooks: CliHooks = {}): Promise<number> {
  try {
    let args;
    try {
      args = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const v = args.values;
    if (v.help) {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    if (v.version) {
      io.stdout(`foliolab ${version()}\n`);
      return EXIT.ok;
    }
    const [command, configPath, ...extra] = args.positionals;
    if (command !== 'run' && command !== 'validate') throw new UsageError(command === undefined ? 'no command given' : `unknown command ${shown(command)}`);
    if (!configPath) throw new UsageError(`${command}: no config file given`);
    if (extra.length) throw new UsageError(`${command}: unexpected argument ${shown(extra[0]!)}`);
    const points = v.points === undefined ? DEFAULT_CURVE_POINTS : Number(v.points);
    if (!Number.isInteger(points) || points < 4 || points > 1_000_000) throw new UsageError(`--points must be a whole number from 4 to 1000000, got ${shown(v.points ?? '')}`);
    const output: OutputOptions = {
      equity: oneOf('equity', v.equity, ['daily', 'bar', 'none'] as const, 'daily'),
      equityFormat: oneOf('equity-format', v['equity-format'], ['csv', 'f64'] as const, 'csv'),
      tracing: v.tracing !== undefined && v.tracing !== 'off',
    };
    const tracing = oneOf<TracingLevel>('tracing', v.tracing, ['off', 'trades', 'full'], 'off');
    if (output.equityFormat === 'f64' && output.equity !== 'bar') throw new UsageError('--equity-format f64 is for per-bar equity: add --equity bar');
    if (command === 'run' && !v.out && (v.equity !== undefined || output.tracing || v['equity-format'] !== undefined)) {
      throw new UsageError(`${v.equity !== undefined ? '--equity' : output.tracing ? '--tracing' : '--equity-format'} writes files: give --out DIR`);
    }

    const dataGiven = (v.data ?? []).length > 0;
    const config = loadConfig(await readFile(configPath, 'utf8'), { fileName: basename(configPath), dataFiles: dataGiven ? 'optional' : 'required' });
    if (config.data.source === 'generated' && dataGiven) throw new UsageError(`--data: the config's data.source is "generated"; it reads no files`);
    const data: Partial<LoadedData> | undefined = config.data.source === 'csv'
      ? await readData(config, dataArgs(config.data, v.data ?? [], dirname(resolve(configPath))), v['skip-bad-rows'] ? 'skip' : 'strict')
      : undefined;
    const warnings = [...config.warnings, ...(data?.skipped?.map((s) => skippedText(s.file, s.rows)) ?? [])];
    for (const w of warnings) io.stderr(`warning: ${w}\n`);

    if (command === 'validate') {
      const bars = data?.files ? data.files.reduce((n, f) => n + f.bars, 0) : config.data.source === 'generated' ? config.data.bars * config.data.symbols.length : 0;
      io.stdout(`${basename(configPath)}: ok, ${config.tradingSystems.length} portfolio${config.tradingSystems.length === 1 ? '' : 's'}, ` +
        `${config.data.symbols.length} symbol${config.data.symbols.length === 1 ? '' : 's'} (${config.data.symbols.join(', ')}), ${bars} bars${config.data.source === 'generated' ? ' to generate' : ''}\n`);
      return EXIT.ok;
    }

    let last = 0;
    const systems = config.tradingSystems.length;
    let bars = data?.bars;
    if (data) delete data.bars; // the columns are garbage once the run has read them
    // Reports draw the prices (candles, the buy-and-hold benchmark): their bars outlive the run.
    const wantsReports = Boolean(v.out) && (config.reporting.combinedDashboard || config.reporting.individualReports);
    const reportBars = wantsReports ? bars : undefined;
    const result = await runBacktest(config, {
      bars, tracing, keep: { equity: 'bar', fills: true },
      onProgress: ({ portfolioId, stepsDone, steps }) => {
        const now = Date.now();
        if (!io.isTTY || (now - last < 100 && stepsDone < steps)) return;
        last = now;
        const filled = Math.round((stepsDone / steps) * 30);
        io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${portfolioId} (${systems} systems) ${Math.round((100 * stepsDone) / steps)}%\x1b[K`);
      },
    });
    bars = undefined;
    if (io.isTTY) io.stderr('\r\x1b[K');
    const ran = Object.values(result.portfolios).filter((p): p is PortfolioOk => p.status === 'ok');
    const analysis = ran.length ? analyze(result) : undefined;
    const summary = { ...summarizeRun(result, analysis, points), warnings, data: data && { files: data.files, skipped: data.skipped } };
    if (v.json) io.stdout(JSON.stringify(summary, null, 2) + '\n');
    else {
      io.stdout(`${summary.name}: ${summary.bars} bars of ${summary.symbols.join(', ')}\n${summaryTable(summary)}`);
      if (analysis && config.reporting.correlationAnalysis) io.stdout(crossText(analysis));
    }
    for (const p of Object.values(result.portfolios)) if (p.status === 'failed') io.stderr(`error: portfolio ${p.portfolioId} failed: ${p.error}\n`);
    if (v.out) {
      await mkdir(v.out, { recursive: true });
      await writeFile(join(v.out, 'summary.json'), JSON.stringify(summary, null, 2));
      if (config.rebalance) await writeRebalances(v.out, result);
      for (const p of ran) await writePortfolio(v.out, p, result, output);
      if (wantsReports && ran.length) {
        const pages = (hooks.reports ?? defaultReports)(result, config, analysis, reportBars);
        for (const { file, html } of pages) await writeFile(join(v.out, file), html);
      }
      io.stderr(`results written to ${v.out}/\n`);
    }
    return ran.length === systems ? EXIT.ok : EXIT.portfolioFailed;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`foliolab: ${e.message}\n(foliolab --help for usage)\n`);
      return EXIT.badInput;
    }
    if (e instanceof ConfigError || e instanceof CsvError || e instanceof InputError) {
      io.stderr(`${e.message}\n`);
      return EXIT.badInput;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'ENOTDIR') {
      io.stderr(`foliolab: ${(e as Error).message}\n`);
      return EXIT.badInput;
    }
    io.stderr(`foliolab: internal error (a bug; please report it with this trace):\n${(e as Error).stack ?? String(e)}\n`);
    return EXIT.internal;
  }
}
