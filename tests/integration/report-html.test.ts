// Self-contained HTML reports of the seed demo (the seed config on a year of generated 1-minute bars, as
// `npm run demo`): written to disk and opened from file:// in Chromium with every network request
// refused; each chart renders, nothing errors, hostile ids stay text, and the dashboard fits in 3 MB.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analytics/analyze.js';
import { loadConfig } from '../../src/config/index.js';
import { alignBars } from '../../src/data/align.js';
import { generateBars } from '../../src/data/generate.js';
import { decodeData, renderReport, reportFiles, type ReportEnvelope } from '../../src/report/index.js';
import { runBacktest, type RunResult } from '../../src/workflow/run.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => p && existsSync(p));

let dir: string;
let browser: Browser;
let result: RunResult;
const config = loadConfig(await readFile(new URL('../fixtures/seed-config.yaml', import.meta.url), 'utf8'));
// scripts/demo.ts: 252 sessions of 390 one-minute bars of SPY.
const bars = alignBars(generateBars({ symbols: ['SPY'], bars: 252 * 390, interval: '1m', seed: 2024, start: '2024-01-02' }), ['SPY']);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'folio-report-'));
  result = await runBacktest(config, { bars, executor: 'inline', tracing: 'trades' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

async function open(file: string): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const opened: Opened = { page: await context.newPage(), errors: [], requests: [], dialogs: [] };
  await context.route(/^(?!file:)/, (route) => {
    opened.requests.push(route.request().url());
    return route.abort();
  });
  opened.page.on('console', (m) => m.type() === 'error' && opened.errors.push(m.text()));
  opened.page.on('pageerror', (e) => opened.errors.push(e.message));
  opened.page.on('dialog', (d) => {
    opened.dialogs.push(d.message());
    void d.dismiss();
  });
  await opened.page.goto(pathToFileURL(join(dir, file)).href);
  await opened.page.locator('folio-time-chart canvas').first().waitFor();
  await opened.page.waitForTimeout(300);
  return opened;
}

/** Elements matching `selector` through every shadow root of the page; with `inner`, matches of it in their shadow roots. */
function countDeep(page: Page, selector: string, inner?: string): Promise<number> {
  return page.evaluate(([sel, within]) => {
    const all = (root: Document | ShadowRoot, s: string): Element[] => {
      const out = [...root.querySelectorAll(s)];
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) out.push(...all(el.shadowRoot, s));
      return out;
    };
    const hosts = all(document, sel);
    return within ? hosts.reduce((n, h) => n + (h.shadowRoot ? h.shadowRoot.querySelectorAll(within).length : 0), 0) : hosts.length;
  }, [selector, inner] as const);
}

describe('HTML reports from disk', () => {
  it('writes the pages the reporting block asks for, the dashboard within 3 MB', async () => {
    const files = reportFiles(result, { config, bars, generatedAt: '2026-01-01T00:00:00Z' });
    expect(files.map((f) => f.file)).toEqual(['dashboard.html', 'momentum_portfolio.html', 'mean_reversion_portfolio.html']);
    for (const f of files) await writeFile(join(dir, f.file), f.html);
    const dashboard = files[0].html;
    expect(Buffer.byteLength(dashboard)).toBeLessThanOrEqual(3 * 1024 * 1024);
    // The embedded data is the run's: decode it back and compare with the analysis.
    const json = /<script type="application\/json" id="folio-report-data">([\s\S]*?)<\/script>/.exec(dashboard)![1];
    const envelope = decodeData<ReportEnvelope>(json);
    const analysis = analyze(result);
    expect(envelope.kind).toBe('dashboard');
    expect(envelope.data.correlation.matrix).toEqual(analysis.correlation.matrix);
    expect(envelope.data.attribution.combinedReturn).toBe(analysis.attribution.combinedReturn);
    expect(envelope.data.decimatedFrom).toBe(252 * 390);
    expect(envelope.data.portfolios.map((p) => p.metrics.sharpe)).toEqual(
      ['momentum_portfolio', 'mean_reversion_portfolio'].map((id) => (result.portfolios[id] as { metrics: { sharpe: number } }).metrics.sharpe));
  });

  it('opens the dashboard with no network and renders every chart', async () => {
    const { page, errors, requests } = await open('dashboard.html');
    expect(await countDeep(page, 'folio-time-chart')).toBe(3); // equity, underwater, cumulative contribution
    expect(await countDeep(page, 'folio-time-chart', 'canvas')).toBe(3);
    expect(await countDeep(page, 'folio-heatmap, folio-bar-chart, folio-scatter', 'svg')).toBe(4);
    expect(await countDeep(page, 'folio-heatmap', 'g.cell')).toBe(4);
    expect(await countDeep(page, 'folio-metrics-table', 'tbody tr')).toBe(2);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.context().close();
  });

  it('opens a portfolio report with candles, trades and the event trace', async () => {
    const { page, errors, requests } = await open('momentum_portfolio.html');
    // equity, underwater, exposure, price, rolling Sharpe, rolling volatility
    expect(await countDeep(page, 'folio-time-chart', 'canvas')).toBe(6);
    expect(await countDeep(page, 'folio-heatmap, folio-histogram', 'svg')).toBe(2);
    expect(await countDeep(page, 'folio-trade-list', 'tbody tr')).toBe(20);
    expect(await countDeep(page, 'folio-event-trace', 'tbody tr')).toBeGreaterThan(0);
    // The trades were rebuilt in the page from the embedded fills: same count as the run's.
    const trades = (result.portfolios.momentum_portfolio as { trades: unknown[] }).trades.length;
    expect(await page.evaluate(() => document.querySelector('folio-portfolio-report')!.shadowRoot!.querySelector('folio-trade-list')!.trades.length)).toBe(trades);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.context().close();
  });

  it('keeps hostile ids and names as text in a report', async () => {
    const evil = '</script><img src=x onerror=alert(1)>';
    const p = result.portfolios.momentum_portfolio;
    const hostile: RunResult = { ...result, name: `${evil}<b>run</b>`, portfolios: { [evil]: { ...p, portfolioId: evil } as typeof p } };
    await writeFile(join(dir, 'evil.html'), renderReport(hostile, { bars }));
    await writeFile(join(dir, 'evil-portfolio.html'), renderReport(hostile, { bars, kind: 'portfolio', portfolioId: evil }));
    for (const file of ['evil.html', 'evil-portfolio.html']) {
      const { page, errors, dialogs } = await open(file);
      expect(await countDeep(page, 'img')).toBe(0);
      expect(await countDeep(page, 'b')).toBe(0);
      expect(await page.title()).toBe(file === 'evil.html' ? `${evil}<b>run</b>` : `${evil} — ${evil}<b>run</b>`);
      const text = await page.evaluate(() => {
        let t = '';
        const walk = (n: Node) => {
          if (n.nodeType === 3) t += n.textContent;
          if (n instanceof Element && n.shadowRoot) walk(n.shadowRoot);
          n.childNodes.forEach(walk);
        };
        walk(document.body);
        return t;
      });
      expect(text).toContain(evil);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });
});
