// The widget's parameter form as data: which numbers of a config a reader may change (each trading system's
// strategy parameters, bounded by the schema's ranges), and the config text those changes and the element's
// attributes produce. No DOM here; the element draws the fields.
import { parse } from 'yaml';
import { STRATEGY_PARAMETER_RANGES, type NumberRange } from '../../src/config/schema.js';
import type { RunConfig } from '../../src/config/schema.js';

/** One number input: `system` is the trading system's index, `name` the parameter as written in configs. */
export interface ParamField {
  id: string;
  system: number;
  portfolioId: string;
  strategy: string;
  name: string;
  value: number;
  integer: boolean;
  /** Bounds for the input (`min`/`max` attributes); an exclusive bound is shown as its nearest allowed step. */
  min?: number;
  max?: number;
}

/** Overrides from the element's attributes (generated data and capital), applied before the form's values. */
export interface Knobs {
  bars?: number;
  seed?: number;
  interval?: string;
  symbols?: string[];
  initialCapital?: number;
}

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Input bounds of a schema range: an exclusive integer bound moves one step in; an exclusive real bound stays (the loader rejects the bound itself on Run). */
function bounds(range: NumberRange): Pick<ParamField, 'min' | 'max' | 'integer'> {
  const integer = range.integer ?? false;
  const min = range.min === undefined ? undefined : range.minExclusive ? (integer ? range.min + 1 : range.min) : range.min;
  const max = range.max === undefined ? undefined : range.maxExclusive ? (integer ? range.max - 1 : range.max) : range.max;
  return { integer, min, max };
}

/** The editable numbers of a loaded config, trading system by trading system. */
export function paramFields(config: RunConfig): ParamField[] {
  const fields: ParamField[] = [];
  config.tradingSystems.forEach((system, index) => {
    const ranges = STRATEGY_PARAMETER_RANGES[system.strategy.type] as Record<string, NumberRange>;
    for (const [name, range] of Object.entries(ranges)) {
      const value = (system.strategy as unknown as Record<string, unknown>)[camel(name)];
      if (typeof value !== 'number') continue;
      fields.push({ id: `${index}.${name}`, system: index, portfolioId: system.portfolioId, strategy: system.strategy.type, name, value, ...bounds(range) });
    }
  });
  return fields;
}

type Raw = Record<string, unknown>;
const isMapping = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Config text with the knobs and the form's values applied, as JSON (loadConfig reads it and reports any
 * value out of range with its path). The original text has already been loaded once, so it parses here.
 */
export function applyOverrides(text: string, knobs: Knobs, values: Record<string, number>): string {
  const raw = parse(text, { maxAliasCount: 100 }) as Raw;
  if (!isMapping(raw)) return text;
  const data = raw.data;
  if (isMapping(data) && data.source === 'generated') {
    if (knobs.bars !== undefined) data.bars = knobs.bars;
    if (knobs.seed !== undefined) data.seed = knobs.seed;
    if (knobs.interval !== undefined) data.interval = knobs.interval;
    if (knobs.symbols !== undefined) data.symbols = knobs.symbols;
  }
  const systems: Raw[] = Array.isArray(raw.trading_systems) ? raw.trading_systems.filter(isMapping) : [raw];
  if (knobs.initialCapital !== undefined) for (const s of systems) s.initial_capital = knobs.initialCapital;
  for (const [id, value] of Object.entries(values)) {
    const dot = id.indexOf('.');
    const system = systems[Number(id.slice(0, dot))];
    const strategy = system?.strategy;
    if (!isMapping(strategy)) continue;
    if (!isMapping(strategy.parameters)) strategy.parameters = {};
    (strategy.parameters as Raw)[id.slice(dot + 1)] = value;
  }
  return JSON.stringify(raw);
}
