// <folio-backtest> in real Chromium: renders from an inline YAML config, runs on generated data in the shared
// worker pool (results checked against runBacktest inline), re-runs with an edited parameter, a second
// identical run opens from the cache, Cancel mid-run leaves no cache entry, and config text is shown as text.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import kernelUrl from '../../build/foliolab.wasm?url';
import { compileKernel } from '../../src/engine/wasm.js';
import { loadConfig } from '../../src/config/index.js';
import { openRunCache, runKey } from '../../src/cache/index.js';
import { runBacktest } from '../../src/workflow/run.js';
import { cacheDatabaseName } from '../../src/cache/idb.js';
import '../../web/widget/index.js';
import type { FolioBacktest, RunEndDetail } from '../../web/widget/index.js';
import { digestOf } from '../shared/digest.js';

const kernel = compileKernel(new URL(kernelUrl, location.href));
const namespaces: string[] = [];

const yaml = (bars: number, name = 'Widget test') => `
workflow: { name: "${name}" }
data: { source: generated, symbols: [SPY], bars: ${bars}, interval: 1m, seed: 77 }
trading_systems:
  - portfolio_id: momentum_portfolio
    initial_capital: 50000
    strategy: { type: momentum, parameters: { lookback_period: 20, momentum_threshold: 0.0002 } }
    risk: { position_sizers: [{ type: fixed, size: 1000 }], limits: [{ type: max_position_value, value: 5000 }] }
  - portfolio_id: mean_reversion_portfolio
    initial_capital: 50000
    strategy: { type: mean_reversion, parameters: { lookback_period: 15, entry_threshold: 1.0 } }
    risk: { position_sizers: [{ type: percentage, size: 0.02 }] }
`;

function widget(config: string, attributes: Record<string, string> = {}): FolioBacktest {
  const el = document.createElement('folio-backtest');
  const namespace = `widget-${Math.random().toString(36).slice(2, 8)}`;
  namespaces.push(namespace);
  for (const [k, v] of Object.entries({ loading: 'eager', view: 'summary', cache: namespace, ...attributes })) el.setAttribute(k, v);
  const script = document.createElement('script');
  script.type = 'text/yaml';
  script.textContent = config;
  el.append(script);
  document.body.append(el);
  return el;
}

function next<T>(el: EventTarget, type: string): Promise<CustomEvent<T>> {
  return new Promise((resolve) => el.addEventListener(type, (e) => resolve(e as CustomEvent<T>), { once: true }));
}

const shadow = (el: FolioBacktest) => el.shadowRoot!;
const button = (el: FolioBacktest, part: string) => shadow(el).querySelector<HTMLButtonElement>(`[part="${part}"]`)!;

async function ready(el: FolioBacktest): Promise<void> {
  await el.start();
  await el.updateComplete;
}

afterEach(() => {
  for (const el of document.querySelectorAll('folio-backtest')) el.remove();
});

afterAll(async () => {
  for (const n of namespaces) indexedDB.deleteDatabase(cacheDatabaseName(n));
});

