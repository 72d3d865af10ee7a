// Registers <folio-backtest> (once, even when two bundles of the widget meet on one page).
import { FolioBacktest } from './folio-backtest.js';

export { FolioBacktest } from './folio-backtest.js';
export type { RunEndDetail } from './folio-backtest.js';
export { configureWidget, setWidgetRuntime, widgetRuntime } from './runtime.js';
export type { WidgetPlatform, WidgetRuntime } from './runtime.js';

if (!customElements.get('folio-backtest')) customElements.define('folio-backtest', FolioBacktest);
