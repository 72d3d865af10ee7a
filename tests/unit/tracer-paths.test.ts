// EventTracer on hand-built events: the paths a small run does not take — a fill forced by a drawdown
// halt, a short fill, a fill whose order was not recorded, levels off/trades, and the filters' bounds.
import { describe, expect, it } from 'vitest';
import type { EventType, FolioEvent } from '../../src/events/event.js';
import { EventTracer } from '../../src/events/tracer.js';

const T = Date.UTC(2024, 0, 2, 15);
const ev = (seq: number, type: EventType, barIndex: number, causationId: string, payload: Record<string, unknown>, namespace = 'n'): FolioEvent => ({
  id: `${namespace}#${seq}`, type, portfolioId: namespace.toUpperCase(), namespace, seq, causationId, barIndex, timestamp: T + 60_000 * barIndex, payload,
});

// The halt at bar 7 forces a flatten: order −10 (reduced to −8 for lack of… shares, say), filled at bar 8.
const halt = ev(5, 'risk', 7, 'n@bar7', { reason: 'max_drawdown', equity: 8_000, peak: 10_000, limit: 0.2 });
const order = ev(6, 'order', 7, 'n#5', { symbol: 'SPY', quantity: -10, target: 0, reason: 'max_drawdown', status: 'placed' });
const reduced = ev(7, 'risk', 8, 'n#6', { symbol: 'SPY', reason: 'order_reduced', before: -10, after: -8, limit: 0 });
const fill = ev(8, 'fill', 8, 'n#6', { symbol: 'SPY', quantity: -8, price: 90, commission: 1, realized: -80 });
// Another namespace with the same shapes: never part of n's explanations.
const foreign = ev(7, 'risk', 8, 'm#6', { symbol: 'SPY', reason: 'order_reduced', before: 1, after: 0, limit: 0 }, 'm');

function tracerWith(level: 'off' | 'trades' | 'full', events: FolioEvent[]): EventTracer {
  const tracer = new EventTracer(level);
  for (const e of events) tracer.record(e);
  return tracer;
}

describe('EventTracer.explain', () => {
  it('a fill forced by a drawdown halt: the halt, the risk on the order, a short fill', () => {
    const why = tracerWith('full', [halt, order, foreign, reduced, fill]).explain('n#8');
    expect(why.signal).toBeUndefined();
    expect(why.halt).toBe(halt);
    expect(why.order).toBe(order);
    expect(why.risk).toEqual([reduced]);
    expect(why.bar).toEqual({ id: 'n@bar7', barIndex: 7, timestamp: T + 7 * 60_000 });
    expect(why.story).toEqual([
      `bar 7 closed at ${new Date(T + 7 * 60_000).toISOString()}`,
      'drawdown limit 0.2 reached: the portfolio is flattened',
      'risk: order_reduced (-10 → -8)',
      'order -10 SPY toward a position of 0',
      'filled -8 SPY at 90 (commission 1) on bar 8',
    ]);
  });

  it('a fill whose order was not kept explains from the fill itself; a zero quantity has no sign', () => {
    const lone = { ...ev(9, 'fill', 3, 'n#2', { symbol: 'QQQ', quantity: 0, price: 5, commission: 0 }), timestamp: Number.NaN };
    const why = tracerWith('trades', [lone]).explain(lone);
    expect(why).toMatchObject({ order: undefined, signal: undefined, halt: undefined, risk: [], bar: { id: 'n@bar3', barIndex: 3 } });
    expect(why.story).toEqual(['bar 3 closed at end of data', 'filled 0 QQQ at 5 (commission 0) on bar 3']);
  });

  it('refuses what is not a fill, recorded or not', () => {
    const tracer = tracerWith('full', [halt, order]);
    expect(() => tracer.explain(order)).toThrow('explain: n#6 is not a recorded fill');
    expect(() => tracer.explain('n#5')).toThrow('explain: n#5 is not a recorded fill');
  });
});

describe('EventTracer levels and filters', () => {
  const signal = ev(1, 'signal', 2, 'n@bar2', {});
  const all = [signal, halt, order, reduced, fill, foreign];

  it("keeps nothing at 'off', trade events at 'trades', everything at 'full'", () => {
    expect(tracerWith('off', all).size).toBe(0);
    const trades = tracerWith('trades', all);
    expect(trades.size).toBe(5);
    expect(trades.get('n#1')).toBeUndefined();
    expect(trades.get('n#8')).toBe(fill);
    expect(tracerWith('full', all).events().map((e) => e.id)).toEqual(['n#1', 'n#5', 'n#6', 'n#7', 'n#8', 'm#7']);
  });

  it('keeps every event type at full, and rebalances with the trade events', () => {
    const types: EventType[] = ['bar', 'signal', 'order', 'fill', 'risk', 'rebalance', 'portfolio', 'system'];
    const one = types.map((type, k) => ev(k, type, 0, 'n@bar0', {}));
    expect(tracerWith('full', one).events().map((e) => e.type)).toEqual(types);
    expect(tracerWith('trades', one).events().map((e) => e.type)).toEqual(['order', 'fill', 'risk', 'rebalance']);
  });

  it('filters by portfolio, one or several types, and an inclusive time range', () => {
    const tracer = tracerWith('full', all);
    expect(tracer.events({ portfolioId: 'M' }).map((e) => e.id)).toEqual(['m#7']);
    expect(tracer.events({ type: 'risk' }).map((e) => e.id)).toEqual(['n#5', 'n#7', 'm#7']);
    expect(tracer.events({ type: ['signal', 'fill'] }).map((e) => e.id)).toEqual(['n#1', 'n#8']);
    // Bars 7 and 8 only: from and to are both inclusive.
    expect(tracer.events({ from: T + 7 * 60_000, to: T + 8 * 60_000 }).map((e) => e.id)).toEqual(['n#5', 'n#6', 'n#7', 'n#8', 'm#7']);
    expect(tracer.events({ from: T + 8 * 60_000 }).map((e) => e.id)).toEqual(['n#7', 'n#8', 'm#7']);
    expect(tracer.events({ to: T + 2 * 60_000 }).map((e) => e.id)).toEqual(['n#1']);
  });

  it('attaches to a bus and stops when detached', async () => {
    const { EventBus } = await import('../../src/events/bus.js');
    const bus = new EventBus();
    bus.register('n', 'N');
    const tracer = new EventTracer();
    expect(tracer.level).toBe('full');
    const detach = tracer.attach(bus);
    bus.publish(ev(1, 'signal', 2, 'n@bar2', {}));
    detach();
    bus.publish(ev(2, 'order', 2, 'n#1', {}));
    expect(tracer.events().map((e) => e.id)).toEqual(['n#1']);
  });
});
