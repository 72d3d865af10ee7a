// Several <folio-backtest> on one page share one kernel and one worker pool (counted through the packaging
// seam), and a widget reads CSV data from a URL in its config. Its own file, so the page's engine is fresh.
import { describe, expect, it } from 'vitest';
import kernelUrl from '../../build/foliolab.wasm?url';
import { compileKernel } from '../../src/engine/wasm.js';
import { loadConfig } from '../../src/config/index.js';
import { generateBars, parseCsv, toCsv } from '../../src/data/index.js';
import { runBacktest } from '../../src/workflow/run.js';
import { createWorkerPool } from '../../workers/index.js';
import { configureWidget } from '../../web/widget/index.js'; // registers <folio-backtest> too
import type { FolioBacktest, RunEndDetail } from '../../web/widget/index.js';
import { digestOf } from '../shared/digest.js';

let kernels = 0;
let pools = 0;
configureWidget({
  kernel: () => {
    kernels++;
    return compileKernel(new URL(kernelUrl, location.href));
  },
  createPool: () => {
    pools++;
    return createWorkerPool({ size: 2 });
  },
});

const config = (strategy: string, data: string) => `
workflow: { name: shared }
data: ${data}
trading_systems:
  - portfolio_id: p1
    initial_capital: 100000
    strategy: ${strategy}
    risk: { position_sizers: [{ type: percentage, size: 0.5 }] }
  - portfolio_id: p2
    initial_capital: 100000
    strategy: { type: buy_and_hold }
    risk: { position_sizers: [{ type: percentage, size: 0.5 }] }
`;

function widget(text: string): FolioBacktest {
  const el = document.createElement('folio-backtest') as FolioBacktest;
  for (const [k, v] of Object.entries({ loading: 'eager', view: 'summary', 'no-cache': '' })) el.setAttribute(k, v);
  el.config = text;
  document.body.append(el);
  return el;
}

const ended = (el: FolioBacktest) => new Promise<RunEndDetail>((resolve) => el.addEventListener('folio-run-end', (e) => resolve((e as CustomEvent<RunEndDetail>).detail), { once: true }));

describe('widgets on one page', () => {
  it('share one kernel and one pool; CSV data comes from the URL in the config', async () => {
    const bars = generateBars({ symbols: ['AAA', 'BBB'], bars: 3000, interval: '1h', seed: 9 });
    const csv = toCsv(bars);
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const texts = [
      config('{ type: breakout, parameters: { lookback_period: 30 } }', `{ source: csv, file_path: "${url}", symbols: [AAA, BBB] }`),
      config('{ type: rsi, parameters: { period: 10 } }', '{ source: generated, symbols: [X, Y, Z], bars: 4000, interval: 15m, seed: 4 }'),
      config('{ type: momentum, parameters: { lookback_period: 12, momentum_threshold: 0.001 } }', '{ source: generated, symbols: [X], bars: 6000, interval: 1m, seed: 8 }'),
    ];
    const widgets = texts.map(widget);
    await Promise.all(widgets.map((w) => w.start()));
    const ends = widgets.map(ended);
    for (const w of widgets) void w.run();
    const details = await Promise.all(ends);
    URL.revokeObjectURL(url);
    expect([kernels, pools]).toEqual([1, 1]);
    const kernel = await compileKernel(new URL(kernelUrl, location.href));
    for (const [i, d] of details.entries()) {
      expect(d.status).toBe('done');
      expect(d.result!.executor).toBe('workers');
      const expected = await runBacktest(loadConfig(texts[i]), { kernel, executor: 'inline', bars: i === 0 ? parseCsv(csv) : undefined });
      expect(await digestOf(d.result!)).toEqual(await digestOf(expected));
    }
    expect(details[0].result!.symbols).toEqual(['AAA', 'BBB']);
    for (const w of widgets) w.remove();
  });
});
