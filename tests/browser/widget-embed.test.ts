// examples/embed.html in Chromium: its two widgets (the seed config on generated data, and a single portfolio
// with an editable lookback) run side by side on the shared pool to the same results as runBacktest inline.
import { afterAll, describe, expect, it } from 'vitest';
import page from '../../examples/embed.html?raw';
import kernelUrl from '../../build/foliolab.wasm?url';
import { compileKernel } from '../../src/engine/wasm.js';
import { loadConfig } from '../../src/config/index.js';
import { runBacktest } from '../../src/workflow/run.js';
import { cacheDatabaseName } from '../../src/cache/idb.js';
import '../../web/widget/index.js';
import type { FolioBacktest, RunEndDetail } from '../../web/widget/index.js';
import { digestOf } from '../shared/digest.js';

const namespace = `embed-${Math.random().toString(36).slice(2, 8)}`;
afterAll(() => void indexedDB.deleteDatabase(cacheDatabaseName(namespace)));

const done = (el: Element) => new Promise<RunEndDetail>((resolve) => el.addEventListener('folio-run-end', (e) => resolve((e as CustomEvent<RunEndDetail>).detail), { once: true }));

describe('examples/embed.html', () => {
  it('runs both widgets at once, and the lookback of the second can be edited and re-run', async () => {
    const doc = new DOMParser().parseFromString(page, 'text/html');
    expect(doc.querySelectorAll('script:not([type="text/yaml"])')).toHaveLength(1); // the module script only: no inline JavaScript
    const widgets = [...doc.querySelectorAll('folio-backtest')].map((w) => document.importNode(w, true) as FolioBacktest);
    expect(widgets.map((w) => w.id)).toEqual(['seed', 'single']);
    for (const w of widgets) {
      w.setAttribute('cache', namespace);
      document.body.append(w);
    }
    const configs = widgets.map((w) => loadConfig(w.querySelector('script')!.textContent!));
    expect(configs[0].tradingSystems.map((s) => s.portfolioId)).toEqual(['momentum_portfolio', 'mean_reversion_portfolio']);
    await Promise.all(widgets.map((w) => w.start()));
    const t0 = performance.now();
    const ends = widgets.map(done);
    for (const w of widgets) void w.run();
    const details = await Promise.all(ends);
    const bothMs = performance.now() - t0;
    const kernel = await compileKernel(new URL(kernelUrl, location.href));
    for (const [i, d] of details.entries()) {
      expect(d.status).toBe('done');
      expect(d.result!.executor).toBe('workers');
      expect(await digestOf(d.result!)).toEqual(await digestOf(await runBacktest(configs[i], { kernel, executor: 'inline' })));
    }

    const single = widgets[1];
    await single.updateComplete;
    const lookback = single.shadowRoot!.querySelector<HTMLInputElement>('input[name="0.lookback_period"]')!;
    expect(lookback.value).toBe('60');
    lookback.value = '10';
    lookback.dispatchEvent(new Event('change'));
    const edited = done(single);
    single.shadowRoot!.querySelector<HTMLButtonElement>('[part="run"]')!.click();
    const result = (await edited).result!;
    const expected = await runBacktest(loadConfig(single.querySelector('script')!.textContent!.replace('lookback_period: 60', 'lookback_period: 10')), { kernel, executor: 'inline' });
    expect(await digestOf(result)).toEqual(await digestOf(expected));
    expect(await digestOf(result)).not.toEqual(await digestOf(details[1].result!));
    console.log(`embed.html: both widgets (seed 100k bars × 2, single 2520 daily bars) in ${bothMs.toFixed(0)} ms`);
    for (const w of widgets) w.remove();
  });
});
