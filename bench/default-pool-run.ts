// Child process of the benchmark: the default worker pool (executor 'workers', no pool passed) on
// 10 portfolios × N bars against inline in the same process: the first call (pool start included) and
// warm calls, from dist/. Prints one JSON object. With a third argument `first-inline` or `first-workers`,
// times that one run alone in this fresh process.
// The built package (npm run build), as users run it: its workers start from compiled JS, not via tsx.
const dist: string = '../dist/index.js';
const { disposeDefaultPool, runBacktest } = (await import(dist)) as typeof import('../workers/index.js');
import { benchBars } from './kernel.js';
import { configOf, variants } from './scaling.js';

const bars = benchBars(Number(process.argv[2] ?? 1_000_000));
const config = configOf(variants(10));
const keep = { equity: 'daily' as const };
const timed = async (executor: 'inline' | 'workers') => {
  const t = performance.now();
  const result = await runBacktest(config, { bars, executor, keep });
  if (result.executor !== executor) throw new Error(`asked for ${executor}, ran ${result.executor}: ${result.warnings.join('; ')}`);
  if (Object.values(result.portfolios).some((p) => p.status !== 'ok')) throw new Error('a portfolio failed');
  return performance.now() - t;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// `first <executor>`: only that one run, in this fresh process (how a script or a page meets it).
const only = process.argv[3];
if (only === 'first-inline' || only === 'first-workers') {
  const ms = await timed(only === 'first-inline' ? 'inline' : 'workers');
  await disposeDefaultPool();
  process.stdout.write(JSON.stringify({ ms: Math.round(ms) }));
  process.exit(0);
}

await timed('inline'); // compiles the kernel and warms this thread
const inline: number[] = [];
for (let i = 0; i < 3; i++) inline.push(await timed('inline'));
const first = await timed('workers');
const warm: number[] = [];
for (let i = 0; i < 3; i++) warm.push(await timed('workers'));
await disposeDefaultPool();
const inlineMs = median(inline);
process.stdout.write(JSON.stringify({
  portfolios: 10, bars: bars.timestamps.length, inline_ms: Math.round(inlineMs), first_workers_ms: Math.round(first),
  warm_workers_ms: Math.round(median(warm)), first_over_inline: +(first / inlineMs).toFixed(2), warm_over_inline: +(median(warm) / inlineMs).toFixed(2),
}));
