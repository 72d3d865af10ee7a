// The normalized description of one portfolio that the engine runs: what src/config produces and
// what the kernel facade and the reference model consume. Units and defaults are in docs/semantics.md.

/** A strategy with its parameters (already validated; names in camelCase). */
export type StrategySpec =
  | { type: 'momentum'; lookbackPeriod: number; momentumThreshold: number; allowShort: boolean }
  | {
      type: 'mean_reversion';
      lookbackPeriod: number;
      entryThreshold: number;
      exitThreshold: number;
      allowShort: boolean;
    }
  | { type: 'sma_crossover'; fastPeriod: number; slowPeriod: number; allowShort: boolean }
  | { type: 'breakout'; lookbackPeriod: number; allowShort: boolean }
  | { type: 'rsi'; period: number; oversold: number; overbought: number; allowShort: boolean }
  | { type: 'buy_and_hold' }
  | { type: 'signals'; column: string; allowShort: boolean };

export type StrategyType = StrategySpec['type'];

/** A position sizer: turns a direction into a target quantity (shares). */
export type SizerSpec =
  | { type: 'fixed'; size: number }
  | { type: 'percentage'; size: number }
  | { type: 'fixed_value'; value: number };

/** A risk limit, applied in config order after the sizers. */
export type LimitSpec =
  | { type: 'max_position_value'; value: number }
  | { type: 'max_position_size'; size: number }
  | { type: 'max_gross_exposure'; value: number }
  | { type: 'max_drawdown'; value: number };

export interface CommissionSpec {
  /** Currency per share traded. */
  perShare: number;
  /** Percent of notional (0.1 means 0.1 %). */
  percent: number;
  /** Floor applied to every fill's commission. */
  minimum: number;
}

/** Reg T-like margin fractions (docs/semantics.md, "Margin and bankruptcy"). */
export interface MarginSpec {
  /** Exposure opened may be at most equity / initial (shorts always; longs too with allowMargin). */
  initial: number;
  /** Below maintenance · (short + borrowed long exposure), positions are flattened. */
  maintenance: number;
}

export interface ExecutionSpec {
  fill: 'next_open' | 'close';
  slippageBps: number;
  commission: CommissionSpec;
  /** Long buys may borrow (within the initial margin rule) instead of being held to the cash. */
  allowMargin: boolean;
  margin: MarginSpec;
}

export type TracingLevel = 'off' | 'trades' | 'full';

/** Everything one portfolio needs to run. */
export interface PortfolioSpec {
  portfolioId: string;
  namespace: string;
  initialCapital: number;
  /** Symbols this portfolio trades; undefined means every symbol of the data. */
  symbols?: string[];
  strategy: StrategySpec;
  sizers: SizerSpec[];
  limits: LimitSpec[];
  execution: ExecutionSpec;
}

export const DEFAULT_EXECUTION: ExecutionSpec = {
  fill: 'next_open',
  slippageBps: 0,
  commission: { perShare: 0, percent: 0, minimum: 0 },
  allowMargin: false,
  margin: { initial: 0.5, maintenance: 0.3 },
};
