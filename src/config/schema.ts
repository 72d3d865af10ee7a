// What a foliolab run config may contain: valibot schemas for every key (snake_case in, camelCase out),
// the bounds on untrusted values, the error-message helpers, and the normalized RunConfig types.
import * as v from 'valibot';
import { calendarOf, DEFAULT_TIME_ZONE } from '../data/calendar.js';
import { parseTimestamp } from '../data/csv.js';
import type {
  CommissionSpec,
  ExecutionSpec,
  LimitSpec,
  MarginSpec,
  PortfolioSpec,
  SizerSpec,
  StrategySpec,
  StrategyType,
  TracingLevel,
} from '../engine/spec.js';
import { DEFAULT_EXECUTION } from '../engine/spec.js';

// ---------------------------------------------------------------------------------------------
// Normalized output types
// ---------------------------------------------------------------------------------------------

export type Interval = '1m' | '5m' | '15m' | '1h' | '1d';

/** Bars read from CSV: one file holding every symbol (`filePath`) or one file per symbol (`files`). */
export interface CsvDataSpec {
  source: 'csv';
  /** The exchange zone (`data.timezone`): reads zone-less CSV times and cuts days, weeks and months. Loaded configs always have it; absent means New York. */
  timeZone?: string;
  filePath?: string;
  files?: Record<string, string>;
  symbols: string[];
}

/** Synthetic bars from a seeded generator (deterministic for a given seed). */
export interface GeneratedDataSpec {
  source: 'generated';
  /** The exchange zone (`data.timezone`): the sessions' clock, and what cuts days, weeks and months. Loaded configs always have it; absent means New York. */
  timeZone?: string;
  symbols: string[];
  bars: number;
  interval: Interval;
  seed: number;
  /** ISO 8601 date or date-time of the first bar, as written in the config. */
  start?: string;
}

export type DataSpec = CsvDataSpec | GeneratedDataSpec;

export type RebalanceSchedule = 'daily' | 'weekly' | 'monthly' | 'quarterly' | { everyBars: number };

export interface RebalanceSpec {
  /** Target share of total capital per portfolio id; sums to 1. */
  targetWeights: Record<string, number>;
  schedule: RebalanceSchedule;
  /** Rebalance only when some weight drifts more than this (absolute fraction) from its target. */
  threshold?: number;
}

export interface ReportingSpec {
  individualReports: boolean;
  combinedDashboard: boolean;
  correlationAnalysis: boolean;
}

export interface WorkflowSpec {
  type: string;
  name: string;
}

/** A loaded, validated and normalized run config. */
export interface RunConfig {
  workflow: WorkflowSpec;
  data: DataSpec;
  tradingSystems: PortfolioSpec[];
  /** The top-level execution default (each trading system carries its own, possibly overridden, copy). */
  execution: ExecutionSpec;
  rebalance?: RebalanceSpec;
  reporting: ReportingSpec;
  tracing: TracingLevel;
  /** Non-fatal findings (duplicate keys replaced, leverage without margin, ...), already located. */
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// Bounds on untrusted values
// ---------------------------------------------------------------------------------------------

/** Upper bounds that keep a hostile or mistyped config from exhausting memory or time. */
export const CONFIG_BOUNDS = {
  /** Characters of config text. */
  maxTextLength: 16 * 1024 * 1024,
  maxTradingSystems: 10_000,
  maxSizers: 64,
  maxLimits: 64,
  maxSymbols: 10_000,
  /** Bars per symbol of generated data; also bounds `schedule.every_bars`. */
  maxBars: 50_000_000,
  /** Any lookback or period of a strategy. */
  maxLookback: 1_000_000,
  /** Largest `percentage` sizer (10 = 1000 % of equity, i.e. 10x leverage). */
  maxPercentage: 10,
  maxSlippageBps: 10_000,
  maxPathLength: 4096,
  maxNameLength: 256,
  /** Issues kept on a ConfigError (its message shows at most `maxIssuesShown`). */
  maxIssues: 1000,
  maxIssuesShown: 100,
  /** Nesting of mappings and lists (real configs nest about 6 deep): deeper text is refused before parsing. */
  maxNesting: 64,
} as const;

export const STRATEGY_TYPES = [
  'momentum',
  'mean_reversion',
  'sma_crossover',
  'breakout',
  'rsi',
  'buy_and_hold',
  'signals',
] as const satisfies readonly StrategyType[];

export const SIZER_TYPES = ['fixed', 'percentage', 'fixed_value'] as const satisfies readonly SizerSpec['type'][];

export const LIMIT_TYPES = [
  'max_position_value',
  'max_position_size',
  'max_gross_exposure',
  'max_drawdown',
] as const satisfies readonly LimitSpec['type'][];

export const DATA_SOURCES = ['csv', 'generated'] as const;
export const INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const satisfies readonly Interval[];
/** Bars in a 09:30–16:00 session per interval (the last hour bar starts at 15:30). */
const BARS_PER_SESSION: Record<Interval, number> = { '1m': 390, '5m': 78, '15m': 26, '1h': 7, '1d': 1 };
export const SCHEDULES = ['daily', 'weekly', 'monthly', 'quarterly'] as const;
export const TRACING_LEVELS = ['off', 'trades', 'full'] as const satisfies readonly TracingLevel[];

/**
 * Portfolio ids and namespaces name events, reports and files. Letters and digits of any script are
 * welcome (`動量_1`, `Momentum-€`); characters that are unsafe in a file name or in HTML (spaces,
 * controls, / \ : * ? " < > | & ' # % and the like) are refused rather than escaped at every place an
 * id is written. 1 to 64 characters (code points), starting with a letter or digit.
 */
export const ID_PATTERN = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}_.\p{Pd}\p{Sc}]{0,63}$/u;
const ID_TEXT = 'an id of 1 to 64 letters or digits (any script), marks, "_", ".", "-" or currency signs, starting with a letter or digit; '
  + 'no spaces or characters unsafe in file names or HTML (/ \\ : * ? " < > | & \' # %)';

