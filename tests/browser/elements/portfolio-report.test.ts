// <folio-portfolio-report>, <folio-trade-list> and <folio-event-trace> in real Chromium: a trade click
// zooms the price chart to it, the trace walks a fill back to the bar whose indicator decided it (checked
// against the bars), monthly returns compound to the year, and hostile ids stay text everywhere.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analytics/analyze.js';
import type { FolioEvent } from '../../../src/events/event.js';
import type { RunResult } from '../../../src/workflow/run.js';
import '../../../web/index.js';
import type { FolioEventTrace, FolioPortfolioReport, FolioTimeChart, FolioTradeList } from '../../../web/index.js';
import { monthlyMatrix } from '../../../web/index.js';
import { deepAll, deepText, frames, ok, seedRun, until, type SeedRun } from './fixture.js';

let seed: SeedRun;
const cleanup: Element[] = [];

beforeAll(async () => {
  seed = await seedRun();
});

afterEach(() => {
  for (const el of cleanup.splice(0)) el.remove();
});

async function report(id: string, run = seed.result): Promise<FolioPortfolioReport> {
  const el = document.createElement('folio-portfolio-report');
  el.style.width = '1280px';
  el.portfolioId = id;
  el.result = run;
  el.analysis = run === seed.result ? seed.analysis : analyze(run);
  el.bars = seed.bars;
  el.config = seed.config;
  document.body.append(el);
  cleanup.push(el);
  await el.updateComplete;
  await until(() => el.shadowRoot!.querySelector<FolioTimeChart>('#price')?.uplot);
  return el;
}

describe('<folio-portfolio-report>', () => {
  it('zooms the price chart (and the synced panes) to a clicked trade', async () => {
    const el = await report('momentum_portfolio');
    const list = el.shadowRoot!.querySelector<FolioTradeList>('folio-trade-list')!;
    await list.updateComplete;
    const rows = list.shadowRoot!.querySelectorAll<HTMLTableRowElement>('tbody tr');
    expect(rows.length).toBe(20);
    const row = rows[7];
    const trade = ok(seed.result, 'momentum_portfolio').trades[Number(row.dataset.index)];
    const selected = new Promise<CustomEvent>((r) => el.addEventListener('folio-trade-select', (e) => r(e as CustomEvent), { once: true }));
    row.click();
    expect((await selected).detail.trade).toBe(trade);
    const price = el.shadowRoot!.querySelector<FolioTimeChart>('#price')!;
    const t = seed.result.timestamps;
    const full = t[t.length - 1] - t[0];
    const range = await until(() => {
      const r = price.range!;
      return r.max - r.min < full / 10 ? r : undefined;
    });
    expect(range.min).toBeLessThan(trade.entryTime!);
    expect(range.max).toBeGreaterThan(trade.exitTime!);
    await frames();
    expect(el.shadowRoot!.querySelector<FolioTimeChart>('#equity')!.range).toEqual(range);
    // Zoomed in, the fills are drawn and their hint is gone.
    expect(price.shadowRoot!.querySelector('[part="hint"]')).toBeNull();
    expect(row.getAttribute('aria-selected')).toBe('true');
  });

  it('pages and sorts the trade list', async () => {
    const el = await report('mean_reversion_portfolio');
    const list = el.shadowRoot!.querySelector<FolioTradeList>('folio-trade-list')!;
    const trades = ok(seed.result, 'mean_reversion_portfolio').trades;
    expect(list.pages).toBe(Math.ceil(trades.length / 20));
    list.sortBy('netPnl');
    await list.updateComplete;
    const best = Math.max(...trades.map((t) => t.netPnl));
    const first = list.shadowRoot!.querySelector<HTMLTableRowElement>('tbody tr')!;
    expect(trades[Number(first.dataset.index)].netPnl).toBe(best);
  });

  it('shows monthly returns that compound to the year', async () => {
    const m = ok(seed.result, 'momentum_portfolio').metrics.monthlyReturns;
    const { years, values } = monthlyMatrix(m);
    expect(years.length).toBeGreaterThan(0);
    const row = values[0];
    const months = m.filter((x) => x.year === years[0]);
    expect(months.length).toBeGreaterThan(0);
    expect(row[12]).toBeCloseTo(months.reduce((g, x) => g * (1 + x.return), 1) - 1, 14);
    const el = await report('momentum_portfolio');
    const heat = el.shadowRoot!.getElementById('monthly')!;
    expect(heat.shadowRoot!.querySelectorAll('g.cell').length).toBe(years.length * 13);
  });
});

