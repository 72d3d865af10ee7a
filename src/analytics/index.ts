// The analytics surface: per-portfolio metrics and the round trips (trades) they are built on.
export { computeMetrics, inferAnnualization } from './metrics.js';
export type {
  Annualization, AnnualizationSource, BarFrequency, DrawdownDuration, MetricsInput, MetricsOptions, PortfolioMetrics,
} from './metrics.js';
export { extractTrades } from './trades.js';
export type { ExtractTradesOptions, Trade, TradeDirection } from './trades.js';
