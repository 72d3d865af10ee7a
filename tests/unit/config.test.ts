// Executable spec of src/config: the seed example, every form and default, every error message
// (path, expectation, line), and a round-trip property over random valid configs.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, type RunConfig } from '../../src/config/index.js';
import type { ExecutionSpec, LimitSpec, PortfolioSpec, SizerSpec, StrategySpec } from '../../src/engine/spec.js';

const SEED = readFileSync(new URL('../fixtures/seed-config.yaml', import.meta.url), 'utf8');

const DEFAULT_EXEC: ExecutionSpec = {
  fill: 'next_open',
  slippageBps: 0,
  commission: { perShare: 0, percent: 0, minimum: 0 },
  allowMargin: false,
  margin: { initial: 0.5, maintenance: 0.3 },
};

const SEED_EXPECTED: RunConfig = {
  workflow: { type: 'multi_portfolio_backtest', name: 'Dual Strategy Test' },
  data: { source: 'csv', timeZone: 'America/New_York', filePath: 'data/SPY_1m.csv', symbols: ['SPY'] },
  tradingSystems: [
    {
      portfolioId: 'momentum_portfolio',
      namespace: 'momentum',
      initialCapital: 50000,
      strategy: { type: 'momentum', lookbackPeriod: 20, momentumThreshold: 0.0002, allowShort: true },
      sizers: [{ type: 'fixed', size: 1000 }],
      limits: [{ type: 'max_position_value', value: 5000 }],
      execution: DEFAULT_EXEC,
    },
    {
      portfolioId: 'mean_reversion_portfolio',
      namespace: 'mean_rev',
      initialCapital: 50000,
      strategy: { type: 'mean_reversion', lookbackPeriod: 15, entryThreshold: 1, exitThreshold: 0, allowShort: true },
      sizers: [{ type: 'percentage', size: 0.02 }],
      limits: [],
      execution: DEFAULT_EXEC,
    },
  ],
  execution: DEFAULT_EXEC,
  reporting: { individualReports: true, combinedDashboard: true, correlationAnalysis: true },
  tracing: 'off',
  warnings: [],
};

