// `npm run bench:elements`: the UI budgets on the production bundle (Lit in production mode,
// minified), in Chromium: a <folio-dashboard> of 10 portfolios × 1M bars from `data` set to the first
// frame with every chart drawn, and rAF frame times while panning/zooming a 1M-point curve. The page is
// the seed demo's dashboard.html (out/reports/, from `npm run screenshots`): its decoded data is the
// template the big data is built from, in the page.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright';

const file = new URL('../out/reports/dashboard.html', import.meta.url);
if (!existsSync(file)) throw new Error('out/reports/dashboard.html is missing: run `npm run screenshots` first');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.on('pageerror', (e) => console.error(e.message));
// tsx names the functions it compiles with a __name helper, which the page does not have.
await page.addInitScript('window.__name = (f) => f');
await page.goto(file.href);
await page.locator('folio-time-chart canvas').first().waitFor();

const runs = Number(process.env.RUNS ?? 3);
for (let run = 0; run < runs; run++) {
  const figures = await page.evaluate(async () => {
    const N = 1_000_000;
    const template = (document.querySelector('folio-dashboard') as unknown as { data: any }).data;
    const walk = (seed: number, start: number) => {
      const equity = new Float64Array(N), underwater = new Float64Array(N), gross = new Float64Array(N);
      let s = seed, e = start, peak = start;
      for (let i = 0; i < N; i++) {
        s = (s * 48271) % 2147483647;
        e *= 1 + (s / 2147483647 - 0.5) * 0.002;
        peak = Math.max(peak, e);
        equity[i] = e;
        underwater[i] = e / peak - 1;
        gross[i] = e * 0.5;
      }
      return { equity, underwater, gross };
    };
    const timeline = new Float64Array(N);
    for (let i = 0; i < N; i++) timeline[i] = 1.7e12 + i * 60_000;
    const portfolios = Array.from({ length: 10 }, (_, k) => ({ ...template.portfolios[0], id: `p${k}`, ...walk(1000 + k, 50_000), trades: [], events: [] }));
    const ids = portfolios.map((p) => p.id);
    const combined = new Float64Array(N);
    for (const p of portfolios) for (let i = 0; i < N; i++) combined[i] += p.equity[i];
    const data = {
      ...template, timeline, bars: N, decimatedFrom: undefined, portfolios, benchmark: undefined, allocation: undefined,
      combined: { ...template.combined, initialCapital: 500_000, equity: combined, underwater: walk(7, 1).underwater },
      correlation: { ids, method: 'pearson', matrix: ids.map((_, i) => ids.map((__, j) => (i === j ? 1 : 0.1))), observations: ids.map(() => ids.map(() => 250)) },
      attribution: { ...template.attribution, ids, contributions: Object.fromEntries(ids.map((id) => [id, 0.01])), pnl: Object.fromEntries(ids.map((id) => [id, 1])),
        netFlows: Object.fromEntries(ids.map((id) => [id, 0])), cumulative: Object.fromEntries(portfolios.map((p) => [p.id, p.underwater])), combined: walk(8, 1).underwater },
      riskContribution: { ...template.riskContribution, ids, weights: ids.map(() => 0.1), percent: ids.map(() => 0.1), component: ids.map(() => 0.001), marginal: ids.map(() => 0.001) },
      frontier: { ...template.frontier, ids },
      frontierPortfolios: ids.map((id, i) => ({ id, expectedReturn: 0.0001 * i, volatility: 0.01 + 0.001 * i })),
    };
    const frame = () => new Promise<number>((r) => requestAnimationFrame((t) => r(t)));
    const el = document.createElement('folio-dashboard') as HTMLElement & { data: unknown; updateComplete: Promise<unknown> };
    document.body.append(el);
    await frame();
    const t0 = performance.now();
    el.data = data;
    await el.updateComplete;
    const charts = () => [...el.shadowRoot!.querySelectorAll('folio-time-chart')] as Array<HTMLElement & { uplot?: unknown }>;
    while (!(charts().length === 3 && charts().every((c) => c.uplot))) await frame();
    await frame();
    const dashboardMs = performance.now() - t0;
    el.remove();

    const chart = document.createElement('folio-time-chart') as HTMLElement & { x: Float64Array; series: unknown[]; uplot?: unknown; setRange(a: number, b: number): void };
    chart.style.width = '1200px';
    chart.x = timeline;
    chart.series = [{ label: 'equity', values: portfolios[0].equity }];
    document.body.append(chart);
    while (!chart.uplot) await frame();
    await frame();
    const deltas: number[] = [];
    const span = timeline[N - 1] - timeline[0];
    let last = await frame();
    for (let k = 0; k < 120; k++) {
      const zoom = 1 - (k % 60) / 75;
      const mid = timeline[0] + span * (0.3 + (0.4 * ((k * 7) % 60)) / 60);
      chart.setRange(mid - (span * zoom) / 2, mid + (span * zoom) / 2);
      const t = await frame();
      deltas.push(t - last);
      last = t;
    }
    chart.remove();
    deltas.sort((a, b) => a - b);
    return { dashboardMs, median: deltas[Math.floor(deltas.length / 2)], p95: deltas[Math.floor(deltas.length * 0.95)] };
  });
  console.log(`run ${run + 1}: dashboard 10 × 1M bars ${figures.dashboardMs.toFixed(0)} ms; 1M-point pan/zoom frames median ${figures.median.toFixed(1)} ms, p95 ${figures.p95.toFixed(1)} ms`);
}
await browser.close();
