// <folio-dashboard> and the charts inside it, in real Chromium: metrics shown equal figures recomputed
// here from the equity and the fills, one line per portfolio, a correlation heatmap cell per pair with
// the colours of a known matrix, min/max decimation to the pixel width, linked zoom, dark mode.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../../../web/index.js';
import type { FolioDashboard, FolioHeatmap, FolioMetricsTable, FolioTimeChart } from '../../../web/index.js';
import { formatValue } from '../../../web/format.js';
import { inject } from 'vitest';
import kernelUrl from '../../../build/foliolab.wasm?url';
import { loadConfig } from '../../../src/config/index.js';
import { compileKernel } from '../../../src/engine/wasm.js';
import { runBacktest } from '../../../src/workflow/run.js';
import { deepAll, frames, ok, rgbOf, seedRun, until, type SeedRun } from './fixture.js';

let seed: SeedRun;
const cleanup: Element[] = [];

beforeAll(async () => {
  seed = await seedRun();
});

afterEach(() => {
  for (const el of cleanup.splice(0)) el.remove();
});

async function dashboard(setup?: (el: FolioDashboard) => void): Promise<FolioDashboard> {
  const el = document.createElement('folio-dashboard');
  el.style.width = '1280px';
  el.result = seed.result;
  el.analysis = seed.analysis;
  el.bars = seed.bars;
  el.config = seed.config;
  setup?.(el);
  document.body.append(el);
  cleanup.push(el);
  await el.updateComplete;
  await until(() => el.shadowRoot!.querySelector<FolioTimeChart>('#equity')?.uplot);
  return el;
}