/** The ConfigError a load throws (fails the test if it does not throw one). */
function errorOf(text: string, options?: Parameters<typeof loadConfig>[1]): ConfigError {
  try {
    loadConfig(text, options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

/** The error message's lines. */
const linesOf = (text: string, options?: Parameters<typeof loadConfig>[1]) => errorOf(text, options).message.split('\n');

/** A minimal valid multi-portfolio config with one system, as YAML, with `extra` appended to that system. */
function oneSystem(system: string, top = ''): string {
  return `data: { source: generated, symbols: [SPY, QQQ], bars: 500 }
trading_systems:
  - portfolio_id: alpha
    initial_capital: 10000
${system
  .split('\n')
  .map((line) => (line ? `    ${line}` : line))
  .join('\n')}
${top}`;
}

const MOMENTUM = `strategy: { type: momentum, parameters: { lookback_period: 5, momentum_threshold: 0.01 } }
risk: { position_sizers: [{ type: fixed, size: 10 }] }`;

describe('loadConfig: the seed example', () => {
  it('loads verbatim into two normalized trading systems', () => {
    expect(loadConfig(SEED)).toEqual(SEED_EXPECTED);
  });

  it('gives every trading system its own execution object', () => {
    const config = loadConfig(SEED);
    config.tradingSystems[0].execution.commission.minimum = 5;
    expect(config.tradingSystems[1].execution.commission.minimum).toBe(0);
    expect(config.execution.commission.minimum).toBe(0);
  });

  // The planning document once held the first half of the example glued before the full example,
  // repeating workflow, data and trading_systems. Repeated keys are refused unless asked for.
  const firstHalf = SEED.split('\n').slice(0, 29).join('\n') + '\n';
  const glued = firstHalf + SEED;

  it('refuses duplicated keys by default, naming each with both lines', () => {
    expect(linesOf(glued, { fileName: 'glued.yaml' })).toEqual([
      'glued.yaml:31 workflow: duplicate key (first at line 2); expected each key once per mapping',
      'glued.yaml:35 data: duplicate key (first at line 6); expected each key once per mapping',
      'glued.yaml:40 trading_systems: duplicate key (first at line 11); expected each key once per mapping',
    ]);
  });

  it('with duplicateKeys: last-wins, the later copy replaces the earlier and each replacement is a warning', () => {
    expect(loadConfig(glued, { fileName: 'glued.yaml', duplicateKeys: 'last-wins' })).toEqual({
      ...SEED_EXPECTED,
      warnings: [
        'glued.yaml:31 workflow: duplicate key; replaces the one at line 2',
        'glued.yaml:35 data: duplicate key; replaces the one at line 6',
        'glued.yaml:40 trading_systems: duplicate key; replaces the one at line 11',
      ],
    });
  });
});

describe('loadConfig: forms and defaults', () => {
  it('reads JSON (JSON is YAML), including tab indentation', () => {
    const json = JSON.stringify(
      {
        data: { source: 'csv', files: { SPY: 'spy.csv', QQQ: 'qqq.csv' } },
        trading_systems: [
          {
            portfolio_id: 'a',
            initial_capital: 1000,
            strategy: { type: 'sma_crossover', parameters: { fast_period: 5, slow_period: 20 } },
            risk: { position_sizers: [{ type: 'fixed_value', value: 500 }] },
          },
        ],
        tracing: 'trades',
      },
      null,
      '\t',
    );
    const config = loadConfig(json);
    expect(config.data).toEqual({ source: 'csv', timeZone: 'America/New_York', files: { SPY: 'spy.csv', QQQ: 'qqq.csv' }, symbols: ['SPY', 'QQQ'] });
    expect(config.tradingSystems[0].strategy).toEqual({ type: 'sma_crossover', fastPeriod: 5, slowPeriod: 20, allowShort: true });
    expect(config.tracing).toBe('trades');
  });

  it('turns a single-portfolio config into one trading system', () => {
    const config = loadConfig(`
workflow: { type: backtest, name: solo }
data: { source: generated, symbols: [SPY], bars: 100, interval: 1h, seed: 7, start: "2024-01-02" }
initial_capital: 25000
symbols: [SPY]
strategy: { type: breakout, parameters: { lookback_period: 20, allow_short: false } }
risk:
  position_sizers: [{ type: percentage, size: 0.5 }]
  limits: [{ type: max_drawdown, value: 0.2 }, { type: max_gross_exposure, value: 1.5 }, { type: max_position_size, size: 300 }]
execution: { fill: close, slippage_bps: 2, commission: { percent: 0.1, minimum: 1 }, allow_margin: true }
reporting: { combined_dashboard: false }
`);
    const execution: ExecutionSpec = {
      fill: 'close',
      slippageBps: 2,
      commission: { perShare: 0, percent: 0.1, minimum: 1 },
      allowMargin: true,
      margin: { initial: 0.5, maintenance: 0.3 },
    };
    expect(config).toEqual({
      workflow: { type: 'backtest', name: 'solo' },
      data: { source: 'generated', timeZone: 'America/New_York', symbols: ['SPY'], bars: 100, interval: '1h', seed: 7, start: '2024-01-02' },
      tradingSystems: [
        {
          portfolioId: 'portfolio',
          namespace: 'portfolio',
          initialCapital: 25000,
          symbols: ['SPY'],
          strategy: { type: 'breakout', lookbackPeriod: 20, allowShort: false },
          sizers: [{ type: 'percentage', size: 0.5 }],
          limits: [
            { type: 'max_drawdown', value: 0.2 },
            { type: 'max_gross_exposure', value: 1.5 },
            { type: 'max_position_size', size: 300 },
          ],
          execution,
        },
      ],
      execution,
      reporting: { individualReports: true, combinedDashboard: false, correlationAnalysis: true },
      tracing: 'off',
      warnings: [],
    } satisfies RunConfig);
  });

  it('fills defaults: namespace, execution, exit_threshold, allow_short, rsi bands, signals column, workflow', () => {
    const config = loadConfig(`
data: { source: generated, symbols: [SPY], bars: 100 }
trading_systems:
  - portfolio_id: mr
    initial_capital: 1
    strategy: { type: mean_reversion, parameters: { lookback_period: 2, entry_threshold: 2 } }
    risk: { position_sizers: [{ type: fixed, size: 1 }], limits: }
  - portfolio_id: rsi
    initial_capital: 1
    strategy: { type: rsi, parameters: { period: 14 } }
    risk: { position_sizers: [{ type: fixed, size: 1 }] }
  - portfolio_id: sig
    initial_capital: 1
    strategy: { type: signals }
    risk: { position_sizers: [{ type: fixed, size: 1 }] }
  - portfolio_id: hold
    initial_capital: 1
    strategy: { type: buy_and_hold, parameters: }
    risk: { position_sizers: [{ type: fixed, size: 1 }] }
`);
    expect(config.workflow).toEqual({ type: 'multi_portfolio_backtest', name: 'backtest' });
    expect(config.data).toEqual({ source: 'generated', timeZone: 'America/New_York', symbols: ['SPY'], bars: 100, interval: '1d', seed: 1 });
    expect(config.tradingSystems.map((s) => s.namespace)).toEqual(['mr', 'rsi', 'sig', 'hold']);
    expect(config.tradingSystems.map((s) => s.strategy)).toEqual([
      { type: 'mean_reversion', lookbackPeriod: 2, entryThreshold: 2, exitThreshold: 0, allowShort: true },
      { type: 'rsi', period: 14, oversold: 30, overbought: 70, allowShort: true },
      { type: 'signals', column: 'signal', allowShort: true },
      { type: 'buy_and_hold' },
    ] satisfies StrategySpec[]);
    for (const system of config.tradingSystems) {
      expect(system.execution).toEqual(DEFAULT_EXEC);
      expect(system.limits).toEqual([]);
      expect('symbols' in system).toBe(false);
    }
    expect(config.execution).toEqual(DEFAULT_EXEC);
    expect('rebalance' in config).toBe(false);
  });

  it('merges a system execution over the top-level one, key by key; commission is replaced whole', () => {
    const config = loadConfig(
      oneSystem(
        `${MOMENTUM}
execution: { slippage_bps: 5, commission: { per_share: 0.01 } }`,
        `execution: { fill: close, slippage_bps: 1, commission: { percent: 0.05, minimum: 2 }, allow_margin: true, margin: { initial: 0.4 } }`,
      ),
    );
    expect(config.execution).toEqual({
      fill: 'close',
      slippageBps: 1,
      commission: { perShare: 0, percent: 0.05, minimum: 2 },
      allowMargin: true,
      margin: { initial: 0.4, maintenance: 0.3 }, // a key left out takes its default
    });
    expect(config.tradingSystems[0].execution).toEqual({
      fill: 'close',
      slippageBps: 5,
      commission: { perShare: 0.01, percent: 0, minimum: 0 },
      allowMargin: true,
      margin: { initial: 0.4, maintenance: 0.3 },
    });
  });

  it('reads a generated data source and a rebalance block', () => {
    const config = loadConfig(`
data: { source: generated, symbols: [AAA, BBB], bars: 2000, interval: 5m, seed: 42 }
trading_systems:
  - { portfolio_id: a, initial_capital: 100, strategy: { type: buy_and_hold }, risk: { position_sizers: [{ type: percentage, size: 1 }] } }
  - { portfolio_id: b, initial_capital: 100, symbols: [BBB], strategy: { type: buy_and_hold }, risk: { position_sizers: [{ type: percentage, size: 1 }] } }
rebalance: { target_weights: { a: 0.1, b: 0.9 }, schedule: { every_bars: 390 }, threshold: 0.05 }
`);
    expect(config.data).toEqual({ source: 'generated', timeZone: 'America/New_York', symbols: ['AAA', 'BBB'], bars: 2000, interval: '5m', seed: 42 });
    expect(config.tradingSystems[1].symbols).toEqual(['BBB']);
    expect(config.rebalance).toEqual({ targetWeights: { a: 0.1, b: 0.9 }, schedule: { everyBars: 390 }, threshold: 0.05 });
  });

  it('warns about percentage sizers above 1 without margin, and portfolios left out of rebalance weights', () => {
    const config = loadConfig(
      oneSystem(
        `strategy: { type: buy_and_hold }
risk: { position_sizers: [{ type: percentage, size: 2 }] }`,
        `rebalance: { target_weights: { alpha: 1 }, schedule: monthly }`,
      ).replace('trading_systems:', `trading_systems:
  - { portfolio_id: beta, initial_capital: 5, strategy: { type: buy_and_hold }, risk: { position_sizers: [{ type: fixed, size: 1 }] } }`),
      { fileName: 'w.yaml' },
    );
    expect(config.warnings).toEqual([
      'w.yaml:7 trading_systems[1].risk.position_sizers[0].size: 2 is 200 % of equity (size is a fraction: 0.02 means 2 %), but allow_margin is false, so buys are capped at the cash available',
      'w.yaml:8 rebalance.target_weights: no weight for portfolio "beta", so its target weight is 0',
    ]);
  });
});

describe('loadConfig: errors name the path, the expectation, the value and the line', () => {
  it('a wrong type', () => {
    const text = SEED.replace('type: "percentage"\n          size: 0.02', 'type: "fixed"\n          size: "abc"');
    expect(linesOf(text)).toEqual(['line 43 trading_systems[1].risk.position_sizers[0].size: expected a number > 0, got "abc"']);
    expect(linesOf(text, { fileName: 'config.yaml' })).toEqual([
      'config.yaml:43 trading_systems[1].risk.position_sizers[0].size: expected a number > 0, got "abc"',
    ]);
  });

  it('exposes the issues with their path, message and line', () => {
    const error = errorOf(SEED.replace('initial_capital: 50000', 'initial_capital: 0'), { fileName: 'c.yaml' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.fileName).toBe('c.yaml');
    expect(error.issues).toEqual([
      { path: 'trading_systems[0].initial_capital', message: 'expected a number > 0, got 0', line: 13 },
    ]);
  });

  it.each([
    ['initial_capital: -5', 'trading_systems[0].initial_capital: expected a number > 0, got -5'],
    ['initial_capital: .nan', 'trading_systems[0].initial_capital: expected a number > 0, got NaN'],
    ['initial_capital: .inf', 'trading_systems[0].initial_capital: expected a number > 0, got Infinity'],
    ['initial_capital: [1]', 'trading_systems[0].initial_capital: expected a number > 0, got a list of 1'],
    ['initial_capital: null', 'trading_systems[0].initial_capital: expected a number > 0, got null'],
  ])('a value ≤ 0 or not a number: %s', (line, message) => {
    expect(linesOf(SEED.replace('initial_capital: 50000', line))).toEqual([`line 13 ${message}`]);
  });

  it('an unknown strategy lists the known ones', () => {
    expect(linesOf(SEED.replace('type: "momentum"', 'type: "momentun"'))).toEqual([
      'line 17 trading_systems[0].strategy.type: unknown strategy "momentun"; expected one of momentum, mean_reversion, sma_crossover, breakout, rsi, buy_and_hold, signals; did you mean "momentum"?',
    ]);
    expect(linesOf(SEED.replace('type: "momentum"', 'type: "kalman"'))).toEqual([
      'line 17 trading_systems[0].strategy.type: unknown strategy "kalman"; expected one of momentum, mean_reversion, sma_crossover, breakout, rsi, buy_and_hold, signals',
    ]);
  });

  it('unknown sizer, limit and data source types list the known ones', () => {
    const text = SEED.replace('type: "fixed"', 'type: "fixd"')
      .replace('type: "max_position_value"', 'type: "max_value"')
      .replace('source: "csv"', 'source: "parquet"');
    expect(linesOf(text)).toEqual([
      'line 7 data.source: unknown data source "parquet"; expected one of csv, generated',
      'line 24 trading_systems[0].risk.position_sizers[0].type: unknown position sizer "fixd"; expected one of fixed, percentage, fixed_value; did you mean "fixed"?',
      'line 27 trading_systems[0].risk.limits[0].type: unknown limit "max_value"; expected one of max_position_value, max_position_size, max_gross_exposure, max_drawdown',
    ]);
  });

  it('an unknown key, with a suggestion when one is close', () => {
    expect(linesOf(SEED.replace('entry_threshold', 'entry_treshold').replace('initial_capital', 'initialCapital'))).toEqual([
      'line 12 trading_systems[0].initial_capital: missing required key; expected a number > 0',
      'line 13 trading_systems[0].initialCapital: unknown key; did you mean "initial_capital"?',
      'line 36 trading_systems[1].strategy.parameters.entry_threshold: missing required key; expected a number > 0',
      'line 38 trading_systems[1].strategy.parameters.entry_treshold: unknown key; did you mean "entry_threshold"?',
    ]);
    expect(linesOf(SEED.replace('reporting:', 'reporting:\n  colour: blue'))).toEqual([
      'line 46 reporting.colour: unknown key; expected one of individual_reports, combined_dashboard, correlation_analysis',
    ]);
    expect(linesOf(SEED + 'tracng: full\n')).toEqual(['line 49 tracng: unknown key; did you mean "tracing"?']);
  });

  it('a missing or empty list of position sizers', () => {
    const sizers = 'position_sizers:\n        - type: "percentage"\n          size: 0.02';
    expect(linesOf(SEED.replace(sizers, 'position_sizers: []'))).toEqual([
      'line 41 trading_systems[1].risk.position_sizers: expected a list of 1 to 64 position sizers, got an empty list',
    ]);
    expect(linesOf(SEED.replace(sizers, 'limits: []'))).toEqual([
      'line 40 trading_systems[1].risk.position_sizers: missing required key; expected a list of 1 to 64 position sizers',
    ]);
  });

  it('duplicate portfolio ids and namespaces, explicit or defaulted', () => {
    expect(linesOf(SEED.replace('"mean_reversion_portfolio"', '"momentum_portfolio"').replace('"mean_rev"', '"momentum"'))).toEqual([
      'line 30 trading_systems[1].portfolio_id: duplicate portfolio id "momentum_portfolio"; already used by trading_systems[0]',
      'line 32 trading_systems[1].namespace: duplicate namespace "momentum"; already used by trading_systems[0]',
    ]);
    // b has no namespace, so it takes its id, which a's explicit namespace already uses.
    const text = `data: { source: generated, symbols: [X], bars: 10 }
trading_systems:
  - { portfolio_id: a, namespace: b, initial_capital: 1, strategy: { type: buy_and_hold }, risk: { position_sizers: [{ type: fixed, size: 1 }] } }
  - { portfolio_id: b, initial_capital: 1, strategy: { type: buy_and_hold }, risk: { position_sizers: [{ type: fixed, size: 1 }] } }
`;
    expect(linesOf(text)).toEqual([
      'line 4 trading_systems[1].namespace: duplicate namespace "b" (namespace defaults to portfolio_id); already used by trading_systems[0]',
    ]);
  });

  it('rebalance weights that do not sum to 1, or name an unknown portfolio', () => {
    const weights = (w: string) => `${SEED}rebalance:\n  target_weights: ${w}\n  schedule: weekly\n`;
    expect(linesOf(weights('{ momentum_portfolio: 0.5, mean_reversion_portfolio: 0.4 }'))).toEqual([
      'line 50 rebalance.target_weights: expected weights that sum to 1 (± 1e-9), got a sum of 0.9',
    ]);
    expect(linesOf(weights('{ momentum_portfolio: 0.5, mean_rev_portfolio: 0.5 }'))).toEqual([
      'line 50 rebalance.target_weights.mean_rev_portfolio: unknown portfolio id "mean_rev_portfolio"; expected one of momentum_portfolio, mean_reversion_portfolio',
    ]);
    expect(linesOf(weights('{ momentum_portfolio: 0.5, mean_reversion_portfolio: 1.5 }'))).toEqual([
      'line 50 rebalance.target_weights.mean_reversion_portfolio: expected a number from 0 to 1, got 1.5',
    ]);
    // 0.1 + 0.2 + 0.7 is 1.0000000000000002 in floating point: within the tolerance.
    const three = SEED.replace('trading_systems:', `trading_systems:
  - { portfolio_id: third, initial_capital: 1, strategy: { type: buy_and_hold }, risk: { position_sizers: [{ type: fixed, size: 1 }] } }`);
    expect(
      loadConfig(`${three}rebalance:\n  target_weights: { third: 0.1, momentum_portfolio: 0.2, mean_reversion_portfolio: 0.7 }\n  schedule: daily\n`).rebalance,
    ).toEqual({ targetWeights: { third: 0.1, momentum_portfolio: 0.2, mean_reversion_portfolio: 0.7 }, schedule: 'daily' });
  });

  it('a bad rebalance schedule', () => {
    const schedule = (s: string) => `${SEED}rebalance:\n  target_weights: { momentum_portfolio: 0.5, mean_reversion_portfolio: 0.5 }\n  schedule: ${s}\n`;
    expect(linesOf(schedule('weekli'))).toEqual([
      'line 51 rebalance.schedule: expected one of daily, weekly, monthly, quarterly or { every_bars: <bars> }, got "weekli"; did you mean "weekly"?',
    ]);
    expect(linesOf(schedule('{ every_bar: 5 }'))).toEqual([
      'line 51 rebalance.schedule.every_bars: missing required key; expected an integer from 1 to 50000000',
      'line 51 rebalance.schedule.every_bar: unknown key; did you mean "every_bars"?',
    ]);
  });

  it('a YAML syntax error gives its line and column', () => {
    expect(linesOf('data:\n  source: csv\n   symbols: [SPY\n', { fileName: 'bad.yaml' })).toEqual([
      'bad.yaml:2:11 YAML syntax error: Nested mappings are not allowed in compact mappings',
      'bad.yaml:2:11 YAML syntax error: Implicit keys need to be on a single line',
      'bad.yaml:4:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(linesOf('{ "a": 1,, }')).toEqual([expect.stringMatching(/^line 1, column \d+ YAML syntax error: /)]);
  });

  it('an empty document, or one that is not a mapping', () => {
    expect(linesOf('')).toEqual(['the config is empty; expected a mapping of config keys']);
    expect(linesOf('# nothing here\n')).toEqual(['the config is empty; expected a mapping of config keys']);
    expect(linesOf('- a\n- b\n')).toEqual(['line 1 expected a mapping of config keys, got a list of 2']);
  });

  it('mixing the single-portfolio and multi-portfolio forms', () => {
    expect(linesOf(`${SEED}initial_capital: 1000\nstrategy: { type: buy_and_hold }\n`)).toEqual([
      'line 49 initial_capital: cannot be combined with trading_systems; move it into each trading system, or drop trading_systems for a single-portfolio config',
      'line 50 strategy: cannot be combined with trading_systems; move it into each trading system, or drop trading_systems for a single-portfolio config',
    ]);
  });

  it('a config with neither form, or a single-portfolio config missing its required keys', () => {
    expect(linesOf('data: { source: generated, symbols: [X], bars: 10 }\n')).toEqual([
      'line 1 trading_systems: missing required key; expected a list of 1 to 10000 trading systems, or top-level strategy, risk and initial_capital for a single portfolio',
    ]);
    expect(linesOf('data: { source: generated, symbols: [X], bars: 10 }\nstrategy: { type: buy_and_hold }\n')).toEqual([
      'line 1 initial_capital: missing required key; expected a number > 0',
      'line 1 risk: missing required key; expected a mapping with position_sizers and limits',
    ]);
  });

  it('cross-field rules of strategy parameters and commission', () => {
    const strategy = (s: string) => oneSystem(`strategy: ${s}\nrisk: { position_sizers: [{ type: fixed, size: 1 }] }`);
    expect(linesOf(strategy('{ type: mean_reversion, parameters: { lookback_period: 1, entry_threshold: 1, exit_threshold: 1.5 } }'))).toEqual([
      'line 5 trading_systems[0].strategy.parameters.lookback_period: expected an integer from 2 to 1000000, got 1',
      'line 5 trading_systems[0].strategy.parameters.exit_threshold: expected a number ≤ entry_threshold (1), got 1.5',
    ]);
    const margin = (m: string) => oneSystem(`${MOMENTUM}\nexecution: { margin: ${m} }`);
    expect(linesOf(margin('{ initial: 0.4, maintenance: 0.5 }'))).toEqual([
      'line 7 trading_systems[0].execution.margin.maintenance: expected a number ≤ initial (0.4), got 0.5',
    ]);
    expect(linesOf(margin('{ initial: 0 }'))).toEqual([
      'line 7 trading_systems[0].execution.margin.initial: expected a number > 0 and ≤ 1, got 0',
    ]);
    expect(linesOf(strategy('{ type: sma_crossover, parameters: { fast_period: 20, slow_period: 20 } }'))).toEqual([
      'line 5 trading_systems[0].strategy.parameters.slow_period: expected an integer > fast_period (20), got 20',
    ]);
    expect(linesOf(strategy('{ type: rsi, parameters: { period: 14, oversold: 75 } }'))).toEqual([
      'line 5 trading_systems[0].strategy.parameters.overbought: expected a number > oversold (75), got 70',
    ]);
    expect(linesOf(strategy('{ type: momentum, parameters: { lookback_period: 2.5, momentum_threshold: 0, allow_short: yes } }'))).toEqual([
      'line 5 trading_systems[0].strategy.parameters.lookback_period: expected an integer from 1 to 1000000, got 2.5',
      'line 5 trading_systems[0].strategy.parameters.allow_short: expected true or false, got "yes"',
    ]);
    // momentum_threshold defaults to 0: only the lookback is missing.
    expect(linesOf(strategy('{ type: momentum }'))).toEqual([
      'line 5 trading_systems[0].strategy.parameters.lookback_period: missing required key; expected an integer from 1 to 1000000',
    ]);
    expect(linesOf(strategy('{ type: buy_and_hold, parameters: { lookback_period: 3 } }'))).toEqual([
      'line 5 trading_systems[0].strategy.parameters.lookback_period: unknown key; buy_and_hold takes no parameters',
    ]);
    expect(linesOf(oneSystem(MOMENTUM, 'execution: { commission: { per_share: 0.01, percent: 0.1 } }'))).toEqual([
      'line 7 execution.commission: expected exactly one of per_share or percent, got both',
    ]);
    expect(linesOf(oneSystem(MOMENTUM, 'execution: { fill: open, commission: { minimum: 1 } }'))).toEqual([
      'line 7 execution.fill: expected next_open or close, got "open"',
      'line 7 execution.commission: expected exactly one of per_share or percent, got neither',
    ]);
  });

  it('data: file_path or files, symbols known and listed once', () => {
    const text = `data: { source: csv, file_path: all.csv, files: { SPY: spy.csv } }
trading_systems:
  - portfolio_id: a
    initial_capital: 1
    symbols: [SPY, QQQ]
    strategy: { type: buy_and_hold }
    risk: { position_sizers: [{ type: fixed, size: 1 }] }
`;
    expect(linesOf(text)).toEqual([
      'line 1 data.files: cannot be combined with file_path; give one CSV file (file_path) or one per symbol (files)',
      'line 1 data.symbols: missing required key; expected a list of 1 to 10000 symbols (required with file_path)',
      'line 5 trading_systems[0].symbols[1]: unknown symbol "QQQ"; expected one of SPY',
    ]);
    expect(linesOf('data: { source: csv, symbols: [SPY, SPY, IWM], files: { SPY: a.csv, QQQ: b.csv } }\n' + MOMENTUM.replace('strategy', 'initial_capital: 1\nstrategy'))).toEqual([
      'line 1 data.symbols[1]: duplicate symbol "SPY"; already listed at data.symbols[0]',
      'line 1 data.files.QQQ: symbol "QQQ" is not in data.symbols; expected one of SPY, SPY, IWM',
      'line 1 data.files: no file for symbol "IWM"; expected one entry per symbol of data.symbols',
    ]);
    expect(linesOf('data: { source: csv }\n' + MOMENTUM.replace('strategy', 'initial_capital: 1\nstrategy'))).toEqual([
      'line 1 data.file_path: missing required key; expected a CSV file path, or files with one path per symbol',
    ]);
    expect(linesOf('data: { source: generated, symbols: ["BRK B"], bars: 10, interval: 2h, start: "2024-13-45" }\n' + MOMENTUM.replace('strategy', 'initial_capital: 1\nstrategy'))).toEqual([
      'line 1 data.symbols[0]: expected a symbol of 1 to 32 letters, digits or . _ - = ^ / : (no spaces), got "BRK B"',
      'line 1 data.interval: expected one of 1m, 5m, 15m, 1h or 1d, got "2h"; did you mean "1h"?',
      'line 1 data.start: expected an ISO 8601 date such as "2024-01-02" or "2024-01-02T14:30:00Z", got "2024-13-45"',
    ]);
  });

  it('a list where a mapping belongs, or an empty one', () => {
    const text = `data: { source: csv, files: [a.csv] }
initial_capital: 1
strategy: [momentum]
risk: []
execution: { commission: {} }
rebalance: { target_weights: {}, schedule: [daily] }
`;
    expect(linesOf(text)).toEqual([
      'line 1 data.files: expected a mapping of symbol to file path with 1 to 10000 entries, got a list of 1',
      'line 3 strategy: expected a mapping with a type, got a list of 1',
      'line 4 risk: expected a mapping with position_sizers and limits, got an empty list',
      'line 5 execution.commission: expected exactly one of per_share or percent, got neither',
      'line 6 rebalance.target_weights: expected a mapping of portfolio_id to weight with 1 to 10000 entries, got an empty mapping',
      'line 6 rebalance.schedule: expected one of daily, weekly, monthly, quarterly or { every_bars: <bars> }, got a list of 1',
    ]);
  });

  it('several errors at once, in document order, with the file name', () => {
    const text = SEED.replace('name: "Dual Strategy Test"', 'name: ""')
      .replace('lookback_period: 20', 'lookback_period: 0')
      .replace('size: 1000', 'size: -1')
      .replace('portfolio_id: "mean_reversion_portfolio"', 'portfolio_id: "mean reversion"')
      .replace('type: "mean_reversion"', 'type: "meanreversion"')
      .replace('correlation_analysis: true', 'correlation_analysis: "true"');
    const error = errorOf(text, { fileName: 'config.yaml' });
    expect(error.message).toBe(
      [
        'config.yaml:4 workflow.name: expected a name of 1 to 256 characters, got ""',
        'config.yaml:19 trading_systems[0].strategy.parameters.lookback_period: expected an integer from 1 to 1000000, got 0',
        'config.yaml:25 trading_systems[0].risk.position_sizers[0].size: expected a number > 0, got -1',
        'config.yaml:30 trading_systems[1].portfolio_id: expected an id of 1 to 64 letters or digits (any script), marks, "_", ".", "-" or currency signs, starting with a letter or digit; no spaces or characters unsafe in file names or HTML (/ \\ : * ? " < > | & \' # %), got "mean reversion"',
        'config.yaml:35 trading_systems[1].strategy.type: unknown strategy "meanreversion"; expected one of momentum, mean_reversion, sma_crossover, breakout, rsi, buy_and_hold, signals; did you mean "mean_reversion"?',
        'config.yaml:48 reporting.correlation_analysis: expected true or false, got "true"',
      ].join('\n'),
    );
    expect(error.issues.map((issue) => issue.line)).toEqual([4, 19, 25, 30, 35, 48]);
  });

  it('bounds untrusted sizes', () => {
    expect(linesOf('data: { source: generated, symbols: [X], bars: 50000001 }\n' + MOMENTUM.replace('lookback_period: 5', 'lookback_period: 1000001').replace('strategy', 'initial_capital: 1\nstrategy'))).toEqual([
      'line 1 data.bars: expected an integer from 1 to 50000000, got 50000001',
      'line 3 strategy.parameters.lookback_period: expected an integer from 1 to 1000000, got 1000001',
    ]);
    const sizers = Array.from({ length: 65 }, () => '{ type: fixed, size: 1 }').join(', ');
    expect(linesOf(oneSystem(`strategy: { type: buy_and_hold }\nrisk: { position_sizers: [${sizers}] }`))).toEqual([
      'line 6 trading_systems[0].risk.position_sizers: expected a list of 1 to 64 position sizers, got a list of 65',
    ]);
    const systems = JSON.stringify({ data: { source: 'generated', symbols: ['X'], bars: 1 }, trading_systems: Array.from({ length: 10_001 }, () => ({})) });
    expect(linesOf(systems)).toEqual(['line 1 trading_systems: expected a list of 1 to 10000 trading systems, got a list of 10001']);
    expect(linesOf('#'.repeat(16 * 1024 * 1024 + 1))).toEqual([
      `expected at most ${16 * 1024 * 1024} characters of config, got ${16 * 1024 * 1024 + 1}`,
    ]);
  });

  it('refuses YAML alias bombs and evaluates nothing', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
    expect(linesOf(bomb.join('\n'))[0]).toMatch(/^could not read the YAML: /);
    // Unknown tags are not executed: the value stays a string and fails validation.
    const lines = linesOf(SEED.replace('initial_capital: 50000', 'initial_capital: !!js/function "() => 1"'));
    expect(lines).toEqual(['line 13 trading_systems[0].initial_capital: expected a number > 0, got "() => 1"']);
  });

  it('keeps prototype keys as plain unknown keys', () => {
    expect(linesOf(SEED + '__proto__: { polluted: true }\n')).toEqual([
      'line 49 __proto__: unknown key; expected one of workflow, data, trading_systems, execution, rebalance, reporting, tracing, portfolio_id, initial_capital, namespace, symbols, strategy, risk',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Property: random valid configs, written as YAML (or JSON), load back to the same values.
// ---------------------------------------------------------------------------------------------

interface Case<T> {
  raw: Record<string, unknown>;
  expected: T;
}

const finite = (min: number, max: number, minExcluded = false) =>
  fc.double({ min, max, minExcluded, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const int = (min: number, max: number) => fc.integer({ min, max });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const strategyArb: fc.Arbitrary<Case<StrategySpec>> = fc.oneof(
  fc.record({ l: int(1, 1_000_000), th: finite(0, 1), s: maybe(fc.boolean()) }).map(({ l, th, s }): Case<StrategySpec> => ({
    raw: { type: 'momentum', parameters: { lookback_period: l, momentum_threshold: th, ...(s === undefined ? {} : { allow_short: s }) } },
    expected: { type: 'momentum', lookbackPeriod: l, momentumThreshold: th, allowShort: s ?? true },
  })),
  fc.record({ l: int(2, 500), ze: finite(0, 5, true), frac: maybe(finite(0, 1)) }).map(({ l, ze, frac }): Case<StrategySpec> => {
    const zx = frac === undefined ? undefined : Math.min(ze, frac * ze);
    return {
      raw: { type: 'mean_reversion', parameters: { lookback_period: l, entry_threshold: ze, ...(zx === undefined ? {} : { exit_threshold: zx }) } },
      expected: { type: 'mean_reversion', lookbackPeriod: l, entryThreshold: ze, exitThreshold: zx ?? 0, allowShort: true },
    };
  }),
  fc.record({ fast: int(1, 100), gap: int(1, 100), s: fc.boolean() }).map(({ fast, gap, s }): Case<StrategySpec> => ({
    raw: { type: 'sma_crossover', parameters: { fast_period: fast, slow_period: fast + gap, allow_short: s } },
    expected: { type: 'sma_crossover', fastPeriod: fast, slowPeriod: fast + gap, allowShort: s },
  })),
  int(1, 1000).map((l): Case<StrategySpec> => ({
    raw: { type: 'breakout', parameters: { lookback_period: l } },
    expected: { type: 'breakout', lookbackPeriod: l, allowShort: true },
  })),
  fc.record({ p: int(1, 100), lo: finite(0, 49), hi: finite(50, 100) }).map(({ p, lo, hi }): Case<StrategySpec> => ({
    raw: { type: 'rsi', parameters: { period: p, oversold: lo, overbought: hi } },
    expected: { type: 'rsi', period: p, oversold: lo, overbought: hi, allowShort: true },
  })),
  fc.constant({ raw: { type: 'buy_and_hold' }, expected: { type: 'buy_and_hold' } as StrategySpec }),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/).map((column): Case<StrategySpec> => ({
    raw: { type: 'signals', parameters: { column, allow_short: false } },
    expected: { type: 'signals', column, allowShort: false },
  })),
);

const sizerArb: fc.Arbitrary<SizerSpec> = fc.oneof(
  finite(0, 1e6, true).map((size) => ({ type: 'fixed' as const, size })),
  finite(0, 1, true).map((size) => ({ type: 'percentage' as const, size })),
  finite(0, 1e9, true).map((value) => ({ type: 'fixed_value' as const, value })),
);

const limitArb: fc.Arbitrary<LimitSpec> = fc.oneof(
  finite(0, 1e9, true).map((value) => ({ type: 'max_position_value' as const, value })),
  finite(0, 1e6, true).map((size) => ({ type: 'max_position_size' as const, size })),
  finite(0, 10, true).map((value) => ({ type: 'max_gross_exposure' as const, value })),
  fc.double({ min: 0, max: 1, minExcluded: true, maxExcluded: true, noNaN: true }).map((value) => ({ type: 'max_drawdown' as const, value })),
);

const executionArb: fc.Arbitrary<Case<Partial<ExecutionSpec>>> = fc
  .record({
    fill: maybe(fc.constantFrom('next_open' as const, 'close' as const)),
    slippage: maybe(finite(0, 100)),
    commission: maybe(fc.record({ perShare: fc.boolean(), amount: finite(0, 1), minimum: maybe(finite(0, 10)) })),
    margin: maybe(fc.boolean()),
  })
  .map(({ fill, slippage, commission, margin }) => {
    const raw: Record<string, unknown> = {};
    const expected: Partial<ExecutionSpec> = {};
    if (fill !== undefined) (raw.fill = fill), (expected.fill = fill);
    if (slippage !== undefined) (raw.slippage_bps = slippage), (expected.slippageBps = slippage);
    if (margin !== undefined) (raw.allow_margin = margin), (expected.allowMargin = margin);
    if (commission !== undefined) {
      const { perShare, amount, minimum } = commission;
      raw.commission = { [perShare ? 'per_share' : 'percent']: amount, ...(minimum === undefined ? {} : { minimum }) };
      expected.commission = { perShare: perShare ? amount : 0, percent: perShare ? 0 : amount, minimum: minimum ?? 0 };
    }
    return { raw, expected };
  });

const merge = (base: ExecutionSpec, over: Partial<ExecutionSpec>): ExecutionSpec => ({
  ...base,
  ...over,
  commission: { ...(over.commission ?? base.commission) },
});

const configArb = fc
  .record({
    ids: fc.uniqueArray(fc.stringMatching(/^p[a-z0-9_]{0,8}$/), { minLength: 1, maxLength: 4 }),
    symbols: fc.uniqueArray(fc.stringMatching(/^[A-Z]{1,5}$/), { minLength: 1, maxLength: 4 }),
    generated: fc.boolean(),
    bars: int(1, 50_000_000),
    seed: int(0, 4_294_967_295),
    tracing: maybe(fc.constantFrom('off' as const, 'trades' as const, 'full' as const)),
    top: maybe(executionArb),
    systems: fc.array(
      fc.record({
        capital: finite(0, 1e9, true),
        namespaced: fc.boolean(),
        subset: fc.boolean(),
        strategy: strategyArb,
        sizers: fc.array(sizerArb, { minLength: 1, maxLength: 3 }),
        limits: maybe(fc.array(limitArb, { maxLength: 3 })),
        execution: maybe(executionArb),
      }),
      { minLength: 4, maxLength: 4 },
    ),
    weights: maybe(fc.array(int(1, 100), { minLength: 4, maxLength: 4 })),
    reporting: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  })
  .map((c) => {
    const top = merge(DEFAULT_EXEC, c.top?.expected ?? {});
    const systems = c.ids.map((id, i) => ({ id, ...c.systems[i] }));
    const data = c.generated
      ? { source: 'generated', symbols: c.symbols, bars: c.bars, seed: c.seed }
      : { source: 'csv', files: Object.fromEntries(c.symbols.map((s) => [s, `data/${s}.csv`])) };
    const raw: Record<string, unknown> = {
      workflow: { type: 'multi_portfolio_backtest', name: `run ${c.ids.join(' ')}` },
      data,
      trading_systems: systems.map((s) => ({
        portfolio_id: s.id,
        initial_capital: s.capital,
        ...(s.namespaced ? { namespace: `n${s.id}` } : {}),
        ...(s.subset ? { symbols: c.symbols.slice(0, 1) } : {}),
        strategy: s.strategy.raw,
        risk: { position_sizers: s.sizers, ...(s.limits === undefined ? {} : { limits: s.limits }) },
        ...(s.execution === undefined ? {} : { execution: s.execution.raw }),
      })),
      reporting: { individual_reports: c.reporting[0], combined_dashboard: c.reporting[1], correlation_analysis: c.reporting[2] },
    };
    if (c.tracing !== undefined) raw.tracing = c.tracing;
    if (c.top !== undefined) raw.execution = c.top.raw;
    let targetWeights: Record<string, number> | undefined;
    if (c.weights !== undefined) {
      const used = c.weights.slice(0, c.ids.length);
      const total = used.reduce((a, b) => a + b, 0);
      targetWeights = Object.fromEntries(c.ids.map((id, i) => [id, used[i] / total]));
      raw.rebalance = { target_weights: targetWeights, schedule: 'quarterly' };
    }
    const expected: RunConfig = {
      workflow: { type: 'multi_portfolio_backtest', name: `run ${c.ids.join(' ')}` },
      data: c.generated
        ? { source: 'generated', timeZone: 'America/New_York', symbols: c.symbols, bars: c.bars, interval: '1d', seed: c.seed }
        : { source: 'csv', timeZone: 'America/New_York', files: Object.fromEntries(c.symbols.map((s) => [s, `data/${s}.csv`])), symbols: c.symbols },
      tradingSystems: systems.map(
        (s): PortfolioSpec => ({
          portfolioId: s.id,
          namespace: s.namespaced ? `n${s.id}` : s.id,
          initialCapital: s.capital,
          ...(s.subset ? { symbols: c.symbols.slice(0, 1) } : {}),
          strategy: s.strategy.expected,
          sizers: s.sizers,
          limits: s.limits ?? [],
          execution: merge(top, s.execution?.expected ?? {}),
        }),
      ),
      execution: top,
      ...(targetWeights === undefined ? {} : { rebalance: { targetWeights, schedule: 'quarterly' as const } }),
      reporting: { individualReports: c.reporting[0], combinedDashboard: c.reporting[1], correlationAnalysis: c.reporting[2] },
      tracing: c.tracing ?? 'off',
      warnings: [],
    };
    return { raw, expected };
  });

describe('loadConfig: round trip', () => {
  it('random valid configs, stringified as YAML or JSON, load back to the same values', () => {
    fc.assert(
      fc.property(configArb, fc.boolean(), ({ raw, expected }, asJson) => {
        const text = asJson ? JSON.stringify(raw, null, 2) : stringify(raw);
        expect(loadConfig(text)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});
