// The Event model of DESIGN.md §3, and the decoding of kernel records into Events of one portfolio.
import type { TraceRecord } from '../engine/records.js';
import type { StrategyType } from '../engine/spec.js';

export type EventType = 'bar' | 'signal' | 'order' | 'fill' | 'risk' | 'rebalance' | 'portfolio' | 'system';

/** One event. `id` is unique per run: `<namespace>#<seq>`, or `<namespace>@bar<barIndex>` for bars. */
export interface FolioEvent {
  readonly id: string;
  readonly type: EventType;
  readonly portfolioId: string;
  readonly namespace: string;
  readonly seq: number;
  /** The event that caused this one (fill → order → signal → bar). */
  readonly causationId?: string;
  readonly barIndex: number;
  readonly timestamp: number;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** What decoding needs to know about the portfolio that wrote the records. */
export interface EventSource {
  portfolioId: string;
  namespace: string;
  symbols: string[];
  timestamps: Float64Array;
  strategy: StrategyType;
}

/** Names of the two indicator values a signal record carries, per strategy (docs/semantics.md). */
export const INDICATOR_NAMES: Record<StrategyType, [string, string | undefined]> = {
  momentum: ['momentum', 'base_close'],
  mean_reversion: ['z', 'sma'],
  sma_crossover: ['fast_sma', 'slow_sma'],
  breakout: ['upper', 'lower'],
  rsi: ['rsi', undefined],
  buy_and_hold: ['close', undefined],
  signals: ['value', undefined],
};

export const barEventId = (namespace: string, barIndex: number) => `${namespace}@bar${barIndex}`;
export const eventId = (namespace: string, seq: number) => `${namespace}#${seq}`;

function directionName(d: number): 'long' | 'flat' | 'short' {
  return d > 0 ? 'long' : d < 0 ? 'short' : 'flat';
}

function make(type: EventType, r: TraceRecord, src: EventSource, causationId: string, payload: Record<string, unknown>): FolioEvent {
  const n = src.timestamps.length;
  return {
    id: eventId(src.namespace, r.seq), type, portfolioId: src.portfolioId, namespace: src.namespace, seq: r.seq, causationId,
    barIndex: r.step, timestamp: r.step < n ? src.timestamps[r.step] : n ? src.timestamps[n - 1] : NaN, payload,
  };
}

/** Turns one kernel record into an Event of its portfolio's namespace. */
export function toEvent(r: TraceRecord, src: EventSource): FolioEvent {
  const symbol = r.symbol >= 0 ? src.symbols[r.symbol] : undefined;
  const cause = r.cause >= 0 ? eventId(src.namespace, r.cause) : barEventId(src.namespace, r.step);
  switch (r.kind) {
    case 'signal': {
      const [first, second] = INDICATOR_NAMES[src.strategy];
      const indicators: Record<string, number> = { [first]: r.indicator1 };
      if (second) indicators[second] = r.indicator2;
      return make('signal', r, src, cause, { symbol, direction: directionName(r.direction), previous: directionName(r.previous), indicators });
    }
    case 'order':
      return make('order', r, src, cause, { symbol, quantity: r.quantity, target: r.target, referencePrice: r.referencePrice, reason: r.reason, status: 'placed' });
    case 'cancel':
      return make('order', r, src, cause, { symbol, quantity: r.quantity, reason: r.reason, status: 'cancelled' });
    case 'fill':
      return make('fill', r, src, cause, { symbol, quantity: r.quantity, price: r.price, commission: r.commission, realized: r.realized });
    case 'risk':
      switch (r.reason) {
        case 'max_drawdown':
          return make('risk', r, src, cause, { reason: r.reason, equity: r.equity, peak: r.bound, limit: r.limit });
        case 'margin_call':
          return make('risk', r, src, cause, { reason: r.reason, equity: r.equity, requirement: r.bound, maintenance: r.limit });
        case 'bankrupt':
          return make('risk', r, src, cause, { reason: r.reason, equity: r.equity });
        default:
          return make('risk', r, src, cause, { symbol, reason: r.reason, before: r.before, after: r.after, limit: r.limit });
      }
  }
}

/** Decodes a portfolio's records into Events (call once; the result is not cached here). */
export function toEvents(records: TraceRecord[], src: EventSource): FolioEvent[] {
  const out = new Array<FolioEvent>(records.length);
  for (let i = 0; i < records.length; i++) out[i] = toEvent(records[i], src);
  return out;
}
