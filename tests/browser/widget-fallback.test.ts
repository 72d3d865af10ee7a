// <folio-backtest> where workers cannot start (a CSP without worker-src, say): the shared pool fails once, the
// page runs inline from then on, and the results are those of runBacktest inline. Its own file, so the page's
// engine (and its shared pool) is fresh.
import { describe, expect, it } from 'vitest';
import kernelUrl from '../../build/foliolab.wasm?url';
import { compileKernel } from '../../src/engine/wasm.js';
import { loadConfig } from '../../src/config/index.js';
import { runBacktest } from '../../src/workflow/run.js';
import { WorkerPool } from '../../workers/pool.js';
import { configureWidget } from '../../web/widget/index.js'; // registers <folio-backtest> too
import type { FolioBacktest, RunEndDetail } from '../../web/widget/index.js';
import { digestOf } from '../shared/digest.js';

const yaml = `
workflow: { name: "fallback" }
data: { source: generated, symbols: [SPY, QQQ], bars: 5000, interval: 5m, seed: 3 }
trading_systems:
  - portfolio_id: a
    initial_capital: 50000
    strategy: { type: sma_crossover, parameters: { fast_period: 5, slow_period: 30 } }
    risk: { position_sizers: [{ type: fixed, size: 10 }] }
  - portfolio_id: b
    initial_capital: 50000
    strategy: { type: rsi, parameters: { period: 14 } }
    risk: { position_sizers: [{ type: percentage, size: 0.1 }] }
`;

describe('<folio-backtest> without workers', () => {
  it('falls back to running inline and gives the same results', async () => {
    let spawns = 0;
    configureWidget({
      kernel: () => compileKernel(new URL(kernelUrl, location.href)),
      createPool: () => new WorkerPool(async () => {
        spawns++;
        throw new DOMException('Refused to create a worker (simulated CSP)', 'SecurityError');
      }, { size: 2 }),
    });
    const el = document.createElement('folio-backtest') as FolioBacktest;
    for (const [k, v] of Object.entries({ loading: 'eager', view: 'summary', 'no-cache': '' })) el.setAttribute(k, v);
    el.config = yaml;
    document.body.append(el);
    await el.start();
    const runs: RunEndDetail[] = [];
    for (let i = 0; i < 2; i++) {
      const ended = new Promise<RunEndDetail>((resolve) => el.addEventListener('folio-run-end', (e) => resolve((e as CustomEvent<RunEndDetail>).detail), { once: true }));
      void el.run();
      runs.push(await ended);
    }
    expect(spawns).toBeGreaterThan(0);
    const spawnsAfterFirst = spawns;
    expect(runs.map((r) => [r.status, r.result!.executor, r.fromCache])).toEqual([['done', 'inline', false], ['done', 'inline', false]]);
    expect(spawns).toBe(spawnsAfterFirst); // the second run did not try workers again
    const expected = await runBacktest(loadConfig(yaml), { kernel: await compileKernel(new URL(kernelUrl, location.href)), executor: 'inline' });
    expect(await digestOf(runs[1].result!)).toEqual(await digestOf(expected));
    el.remove();
  });
});