/** Ticker-like symbols: SPY, BRK.B, BTC-USD, EUR/USD, ES=F, ^GSPC, NYSE:IBM. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9^][A-Za-z0-9._\-=^/:]{0,31}$/;
const SYMBOL_TEXT = 'a symbol of 1 to 32 letters, digits or . _ - = ^ / : (no spaces)';

const ISO_DATE_PATTERN =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

// ---------------------------------------------------------------------------------------------
// Message helpers
// ---------------------------------------------------------------------------------------------

/**
 * Describes a config value for "got ..." in messages: strings quoted, containers by kind.
 * @example describeValue('abc') === '"abc"'; describeValue([]) === 'an empty list'; describeValue(undefined) === 'nothing'
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
  return typeof value;
}

/** @example joinOr(['a', 'b', 'c']) === 'a, b or c' */
export function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The closest candidate to a misspelt word: same letters ignoring case and `_`/`-` (so camelCase
 * `initialCapital` finds `initial_capital`), else the nearest within edit distance 2.
 * @example suggest('momentun', STRATEGY_TYPES) === 'momentum'; suggest('kalman', STRATEGY_TYPES) === undefined
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');
  const squashed = squash(word);
  const sameLetters = candidates.find((c) => squash(c) === squashed);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) > 2) continue;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance && distance < word.length) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** @example didYouMean('tracng', ['tracing']) === '; did you mean "tracing"?'; didYouMean('zzz', ['tracing']) === '' */
export function didYouMean(word: unknown, candidates: readonly string[]): string {
  if (typeof word !== 'string') return '';
  const match = suggest(word, candidates);
  return match === undefined || match === word ? '' : `; did you mean "${match}"?`;
}

/** What each schema expects, in words, for "missing required key; expected ..." messages. */
const expectations = new WeakMap<object, string>();

function expecting<T extends object>(schema: T, text: string): T {
  expectations.set(schema, text);
  return schema;
}

/**
 * The words registered for a schema, or a generic description of its kind.
 * @example expectationOf(systemEntries.initial_capital) === 'a number > 0'
 */
export function expectationOf(schema: unknown): string {
  if (schema === null || typeof schema !== 'object') return 'a value';
  const known = expectations.get(schema);
  if (known !== undefined) return known;
  const kind = (schema as { type?: string }).type;
  if (kind === 'object' || kind === 'variant' || kind === 'record') return 'a mapping';
  if (kind === 'array') return 'a list';
  return 'a value';
}

type Message = (issue: v.BaseIssue<unknown>) => string;

const expectedGot =
  (text: string): Message =>
  (issue) =>
    `expected ${text}, got ${describeValue(issue.input)}`;

// ---------------------------------------------------------------------------------------------
// Schema building blocks
// ---------------------------------------------------------------------------------------------

