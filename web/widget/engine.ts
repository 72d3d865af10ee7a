// What <folio-backtest> loads only when it is near the viewport or Run is pressed: the config loader, CSV
// parser, the kernel (compiled once and warmed while idle), one worker pool and one run cache per namespace,
// shared by every widget of the page. The element reaches it through runtime.ts, never by a static import.
import { analyze, ConfigError, createWorkerPool, loadConfig, parseCsv, runBacktest, type Analysis, type Bars, type Executor, type RunConfig, type RunProgress, type RunResult } from '../../workers/index.js';
import { defaultKernel } from '../../src/engine/default-kernel.js';
import { warmKernel } from '../../src/engine/warm.js';
import { openRunCache, runCached, type RunCache } from '../../src/cache/index.js';
import { applyOverrides, paramFields, type Knobs, type ParamField } from './params.js';
import { widgetPlatform } from './runtime.js';
// Results render as <folio-dashboard>: the elements come with the engine, so the widget's first load stays small.
import '../elements/dashboard.js';

/** A config as the widget holds it: its text (for overrides), the loaded config and the form's fields. */
export interface PreparedConfig {
  text: string;
  fileName: string;
  config: RunConfig;
  fields: ParamField[];
}

export interface WidgetRunOptions {
  /** Resolves relative CSV paths of the config. */
  baseUrl: string;
  signal: AbortSignal;
  onProgress: (progress: RunProgress) => void;
  /** Cache namespace; null for no cache. */
  cache: string | null;
  label?: string;
}

export interface WidgetRun {
  result: RunResult;
  fromCache: boolean;
  key?: string;
}

let kernel: Promise<WebAssembly.Module> | undefined;
let warmed: Promise<unknown> | undefined;
let pool: Executor | 'inline' | undefined;
const caches = new Map<string, Promise<RunCache>>();
/** Parsed CSV data by its files (symbol and absolute URL of each). */
const barsByFiles = new Map<string, Promise<Bars>>();

function sharedKernel(): Promise<WebAssembly.Module> {
  kernel ??= (widgetPlatform.kernel ?? defaultKernel)();
  return kernel;
}

/** Compiles the kernel and warms it (see src/engine/warm.ts), once per page. */
export function warm(): Promise<unknown> {
  warmed ??= sharedKernel().then((m) => warmKernel(m));
  return warmed;
}

/** One pool for every widget of the page; inline once workers have failed to start (a CSP without worker-src, say). */
function sharedExecutor(): Executor | 'inline' {
  if (pool === undefined) {
    try {
      pool = widgetPlatform.createPool?.() ?? createWorkerPool({ size: Math.max(1, Math.min(2, (navigator.hardwareConcurrency || 2) - 1)) });
    } catch {
      pool = 'inline';
    }
  }
  return pool;
}

function sharedCache(namespace: string): Promise<RunCache> {
  let cache = caches.get(namespace);
  if (!cache) {
    cache = openRunCache({ namespace });
    caches.set(namespace, cache);
  }
  return cache;
}

/** Loads config text (YAML or JSON) and the knobs over it; a ConfigError names the line or path and the value. */
export function prepare(text: string, fileName: string, knobs: Knobs, values: Record<string, number> = {}): PreparedConfig {
  loadConfig(text, { fileName }); // the text as written, so its errors point at its lines
  const config = loadConfig(applyOverrides(text, knobs, values), { fileName: `${fileName} (with the widget's values)` });
  return { text, fileName, config, fields: paramFields(config) };
}

/** The bars of a CSV config, fetched relative to `baseUrl`. Each file is fetched and parsed once per page. */
async function csvBars(config: RunConfig, baseUrl: string, signal: AbortSignal): Promise<Bars> {
  if (config.data.source !== 'csv') throw new Error('unreachable');
  // One file for every symbol (a symbol column, or the config's one symbol), or one file per symbol.
  const single = config.data.symbols.length === 1 ? config.data.symbols[0] : undefined;
  const files: Array<[string | undefined, string]> = config.data.filePath ? [[single, config.data.filePath]] : Object.entries(config.data.files ?? {});
  const id = files.map(([symbol, path]) => `${symbol ?? ''}|${new URL(path, baseUrl).href}`).join('\n');
  let bars = barsByFiles.get(id);
  if (!bars) {
    // Not tied to one run's signal: other widgets of the page may wait on the same files.
    bars = Promise.all(files.map(async ([symbol, path]) => {
      const response = await fetch(new URL(path, baseUrl));
      if (!response.ok) throw new Error(`data ${path}: HTTP ${response.status}`);
      return parseCsv(await response.text(), { symbol, fileName: path });
    })).then((parsed) => {
      const all: Bars = { symbols: [], series: {} };
      parsed.forEach((got, i) => {
        for (const s of got.symbols) {
          if (all.series[s]) throw new Error(`data ${files[i][1]}: symbol ${s} appears in more than one file`);
          all.symbols.push(s);
          all.series[s] = got.series[s];
        }
      });
      return all;
    });
    barsByFiles.set(id, bars);
    bars.catch(() => barsByFiles.delete(id));
  }
  // The same Bars object each time, so the cache key's data fingerprint is computed once per page.
  const abandoned = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  abandoned.catch(() => {});
  if (signal.aborted) throw signal.reason;
  return Promise.race([bars, abandoned]);
}

/** Runs a prepared config (or opens it from the cache) on the shared pool, inline when workers cannot start. */
export async function run(prepared: PreparedConfig, options: WidgetRunOptions): Promise<WidgetRun> {
  const { config } = prepared;
  const bars = config.data.source === 'csv' ? await csvBars(config, options.baseUrl, options.signal) : undefined;
  const module = await sharedKernel();
  const base = { bars, kernel: module, signal: options.signal, onProgress: options.onProgress, label: options.label };
  const attempt = async (executor: Executor | 'inline'): Promise<WidgetRun> => {
    if (options.cache === null) return { result: await runBacktest(config, { ...base, executor }), fromCache: false };
    return runCached(await sharedCache(options.cache), config, { ...base, executor });
  };
  const executor = sharedExecutor();
  try {
    return await attempt(executor);
  } catch (e) {
    if (executor === 'inline' || (e as Error)?.name === 'AbortError' || e instanceof ConfigError) throw e;
    // Workers that cannot start (or died starting) leave the page to run inline from now on.
    pool = 'inline';
    void executor.dispose().catch(() => {});
    return attempt('inline');
  }
}

/** The stored run of a prepared config, if any, without running anything (what a widget shows on arrival). */
export async function peek(prepared: PreparedConfig, namespace: string): Promise<WidgetRun | undefined> {
  if (prepared.config.data.source === 'csv') return undefined; // would mean fetching the data just to look
  const cache = await sharedCache(namespace);
  const key = await cache.key(prepared.config);
  const result = await cache.get(key, prepared.config);
  return result && { result, fromCache: true, key };
}

export { analyze };
export type { Analysis };