describe('<folio-dashboard>', () => {
  it('shows each portfolio\'s metrics as recomputed from its equity and fills', async () => {
    const el = await dashboard();
    const table = el.shadowRoot!.querySelector<FolioMetricsTable>('folio-metrics-table')!;
    await table.updateComplete;
    const rows = [...table.shadowRoot!.querySelectorAll('tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-id')).sort()).toEqual(['mean_reversion_portfolio', 'momentum_portfolio']);
    for (const row of rows) {
      const p = ok(seed.result, row.getAttribute('data-id')!);
      const cell = (key: string) => row.querySelector(`td[data-key="${key}"]`)!.textContent!.trim();
      const equity = p.equity;
      // Total return: last equity over the initial capital, minus one (no flows in the seed config).
      expect(cell('totalReturn')).toBe(formatValue(equity[equity.length - 1] / p.initialCapital - 1, 'pct'));
      expect(cell('finalEquity')).toBe(formatValue(equity[equity.length - 1], 'money'));
      // Max drawdown: largest fall below the running peak, the initial capital being the first peak.
      let peak = p.initialCapital;
      let worst = 0;
      for (const e of equity) {
        peak = Math.max(peak, e);
        worst = Math.max(worst, 1 - e / peak);
      }
      expect(worst).toBeGreaterThan(0);
      expect(cell('maxDrawdown')).toBe(formatValue(worst, 'pct'));
      // Closed round trips: the position of the one symbol returns to zero or changes sign.
      const q = p.fills.column('quantity');
      let position = 0;
      let closed = 0;
      for (const dq of q) {
        const next = position + dq;
        if (position !== 0 && (next === 0 || Math.sign(next) !== Math.sign(position))) closed++;
        position = next;
      }
      expect(closed).toBeGreaterThan(10);
      expect(cell('trades')).toBe(formatValue(closed, 'int'));
    }
  });

  it('sorts the metrics table by a column', async () => {
    const el = await dashboard();
    const table = el.shadowRoot!.querySelector<FolioMetricsTable>('folio-metrics-table')!;
    const ids = () => [...table.shadowRoot!.querySelectorAll('tbody tr')].map((r) => r.getAttribute('data-id'));
    const total = (id: string) => ok(seed.result, id).finalEquity;
    table.shadowRoot!.querySelector<HTMLButtonElement>('th button[data-key="finalEquity"]')!.click();
    await table.updateComplete;
    const desc = ids();
    expect(total(desc[0]!)).toBeGreaterThan(total(desc[1]!));
    table.shadowRoot!.querySelector<HTMLButtonElement>('th button[data-key="finalEquity"]')!.click();
    await table.updateComplete;
    expect(ids()).toEqual([...desc].reverse());
  });

  it('draws one equity line per portfolio, the combined book and the benchmark, each keeping its extremes', async () => {
    const el = await dashboard((d) => (d.showBenchmark = true));
    const chart = el.shadowRoot!.querySelector<FolioTimeChart>('#equity')!;
    const u = chart.uplot!;
    expect(u.series.slice(1).map((s) => s.label)).toEqual(['momentum_portfolio', 'mean_reversion_portfolio', 'Combined', 'Buy & hold SPY']);
    // 20 000 bars on a ~1 200 px plot: each series keeps a min and a max per 2-pixel column, merged over the series.
    const width = u.over.clientWidth;
    expect(chart.pointsDrawn).toBeLessThan(20_000);
    expect(chart.pointsDrawn).toBeLessThanOrEqual(4 * width + 2);
    // The lowest and highest growth of each portfolio is among the drawn points.
    for (const [k, id] of ['momentum_portfolio', 'mean_reversion_portfolio'].entries()) {
      const p = ok(seed.result, id);
      const drawn = u.data[k + 1] as ArrayLike<number>;
      let lo = Infinity;
      let hi = -Infinity;
      const growth = 1 / p.initialCapital; // the chart draws equity × (1 / initial capital)
      for (const e of p.equity) {
        lo = Math.min(lo, e * growth);
        hi = Math.max(hi, e * growth);
      }
      expect(Math.min(...Array.from(drawn))).toBe(lo);
      expect(Math.max(...Array.from(drawn))).toBe(hi);
    }
  });

  it('zooms every time chart together and re-decimates to full resolution', async () => {
    const el = await dashboard();
    const equity = el.shadowRoot!.querySelector<FolioTimeChart>('#equity')!;
    const underwater = el.shadowRoot!.querySelector<FolioTimeChart>('#underwater')!;
    const t = seed.result.timestamps;
    equity.setRange(t[1000], t[1200]);
    await frames();
    expect(underwater.range).toEqual({ min: t[1000], max: t[1200] });
    // 201 bars in range: every one of them is drawn (plus one neighbour each side).
    expect(equity.pointsDrawn).toBeGreaterThanOrEqual(201);
    expect(equity.pointsDrawn).toBeLessThanOrEqual(204);
    const rangeEvent = new Promise<CustomEvent>((r) => el.addEventListener('folio-range-change', (e) => r(e as CustomEvent), { once: true }));
    underwater.resetZoom();
    expect((await rangeEvent).detail).toEqual({ min: t[0], max: t[t.length - 1] });
  });

  it('shows the correlation matrix as k×k cells with the overlap counts', async () => {
    const el = await dashboard();
    const heat = el.shadowRoot!.querySelector<FolioHeatmap>('#correlation')!;
    await heat.updateComplete;
    const cells = heat.shadowRoot!.querySelectorAll('g.cell');
    expect(cells.length).toBe(4);
    const c = seed.analysis.correlation;
    const off = heat.shadowRoot!.querySelector('g.cell[data-row="0"][data-col="1"]')!;
    expect(off.querySelector('text.cell')!.textContent).toBe(c.matrix[0][1].toFixed(2));
    expect(off.querySelector('text.count')!.textContent).toBe(`n=${c.observations[0][1]}`);
  });

  it('renders every panel: canvases for the time charts, SVG for heatmap, bars and frontier', async () => {
    const el = await dashboard();
    await until(() => deepAll(el.shadowRoot!, 'folio-time-chart').every((c) => (c as FolioTimeChart).uplot));
    expect(deepAll(el.shadowRoot!, 'canvas').length).toBe(deepAll(el.shadowRoot!, 'folio-time-chart').length);
    expect(deepAll(el.shadowRoot!, 'folio-time-chart').length).toBe(3);
    for (const id of ['correlation', 'attribution', 'risk', 'frontier']) {
      const chart = el.shadowRoot!.getElementById(id)!;
      expect(chart.shadowRoot!.querySelector('svg'), id).not.toBeNull();
    }
    const bars = el.shadowRoot!.getElementById('attribution')!.shadowRoot!.querySelectorAll('g.item');
    expect(bars.length).toBe(3); // two portfolios and the combined total
  });

  it('pans by keyboard and exports the shown range at full resolution as CSV', async () => {
    const el = await dashboard();
    const chart = el.shadowRoot!.querySelector<FolioTimeChart>('#equity')!;
    const t = seed.result.timestamps;
    chart.setRange(t[1000], t[1200]);
    await frames();
    const csv = chart.csvOfRange().trim().split('\n');
    expect(csv[0]).toBe('time,momentum_portfolio,mean_reversion_portfolio,Combined');
    expect(csv.length).toBe(1 + 201); // every bar of the range, not the decimated points
    const p = ok(seed.result, 'momentum_portfolio');
    expect(csv[1]).toBe(`${new Date(t[1000]).toISOString()},${p.equity[1000] * (1 / p.initialCapital)},${ok(seed.result, 'mean_reversion_portfolio').equity[1000] * (1 / 50_000)},${(p.equity[1000] + ok(seed.result, 'mean_reversion_portfolio').equity[1000]) * (1 / 100_000)}`);
    const plot = chart.shadowRoot!.querySelector<HTMLElement>('.plot')!;
    plot.focus();
    plot.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await frames();
    const span = t[1200] - t[1000];
    expect(chart.range!.min).toBeCloseTo(t[1000] + span * 0.1, -1);
    plot.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    await frames();
    expect(chart.range).toEqual({ min: t[0], max: t[t.length - 1] });
  });

  it('switches the equity pane to a log scale', async () => {
    const el = await dashboard();
    const log = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === 'Log scale')!;
    log.click();
    await el.updateComplete;
    const chart = el.shadowRoot!.querySelector<FolioTimeChart>('#equity')!;
    await chart.updateComplete;
    expect(chart.uplot!.scales.y.distr).toBe(3);
    expect(log.getAttribute('aria-pressed')).toBe('true');
  });

  it('shows the allocation over time when capital was rebalanced, the weights adding up to 1', async () => {
    const yaml = `${inject('seedYaml')}\nrebalance:\n  target_weights: { momentum_portfolio: 0.5, mean_reversion_portfolio: 0.5 }\n  schedule: daily\n`;
    const config = loadConfig(yaml);
    const kernel = await compileKernel(new URL(kernelUrl, location.href));
    const result = await runBacktest(config, { bars: seed.bars, kernel, executor: 'inline' });
    const moved = result.rebalances.filter((d) => d.transfers.length).length;
    expect(moved).toBeGreaterThan(0);
    const el = await dashboard((d) => {
      d.result = result;
      d.analysis = undefined;
      d.config = config;
    });
    const chart = await until(() => el.shadowRoot!.querySelector<FolioTimeChart>('#allocation')?.uplot && el.shadowRoot!.querySelector<FolioTimeChart>('#allocation'));
    expect(chart.chartTitle).toContain(`${moved} rebalance`);
    const u = chart.uplot!;
    const a = u.data[1] as ArrayLike<number>;
    const b = u.data[2] as ArrayLike<number>;
    for (let i = 0; i < a.length; i += 97) expect(a[i] + b[i]).toBeCloseTo(1, 12);
    // Without rebalancing there is no allocation pane.
    const plain = await dashboard();
    expect(plain.shadowRoot!.querySelector('#allocation')).toBeNull();
  });

  it('follows color-theme="dark"', async () => {
    const el = await dashboard((d) => d.setAttribute('color-theme', 'dark'));
    expect(getComputedStyle(el).backgroundColor).toBe('rgb(15, 18, 22)');
    const table = el.shadowRoot!.querySelector('folio-metrics-table')!;
    expect(rgbOf(getComputedStyle(table).color)[0]).toBeGreaterThan(200); // light text
    el.colorTheme = 'light';
    await el.updateComplete;
    expect(getComputedStyle(el).backgroundColor).toBe('rgb(246, 247, 249)');
  });
});

