// examples/embed.html as a docs site would serve it: the page from one origin, the built widget bundle
// (dist/foliolab-widget.js) from another, under the CSP the issue names and without cross-origin
// isolation. Both widgets run in Chromium on blob-started workers, to Node's results.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { runBacktest } from '../../src/workflow/run.js';

const repo = new URL('../../', import.meta.url).pathname;
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' };
const servers: Server[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

let page: string;
let cdn: string;
let csp: string;
const html = readFileSync(join(repo, 'examples/embed.html'), 'utf8');

beforeAll(async () => {
  cdn = await listen((req, res) => {
    const file = join(repo, 'dist', new URL(req.url ?? '/', 'http://x').pathname);
    if (!file.startsWith(join(repo, 'dist')) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  csp = `script-src ${cdn} 'wasm-unsafe-eval'; worker-src blob: ${cdn}`;
  const served = html.replace('src="../web/widget/index.ts"', `src="${cdn}/foliolab-widget.js"`);
  expect(served).not.toBe(html);
  page = await listen((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp }).end(served);
  });
});

afterAll(() => {
  for (const s of servers) s.close();
});

describe('examples/embed.html with the widget bundle from another origin', () => {
  it('runs both widgets under the CSP, on workers started from blobs, to Node’s results', async () => {
    const { chromium } = await import('playwright');
    const browser = await chromium.launch({
      executablePath: ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => existsSync(p)),
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    try {
      const tab = await browser.newPage();
      const problems: string[] = [];
      tab.on('pageerror', (e) => problems.push(String(e)));
      tab.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
      tab.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
      await tab.goto(`${page}/`);
      const outcome = await tab.evaluate(async () => {
        await customElements.whenDefined('folio-backtest');
        const widgets = [...document.querySelectorAll('folio-backtest')] as Array<HTMLElement & { run(): Promise<void>; start(): Promise<void> }>;
        const ends = widgets.map((w) => new Promise<{ status: string; executor: string; equity: Record<string, number> }>((resolve) =>
          w.addEventListener('folio-run-end', (e) => {
            const d = (e as CustomEvent).detail;
            const equity = Object.fromEntries(Object.entries(d.result?.portfolios ?? {}).map(([id, p]) => [id, (p as { finalEquity: number }).finalEquity]));
            resolve({ status: d.status, executor: d.result?.executor, equity });
          }, { once: true })));
        const t0 = performance.now();
        for (const w of widgets) void w.run();
        const done = await Promise.all(ends);
        return { done, ms: performance.now() - t0, isolated: crossOriginIsolated, origin: location.origin };
      });
      expect(outcome.isolated).toBe(false);
      const configs = [...html.matchAll(/<script type="text\/yaml">([\s\S]*?)<\/script>/g)].map((m) => loadConfig(m[1]!));
      expect(configs).toHaveLength(2);
      for (const [i, d] of outcome.done.entries()) {
        expect(d.status).toBe('done');
        expect(d.executor).toBe('workers'); // cross-origin worker scripts, started through blob: URLs
        const node = await runBacktest(configs[i]!, { executor: 'inline' });
        const expected = Object.fromEntries(Object.values(node.portfolios).map((p) => [p.portfolioId, p.status === 'ok' ? p.finalEquity : NaN]));
        expect(d.equity).toEqual(expected);
      }
      expect(problems).toEqual([]);
      console.log(`embed.html from another origin under CSP: both widgets ran in ${outcome.ms.toFixed(0)} ms`);
    } finally {
      await browser.close();
    }
  });
});
