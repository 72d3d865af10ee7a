// The seam between <folio-backtest> and the engine: the element asks `widgetRuntime()` for the heavy module
// and never imports it statically, so the first load is the element alone. Packaging may replace the loader
// (`setWidgetRuntime`), for example with a bundle whose worker pool starts workers from blob URLs.
export type WidgetRuntime = typeof import('./engine.js');

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