/** The range a number of the config must fall in (what `num` checks; also what a form's inputs are bounded by). */
export interface NumberRange {
  integer?: boolean;
  min?: number;
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
}

function rangeText({ min, minExclusive, max, maxExclusive }: NumberRange): string {
  const low = min === undefined ? '' : `${minExclusive ? '>' : '≥'} ${min}`;
  const high = max === undefined ? '' : `${maxExclusive ? '<' : '≤'} ${max}`;
  if (low && high && !minExclusive && !maxExclusive) return `from ${min} to ${max}`;
  return [low, high].filter(Boolean).join(' and ');
}

function inRange(n: number, r: NumberRange): boolean {
  if (!Number.isFinite(n)) return false;
  if (r.integer && !Number.isInteger(n)) return false;
  if (r.min !== undefined && (r.minExclusive ? n <= r.min : n < r.min)) return false;
  if (r.max !== undefined && (r.maxExclusive ? n >= r.max : n > r.max)) return false;
  return true;
}

/** A finite number (or integer) within a range; one message whatever went wrong. */
function num(range: NumberRange) {
  const text = `${range.integer ? 'an integer' : 'a number'} ${rangeText(range)}`.trim();
  const message = expectedGot(text);
  return expecting(v.pipe(v.number(message), v.check((n) => inRange(n, range), message)), text);
}

function bool() {
  const message = expectedGot('true or false');
  return expecting(v.boolean(message), 'true or false');
}

function text(what: string, maxLength: number, pattern?: RegExp, valid: (s: string) => boolean = () => true) {
  const message = expectedGot(what);
  return expecting(
    v.pipe(
      v.string(message),
      v.check(
        (s) => s.length > 0 && s.length <= maxLength && (pattern === undefined || pattern.test(s)) && valid(s),
        message,
      ),
    ),
    what,
  );
}

/** One of a few words, with a suggestion for near misses. `extra` adds a non-string alternative. */
function choice<const T extends readonly [string, ...string[]]>(options: T, extra?: string) {
  const list = extra === undefined ? [...options] : [...options, extra];
  const words = list.length > 2 ? `one of ${joinOr(list)}` : joinOr(list);
  const message: Message = (issue) =>
    `expected ${words}, got ${describeValue(issue.input)}${didYouMean(issue.input, options)}`;
  return expecting(v.picklist(options, message), words);
}

/** An issue built by hand, for the checks valibot's own schemas do not make. */
function issueOf(
  input: unknown,
  message: string,
  config: v.Config<v.BaseIssue<unknown>>,
  path?: [v.ObjectPathItem],
): v.BaseIssue<unknown> {
  return {
    kind: 'schema',
    type: 'object',
    input,
    expected: null,
    received: describeValue(input),
    message,
    requirement: undefined,
    path,
    issues: undefined,
    lang: config.lang,
    abortEarly: config.abortEarly,
    abortPipeEarly: config.abortPipeEarly,
  };
}

/**
 * Valibot's object, record and variant schemas accept arrays (they are objects); a config list
 * where a mapping belongs must be reported as such, not as a mapping with keys "0", "1", ...
 */
function mappingOnly<S extends v.GenericSchema>(schema: S, what: string): S {
  return {
    ...schema,
    '~run'(dataset, config) {
      if (!Array.isArray(dataset.value)) return schema['~run'](dataset, config);
      const message = `expected ${what}, got ${describeValue(dataset.value)}`;
      const failed = { typed: false, value: dataset.value, issues: [issueOf(dataset.value, message, config)] };
      return failed as unknown as ReturnType<S['~run']>;
    },
  };
}

/**
 * A mapping whose keys are all known. Unlike `v.strictObject`, which stops at the first unknown
 * key, this reports every unknown key, each with a "did you mean" suggestion when one is close.
 */
