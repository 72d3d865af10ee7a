// The run the element tests show: the seed config on 20 000 generated 1-minute SPY bars, traced in
// full, run inline in the page; plus helpers to wait for charts and to search every shadow root.
import { inject } from 'vitest';
import kernelUrl from '../../../build/foliolab.wasm?url';
import { analyze, type Analysis } from '../../../src/analytics/analyze.js';
import { loadConfig } from '../../../src/config/index.js';
import type { RunConfig } from '../../../src/config/schema.js';
import { alignBars } from '../../../src/data/align.js';
import type { AlignedBars } from '../../../src/data/bars.js';
import { generateBars } from '../../../src/data/generate.js';
import { compileKernel } from '../../../src/engine/wasm.js';
import { runBacktest, type PortfolioOk, type RunResult } from '../../../src/workflow/run.js';
import { SEED_RUN } from '../../shared/digest.js';

export interface SeedRun {
  result: RunResult;
  analysis: Analysis;
  bars: AlignedBars;
  config: RunConfig;
}

let seed: Promise<SeedRun> | undefined;

export function seedRun(): Promise<SeedRun> {
  seed ??= (async () => {
    const kernel = await compileKernel(new URL(kernelUrl, location.href));
    const bars = alignBars(generateBars({ symbols: SEED_RUN.symbols, bars: SEED_RUN.bars, interval: '1m', seed: SEED_RUN.seed }), SEED_RUN.symbols);
    const config = loadConfig(inject('seedYaml'));
    const result = await runBacktest(config, { bars, kernel, executor: 'inline', tracing: 'full' });
    return { result, analysis: analyze(result), bars, config };
  })();
  return seed;
}

export function ok(result: RunResult, id: string): PortfolioOk {
  const p = result.portfolios[id];
  if (p.status !== 'ok') throw new Error(`${id} failed`);
  return p;
}

/** Two animation frames: uPlot draws (and the charts refine) on the frame after an update. */
export const frames = () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

/** Waits until `check` is truthy (polling each frame), or throws after `ms`. */
export async function until<T>(check: () => T | undefined | null | false, ms = 5000): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (performance.now() > end) throw new Error('timed out');
    await frames();
  }
}

/** Every element under `root`, through every shadow root. */
export function deepAll(root: Element | ShadowRoot | Document, selector: string): Element[] {
  const out: Element[] = [...root.querySelectorAll(selector)];
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) out.push(...deepAll(el.shadowRoot, selector));
  return out;
}

/** Text of `root` including every shadow root below it. */
export function deepText(root: Element | ShadowRoot): string {
  let text = '';
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) text += node.textContent;
    if (node instanceof Element && node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) walk(child);
  };
  walk(root);
  return text;
}

/** [r, g, b] (0–255) of a computed colour: rgb()/rgba() or color(srgb r g b) as Chromium writes color-mix results. */
export function rgbOf(css: string): [number, number, number] {
  const rgb = /rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/.exec(css);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const srgb = /color\(srgb\s+([\d.e-]+)\s+([\d.e-]+)\s+([\d.e-]+)/.exec(css);
  if (srgb) return [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255];
  throw new Error(`not a colour: ${css}`);
}
