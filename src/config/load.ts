// Turns config text (YAML or JSON) into a validated, normalized RunConfig, or into one ConfigError
// that lists every problem with its path and line. Pure: no fs, no Node imports, runs anywhere.
import * as v from 'valibot';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { DEFAULT_EXECUTION, type ExecutionSpec, type PortfolioSpec } from '../engine/spec.js';
import {
  CONFIG_BOUNDS,
  SINGLE_PORTFOLIO_KEYS,
  SINGLE_PORTFOLIO_REQUIRED,
  SYMBOL_PATTERN,
  describeValue,
  didYouMean,
  expectationOf,
  rootSchema,
  symbolListSchema,
  systemEntries,
  type RootOutput,
  type RunConfig,
  type TradingSystemOutput,
} from './schema.js';

/** One problem in a config: where (`trading_systems[0].risk`), what, and the line when known. */
export interface ConfigIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/**
 * Every problem found in a config, at once. `message` has one line per issue, each prefixed by the
 * file name and line when known: `config.yaml:14 trading_systems[0].initial_capital: expected ...`.
 */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  readonly fileName: string | undefined;

  constructor(issues: ConfigIssue[], fileName?: string) {
    const shown = issues.slice(0, CONFIG_BOUNDS.maxIssuesShown).map((issue) => formatIssue(issue, fileName));
    if (issues.length > shown.length) shown.push(`... and ${issues.length - shown.length} more issues`);
    super(shown.join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
    this.fileName = fileName;
  }
}

export interface LoadConfigOptions {
  /** Shown before each issue (`config.yaml:14 ...`); the loader never opens it. */
  fileName?: string;
  /**
   * What a key repeated in the same mapping means. `'error'` (default): a config error, since a
   * repeated key is almost always a paste or merge accident. `'last-wins'`: the later key replaces
   * the earlier one (as JSON.parse does) and each replacement is reported in `warnings`.
   */
  duplicateKeys?: 'error' | 'last-wins';
  /**
   * `'optional'` when the caller supplies the CSV bars itself (the CLI's `--data`, the edge handler's
   * request): a `csv` source may then name no file, and `data.symbols` is required instead.
   * Default `'required'`.
   */
  dataFiles?: 'required' | 'optional';
}

type PathKey = string | number;

const WEIGHT_TOLERANCE = 1e-9;
/** Aliases may be used, but not to expand a small text into a huge value ("billion laughs"). */
const MAX_ALIAS_COUNT = 100;
/** Real configs nest about 6 deep; deeper documents are not walked for duplicate keys. */
const MAX_WALK_DEPTH = 64;

/**
 * Loads a run config from YAML or JSON text: parses it, validates every key, fills the defaults and
 * returns the normalized `RunConfig` whose `tradingSystems` the engine runs.
 *
 * Throws a {@link ConfigError} listing every problem (path, expectation, value and line) when the
 * text is not a valid config. Nothing is evaluated; sizes are bounded (see `CONFIG_BOUNDS`).
 *
 * @example
 * ```ts
 * const config = loadConfig(
 *   `
 * data: { source: generated, symbols: [SPY], bars: 1000 }
 * initial_capital: 10000
 * strategy: { type: momentum, parameters: { lookback_period: 20, momentum_threshold: 0.001 } }
 * risk: { position_sizers: [{ type: percentage, size: 0.5 }] }
 * `,
 *   { fileName: 'quick.yaml' },
 * );
 * config.tradingSystems[0].strategy; // { type: 'momentum', lookbackPeriod: 20, ..., allowShort: true }
 * ```
 */