function closedObject<const E extends v.ObjectEntries>(entries: E, what = 'a mapping', noKeys = 'expected no keys here') {
  const known = Object.keys(entries);
  const message: v.ErrorMessage<v.ObjectIssue> = (issue) => {
    const key = issue.path?.[issue.path.length - 1]?.key;
    if (issue.input === undefined && typeof key === 'string' && key in entries) {
      return `missing required key; expected ${expectationOf(entries[key])}`;
    }
    return `expected ${what}, got ${describeValue(issue.input)}`;
  };
  const schema = v.object(entries, message);
  const closed: typeof schema = {
    ...schema,
    '~run'(dataset, config) {
      const input = dataset.value;
      const result = schema['~run'](dataset, config);
      if (input === null || typeof input !== 'object') return result;
      const record = input as Record<string, unknown>;
      const issues = (result.issues ?? []) as v.BaseIssue<unknown>[];
      for (const key of Object.keys(record)) {
        if (Object.prototype.hasOwnProperty.call(entries, key)) continue;
        const hint = didYouMean(key, known);
        const text = hint
          ? `unknown key${hint}`
          : `unknown key; ${known.length > 0 ? `expected one of ${known.join(', ')}` : noKeys}`;
        issues.push(issueOf(key, text, config, [{ type: 'object', origin: 'key', input: record, key, value: record[key] }]));
      }
      if (issues.length > 0) (result as { issues?: v.BaseIssue<unknown>[] }).issues = issues;
      return result;
    },
  };
  return expecting(mappingOnly(closed, what), what);
}

/** A list of `min`..`max` items; the length is checked before any item is. */
function list<const S extends v.GenericSchema>(item: S, what: string, min: number, max: number) {
  const text = min > 0 ? `a list of ${min} to ${max} ${what}` : `a list of at most ${max} ${what}`;
  const message = expectedGot(text);
  return expecting(
    v.pipe(
      v.array(v.unknown(), message),
      v.check((items) => items.length >= min && items.length <= max, message),
      v.array(item),
    ),
    text,
  );
}

/** A mapping from names to values, at most `max` of them (names are checked by the loader). */
function dict<const S extends v.GenericSchema>(value: S, what: string, max: number) {
  const text = `a mapping of ${what} with 1 to ${max} entries`;
  const message = expectedGot(text);
  return expecting(
    v.pipe(
      mappingOnly(v.record(v.string(), v.unknown(), message), text),
      v.check((record) => {
        const size = Object.keys(record).length;
        return size >= 1 && size <= max;
      }, message),
      v.record(v.string(), value),
    ),
    text,
  );
}

/** A variant keyed by `type` (or another key) whose unknown values list the known ones. */
function tagged<const K extends string, const O extends v.VariantOptions<K>>(
  key: K,
  noun: string,
  known: readonly string[],
  options: O,
) {
  const message: Message = (issue) => {
    const tag = issue.input;
    if (tag === undefined) return `missing required key; expected one of ${known.join(', ')}`;
    if (typeof tag !== 'string') return `expected one of ${known.join(', ')}, got ${describeValue(tag)}`;
    return `unknown ${noun} ${describeValue(tag)}; expected one of ${known.join(', ')}${didYouMean(tag, known)}`;
  };
  const schema = v.variant(key, options, (issue) => {
    // The variant reports a non-mapping input at its own path and a bad tag at `key`.
    if (issue.path === undefined) return `expected a mapping with a ${key}, got ${describeValue(issue.input)}`;
    return message(issue);
  });
  return expecting(mappingOnly(schema, `a mapping with a ${key}`), `a mapping with a ${key} (one of ${known.join(', ')})`);
}

/** A value that is either a word or a mapping, validated by whichever its shape calls for. */
function wordOrMapping<W extends v.GenericSchema, M extends v.GenericSchema>(word: W, mapping: M, text: string) {
  const schema = v.union([word, mapping]);
  const byShape: typeof schema = {
    ...schema,
    '~run'(dataset, config) {
      const value = dataset.value;
      const chosen = value !== null && typeof value === 'object' && !Array.isArray(value) ? mapping : word;
      return chosen['~run'](dataset, config) as ReturnType<(typeof schema)['~run']>;
    },
  };
  return expecting(byShape, text);
}

/** `parameters:` may be omitted or left empty (null) when every parameter has a default. */
function orEmpty<S extends v.GenericSchema>(schema: S) {
  return v.optional(
    v.pipe(
      v.unknown(),
      v.transform((value) => value ?? {}),
      schema,
    ),
    {},
  );
}

// ---------------------------------------------------------------------------------------------
// Strategy, sizers, limits
// ---------------------------------------------------------------------------------------------

const lookbackRange = (min: number): NumberRange => ({ integer: true, min, max: CONFIG_BOUNDS.maxLookback });

/**
 * The numeric strategy parameters and their ranges, as the schemas below check them (cross-parameter rules,
 * such as slow_period > fast_period, are checked by the schemas only). Forms derive their inputs from this.
 */
