// Which PortfolioMetrics fields the tables show, under which label, group and format (one list for the
// dashboard's side-by-side table and the portfolio report's grouped table).
import type { PortfolioMetrics } from '../src/analytics/metrics.js';
import type { ValueFormat } from './format.js';

export type MetricGroup = 'Returns' | 'Risk' | 'Risk-adjusted' | 'Drawdowns' | 'Trades' | 'Daily returns' | 'Activity';

export interface MetricDef {
  key: string;
  label: string;
  group: MetricGroup;
  format: ValueFormat;
  /** The number behind the cell (what sorting compares). */
  value: (m: PortfolioMetrics) => number | string;
  /** Higher is better (+1), lower is better (−1), neither (0): colours the best cell of a row. */
  better: 1 | -1 | 0;
  hint?: string;
}

const f = <K extends keyof PortfolioMetrics>(key: K, label: string, group: MetricGroup, format: ValueFormat, better: 1 | -1 | 0, hint?: string): MetricDef =>
  ({ key, label, group, format, better, hint, value: (m) => m[key] as unknown as number });

/** Every scalar metric, grouped (docs/metrics.md has the formulas). */
export const METRICS: MetricDef[] = [
  f('initialCapital', 'Initial capital', 'Returns', 'money', 0),
  f('finalEquity', 'Final equity', 'Returns', 'money', 1),
  f('totalReturn', 'Total return', 'Returns', 'pct', 1),
  f('cagr', 'CAGR', 'Returns', 'pct', 1, 'compound annual growth rate'),
  f('bestDay', 'Best day', 'Returns', 'pct', 1),
  f('worstDay', 'Worst day', 'Returns', 'pct', 1),
  f('annualizedVolatility', 'Volatility (ann.)', 'Risk', 'pct', -1, 'per-bar returns, annualized'),
  f('dailyVolatility', 'Daily volatility (ann.)', 'Risk', 'pct', -1),
  f('var95', 'VaR 95% (day)', 'Risk', 'pct', -1, 'historical, a loss as a positive number'),
  f('cvar95', 'CVaR 95% (day)', 'Risk', 'pct', -1, 'expected shortfall'),
  f('dailySkew', 'Skew (daily)', 'Risk', 'ratio', 1),
  f('dailyKurtosis', 'Excess kurtosis (daily)', 'Risk', 'ratio', -1),
  f('tailRatio', 'Tail ratio', 'Risk', 'ratio', 1),
  f('sharpe', 'Sharpe', 'Risk-adjusted', 'ratio', 1),
  f('sortino', 'Sortino', 'Risk-adjusted', 'ratio', 1),
  f('calmar', 'Calmar', 'Risk-adjusted', 'ratio', 1),
  f('omega', 'Omega', 'Risk-adjusted', 'ratio', 1),
  f('recoveryFactor', 'Recovery factor', 'Risk-adjusted', 'ratio', 1),
  f('maxDrawdown', 'Max drawdown', 'Drawdowns', 'pct', -1),
  { key: 'maxDrawdownDuration', label: 'Longest drawdown', group: 'Drawdowns', format: 'duration', better: -1, value: (m) => m.longestDrawdown.ms },
  { key: 'maxDrawdownSteps', label: 'Longest drawdown (bars)', group: 'Drawdowns', format: 'int', better: -1, value: (m) => m.longestDrawdown.steps },
  f('ulcerIndex', 'Ulcer index', 'Drawdowns', 'ratio', -1),
  f('trades', 'Trades', 'Trades', 'int', 0),
  f('openTrades', 'Open trades', 'Trades', 'int', 0),
  f('winRate', 'Win rate', 'Trades', 'pct', 1),
  f('profitFactor', 'Profit factor', 'Trades', 'ratio', 1),
  f('averageTrade', 'Average trade', 'Trades', 'money', 1),
  f('averageWin', 'Average win', 'Trades', 'money', 1),
  f('averageLoss', 'Average loss', 'Trades', 'money', 1),
  f('averageBarsHeld', 'Bars held (avg)', 'Trades', 'number', 0),
  f('days', 'Days', 'Daily returns', 'int', 0),
  f('winningDaysPct', 'Winning days', 'Daily returns', 'pct', 1),
  f('exposure', 'Time in market', 'Activity', 'pct', 0),
  f('tradedValue', 'Traded value', 'Activity', 'money', 0),
  f('turnover', 'Turnover (ann.)', 'Activity', 'ratio', 0),
  f('fees', 'Fees', 'Activity', 'money', -1),
  f('bars', 'Bars', 'Activity', 'int', 0),
  f('periodsPerYear', 'Periods per year', 'Activity', 'number', 0),
];

export const METRIC_GROUPS: MetricGroup[] = ['Returns', 'Risk', 'Risk-adjusted', 'Drawdowns', 'Trades', 'Daily returns', 'Activity'];