export function loadConfig(text: string, options: LoadConfigOptions = {}): RunConfig {
  const { fileName, duplicateKeys = 'error' } = options;
  if (typeof text !== 'string') {
    throw new ConfigError([{ path: '', message: `expected config text (a string), got ${describeValue(text)}` }], fileName);
  }
  if (text.length > CONFIG_BOUNDS.maxTextLength) {
    throw new ConfigError(
      [{ path: '', message: `expected at most ${CONFIG_BOUNDS.maxTextLength} characters of config, got ${text.length}` }],
      fileName,
    );
  }

  const lineCounter = new LineCounter();
  const doc = parseYaml(text, lineCounter, fileName);
  const findings = new Findings((path) => locate(doc, lineCounter, path));

  for (const warning of doc.warnings) {
    const at = warning.linePos?.[0];
    findings.warn([], `YAML: ${yamlReason(warning.message)}`, at && { line: at.line, column: at.col });
  }
  for (const duplicate of findDuplicateKeys(doc, lineCounter)) {
    if (duplicateKeys === 'last-wins') {
      findings.warn(duplicate.path, `duplicate key; replaces the one at line ${duplicate.previousLine}`, duplicate);
    } else {
      const message = `duplicate key (first at line ${duplicate.previousLine}); expected each key once per mapping`;
      findings.error(duplicate.path, message, duplicate);
    }
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ConfigError([{ path: '', message: `could not read the YAML: ${errorText(error)}` }], fileName);
  }
  if (raw === null || raw === undefined) {
    findings.error([], 'the config is empty; expected a mapping of config keys');
    throw findings.toError(fileName);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    findings.error([], `expected a mapping of config keys, got ${describeValue(raw)}`);
    throw findings.toError(fileName);
  }

  const input = { ...(raw as Record<string, unknown>) };
  const form = decideForm(input, findings);
  const result = v.safeParse(rootSchema, input);
  for (const issue of result.issues ?? []) {
    findings.error(issue.path?.map((item) => item.key as PathKey) ?? [], issue.message);
  }
  crossCheck(input, form, findings, options.dataFiles ?? 'required');
  if (findings.errors.length > 0 || !result.success) throw findings.toError(fileName);

  const config = assemble(result.output, form, findings);
  config.warnings = findings.renderWarnings(fileName);
  return config;
}

// ---------------------------------------------------------------------------------------------
// Issues and where they are
// ---------------------------------------------------------------------------------------------

