// Runs a backtest inside real workerd (through miniflare), with the kernel imported as a module, and
// checks the answer is bit-identical to the same run in Node.
import { readFile } from 'node:fs/promises';
import { Miniflare } from 'miniflare';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPortfolio } from '../../src/engine/portfolio.js';
import type { PortfolioSpec } from '../../src/engine/spec.js';
import { alignedFrom, kernelModule, specWith } from '../helpers/kernel.js';

const root = new URL('../../', import.meta.url);
let mf: Miniflare;

beforeAll(async () => {
  // Bundle src/edge/worker.ts into one ES module; the .wasm import stays external for workerd to load.
  const output = await build({
    configFile: false, logLevel: 'silent', root: root.pathname,
    build: {
      write: false, minify: false, target: 'es2022',
      lib: { entry: new URL('src/edge/worker.ts', root).pathname, formats: ['es'], fileName: 'worker' },
      rollupOptions: { external: [/\.wasm$/] },
    },
  });
  const bundle = (Array.isArray(output) ? output[0] : output) as { output: Array<{ type: string; code?: string }> };
  const code = bundle.output.find((o) => o.type === 'chunk')!.code!;
  mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: 'worker.js', contents: code },
      { type: 'CompiledWasm', path: 'foliolab.wasm', contents: await readFile(new URL('build/foliolab.wasm', root)) },
    ],
    compatibilityDate: '2026-04-01',
  });
  await mf.ready;
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
});

function prices(n: number, start: number, step: (i: number) => number) {
  const rows: number[][] = [];
  let c = start;
  for (let i = 0; i < n; i++) {
    const o = c;
    c = Math.round((c + step(i)) * 100) / 100;
    rows.push([o, Math.max(o, c) + 0.05, Math.min(o, c) - 0.05, c]);
  }
  return rows;
}

describe('workerd', () => {
  it('runs a backtest in workerd bit-identical to Node', async () => {
    const bars = alignedFrom({
      SPY: prices(3_000, 400, (i) => Math.sin(i / 7) * 0.9 + (i % 11 === 0 ? -0.4 : 0.1)),
      QQQ: prices(3_000, 350, (i) => Math.cos(i / 5) * 0.7),
    });
    const spec: PortfolioSpec = specWith({
      initialCapital: 50_000,
      strategy: { type: 'mean_reversion', lookbackPeriod: 15, entryThreshold: 1, exitThreshold: 0, allowShort: true },
      sizers: [{ type: 'percentage', size: 0.2 }],
      execution: { fill: 'next_open', slippageBps: 1, commission: { perShare: 0.005, percent: 0, minimum: 1 }, allowMargin: false, margin: { initial: 0.5, maintenance: 0.3 } },
    });
    const body = {
      spec,
      bars: {
        symbols: bars.symbols, timestamps: Array.from(bars.timestamps),
        open: bars.open.map((c) => Array.from(c)), high: bars.high.map((c) => Array.from(c)),
        low: bars.low.map((c) => Array.from(c)), close: bars.close.map((c) => Array.from(c)),
      },
    };
    const res = await mf.dispatchFetch('http://edge.local/backtest', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const edge = (await res.json()) as { equity: number[]; fills: unknown[] };
    const node = await runPortfolio(await kernelModule(), spec, bars);
    expect(node.fills.length).toBeGreaterThan(10);
    expect(edge.fills).toEqual(node.fills.toArray());
    expect(edge.equity).toEqual(Array.from(node.equity)); // JSON round-trips doubles exactly
  });

  it('refuses oversized work and bad input with a clear status', async () => {
    const huge = { spec: specWith({}), bars: { symbols: ['A'], timestamps: { length: 0 } } };
    const tooMany = await mf.dispatchFetch('http://edge.local/', {
      method: 'POST',
      body: JSON.stringify({ ...huge, bars: { symbols: Array.from({ length: 3 }, (_, i) => `S${i}`), timestamps: new Array(700_000).fill(0) } }),
    });
    expect(tooMany.status).toBe(413);
    expect(await tooMany.text()).toMatch(/2100000 symbol-steps exceed the limit of 2000000/);
    const notJson = await mf.dispatchFetch('http://edge.local/', { method: 'POST', body: '{nope' });
    expect(notJson.status).toBe(400);
    const get = await mf.dispatchFetch('http://edge.local/');
    expect(get.status).toBe(405);
  });
});
