// What each tracing level costs: one portfolio over the benchmark bars at off / trades / full, the
// run alone and with its records decoded into Events.
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
  slowdown: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchTracing(bars: AlignedBars, runs = 5): Promise<TracingRow[]> {
  const module = await defaultKernel();
  const spec = KERNEL_CASES.momentum;
  const rows: TracingRow[] = [];
  for (const level of ['off', 'trades', 'full'] as const) {
    const runTimes: number[] = [];
    const decodeTimes: number[] = [];
    let records = 0;
    for (let r = 0; r < runs; r++) {
      let t = performance.now();
      const run = await runPortfolio(module, spec, bars, { tracing: level });
      runTimes.push(performance.now() - t);
      t = performance.now();
      const events = toEvents(run.records, { portfolioId: 'p', namespace: 'p', symbols: run.symbols, timestamps: bars.timestamps, strategy: spec.strategy.type });
      decodeTimes.push(performance.now() - t);
      records = events.length;
    }
    rows.push({ level, run_ms: Number(median(runTimes).toFixed(2)), records, decode_events_ms: Number(median(decodeTimes).toFixed(2)), slowdown: 0 });
  }
  for (const row of rows) row.slowdown = Number(((row.run_ms + row.decode_events_ms) / rows[0].run_ms).toFixed(2));
  return rows;
}