describe('<folio-heatmap>', () => {
  it('colours a known matrix by mixing the palette ends into the zero colour', async () => {
    const el = document.createElement('folio-heatmap');
    el.style.cssText = '--folio-heat-positive: rgb(200, 0, 0); --folio-heat-negative: rgb(0, 0, 200); --folio-heat-zero: rgb(255, 255, 255)';
    el.rows = el.cols = ['a', 'b', 'c'];
    el.values = [[1, -0.5, 0], [-0.5, 1, NaN], [0, NaN, 1]];
    document.body.append(el);
    cleanup.push(el);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('g.cell').length).toBe(9);
    const fill = (i: number, j: number) => rgbOf(getComputedStyle(el.shadowRoot!.querySelector(`g.cell[data-row="${i}"][data-col="${j}"] rect`)!).fill);
    const near = (got: number[], want: number[]) => got.forEach((v, k) => expect(Math.abs(v - want[k])).toBeLessThanOrEqual(1));
    near(fill(0, 0), [200, 0, 0]); // +1: the positive end
    near(fill(0, 1), [127.5, 127.5, 227.5]); // −0.5: half of (0,0,200) and half of white
    near(fill(0, 2), [255, 255, 255]); // 0: the zero colour
    expect(getComputedStyle(el.shadowRoot!.querySelector('g.cell[data-row="1"][data-col="2"] rect')!).fill).toMatch(/rgba\(0, 0, 0, 0\)|transparent/);
    expect(el.csv().split('\n')[1]).toBe('a,1,-0.5,0');
  });
});
