// The seam between <folio-backtest> and the engine: the element asks `widgetRuntime()` for the heavy module
// and never imports it statically, so the first load is the element alone. Packaging supplies, through
// `configureWidget`, how the kernel is loaded and how the shared pool starts its workers (blob URLs when the
// script is cross-origin), or replaces the whole engine module (`setWidgetRuntime`).
import type { Executor } from '../../src/workflow/executor.js';

export type WidgetRuntime = typeof import('./engine.js');

/** What a bundle may decide for every widget of the page; read by the engine when it first needs each. */
export interface WidgetPlatform {
  /** The compiled kernel (default: the package's `foliolab.wasm` next to the engine module). */
  kernel?: () => Promise<WebAssembly.Module>;
  /** The pool every widget shares (default: `createWorkerPool` of the package, 1–2 workers). */
  createPool?: () => Executor;
}

export const widgetPlatform: WidgetPlatform = {};

/** Sets the kernel loader and the pool factory (call before the first widget loads). */
export function configureWidget(platform: WidgetPlatform): void {
  Object.assign(widgetPlatform, platform);
}

let loader: () => Promise<WidgetRuntime> = () => import('./engine.js');
let loaded: Promise<WidgetRuntime> | undefined;

/** The engine module, loaded on first call and shared by every widget of the page. */
export function widgetRuntime(): Promise<WidgetRuntime> {
  loaded ??= loader();
  loaded.catch(() => (loaded = undefined)); // a failed load (network) may be retried by the next Run
  return loaded;
}

/** Replaces how the engine module is loaded (call before any widget needs it). */
export function setWidgetRuntime(load: () => Promise<WidgetRuntime>): void {
  loader = load;
  loaded = undefined;
}