describe('<folio-backtest>', () => {
  it('renders the form from the config, runs in the page, re-runs with an edited parameter, then opens from cache', async () => {
    const el = widget(yaml(20_000));
    await ready(el);
    const inputs = [...shadow(el).querySelectorAll<HTMLInputElement>('input[part="param-input"]')];
    expect(inputs.map((i) => [i.name, i.value, i.min, i.max, i.step])).toEqual([
      ['0.lookback_period', '20', '1', '1000000', '1'],
      ['0.momentum_threshold', '0.0002', '0', '', 'any'],
      ['1.lookback_period', '15', '2', '1000000', '1'],
      ['1.entry_threshold', '1', '0', '', 'any'],
      ['1.exit_threshold', '0', '0', '', 'any'],
    ]);

    const seen: string[] = [];
    const log = (e: Event) => seen.push(`${e.type}${e.bubbles && e.composed ? '' : ' (not bubbling+composed)'}`);
    for (const t of ['folio-run-start', 'folio-progress', 'folio-run-end']) document.addEventListener(t, log);
    const ended = next<RunEndDetail>(document, 'folio-run-end');
    button(el, 'run').click();
    const first = (await ended).detail;
    for (const t of ['folio-run-start', 'folio-progress', 'folio-run-end']) document.removeEventListener(t, log);
    expect(seen[0]).toBe('folio-run-start');
    expect(seen).toContain('folio-progress');
    expect(seen.at(-1)).toBe('folio-run-end');
    expect(first.status).toBe('done');
    expect(first.fromCache).toBe(false);
    const reference = await runBacktest(loadConfig(yaml(20_000)), { kernel: await kernel, executor: 'inline' });
    expect(await digestOf(first.result!)).toEqual(await digestOf(reference));
    await el.updateComplete;
    const rows = [...shadow(el).querySelectorAll('[part="summary"] tbody tr')].map((r) => r.querySelector('td')!.textContent);
    expect(rows).toEqual(['momentum_portfolio', 'mean_reversion_portfolio']);
    const finalText = shadow(el).querySelector('[part="summary"] tbody td.num')!.textContent;
    const ref = reference.portfolios.momentum_portfolio;
    if (ref.status !== 'ok') throw new Error(ref.error);
    expect(finalText).toBe(ref.finalEquity.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

    // Edit lookback_period of the first system: 20 → 35, then Run (form submit).
    const lookback = shadow(el).querySelector<HTMLInputElement>('input[name="0.lookback_period"]')!;
    lookback.value = '35';
    lookback.dispatchEvent(new Event('change'));
    const edited = next<RunEndDetail>(el, 'folio-run-end');
    button(el, 'run').click();
    const second = (await edited).detail;
    const expected = await runBacktest(loadConfig(yaml(20_000).replace('lookback_period: 20,', 'lookback_period: 35,')),
      { kernel: await kernel, executor: 'inline' });
    expect(second.fromCache).toBe(false);
    expect(await digestOf(second.result!)).toEqual(await digestOf(expected));
    expect(await digestOf(second.result!)).not.toEqual(await digestOf(reference));

    // The same values again: opened from the cache, badge shown.
    const again = next<RunEndDetail>(el, 'folio-run-end');
    button(el, 'run').click();
    const third = (await again).detail;
    expect(third.fromCache).toBe(true);
    expect(await digestOf(third.result!)).toEqual(await digestOf(expected));
    await el.updateComplete;
    expect(shadow(el).querySelector('[part="cache-badge"]')?.textContent).toBe('from cache');
    console.log(`widget, 20k bars × 2 portfolios: run ${first.ms.toFixed(0)} ms, edited run ${second.ms.toFixed(0)} ms, cache hit ${third.ms.toFixed(1)} ms`);
  });

  it('Cancel mid-run stops it and leaves no cache entry', async () => {
    const el = widget(yaml(400_000));
    await ready(el);
    const ended = next<RunEndDetail>(el, 'folio-run-end');
    void next(el, 'folio-progress').then(() => button(el, 'cancel').click());
    button(el, 'run').click();
    expect((await ended).detail.status).toBe('cancelled');
    await el.updateComplete;
    expect(shadow(el).querySelector('[part="status"]')!.textContent).toBe('Cancelled');
    const cache = await openRunCache({ namespace: el.cache });
    expect(await cache.list()).toEqual([]);
    expect(await cache.get(await runKey(loadConfig(yaml(400_000))), loadConfig(yaml(400_000)))).toBeUndefined();
    cache.close();
  });

  it('shows config names and invalid values as text, never as markup', async () => {
    const hostile = '<img src=x onerror="window.__folioXss=1">';
    const el = widget(yaml(500, hostile.replace(/"/g, '\\"')));
    await ready(el);
    expect(shadow(el).querySelector('[part="title"]')!.textContent).toBe(hostile);
    const bad = widget(yaml(500).replace('initial_capital: 50000', `initial_capital: "${hostile.replace(/"/g, '\\"')}"`));
    const error = next<{ message: string }>(bad, 'folio-error');
    await bad.start();
    expect((await error).detail.message).toMatch(/trading_systems\[0\]\.initial_capital: expected a number > 0, got "<img src=x/);
    await bad.updateComplete;
    expect(shadow(bad).querySelector('[part="error"]')!.textContent).toContain('<img src=x');
    for (const root of [shadow(el), shadow(bad), document]) expect(root.querySelector('img')).toBeNull();
    expect((window as { __folioXss?: number }).__folioXss).toBeUndefined();
  });

  it('kebab-case knobs override the generated data and the capital', async () => {
    const el = widget(yaml(20_000), { bars: '3000', seed: '5', 'initial-capital': '80000' });
    await ready(el);
    const ended = next<RunEndDetail>(el, 'folio-run-end');
    void el.run();
    const { result } = (await ended).detail;
    const expected = await runBacktest(loadConfig(yaml(20_000).replace('bars: 20000', 'bars: 3000').replace('seed: 77', 'seed: 5')
      .replaceAll('initial_capital: 50000', 'initial_capital: 80000')), { kernel: await kernel, executor: 'inline' });
    expect(result!.timestamps.length).toBe(3000);
    expect(await digestOf(result!)).toEqual(await digestOf(expected));
  });

  it('hands the result and its analysis to <folio-dashboard> when the page defines it', async () => {
    class Dashboard extends HTMLElement {
      result?: unknown;
      analysis?: { metrics: Record<string, unknown> };
    }
    if (!customElements.get('folio-dashboard')) customElements.define('folio-dashboard', Dashboard);
    const el = widget(yaml(2000), { view: 'dashboard' });
    await ready(el);
    const ended = next<RunEndDetail>(el, 'folio-run-end');
    void el.run();
    const { result } = (await ended).detail;
    await el.updateComplete;
    const dashboard = shadow(el).querySelector('folio-dashboard') as Dashboard;
    expect(dashboard.result).toBe(result);
    await expect.poll(() => dashboard.analysis && Object.keys(dashboard.analysis.metrics)).toEqual(['momentum_portfolio', 'mean_reversion_portfolio']);
    expect(shadow(el).querySelector('[part="summary"]')).toBeNull();
  });

  it('stays a poster until it nears the viewport', async () => {
    const spacer = document.createElement('div');
    spacer.style.height = '5000px';
    document.body.append(spacer);
    const el = widget(yaml(500), { loading: 'lazy' });
    await new Promise((r) => setTimeout(r, 300));
    await el.updateComplete;
    expect(shadow(el).querySelector('[part="poster"]')).not.toBeNull();
    expect(shadow(el).querySelectorAll('input[part="param-input"]')).toHaveLength(0);
    el.scrollIntoView();
    await expect.poll(() => shadow(el).querySelectorAll('input[part="param-input"]').length).toBe(5);
    expect(shadow(el).querySelector('[part="poster"]')).toBeNull();
    spacer.remove();
  });
});
