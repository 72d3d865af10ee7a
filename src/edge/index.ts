// The foliolab/edge entry: the config-driven fetch handler and the run summary it answers with.
// Nothing here creates Workers or reads files, so it runs in workerd, Deno, Bun and Node.
export { createBacktestHandler, DEFAULT_EDGE_LIMITS, DEFAULT_EDGE_POINTS } from './handler.js';
export type { BacktestHandlerOptions, BacktestResponse, EdgeLimits, NamedFillJSON } from './handler.js';
export { summarizeRun, curveOf, DEFAULT_CURVE_POINTS } from './summary.js';
export type { AnalyticsSummary, CurveJSON, PortfolioSummary, RunSummary } from './summary.js';