describe('<folio-event-trace>', () => {
  it('walks a fill back to its order, signal and bar, with the momentum the bars give', async () => {
    const p = ok(seed.result, 'momentum_portfolio');
    const el = document.createElement('folio-event-trace');
    el.events = p.events;
    el.timeZone = 'America/New_York';
    document.body.append(el);
    cleanup.push(el);
    await el.updateComplete;
    const byId = new Map(p.events.map((e) => [e.id, e]));
    // A fill whose order came from a signal (not a forced exit).
    const fill = p.events.find((e) => e.type === 'fill' && byId.get(byId.get(e.causationId!)?.causationId ?? '')?.type === 'signal')!;
    expect(fill).toBeDefined();
    el.setFilter({ types: ['fill'] });
    await el.updateComplete;
    let row: HTMLElement | null = null;
    for (let page = 0; !row; page++) {
      row = el.shadowRoot!.querySelector<HTMLElement>(`tr[data-id="${fill.id}"]`);
      if (!row) {
        el.shadowRoot!.querySelector<HTMLButtonElement>('button[aria-label="Next page"]')!.click();
        await el.updateComplete;
      }
      expect(page).toBeLessThan(200);
    }
    row.click();
    await el.updateComplete;
    const kinds = [...el.shadowRoot!.querySelectorAll('ol.chain li')].map((li) => li.getAttribute('data-kind'));
    expect(kinds[0]).toBe('fill');
    expect(kinds[1]).toBe('order');
    expect(kinds.at(-2)).toBe('signal');
    expect(kinds.at(-1)).toBe('bar');
    const order = byId.get(fill.causationId!)!;
    const signal = byId.get(order.causationId!) as FolioEvent;
    expect(el.shadowRoot!.querySelector('li[data-kind="order"]')!.textContent).toContain(order.id);
    expect(el.shadowRoot!.querySelector('li[data-kind="bar"]')!.textContent).toContain(`momentum@bar${signal.barIndex}`);
    // The fill happens at the next bar's open (DESIGN.md §2: next_open) and the signal's momentum is
    // close[t] / close[t − 20] − 1 of the bars themselves.
    expect(fill.barIndex).toBe(signal.barIndex + 1);
    const close = seed.bars.close[0];
    const t = signal.barIndex;
    const momentum = close[t] / close[t - 20] - 1;
    expect((signal.payload.indicators as Record<string, number>).momentum).toBeCloseTo(momentum, 12);
    expect(el.shadowRoot!.querySelector('li[data-kind="signal"]')!.textContent).toContain(`momentum = ${Number(momentum.toPrecision(12))}`);
  });

  it('filters by type and time and exports the filtered events as JSON lines', async () => {
    const p = ok(seed.result, 'momentum_portfolio');
    const el = document.createElement('folio-event-trace');
    el.events = p.events;
    document.body.append(el);
    cleanup.push(el);
    el.setFilter({ types: ['order'], from: '2000-01-01T00:00', to: '2100-01-01T00:00' });
    await el.updateComplete;
    expect(el.filtered.length).toBe(p.events.filter((e) => e.type === 'order').length);
    el.setFilter({ types: ['fill'], to: '1999-01-01T00:00' });
    await el.updateComplete;
    expect(el.filtered.length).toBe(0);
  });
});

describe('escaping', () => {
  it('shows an id like <img src=x onerror=…> as text in the dashboard, the report and the trace', async () => {
    const evil = '<img src=x onerror="window.__xss=1">';
    const src = seed.result;
    const portfolios: RunResult['portfolios'] = {};
    for (const [id, p] of Object.entries(src.portfolios)) {
      const name = id === 'momentum_portfolio' ? evil : id;
      if (p.status !== 'ok') continue;
      const events = p.events.map((e) => ({ ...e, portfolioId: name }));
      portfolios[name] = { ...p, portfolioId: name, events, trades: p.trades, records: p.records };
    }
    const run: RunResult = { ...src, name: `${evil} run`, portfolios };
    const dash = document.createElement('folio-dashboard');
    dash.result = run;
    dash.bars = seed.bars;
    document.body.append(dash);
    cleanup.push(dash);
    await dash.updateComplete;
    const rep = await report(evil, run);
    await until(() => deepAll(dash.shadowRoot!, 'folio-time-chart').every((c) => (c as FolioTimeChart).uplot));
    await frames();
    for (const root of [dash, rep]) {
      expect(deepAll(root.shadowRoot!, 'img')).toEqual([]);
      expect(deepText(root.shadowRoot!)).toContain(evil);
    }
    const trace = rep.shadowRoot!.querySelector<FolioEventTrace>('folio-event-trace')!;
    await trace.updateComplete;
    expect(deepText(trace.shadowRoot!)).toContain(evil);
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined();
  });
});