/** `trading_systems[0].risk.position_sizers[1]`; keys that are not identifiers are quoted. */
function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && key.length <= QUOTED_MAX) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key.length > QUOTED_MAX ? `${key.slice(0, QUOTED_MAX)}…` : key)}]`;
  }
  return out;
}

/** Characters of a user's key a path may quote: a hostile megabyte key is not echoed back. */
const QUOTED_MAX = 100;
/** A last guard on any message (the checks quote values through describeValue, which cuts them to 60). */
const MESSAGE_MAX = 1000;

function clipMessage(message: string): string {
  return message.length <= MESSAGE_MAX ? message : `${message.slice(0, MESSAGE_MAX)}…`;
}

function formatIssue(issue: ConfigIssue, fileName: string | undefined): string {
  let where = '';
  if (fileName !== undefined) {
    where = [fileName, issue.line, issue.column].filter((part) => part !== undefined).join(':');
  } else if (issue.line !== undefined) {
    where = `line ${issue.line}${issue.column !== undefined ? `, column ${issue.column}` : ''}`;
  }
  const body = issue.path ? `${issue.path}: ${issue.message}` : issue.message;
  return where ? `${where} ${body}` : body;
}

interface Position {
  line: number;
  column?: number;
}

class Findings {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];

  constructor(private readonly locateFn: (path: readonly PathKey[]) => Position | undefined) {}

  error(path: readonly PathKey[], message: string, at?: Position): void {
    if (this.errors.length < CONFIG_BOUNDS.maxIssues) this.errors.push(this.issue(path, message, at));
  }

  warn(path: readonly PathKey[], message: string, at?: Position): void {
    if (this.warnings.length < CONFIG_BOUNDS.maxIssues) this.warnings.push(this.issue(path, message, at));
  }

  /** Issues in document order (then in the order found), so the message reads top to bottom. */
  toError(fileName: string | undefined): ConfigError {
    return new ConfigError(byLine(this.errors), fileName);
  }

  renderWarnings(fileName: string | undefined): string[] {
    return byLine(this.warnings).map((issue) => formatIssue(issue, fileName));
  }

  private issue(path: readonly PathKey[], message: string, at?: Position): ConfigIssue {
    const position = at ?? this.locateFn(path);
    const issue: ConfigIssue = { path: formatPath(path), message: clipMessage(message) };
    if (position !== undefined) {
      issue.line = position.line;
      if (position.column !== undefined) issue.column = position.column;
    }
    return issue;
  }
}

function byLine(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.index - b.index)
    .map(({ issue }) => issue);
}

// ---------------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------------

/**
 * Where the text first nests deeper than `max` (block indentation levels, `- ` entries and open `[`/`{`
 * together), or undefined. A cheap scan before parsing: the YAML parser recurses per level, and
 * thousands of levels would overflow the stack (or take its time to fail) instead of giving a located error.
 * Quoted text and comments are skipped; it may overcount odd but valid text only past `max` levels.
 */
export function tooDeep(text: string, max: number): { line: number; column: number } | undefined {
  const indents: number[] = [];
  let flow = 0;
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lineStart = i;
    while (text.charCodeAt(i) === 32) i++;
    const indent = i - lineStart;
    let entries = 0;
    while (text.charCodeAt(i) === 45 && (text.charCodeAt(i + 1) === 32 || i + 1 >= n || text.charCodeAt(i + 1) === 10)) {
      entries++;
      i++;
      while (text.charCodeAt(i) === 32) i++;
    }
    const c0 = text.charCodeAt(i);
    const blank = entries === 0 && (i >= n || c0 === 10 || c0 === 13 || c0 === 35);
    if (!blank && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      if (indents.length + entries > max) return { line, column: i - lineStart + 1 };
    }
    let quote = 0;
    for (; i < n && text.charCodeAt(i) !== 10; i++) {
      const c = text.charCodeAt(i);
      if (quote !== 0) {
        if (c === quote) quote = 0;
        else if (c === 92 && quote === 34) i++;
        continue;
      }
      const before = i === lineStart ? 32 : text.charCodeAt(i - 1);
      const starts = before === 32 || before === 9 || before === 91 || before === 123 || before === 44 || before === 58;
      if ((c === 34 || c === 39) && starts) quote = c;
      else if (c === 35 && (before === 32 || before === 9 || i === lineStart)) {
        while (i < n && text.charCodeAt(i) !== 10) i++;
        break;
      } else if (c === 91 || c === 123) {
        flow++;
        if (indents.length + entries + flow > max) return { line, column: i - lineStart + 1 };
      } else if ((c === 93 || c === 125) && flow > 0) flow--;
    }
    i++;
    line++;
  }
  return undefined;
}

function parseYaml(text: string, lineCounter: LineCounter, fileName: string | undefined): Document {
  const deep = tooDeep(text, CONFIG_BOUNDS.maxNesting);
  if (deep) {
    const message = `nested more than ${CONFIG_BOUNDS.maxNesting} levels deep; expected a config (which nests about 6 deep)`;
    throw new ConfigError([{ path: '', message, ...deep }], fileName);
  }
  let doc: Document;
  try {
    // Duplicate keys are found by findDuplicateKeys, which can name the path and both lines.
    doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true });
  } catch (error) {
    throw new ConfigError([{ path: '', message: `could not parse the YAML: ${errorText(error)}` }], fileName);
  }
  if (doc.errors.length > 0) {
    const issues = doc.errors.slice(0, CONFIG_BOUNDS.maxIssues).map((error): ConfigIssue => {
      const at = error.linePos?.[0];
      const issue: ConfigIssue = { path: '', message: `YAML syntax error: ${yamlReason(error.message)}` };
      if (at) {
        issue.line = at.line;
        issue.column = at.col;
      }
      return issue;
    });
    throw new ConfigError(issues, fileName);
  }
  return doc;
}

/** The first line of a yaml error without its " at line 3, column 5:" tail (we show it in front). */
function yamlReason(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function startOf(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

/**
 * The line of the node a path names: the key's line for a mapping entry, the item's for a list
 * item; a path into something missing (a default, a required key) stops at its nearest ancestor.
 */
function locate(doc: Document, lineCounter: LineCounter, path: readonly PathKey[]): Position | undefined {
  let node: unknown = doc.contents;
  let offset = startOf(node);
  for (const key of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      // The last pair wins, as in toJS.
      let pair: (typeof node.items)[number] | undefined;
      for (const item of node.items) if (keyText(item.key) === String(key)) pair = item;
      if (pair === undefined) break;
      offset = startOf(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item: unknown = node.items[key];
      if (item === undefined) break;
      offset = startOf(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  return { line: lineCounter.linePos(offset).line };
}

interface DuplicateKey extends Position {
  path: PathKey[];
  previousLine: number;
}

/** Keys repeated within one mapping, with both lines; only the surviving (last) copy is walked. */
function findDuplicateKeys(doc: Document, lineCounter: LineCounter): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const lineOf = (node: unknown) => lineCounter.linePos(startOf(node) ?? 0).line;
  const walk = (node: unknown, path: PathKey[], depth: number): void => {
    if (depth > MAX_WALK_DEPTH || found.length >= CONFIG_BOUNDS.maxIssues) return;
    if (isMap(node)) {
      const last = new Map<string, { key: unknown; value: unknown }>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        const previous = last.get(key);
        if (previous !== undefined) {
          found.push({ path: [...path, key], line: lineOf(pair.key), previousLine: lineOf(previous.key) });
        }
        last.set(key, pair);
      }
      for (const [key, pair] of last) walk(pair.value, [...path, key], depth + 1);
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index], depth + 1));
    }
  };
  walk(doc.contents, [], 0);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Single- or multi-portfolio form, and checks that span several keys
// ---------------------------------------------------------------------------------------------

type Form = 'single' | 'multi';

/**
 * A config is multi-portfolio (`trading_systems`) or single-portfolio (top-level `strategy`, `risk`,
 * `initial_capital`, ...), never both. Keys of the other form are reported and dropped from `input`.
 */
function decideForm(input: Record<string, unknown>, findings: Findings): Form {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(input, key);
  const singleKeys = SINGLE_PORTFOLIO_KEYS.filter(has);
  if (has('trading_systems')) {
    for (const key of singleKeys) {
      findings.error(
        [key],
        'cannot be combined with trading_systems; move it into each trading system, or drop trading_systems for a single-portfolio config',
      );
      delete input[key];
    }
    return 'multi';
  }
  if (singleKeys.length === 0) {
    findings.error(
      ['trading_systems'],
      `missing required key; expected ${expectationOf(rootSchema.entries.trading_systems.wrapped)}, or top-level strategy, risk and initial_capital for a single portfolio`,
    );
    return 'multi';
  }
  for (const key of SINGLE_PORTFOLIO_REQUIRED) {
    if (!has(key)) findings.error([key], `missing required key; expected ${expectationOf(systemEntries[key])}`);
  }
  return 'single';
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function ownKey(record: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

/** "one of a, b, c" for short lists; long lists are summarised rather than dumped. */
function oneOf(names: readonly string[], whatAndWhere: string): string {
  if (names.length === 0) return `one of ${whatAndWhere} (there are none)`;
  return names.length <= 20 ? `one of ${names.join(', ')}` : `one of the ${names.length} ${whatAndWhere}`;
}

/** Checks that span several keys, run on the raw input so they are reported beside schema errors. */
function crossCheck(input: Record<string, unknown>, form: Form, findings: Findings, dataFiles: 'required' | 'optional'): void {
  const dataSymbols = checkData(asRecord(input.data), findings, dataFiles);
  const known = dataSymbols === undefined ? undefined : { names: dataSymbols, set: new Set(dataSymbols) };

  const systems: { path: PathKey[]; value: Record<string, unknown>; where: string }[] = [];
  if (form === 'single') {
    systems.push({ path: [], value: input, where: 'the top level' });
  } else if (Array.isArray(input.trading_systems)) {
    input.trading_systems.forEach((item: unknown, index) => {
      const value = asRecord(item);
      if (value) systems.push({ path: ['trading_systems', index], value, where: `trading_systems[${index}]` });
    });
  }

  const ids = new Map<string, string>();
  const namespaces = new Map<string, string>();
  for (const { path, value, where } of systems) {
    const id = ownKey(value, 'portfolio_id') ? value.portfolio_id : form === 'single' ? 'portfolio' : undefined;
    if (typeof id === 'string') {
      const first = ids.get(id);
      if (first === undefined) ids.set(id, where);
      else findings.error([...path, 'portfolio_id'], `duplicate portfolio id ${describeValue(id)}; already used by ${first}`);
    }
    const explicit = ownKey(value, 'namespace');
    const namespace = explicit ? value.namespace : id;
    if (typeof namespace === 'string') {
      const first = namespaces.get(namespace);
      const note = explicit ? '' : ' (namespace defaults to portfolio_id)';
      if (first !== undefined) {
        findings.error([...path, 'namespace'], `duplicate namespace ${describeValue(namespace)}${note}; already used by ${first}`);
      } else {
        namespaces.set(namespace, where);
      }
    }
    if (Array.isArray(value.symbols)) checkSymbolList(value.symbols, [...path, 'symbols'], known, findings);
  }

  checkRebalance(asRecord(input.rebalance), [...ids.keys()], findings);
}

/** Checks data's symbols and files; returns the data's symbols when they can be known. */
function checkData(data: Record<string, unknown> | undefined, findings: Findings, dataFiles: 'required' | 'optional'): string[] | undefined {
  if (data === undefined) return undefined;
  const listed = Array.isArray(data.symbols) ? data.symbols : undefined;
  if (listed) checkSymbolList(listed, ['data', 'symbols'], undefined, findings);
  const symbols = listed?.filter((s): s is string => typeof s === 'string');
  if (data.source !== 'csv') return symbols;

  const hasPath = ownKey(data, 'file_path');
  const hasFiles = ownKey(data, 'files');
  if (hasPath && hasFiles) {
    findings.error(
      ['data', 'files'],
      'cannot be combined with file_path; give one CSV file (file_path) or one per symbol (files)',
    );
  } else if (!hasPath && !hasFiles && dataFiles === 'required') {
    findings.error(['data', 'file_path'], 'missing required key; expected a CSV file path, or files with one path per symbol');
  }
  if (!ownKey(data, 'symbols') && (hasPath || (!hasFiles && dataFiles === 'optional'))) {
    findings.error(
      ['data', 'symbols'],
      `missing required key; expected ${expectationOf(symbolListSchema)} (required ${hasPath ? 'with file_path' : 'when no files are named'})`,
    );
  }

  const files = asRecord(data.files);
  if (files === undefined) return symbols;
  const fileSymbols = Object.keys(files);
  if (symbols === undefined) {
    // Without data.symbols the file names' keys are the symbols, so they must look like symbols.
    for (const key of fileSymbols) {
      if (SYMBOL_PATTERN.test(key)) continue;
      findings.error(['data', 'files', key], `expected a symbol as the key, got ${JSON.stringify(key)}`);
    }
    return fileSymbols;
  }
  const listedSet = new Set(symbols);
  for (const key of fileSymbols) {
    if (!listedSet.has(key)) {
      findings.error(
        ['data', 'files', key],
        `symbol ${describeValue(key)} is not in data.symbols; expected ${oneOf(symbols, 'symbols of data.symbols')}${didYouMean(key, symbols)}`,
      );
    }
  }
  for (const symbol of symbols) {
    if (ownKey(files, symbol)) continue;
    findings.error(['data', 'files'], `no file for symbol ${describeValue(symbol)}; expected one entry per symbol of data.symbols`);
  }
  return symbols;
}

/** Symbols listed once each and, when `known` is given, all among the known ones. */
function checkSymbolList(
  list: unknown[],
  path: PathKey[],
  known: { names: readonly string[]; set: ReadonlySet<string> } | undefined,
  findings: Findings,
): void {
  const seen = new Map<string, number>();
  list.forEach((symbol, index) => {
    if (typeof symbol !== 'string') return;
    const first = seen.get(symbol);
    if (first !== undefined) {
      findings.error([...path, index], `duplicate symbol ${describeValue(symbol)}; already listed at ${formatPath([...path, first])}`);
      return;
    }
    seen.set(symbol, index);
    if (known !== undefined && !known.set.has(symbol)) {
      findings.error(
        [...path, index],
        `unknown symbol ${describeValue(symbol)}; expected ${oneOf(known.names, 'symbols of the data')}${didYouMean(symbol, known.names)}`,
      );
    }
  });
}

function checkRebalance(rebalance: Record<string, unknown> | undefined, ids: string[], findings: Findings): void {
  const weights = asRecord(rebalance?.target_weights);
  if (weights === undefined) return;
  const named = Object.keys(weights);
  const known = new Set(ids);
  for (const id of named) {
    if (!known.has(id)) {
      findings.error(
        ['rebalance', 'target_weights', id],
        `unknown portfolio id ${describeValue(id)}; expected ${oneOf(ids, 'portfolio ids')}${didYouMean(id, ids)}`,
      );
    }
  }
  const values = Object.values(weights);
  // Only a sum of valid weights is worth reporting; a bad weight is reported on its own.
  if (values.length > 0 && values.every((w) => typeof w === 'number' && w >= 0 && w <= 1)) {
    const sum = (values as number[]).reduce((total, w) => total + w, 0);
    if (Math.abs(sum - 1) > WEIGHT_TOLERANCE) {
      findings.error(
        ['rebalance', 'target_weights'],
        `expected weights that sum to 1 (± ${WEIGHT_TOLERANCE}), got a sum of ${Number(sum.toPrecision(15))}`,
      );
    }
  }
  const weighted = new Set(named);
  for (const id of ids) {
    if (weighted.has(id)) continue;
    findings.warn(['rebalance', 'target_weights'], `no weight for portfolio ${describeValue(id)}, so its target weight is 0`);
  }
}

// ---------------------------------------------------------------------------------------------
// Normalized output
// ---------------------------------------------------------------------------------------------

function mergeExecution(base: ExecutionSpec, override: Partial<ExecutionSpec> | undefined): ExecutionSpec {
  // commission is replaced as a whole: per_share and percent exclude each other.
  return {
    fill: override?.fill ?? base.fill,
    slippageBps: override?.slippageBps ?? base.slippageBps,
    commission: { ...(override?.commission ?? base.commission) },
    allowMargin: override?.allowMargin ?? base.allowMargin,
    margin: { ...(override?.margin ?? base.margin) },
  };
}

type SystemInput = Pick<TradingSystemOutput, 'initial_capital' | 'namespace' | 'symbols' | 'strategy' | 'risk' | 'execution'> & {
  portfolio_id: string;
};

function toPortfolio(system: SystemInput, defaults: ExecutionSpec): PortfolioSpec {
  return {
    portfolioId: system.portfolio_id,
    namespace: system.namespace ?? system.portfolio_id,
    initialCapital: system.initial_capital,
    ...(system.symbols === undefined ? {} : { symbols: [...system.symbols] }),
    strategy: system.strategy,
    sizers: system.risk.sizers,
    limits: system.risk.limits,
    execution: mergeExecution(defaults, system.execution),
  };
}

function assemble(out: RootOutput, form: Form, findings: Findings): RunConfig {
  const execution = mergeExecution(DEFAULT_EXECUTION, out.execution);
  const systems: SystemInput[] = [];
  const paths: PathKey[][] = [];
  if (form === 'multi') {
    (out.trading_systems ?? []).forEach((system, index) => {
      systems.push(system);
      paths.push(['trading_systems', index]);
    });
  } else {
    if (out.initial_capital === undefined || out.strategy === undefined || out.risk === undefined) {
      throw new Error('foliolab bug: a single-portfolio config passed validation without its required keys');
    }
    systems.push({
      portfolio_id: out.portfolio_id,
      initial_capital: out.initial_capital,
      namespace: out.namespace,
      symbols: out.symbols,
      strategy: out.strategy,
      risk: out.risk,
      execution: undefined,
    });
    paths.push([]);
  }
  const tradingSystems = systems.map((system) => toPortfolio(system, execution));

  tradingSystems.forEach((system, index) => {
    system.sizers.forEach((sizer, sizerIndex) => {
      if (sizer.type === 'percentage' && sizer.size > 1 && !system.execution.allowMargin) {
        findings.warn(
          [...paths[index], 'risk', 'position_sizers', sizerIndex, 'size'],
          `${sizer.size} is ${Number((sizer.size * 100).toPrecision(12))} % of equity ` +
            '(size is a fraction: 0.02 means 2 %), but allow_margin is false, so buys are capped at the cash available',
        );
      }
    });
  });

  return {
    workflow: { type: out.workflow.type, name: out.workflow.name },
    data: out.data,
    tradingSystems,
    execution,
    ...(out.rebalance === undefined ? {} : { rebalance: out.rebalance }),
    reporting: out.reporting,
    tracing: out.tracing,
    warnings: [],
  };
}