export const STRATEGY_PARAMETER_RANGES = {
  momentum: { lookback_period: lookbackRange(1), momentum_threshold: { min: 0 } },
  mean_reversion: { lookback_period: lookbackRange(2), entry_threshold: { min: 0, minExclusive: true }, exit_threshold: { min: 0 } },
  sma_crossover: { fast_period: lookbackRange(1), slow_period: lookbackRange(2) },
  breakout: { lookback_period: lookbackRange(1) },
  rsi: { period: lookbackRange(1), oversold: { min: 0, max: 100 }, overbought: { min: 0, max: 100 } },
  buy_and_hold: {},
  signals: {},
} as const satisfies Record<StrategyType, Record<string, NumberRange>>;

const ranges = STRATEGY_PARAMETER_RANGES;
const allowShort = v.optional(bool(), true);

const strategyOption = <const T extends StrategyType, const P extends v.GenericSchema>(type: T, parameters: P) =>
  closedObject({ type: v.literal(type), parameters: orEmpty(parameters) }, 'a strategy mapping');

const momentumParameters = closedObject({
  lookback_period: num(ranges.momentum.lookback_period),
  momentum_threshold: v.optional(num(ranges.momentum.momentum_threshold), 0),
  allow_short: allowShort,
});

const meanReversionParameters = v.pipe(
  closedObject({
    lookback_period: num(ranges.mean_reversion.lookback_period),
    entry_threshold: num(ranges.mean_reversion.entry_threshold),
    exit_threshold: v.optional(num(ranges.mean_reversion.exit_threshold), 0),
    allow_short: allowShort,
  }),
  v.forward(
    v.partialCheck(
      [['entry_threshold'], ['exit_threshold']],
      (p) => p.exit_threshold <= p.entry_threshold,
      (issue) => {
        const p = issue.input as { entry_threshold: number; exit_threshold: number };
        return `expected a number ≤ entry_threshold (${p.entry_threshold}), got ${p.exit_threshold}`;
      },
    ),
    ['exit_threshold'],
  ),
);

const smaCrossoverParameters = v.pipe(
  closedObject({ fast_period: num(ranges.sma_crossover.fast_period), slow_period: num(ranges.sma_crossover.slow_period), allow_short: allowShort }),
  v.forward(
    v.partialCheck(
      [['fast_period'], ['slow_period']],
      (p) => p.slow_period > p.fast_period,
      (issue) => {
        const p = issue.input as { fast_period: number; slow_period: number };
        return `expected an integer > fast_period (${p.fast_period}), got ${p.slow_period}`;
      },
    ),
    ['slow_period'],
  ),
);

const breakoutParameters = closedObject({ lookback_period: num(ranges.breakout.lookback_period), allow_short: allowShort });

const rsiParameters = v.pipe(
  closedObject({
    period: num(ranges.rsi.period),
    oversold: v.optional(num(ranges.rsi.oversold), 30),
    overbought: v.optional(num(ranges.rsi.overbought), 70),
    allow_short: allowShort,
  }),
  v.forward(
    v.partialCheck(
      [['oversold'], ['overbought']],
      (p) => p.overbought > p.oversold,
      (issue) => {
        const p = issue.input as { oversold: number; overbought: number };
        return `expected a number > oversold (${p.oversold}), got ${p.overbought}`;
      },
    ),
    ['overbought'],
  ),
);

const signalsParameters = closedObject({
  column: v.optional(text('a column name of 1 to 256 characters', CONFIG_BOUNDS.maxNameLength), 'signal'),
  allow_short: allowShort,
});

export const strategySchema = v.pipe(
  tagged('type', 'strategy', STRATEGY_TYPES, [
    strategyOption('momentum', momentumParameters),
    strategyOption('mean_reversion', meanReversionParameters),
    strategyOption('sma_crossover', smaCrossoverParameters),
    strategyOption('breakout', breakoutParameters),
    strategyOption('rsi', rsiParameters),
    strategyOption('buy_and_hold', closedObject({}, 'a mapping', 'buy_and_hold takes no parameters')),
    strategyOption('signals', signalsParameters),
  ]),
  v.transform((s): StrategySpec => {
    switch (s.type) {
      case 'momentum': {
        const p = s.parameters;
        return {
          type: 'momentum',
          lookbackPeriod: p.lookback_period,
          momentumThreshold: p.momentum_threshold,
          allowShort: p.allow_short,
        };
      }
      case 'mean_reversion': {
        const p = s.parameters;
        return {
          type: 'mean_reversion',
          lookbackPeriod: p.lookback_period,
          entryThreshold: p.entry_threshold,
          exitThreshold: p.exit_threshold,
          allowShort: p.allow_short,
        };
      }
      case 'sma_crossover': {
        const p = s.parameters;
        return { type: 'sma_crossover', fastPeriod: p.fast_period, slowPeriod: p.slow_period, allowShort: p.allow_short };
      }
      case 'breakout':
        return { type: 'breakout', lookbackPeriod: s.parameters.lookback_period, allowShort: s.parameters.allow_short };
      case 'rsi': {
        const p = s.parameters;
        return { type: 'rsi', period: p.period, oversold: p.oversold, overbought: p.overbought, allowShort: p.allow_short };
      }
      case 'buy_and_hold':
        return { type: 'buy_and_hold' };
      case 'signals':
        return { type: 'signals', column: s.parameters.column, allowShort: s.parameters.allow_short };
    }
  }),
);
expecting(strategySchema, `a mapping with a type (one of ${STRATEGY_TYPES.join(', ')}) and parameters`);

