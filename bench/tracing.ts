// What each tracing level costs: one portfolio over the benchmark bars at off / trades / full, the
// run alone and with its records decoded into Events. Each level runs in a fresh process (see
// bench/tracing-run.ts): the records and Events of one level are a large heap whose collection would
// otherwise be billed to the next.
import type { AlignedBars } from '../src/data/bars.js';
import { defaultKernel } from '../src/engine/default-kernel.js';
import { runPortfolio } from '../src/engine/portfolio.js';
import type { TracingLevel } from '../src/engine/spec.js';
import { toEvents } from '../src/events/event.js';
import { KERNEL_CASES } from './kernel.js';

export interface TracingRow {
  level: TracingLevel;
  run_ms: number;
  records: number;
  decode_events_ms: number;
  /** (run + decode) / run at level off. */
  slowdown: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One level: median run time (after two untimed runs), then the median time to decode its records into Events. */
export async function benchTracingLevel(bars: AlignedBars, level: TracingLevel, runs = 7): Promise<Omit<TracingRow, 'slowdown'>> {
  const module = await defaultKernel();
  const spec = KERNEL_CASES.momentum;
  const runTimes: number[] = [];
  const decodeTimes: number[] = [];
  let run = await runPortfolio(module, spec, bars, { tracing: level });
  for (let r = -2; r < runs; r++) {
    const t = performance.now();
    run = await runPortfolio(module, spec, bars, { tracing: level });
    if (r >= 0) runTimes.push(performance.now() - t);
  }
  let records = 0;
  for (let r = -1; r < runs; r++) {
    const t = performance.now();
    const events = toEvents(run.records, { portfolioId: 'p', namespace: 'p', symbols: run.symbols, timestamps: bars.timestamps, strategy: spec.strategy.type });
    if (r >= 0) decodeTimes.push(performance.now() - t);
    records = events.length;
  }
  return { level, run_ms: Number(median(runTimes).toFixed(2)), records, decode_events_ms: Number(median(decodeTimes).toFixed(2)) };
}

/** Adds the slowdown of each level against 'off'. */
export function withSlowdown(rows: Array<Omit<TracingRow, 'slowdown'>>): TracingRow[] {
  const off = rows.find((r) => r.level === 'off')!.run_ms;
  return rows.map((r) => ({ ...r, slowdown: Number(((r.run_ms + r.decode_events_ms) / off).toFixed(2)) }));
}
