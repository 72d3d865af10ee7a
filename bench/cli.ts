// Whole-process benchmark of `foliolab run`: a 1M-bar CSV, one portfolio, timed from spawn to exit
// beside a minimal plain-JS program (bench/cli-baseline.mjs) that reads the same file and runs the same
// loop. Reports the time ratio and each process's peak RSS. Runnable alone: `npx tsx bench/cli.ts [bars] [runs]`.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { toCsv } from '../src/data/csv.js';
import { generateBars } from '../src/data/generate.js';

/** The built CLI, as `npx foliolab` runs it (npm run bench builds first). */
const CLI = [fileURLToPath(new URL('../dist/cli.js', import.meta.url))];
const BASELINE = fileURLToPath(new URL('./cli-baseline.mjs', import.meta.url));

export interface CliBenchResult {
  bars: number;
  csv_mb: number;
  runs: number;
  cli_ms: number;
  baseline_ms: number;
  /** cli_ms / baseline_ms (target ≤ 1.5). */
  ratio: number;
  /** CPU time (user + system, all threads) of each process: steadier than wall time on a busy machine. */
  cli_cpu_ms: number;
  baseline_cpu_ms: number;
  cpu_ratio: number;
  cli_peak_rss_mb: number;
  baseline_peak_rss_mb: number;
  /** Bytes of summary.json the CLI wrote. */
  summary_bytes: number;
  cli_started_from: string;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

interface Measured {
  ms: number;
  cpuMs: number;
  peakMb: number;
}

/**
 * Runs a process to its end: wall time, and CPU time and peak RSS (VmHWM) polled from /proc while it
 * runs (the last poll is at most 5 ms before the exit; both figures only grow).
 */
function measure(args: string[], cwd: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    let peakKb = 0;
    let ticks = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
        // Fields after the command name "(...)": state is field 3, utime 14, stime 15.
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks = Math.max(ticks, Number(fields[11]) + Number(fields[12]));
      } catch {
        // the process has just exited
      }
    }, 5);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      clearInterval(poll);
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ ms, cpuMs: (ticks * 1000) / TICKS_PER_S, peakMb: Math.round(peakKb / 1024) });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchCli({ bars = 1_000_000, runs = 3 } = {}): Promise<CliBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'foliolab-bench-cli-'));
  try {
    const csv = join(dir, 'SPY.csv');
    await writeFile(csv, toCsv(generateBars({ symbols: ['SPY'], bars, interval: '1m', seed: 7 }), { symbolColumn: false }));
    const [lookback, threshold, size, capital] = [20, 0.0002, 100, 100_000];
    await writeFile(join(dir, 'run.yaml'), `workflow: { type: multi_portfolio_backtest, name: bench }
data: { source: csv, file_path: SPY.csv, symbols: [SPY] }
trading_systems:
  - portfolio_id: momentum
    initial_capital: ${capital}
    strategy: { type: momentum, parameters: { lookback_period: ${lookback}, momentum_threshold: ${threshold} } }
    risk: { position_sizers: [{ type: fixed, size: ${size} }] }
# The backtest and its tables only, as the baseline does: HTML reports are a product of their own.
reporting: { individual_reports: false, combined_dashboard: false, correlation_analysis: false }
`);
    const cliArgs = [...CLI, 'run', 'run.yaml', '--out', 'out'];
    const baseArgs = [BASELINE, csv, String(lookback), String(threshold), String(size), String(capital), join(dir, 'baseline.json')];
    // Check the two agree before timing them.
    await measure(cliArgs, dir);
    await measure(baseArgs, dir);
    const summary = JSON.parse(await readFile(join(dir, 'out', 'summary.json'), 'utf8'));
    const base = JSON.parse(await readFile(join(dir, 'baseline.json'), 'utf8'));
    const p = summary.portfolios[0];
    if (summary.bars !== bars || base.bars !== bars || p.finalEquity !== base.finalEquity || p.fillCount !== base.fills) {
      throw new Error(`bench/cli: the CLI and the baseline disagree: ${JSON.stringify({ cli: [summary.bars, p.finalEquity, p.fillCount], baseline: base })}`);
    }
    const cli: Measured[] = [];
    const baseline: Measured[] = [];
    for (let r = 0; r < runs; r++) {
      // Interleaved, so a burst of load on the machine hits both sides.
      baseline.push(await measure(baseArgs, dir));
      cli.push(await measure(cliArgs, dir));
    }
    const cliMs = median(cli.map((x) => x.ms));
    const baseMs = median(baseline.map((x) => x.ms));
    const cliCpu = median(cli.map((x) => x.cpuMs));
    const baseCpu = median(baseline.map((x) => x.cpuMs));
    return {
      bars, csv_mb: Math.round((await stat(csv)).size / 1e5) / 10, runs, cli_ms: Math.round(cliMs), baseline_ms: Math.round(baseMs),
      ratio: Math.round((cliMs / baseMs) * 100) / 100,
      cli_cpu_ms: Math.round(cliCpu), baseline_cpu_ms: Math.round(baseCpu), cpu_ratio: Math.round((cliCpu / baseCpu) * 100) / 100,
      cli_peak_rss_mb: Math.max(...cli.map((x) => x.peakMb)), baseline_peak_rss_mb: Math.max(...baseline.map((x) => x.peakMb)),
      summary_bytes: (await stat(join(dir, 'out', 'summary.json'))).size,
      cli_started_from: CLI.join(' ').replace(/^.*\/(bin|dist)\//, '$1/'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [bars, runs] = process.argv.slice(2).map(Number);
  console.log(await benchCli({ bars: bars || undefined, runs: runs || undefined }));
}
