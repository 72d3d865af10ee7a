// examples/edge-worker inside real workerd (miniflare), built from the source tree: the kernel is
// imported as a CompiledWasm module; every status code; a YAML config answers Node's metrics.
import { readFile } from 'node:fs/promises';
import { Miniflare, type BodyInit as MiniflareBody, type RequestInit as MiniflareRequestInit } from 'miniflare';
import { build, type Plugin } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJSONSafe } from '../../src/analytics/analyze.js';
import { loadConfig } from '../../src/config/index.js';
import { toCsv } from '../../src/data/csv.js';
import { generateBars } from '../../src/data/generate.js';
import { runBacktest, type PortfolioOk, type RunResult } from '../../src/workflow/run.js';
import { kernelModule } from '../helpers/kernel.js';

const root = new URL('../../', import.meta.url);
let mf: Miniflare;

/** The example imports the installed package; here its two specifiers point into the source tree. */
const sourceTree: Plugin = {
  name: 'foliolab-source-tree',
  enforce: 'pre',
  resolveId(id) {
    if (id === 'foliolab/edge') return new URL('src/edge/index.ts', root).pathname;
    if (id === 'foliolab/foliolab.wasm') return { id: './foliolab.wasm', external: true };
    return null;
  },
};

beforeAll(async () => {
  const output = await build({
    configFile: false, logLevel: 'silent', root: root.pathname, plugins: [sourceTree],
    build: {
      write: false, minify: false, target: 'es2022',
      lib: { entry: new URL('examples/edge-worker/src/index.js', root).pathname, formats: ['es'], fileName: 'worker' },
    },
  });
  const bundle = (Array.isArray(output) ? output[0] : output) as { output: Array<{ type: string; code?: string }> };
  const code = bundle.output.find((o) => o.type === 'chunk')!.code!;
  expect(code).toContain('./foliolab.wasm'); // the kernel stays a module import, not inlined bytes
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

const yaml = (bars: number) => `workflow: { type: multi_portfolio_backtest, name: Edge }
data: { source: generated, symbols: [SPY, QQQ], bars: ${bars}, interval: 1m, seed: 11 }
trading_systems:
  - portfolio_id: momentum
    initial_capital: 50000
    strategy: { type: momentum, parameters: { lookback_period: 20, momentum_threshold: 0.0002 } }
    risk: { position_sizers: [{ type: fixed, size: 50 }] }
  - portfolio_id: meanrev
    initial_capital: 50000
    symbols: [QQQ]
    strategy: { type: mean_reversion, parameters: { lookback_period: 15, entry_threshold: 1 } }
    risk: { position_sizers: [{ type: percentage, size: 0.02 }] }
`;

interface EdgePortfolio {
  status: string;
  portfolioId: string;
  finalEquity: number;
  metrics: Record<string, unknown> & { maxDrawdown: number };
  curves: { equity: { timestamps: number[]; values: number[] }; drawdown: { timestamps: number[]; values: number[] } };
}

/**
 * Metrics equal Node's bit for bit, all of them: the metrics never call Math.pow (workerd's V8 and Node
 * 20's round it differently for about 1 in 10 arguments) but src/analytics/power.ts, exp and log.
 */
function expectSameMetrics(edge: Record<string, unknown>, node: Record<string, unknown>): void {
  expect(edge).toEqual(node);
}

const post = (body: MiniflareBody, contentType: string, query = '') =>
  mf.dispatchFetch(`http://edge.local/backtest${query}`, { method: 'POST', body, headers: { 'content-type': contentType } });

describe('the example worker in workerd', () => {
  it('answers a YAML config with the metrics Node computes for it', async () => {
    const text = yaml(6_000);
    const res = await post(text, 'application/yaml', '?points=64');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const edge = (await res.json()) as { bars: number; portfolios: EdgePortfolio[] };
    const node = await runBacktest(loadConfig(text), { kernel: await kernelModule(), executor: 'inline' });
    expect(edge.bars).toBe(6_000);
    expect(edge.portfolios.map((p) => p.portfolioId)).toEqual(['momentum', 'meanrev']);
    for (const p of edge.portfolios) {
      const n = node.portfolios[p.portfolioId] as PortfolioOk;
      expect(n.fillCount).toBeGreaterThan(10);
      expectSameMetrics(p.metrics, toJSONSafe(n.metrics) as Record<string, unknown>);
      expect(p.finalEquity).toBe(n.finalEquity);
      // Decimated to ≤ 64 points, yet the curve ends on the last equity and keeps the deepest point
      // of the drawdown: its minimum is −maxDrawdown, which the metrics computed on every bar.
      expect(p.curves.equity.values.length).toBeLessThanOrEqual(64);
      expect(p.curves.equity.values.at(-1)).toBe(n.equity.at(-1));
      expect(Math.min(...p.curves.drawdown.values)).toBeCloseTo(-n.metrics.maxDrawdown, 12);
    }
  });

  it('answers JSON with CSV per symbol like Node on the same bars', async () => {
    const bars = generateBars({ symbols: ['SPY'], bars: 3_000, interval: '1m', seed: 4 });
    const config = yaml(1).replace(/data: .*\n/, 'data: { source: csv, symbols: [SPY] }\n').replace('    symbols: [QQQ]\n', '');
    const res = await post(JSON.stringify({ config, csv: { SPY: toCsv(bars, { symbolColumn: false }) } }), 'application/json', '?fills=true');
    expect(res.status).toBe(200);
    const edge = (await res.json()) as { portfolios: Array<EdgePortfolio & { fills: unknown[] }> };
    const node: RunResult = await runBacktest(loadConfig(config, { dataFiles: 'optional' }), { bars, kernel: await kernelModule(), executor: 'inline' });
    for (const p of edge.portfolios) {
      const n = node.portfolios[p.portfolioId] as PortfolioOk;
      expectSameMetrics(p.metrics, toJSONSafe(n.metrics) as Record<string, unknown>);
      expect(p.fills.length).toBe(n.fillCount);
      expect(p.fills).toEqual(JSON.parse(JSON.stringify(n.fills.toArray()))); // JSON has no -0
    }
  });

  it('refuses each kind of bad request with its status', async () => {
    // 400: a config error, located (line 9 holds meanrev's initial_capital).
    const bad = await post(yaml(100).replace('initial_capital: 50000\n    symbols', 'initial_capital: -5\n    symbols'), 'application/yaml');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('config:9 trading_systems[1].initial_capital: expected a number > 0, got -5');
    // 400: a bad CSV row names the part and line.
    const csv = toCsv(generateBars({ symbols: ['SPY'], bars: 20, interval: '1m', seed: 1 }), { symbolColumn: false }).split('\n');
    csv[5] = csv[5].replace(/,[^,]*,([^,]*)$/, ',abc,$1'); // close := abc
    const badCsv = await post(JSON.stringify({ config: yaml(1).replace(/data: .*\n/, 'data: { source: csv, symbols: [SPY] }\n').replace('    symbols: [QQQ]\n', ''), csv: { SPY: csv.join('\n') } }), 'application/json');
    expect(badCsv.status).toBe(400);
    expect(((await badCsv.json()) as { error: string }).error).toBe('csv.SPY line 6: close is "abc", expected a number');
    // 405 with Allow.
    const put = await mf.dispatchFetch('http://edge.local/', { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    // 415: text/plain is not a config type.
    const plain = await post(yaml(100), 'text/plain');
    expect(plain.status).toBe(415);
    expect(plain.headers.get('accept-post')).toContain('application/yaml');
    // 413: one byte over the example's 8 MiB, declared.
    const big = await post(new Uint8Array(8 * 1024 * 1024 + 1).fill(32), 'application/yaml');
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toMatch(/exceeds limits\.maxBodyBytes = 8388608/);
    // 413: the same bytes streamed without a content-length are counted while read.
    const chunk = new Uint8Array(1024 * 1024).fill(32);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({ pull(c) { if (sent++ < 9) c.enqueue(chunk); else c.close(); } });
    const streamed = await mf.dispatchFetch('http://edge.local/', { method: 'POST', body: stream, headers: { 'content-type': 'application/yaml' }, duplex: 'half' } as MiniflareRequestInit);
    expect(streamed.status).toBe(413);
    // 422: 200 000 generated bars × (2 symbols + 1 symbol) = 600 000 bar-portfolios > 500 000.
    const heavy = await post(yaml(200_000), 'application/yaml');
    expect(heavy.status).toBe(422);
    expect(await heavy.json()).toMatchObject({ limit: 'maxBarPortfolios', value: 500_000, requested: 600_000 });
    expect(((await post(yaml(166_666), 'application/yaml')).status)).toBe(200); // 499 998: just inside
  });

  it('answers preflights, GET and HEAD', async () => {
    const pre = await mf.dispatchFetch('http://edge.local/', { method: 'OPTIONS', headers: { origin: 'https://docs.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, OPTIONS');
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type');
    const get = await mf.dispatchFetch('http://edge.local/');
    expect(get.status).toBe(200);
    expect(((await get.json()) as { limits: unknown }).limits).toEqual({ maxBodyBytes: 8_388_608, maxBarPortfolios: 500_000, maxPoints: 10_000, maxFills: 100_000 });
    const head = await mf.dispatchFetch('http://edge.local/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
