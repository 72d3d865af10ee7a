// `npm run bench [-- --json] [-- --bars N]`: every benchmark, printed as a table or as one JSON object.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchKernel } from './kernel.js';
import { benchIngest } from './ingest.js';
import { benchCli } from './cli.js';
import { withSlowdown } from './tracing.js';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const barsArg = args.indexOf('--bars');
const bars = barsArg >= 0 ? Number(args[barsArg + 1]) : 1_000_000;
const log = (...xs: unknown[]) => { if (!asJson) console.log(...xs); };

const firstRunScript = fileURLToPath(new URL('./first-run.ts', import.meta.url));
const child = (...args: string[]) =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', firstRunScript, ...args], { encoding: 'utf8' }));
const firstRun = async (name: string) => {
  const warm = child(name, String(bars), 'kernel', 'warm');
  const cold = child(name, String(bars), 'kernel', 'cold');
  return { ...child(name, String(bars), 'e2e', 'warm'), ...warm, wasm_first_unwarmed_ms: cold.wasm_first_ms };
};

log(`kernel: one portfolio, ${bars.toLocaleString("en")} one-minute bars. Median of 7 runs after 6 untimed ones; "kernel" reuses output`);
log('buffers on both sides, "e2e" allocates fresh results. First runs are each in a fresh process that loads the kernel');
log('(compiles it, then warms it: warmKernel), then the data: "first" is a kernel-tier run (compare with the warm median),');
log('"first unwarmed" the same without warmKernel, "first e2e" an end-to-end run (compare with e2e).');
const kernel = await benchKernel({ bars, runs: 7, firstRun });
if (!asJson) {
  console.table(Object.fromEntries(Object.entries(kernel).map(([name, k]) => [name, {
    'wasm M bars/s': (k.wasm_bars_per_s / 1e6).toFixed(1), 'js M bars/s': (k.js_bars_per_s / 1e6).toFixed(1),
    'wasm/js': k.ratio, 'warm median ms': k.median_ms, 'first ms': k.first_run_ms,
    'first/median': (k.first_run_ms / k.median_ms).toFixed(2), 'first unwarmed ms': k.first_run_unwarmed_ms, 'load ms': k.load_ms,
    'e2e ms': k.end_to_end_ms, 'first e2e ms': k.first_end_to_end_ms, 'js e2e ms': k.js_end_to_end_ms, 'js first ms': k.js_first_run_ms,
    'e2e wasm/js': k.end_to_end_ratio, fills: k.fills,
    'cold RSS +MB wasm/js': `${k.wasm_rss_growth_mb}/${k.js_rss_growth_mb}`,
  }])));
}
log('\ntracing: the momentum case at each level (kernel run; then its records decoded into Events)');
const tracingScript = fileURLToPath(new URL('./tracing-run.ts', import.meta.url));
const tracing = withSlowdown((['off', 'trades', 'full'] as const).map((level) =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', tracingScript, String(bars), level], { encoding: 'utf8' }))));
if (!asJson) console.table(tracing);
log('\nscaling: trading systems on the same bars, inline vs a pool of 2 workers');
const scalingScript = fileURLToPath(new URL('./scaling-run.ts', import.meta.url));
const scaling = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', scalingScript, String(bars), asJson ? 'quiet' : 'loud'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 2 ** 26 }));
log('\ndefault pool: 10 portfolios, executor \'workers\' with no pool passed (from dist/), against inline in the same process');
const poolScript = fileURLToPath(new URL('./default-pool-run.ts', import.meta.url));
const poolChild = (...more: string[]) => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', poolScript, String(bars), ...more], { encoding: 'utf8' }));
const defaultPool = poolChild();
// The first run of a fresh process, each executor in a process of its own (cold kernel and JIT on both sides).
const firstInline = poolChild('first-inline').ms as number;
const firstWorkers = poolChild('first-workers').ms as number;
Object.assign(defaultPool, { fresh_first_inline_ms: firstInline, fresh_first_workers_ms: firstWorkers, fresh_first_ratio: +(firstWorkers / firstInline).toFixed(2) });
if (!asJson) console.table([defaultPool]);
// Ingest after scaling: its text and parsed columns are a heap of several GB whose collection, on this
// process's helper threads, would run beside the scaling child and slow it.
log('\ningest: CSV parsed and validated, against a split/Number() parser and papaparse on the same text');
const ingest = await benchIngest({ mb: 50 });
log(`foliolab ${ingest.foliolab_mb_per_s.toFixed(0)} MB/s, naive ${ingest.naive_mb_per_s.toFixed(0)} MB/s, papaparse ${ingest.papaparse_mb_per_s.toFixed(0)} MB/s (${(ingest.bytes / 1e6).toFixed(0)} MB)`);
const memory = { peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) };
log(`peak RSS of the benchmark process (kernel, tracing and ingest sections): ${memory.peak_rss_mb} MB`);
log(`\ncli: \`foliolab run\` on a ${bars.toLocaleString('en')}-bar CSV, one portfolio, whole process (spawn to exit), beside a`);
log('plain-JS program reading the same file and running the same loop (bench/cli-baseline.mjs); median of 3, interleaved');
const cli = await benchCli({ bars, runs: 3 });
log(`${cli.cli_started_from}: ${cli.cli_ms} ms (${cli.cli_cpu_ms} ms CPU), peak ${cli.cli_peak_rss_mb} MB; baseline ${cli.baseline_ms} ms ` +
  `(${cli.baseline_cpu_ms} ms CPU), peak ${cli.baseline_peak_rss_mb} MB; ratio ${cli.ratio} wall, ${cli.cpu_ratio} CPU (target ≤ 1.5, < 300 MB); summary.json ${cli.summary_bytes} bytes`);
if (asJson) console.log(JSON.stringify({ kernel, tracing, ingest, scaling, defaultPool, cli, memory }));
