// EventTracer: keeps the events of every portfolio at a tracing level, filters them, explains a fill
// by walking its causes back to the bar, and exports JSON lines.
import type { TracingLevel } from '../engine/spec.js';
import type { EventBus } from './bus.js';
import type { EventType, FolioEvent } from './event.js';

export interface EventFilter {
  portfolioId?: string;
  type?: EventType | EventType[];
  /** Inclusive timestamp range (ms). */
  from?: number;
  to?: number;
}

/** A fill and its causes: the order, the signal (with the indicator values that decided it), the bar. */
export interface FillExplanation {
  fill: FolioEvent;
  order?: FolioEvent;
  /** Risk records on the way (limits that bound, order reduced for cash, halt). */
  risk: FolioEvent[];
  signal?: FolioEvent;
  /** The drawdown halt that forced the order, when it was a forced flatten. */
  halt?: FolioEvent;
  bar: { id: string; barIndex: number; timestamp: number };
  /** One sentence per link, from bar to fill. */
  story: string[];
}

const KEPT: Record<TracingLevel, ReadonlySet<EventType>> = {
  off: new Set(),
  trades: new Set(['order', 'fill', 'risk', 'rebalance']),
  full: new Set(['bar', 'signal', 'order', 'fill', 'risk', 'rebalance', 'portfolio', 'system']),
};

export class EventTracer {
  private readonly byId = new Map<string, FolioEvent>();
  private readonly log: FolioEvent[] = [];

  constructor(readonly level: TracingLevel = 'full') {}

  /** Observes every namespace of a bus (read-only). Returns the detach function. */
  attach(bus: EventBus): () => void {
    return bus.trace((e) => this.record(e));
  }

  record(event: FolioEvent): void {
    if (!KEPT[this.level].has(event.type)) return;
    this.log.push(event);
    this.byId.set(event.id, event);
  }

  get size(): number {
    return this.log.length;
  }

  get(id: string): FolioEvent | undefined {
    return this.byId.get(id);
  }

  events(filter: EventFilter = {}): FolioEvent[] {
    const types = filter.type === undefined ? undefined : new Set(Array.isArray(filter.type) ? filter.type : [filter.type]);
    return this.log.filter((e) =>
      (filter.portfolioId === undefined || e.portfolioId === filter.portfolioId) &&
      (types === undefined || types.has(e.type)) &&
      (filter.from === undefined || e.timestamp >= filter.from) &&
      (filter.to === undefined || e.timestamp <= filter.to));
  }

  /** Walks fill → order → signal → bar. Needs the `full` level for the signal link. */
  explain(fill: FolioEvent | string): FillExplanation {
    const f = typeof fill === 'string' ? this.byId.get(fill) : fill;
    if (!f || f.type !== 'fill') throw new Error(`explain: ${typeof fill === 'string' ? fill : fill.id} is not a recorded fill`);
    const risk = this.log.filter((e) => e.type === 'risk' && e.namespace === f.namespace && (e.causationId === f.causationId));
    const order = f.causationId ? this.byId.get(f.causationId) : undefined;
    const cause = order?.causationId ? this.byId.get(order.causationId) : undefined;
    const signal = cause?.type === 'signal' ? cause : undefined;
    const halt = cause?.type === 'risk' ? cause : undefined;
    if (signal) risk.unshift(...this.log.filter((e) => e.type === 'risk' && e.causationId === signal.id));
    const origin = signal ?? halt ?? order ?? f;
    const bar = { id: `${f.namespace}@bar${origin.barIndex}`, barIndex: origin.barIndex, timestamp: origin.timestamp };
    const at = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : 'end of data');
    const story = [`bar ${bar.barIndex} closed at ${at(bar.timestamp)}`];
    if (signal) {
      const p = signal.payload as { symbol: string; direction: string; previous: string; indicators: Record<string, number> };
      const values = Object.entries(p.indicators).map(([k, v]) => `${k} = ${v}`).join(', ');
      story.push(`${p.symbol}: signal ${p.previous} → ${p.direction} (${values})`);
    }
    if (halt) story.push(`drawdown limit ${(halt.payload as { limit: number }).limit} reached: the portfolio is flattened`);
    for (const r of risk) {
      const p = r.payload as { reason: string; before?: number; after?: number };
      story.push(`risk: ${p.reason}${p.before !== undefined ? ` (${p.before} → ${p.after})` : ''}`);
    }
    if (order) {
      const p = order.payload as { quantity: number; target: number; symbol: string };
      story.push(`order ${p.quantity > 0 ? '+' : ''}${p.quantity} ${p.symbol} toward a position of ${p.target}`);
    }
    const fp = f.payload as { quantity: number; price: number; commission: number; symbol: string };
    story.push(`filled ${fp.quantity > 0 ? '+' : ''}${fp.quantity} ${fp.symbol} at ${fp.price} (commission ${fp.commission}) on bar ${f.barIndex}`);
    return { fill: f, order, risk, signal, halt, bar, story };
  }

  /** One JSON object per line, in recording order. */
  toJSONLines(filter: EventFilter = {}): string {
    const events = this.events(filter);
    return events.length ? events.map((e) => JSON.stringify(e)).join('\n') + '\n' : ''; // no events: no (blank) line
  }
}