const positive = () => num({ min: 0, minExclusive: true });

export const sizerSchema = tagged('type', 'position sizer', SIZER_TYPES, [
  closedObject({ type: v.literal('fixed'), size: positive() }, 'a position sizer mapping'),
  closedObject(
    {
      type: v.literal('percentage'),
      size: num({ min: 0, minExclusive: true, max: CONFIG_BOUNDS.maxPercentage }),
    },
    'a position sizer mapping',
  ),
  closedObject({ type: v.literal('fixed_value'), value: positive() }, 'a position sizer mapping'),
]);

export const limitSchema = tagged('type', 'limit', LIMIT_TYPES, [
  closedObject({ type: v.literal('max_position_value'), value: positive() }, 'a limit mapping'),
  closedObject({ type: v.literal('max_position_size'), size: positive() }, 'a limit mapping'),
  closedObject({ type: v.literal('max_gross_exposure'), value: positive() }, 'a limit mapping'),
  closedObject(
    { type: v.literal('max_drawdown'), value: num({ min: 0, minExclusive: true, max: 1, maxExclusive: true }) },
    'a limit mapping',
  ),
]);

export const riskSchema = v.pipe(
  closedObject({
    position_sizers: list(sizerSchema, 'position sizers', 1, CONFIG_BOUNDS.maxSizers),
    limits: v.nullish(list(limitSchema, 'limits', 0, CONFIG_BOUNDS.maxLimits), []),
  }, 'a mapping with position_sizers and limits'),
  v.transform((r): { sizers: SizerSpec[]; limits: LimitSpec[] } => ({
    sizers: r.position_sizers.map((s) => ({ ...s })),
    limits: (r.limits ?? []).map((l) => ({ ...l })),
  })),
);
expecting(riskSchema, 'a mapping with position_sizers and limits');

// ---------------------------------------------------------------------------------------------
// Execution
// ---------------------------------------------------------------------------------------------

const commissionSchema = v.pipe(
  closedObject({
    per_share: v.optional(num({ min: 0 })),
    percent: v.optional(num({ min: 0, max: 100 })),
    minimum: v.optional(num({ min: 0 }), 0),
  }),
  v.check(
    (c) => (c.per_share === undefined) !== (c.percent === undefined),
    (issue) => {
      const c = issue.input as { per_share?: number; percent?: number };
      const got = c.per_share === undefined ? 'neither' : 'both';
      return `expected exactly one of per_share or percent, got ${got}`;
    },
  ),
  v.transform(
    (c): CommissionSpec => ({ perShare: c.per_share ?? 0, percent: c.percent ?? 0, minimum: c.minimum }),
  ),
);
expecting(commissionSchema, 'a mapping with per_share or percent, and minimum');

/** Margin fractions (docs/semantics.md, "Margin and bankruptcy"); a key left out takes its default. */
const marginSchema = v.pipe(
  closedObject({
    initial: v.optional(num({ min: 0, minExclusive: true, max: 1 }), DEFAULT_EXECUTION.margin.initial),
    maintenance: v.optional(num({ min: 0, max: 1 }), DEFAULT_EXECUTION.margin.maintenance),
  }),
  v.forward(
    v.partialCheck(
      [['initial'], ['maintenance']],
      // An initial out of range has its own error; the comparison with it would only repeat it.
      (m) => !(m.initial > 0 && m.initial <= 1) || m.maintenance <= m.initial,
      (issue) => {
        const m = issue.input as { initial: number; maintenance: number };
        return `expected a number ≤ initial (${m.initial}), got ${m.maintenance}`;
      },
    ),
    ['maintenance'],
  ),
  v.transform((m): MarginSpec => ({ initial: m.initial, maintenance: m.maintenance })),
);
expecting(marginSchema, 'a mapping with initial and maintenance');

