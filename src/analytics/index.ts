// The analytics surface: per-portfolio metrics and trades, and the cross-portfolio figures
// (returns, correlation, attribution, risk contribution, efficient frontier, drawdowns).
export { analysisToJSON, analyze, toJSONSafe } from './analyze.js';
export type { Analysis, AnalyzableRun } from './analyze.js';
export { computeMetrics, inferAnnualization } from './metrics.js';
export type {
  Annualization, AnnualizationSource, BarFrequency, DrawdownDuration, MetricsInput, MetricsOptions, MonthlyReturn, PortfolioMetrics,
  RollingSharpe,
} from './metrics.js';
export { extractTrades } from './trades.js';
export type { ExtractTradesOptions, Trade, TradeDirection } from './trades.js';
export { analyzeCross, portfoliosFromRun, toPlain } from './cross.js';
export type { CrossAnalysis, CrossOptions } from './cross.js';
export { periodReturns, zoneOffset } from './returns.js';
export type { PortfolioSeries, ReturnSeries, ReturnFrequency } from './returns.js';
export { correlationMatrix } from './correlation.js';
export { attribution } from './attribution.js';
export { riskContribution, riskFromCovariance } from './risk.js';
export { efficientFrontier, frontierFromReturns } from './frontier.js';
export type { Frontier, FrontierPoint, FrontierOptions } from './frontier.js';
export { drawdowns } from './drawdowns.js';
