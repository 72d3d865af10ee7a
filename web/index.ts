// foliolab/elements: every folio-* element, defined on import (guarded: importing twice is harmless),
// and their types. Import this module, then create the tags or set properties on them.
export { FolioTimeChart } from './charts/time-chart.js';
export type { ChartMarkers, ChartRange, ChartSegment, ChartSeries } from './charts/time-chart.js';
export { FolioHeatmap, heatShare } from './charts/heatmap.js';
export type { HeatmapPalette } from './charts/heatmap.js';
export { FolioBarChart } from './charts/bar-chart.js';
export type { BarItem } from './charts/bar-chart.js';
export { FolioScatter } from './charts/scatter.js';
export type { ScatterPoint } from './charts/scatter.js';
export { FolioHistogram, binValues } from './charts/histogram.js';
export { FolioMetricsTable } from './elements/metrics-table.js';
export type { MetricsRow } from './elements/metrics-table.js';
export { FolioTradeList } from './elements/trade-list.js';
export type { TradeSelectDetail } from './elements/trade-list.js';
export { FolioEventTrace } from './elements/event-trace.js';
export { FolioDashboard } from './elements/dashboard.js';
export { FolioPortfolioReport, monthlyMatrix, rollingVolatility } from './elements/portfolio-report.js';
export { METRICS } from './metric-defs.js';
export type { ColorTheme } from './theme.js';
export { reportData, compactReportData } from '../src/report/model.js';
export type { ReportData, ReportPortfolio } from '../src/report/model.js';
// The embeddable, re-runnable backtest (defines <folio-backtest> on import, guarded as above).
export { FolioBacktest, configureWidget, setWidgetRuntime } from './widget/index.js';
export type { RunEndDetail, WidgetPlatform, WidgetRuntime } from './widget/index.js';