/** An execution block as written: only the keys present (merged over the defaults by the loader). */
export const executionSchema = v.pipe(
  closedObject({
    fill: v.optional(choice(['next_open', 'close'])),
    slippage_bps: v.optional(num({ min: 0, max: CONFIG_BOUNDS.maxSlippageBps })),
    commission: v.optional(commissionSchema),
    allow_margin: v.optional(bool()),
    margin: v.optional(marginSchema),
  }),
  v.transform((e): Partial<ExecutionSpec> => {
    const out: Partial<ExecutionSpec> = {};
    if (e.fill !== undefined) out.fill = e.fill;
    if (e.slippage_bps !== undefined) out.slippageBps = e.slippage_bps;
    if (e.commission !== undefined) out.commission = e.commission;
    if (e.allow_margin !== undefined) out.allowMargin = e.allow_margin;
    if (e.margin !== undefined) out.margin = e.margin;
    return out;
  }),
);
expecting(executionSchema, 'a mapping with fill, slippage_bps, commission, allow_margin and margin');

// ---------------------------------------------------------------------------------------------
// Data, rebalance, reporting, workflow
// ---------------------------------------------------------------------------------------------

const symbolSchema = text(SYMBOL_TEXT, 32, SYMBOL_PATTERN);
export const symbolListSchema = list(symbolSchema, 'symbols', 1, CONFIG_BOUNDS.maxSymbols);
/** A zone the calendar knows (src/data/calendar.ts): an IANA name, UTC or a fixed offset. */
function knownZone(name: string): boolean {
  try {
    calendarOf(name);
    return true;
  } catch {
    return false;
  }
}
const timeZoneSchema = text(`a time zone: an IANA name such as "America/New_York", "UTC" or an offset such as "+05:30"`, 64, undefined, knownZone);

/** Bars of generated data when `bars` is not given: one year of sessions (252) at the interval. */
export const DEFAULT_GENERATED_SESSIONS = 252;

const filePathSchema = text(`a file path of 1 to ${CONFIG_BOUNDS.maxPathLength} characters`, CONFIG_BOUNDS.maxPathLength);

const csvDataSchema = closedObject(
  {
    source: v.literal('csv'),
    timezone: v.optional(timeZoneSchema, DEFAULT_TIME_ZONE),
    file_path: v.optional(filePathSchema),
    files: v.optional(dict(filePathSchema, 'symbol to file path', CONFIG_BOUNDS.maxSymbols)),
    symbols: v.optional(symbolListSchema),
  },
  'a data mapping',
);

const generatedDataSchema = closedObject(
  {
    source: v.literal('generated'),
    timezone: v.optional(timeZoneSchema, DEFAULT_TIME_ZONE),
    symbols: symbolListSchema,
    bars: v.optional(num({ integer: true, min: 1, max: CONFIG_BOUNDS.maxBars })),
    interval: v.optional(choice(INTERVALS), '1d'),
    seed: v.optional(num({ integer: true, min: 0, max: 4_294_967_295 }), 1),
    start: v.optional(
      text('an ISO 8601 date such as "2024-01-02" or "2024-01-02T14:30:00Z"', 40, ISO_DATE_PATTERN, (s) =>
        Number.isFinite(parseTimestamp(s)),
      ),
    ),
  },
  'a data mapping',
);

/**
 * The `data` block. Which of file_path/files is given, and whether symbols match the files, is
 * checked by the loader (it needs the raw keys to point at the right line).
 */
export const dataSchema = v.pipe(
  tagged('source', 'data source', DATA_SOURCES, [csvDataSchema, generatedDataSchema]),
  v.transform((d): DataSpec => {
    if (d.source === 'generated') {
      const out: GeneratedDataSpec = {
        source: 'generated',
        timeZone: d.timezone,
        symbols: d.symbols,
        bars: d.bars ?? DEFAULT_GENERATED_SESSIONS * BARS_PER_SESSION[d.interval],
        interval: d.interval,
        seed: d.seed,
      };
      if (d.start !== undefined) out.start = d.start;
      return out;
    }
    const out: CsvDataSpec = { source: 'csv', timeZone: d.timezone, symbols: d.symbols ?? Object.keys(d.files ?? {}) };
    if (d.file_path !== undefined) out.filePath = d.file_path;
    if (d.files !== undefined) out.files = { ...d.files };
    return out;
  }),
);
expecting(dataSchema, `a mapping with a source (one of ${DATA_SOURCES.join(', ')})`);

