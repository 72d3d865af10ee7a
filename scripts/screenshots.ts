// `npm run screenshots`: runs the seed config on the demo's generated year of 1-minute SPY bars, writes
// the HTML reports to out/reports/, opens them from file:// in Chromium with the network blocked, and
// saves PNGs of the dashboard (light and dark), a portfolio report and the trace viewer to docs/.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { chromium, type Page } from 'playwright';
import { loadConfig } from '../src/config/index.js';
import { alignBars } from '../src/data/align.js';
import { generateBars } from '../src/data/generate.js';
import { reportFiles } from '../src/report/index.js';
import { runBacktest } from '../src/workflow/run.js';

const root = new URL('../', import.meta.url);
const out = new URL('out/reports/', root);
const config = loadConfig(await readFile(new URL('tests/fixtures/seed-config.yaml', root), 'utf8'));
// The demo's data (scripts/demo.ts): 252 sessions of 390 one-minute bars.
const bars = alignBars(generateBars({ symbols: ['SPY'], bars: 252 * 390, interval: '1m', seed: 2024, start: '2024-01-02' }), ['SPY']);
const result = await runBacktest(config, { bars, executor: 'inline', tracing: 'full' });
await mkdir(out, { recursive: true });
for (const { file, html } of reportFiles(result, { config, bars, generatedAt: '2026-12-03T00:00:00Z' })) {
  await writeFile(new URL(file, out), html);
  console.error(`${file}: ${(html.length / 1e6).toFixed(2)} MB`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});

async function open(file: string, scheme: 'light' | 'dark', width = 1440): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1, colorScheme: scheme });
  await context.route(/^(?!file:)/, (route) => route.abort());
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && console.error(`${file}: ${m.text()}`));
  page.on('pageerror', (e) => console.error(`${file}: ${e.message}`));
  await page.goto(new URL(file, out).href);
  await page.locator('folio-time-chart canvas').first().waitFor();
  await page.waitForTimeout(400);
  return page;
}

await mkdir(new URL('docs/', root), { recursive: true });
const shots: Array<[string, string, 'light' | 'dark', number?]> = [
  ['dashboard.html', 'docs/dashboard.png', 'light'],
  ['dashboard.html', 'docs/dashboard-dark.png', 'dark'],
  ['momentum_portfolio.html', 'docs/portfolio-report.png', 'light'],
  ['dashboard.html', 'docs/dashboard-mobile.png', 'light', 390],
  ['mean_reversion_portfolio.html', 'docs/portfolio-report-dark.png', 'dark'],
];
for (const [file, png, scheme, width] of shots) {
  const page = await open(file, scheme, width);
  await page.screenshot({ path: new URL(png, root).pathname, fullPage: true });
  console.error(`wrote ${png}`);
  await page.context().close();
}
const page = await open('momentum_portfolio.html', 'light');
// A trade clicked in the list: every pane zooms to it, fills and the trade segment appear on the candles.
await page.locator('folio-trade-list tbody tr >> nth=5').click();
await page.waitForTimeout(500);
await page.locator('folio-portfolio-report').evaluate((el) => el.shadowRoot!.querySelector('[part~="equity"]')!.scrollIntoView());
await page.locator('folio-portfolio-report >> [part~="equity"]').screenshot({ path: new URL('docs/trade-zoom.png', root).pathname });
console.error('wrote docs/trade-zoom.png');
const trace = page.locator('folio-event-trace');
await trace.scrollIntoViewIfNeeded();
await trace.locator('tr[data-id] >> nth=0').waitFor();
await page.evaluate(() => {
  const t = document.querySelector('folio-portfolio-report')!.shadowRoot!.querySelector('folio-event-trace')!;
  const fill = t.filtered.find((e) => e.type === 'fill');
  if (fill) t.explain(fill);
});
await page.waitForTimeout(200);
await trace.screenshot({ path: new URL('docs/event-trace.png', root).pathname });
console.error('wrote docs/event-trace.png');
await browser.close();