const scheduleSchema = wordOrMapping(
  choice(SCHEDULES, '{ every_bars: <bars> }'),
  v.pipe(
    closedObject({ every_bars: num({ integer: true, min: 1, max: CONFIG_BOUNDS.maxBars }) }),
    v.transform((s): { everyBars: number } => ({ everyBars: s.every_bars })),
  ),
  `one of ${joinOr([...SCHEDULES, '{ every_bars: <bars> }'])}`,
);

export const rebalanceSchema = v.pipe(
  closedObject({
    target_weights: dict(num({ min: 0, max: 1 }), 'portfolio_id to weight', CONFIG_BOUNDS.maxTradingSystems),
    schedule: scheduleSchema,
    threshold: v.optional(num({ min: 0, max: 1 })),
  }),
  v.transform((r): RebalanceSpec => {
    const out: RebalanceSpec = { targetWeights: { ...r.target_weights }, schedule: r.schedule as RebalanceSchedule };
    if (r.threshold !== undefined) out.threshold = r.threshold;
    return out;
  }),
);

export const reportingSchema = v.pipe(
  closedObject({
    individual_reports: v.optional(bool(), true),
    combined_dashboard: v.optional(bool(), true),
    correlation_analysis: v.optional(bool(), true),
  }),
  v.transform(
    (r): ReportingSpec => ({
      individualReports: r.individual_reports,
      combinedDashboard: r.combined_dashboard,
      correlationAnalysis: r.correlation_analysis,
    }),
  ),
);

export const workflowSchema = closedObject({
  type: v.optional(text('a workflow type of 1 to 256 characters', CONFIG_BOUNDS.maxNameLength), 'multi_portfolio_backtest'),
  name: v.optional(text('a name of 1 to 256 characters', CONFIG_BOUNDS.maxNameLength), 'backtest'),
});

// ---------------------------------------------------------------------------------------------
// Trading systems and the whole document
// ---------------------------------------------------------------------------------------------

const idSchema = text(ID_TEXT, 256, ID_PATTERN); // the pattern counts code points (64); 256 bounds the UTF-16 length
const capitalSchema = num({ min: 0, minExclusive: true });

/** The keys of one trading system (also the top-level keys of a single-portfolio config). */
export const systemEntries = {
  portfolio_id: idSchema,
  initial_capital: capitalSchema,
  namespace: v.optional(idSchema),
  symbols: v.optional(symbolListSchema),
  strategy: strategySchema,
  risk: riskSchema,
  execution: v.optional(executionSchema),
} as const;

export const tradingSystemSchema = closedObject(systemEntries, 'a trading system mapping');

/** Keys that make a config single-portfolio when they appear at the top level. */
export const SINGLE_PORTFOLIO_KEYS = ['portfolio_id', 'initial_capital', 'namespace', 'symbols', 'strategy', 'risk'] as const;
/** Of those, the ones a single-portfolio config must have. */
export const SINGLE_PORTFOLIO_REQUIRED = ['initial_capital', 'strategy', 'risk'] as const;

/** The whole document. The loader decides between the two forms before running it. */
export const rootSchema = closedObject(
  {
    workflow: v.optional(workflowSchema, {}),
    data: dataSchema,
    trading_systems: v.optional(list(tradingSystemSchema, 'trading systems', 1, CONFIG_BOUNDS.maxTradingSystems)),
    execution: v.optional(executionSchema),
    rebalance: v.optional(rebalanceSchema),
    reporting: v.optional(reportingSchema, {}),
    tracing: v.optional(choice(TRACING_LEVELS), 'off'),
    portfolio_id: v.optional(systemEntries.portfolio_id, 'portfolio'),
    initial_capital: v.optional(systemEntries.initial_capital),
    namespace: systemEntries.namespace,
    symbols: systemEntries.symbols,
    strategy: v.optional(systemEntries.strategy),
    risk: v.optional(systemEntries.risk),
  },
  'a mapping of config keys',
);

export type RootOutput = v.InferOutput<typeof rootSchema>;
export type TradingSystemOutput = v.InferOutput<typeof tradingSystemSchema>;
