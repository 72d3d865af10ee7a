// EventBus details the isolation tests do not pin: strict by default and what non-strict lets through,
// the exact violation messages, several subscribers per namespace, detaching tracers, deep freezing,
// and re-entrant publishing within one namespace.
import { describe, expect, it } from 'vitest';
import { EventBus, IsolationViolation } from '../../src/events/bus.js';
import type { FolioEvent } from '../../src/events/event.js';

const event = (namespace: string, portfolioId: string, seq = 0, payload: Record<string, unknown> = {}): FolioEvent => ({
  id: `${namespace}#${seq}`, type: 'fill', portfolioId, namespace, seq, barIndex: 0, timestamp: 0, payload,
});

describe('EventBus', () => {
  it('is strict by default, with the exact violations', () => {
    const bus = new EventBus();
    expect(bus.strict).toBe(true);
    bus.register('a', 'A');
    bus.register('a', 'A'); // the same owner again is fine
    expect(bus.ownerOf('a')).toBe('A');
    expect(bus.ownerOf('b')).toBeUndefined();
    expect(() => bus.register('a', 'B')).toThrow('namespace "a" already belongs to portfolio "A"; "B" cannot use it');
    const stray = event('b', 'B');
    let caught: unknown;
    try {
      bus.publish(stray);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(IsolationViolation);
    expect(caught).toMatchObject({ name: 'IsolationViolation', message: 'event b#0: namespace "b" is not registered', event: stray });
    expect(() => bus.publish(event('a', 'B', 3))).toThrow('event a#3: portfolio "B" published into namespace "a", which belongs to "A"');
  });

  it('non-strict delivers what strict refuses', () => {
    const bus = new EventBus({ strict: false });
    expect(bus.strict).toBe(false);
    const seen: string[] = [];
    bus.subscribe('a', (e) => seen.push(`${e.portfolioId}@${e.namespace}`));
    bus.register('a', 'A');
    bus.publish(event('a', 'B'));
    bus.publish(event('zz', 'Z'));
    expect(seen).toEqual(['B@a']);
  });

  it('delivers to every subscriber of a namespace and to tracers, until they leave', () => {
    const bus = new EventBus();
    bus.register('a', 'A');
    const seen: string[] = [];
    const off1 = bus.subscribe('a', (e) => seen.push(`s1:${e.seq}`));
    bus.subscribe('a', (e) => seen.push(`s2:${e.seq}`));
    const detach = bus.trace((e) => seen.push(`t:${e.seq}`));
    bus.publish(event('a', 'A', 1));
    off1();
    detach();
    bus.publish(event('a', 'A', 2));
    expect(seen).toEqual(['s1:1', 's2:1', 't:1', 's2:2']);
  });

  it('freezes the event and everything in its payload', () => {
    const bus = new EventBus();
    bus.register('a', 'A');
    const inner = { values: [1, 2] };
    const e = event('a', 'A', 0, { inner, none: null, count: 3, name: 'x' }); // null and primitives are left as they are
    bus.publish(e);
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.payload)).toBe(true);
    expect(Object.isFrozen(inner)).toBe(true);
    expect(Object.isFrozen(inner.values)).toBe(true);
  });

  it('lets a handler publish into its own namespace, not another, and recovers after a handler throws', () => {
    const bus = new EventBus();
    bus.register('a', 'A');
    bus.register('b', 'B');
    const seen: number[] = [];
    bus.subscribe('a', (e) => {
      seen.push(e.seq);
      if (e.seq === 1) bus.publish(event('a', 'A', 2));
      if (e.seq === 3) bus.publish(event('b', 'B', 4));
    });
    bus.publish(event('a', 'A', 1));
    expect(seen).toEqual([1, 2]);
    expect(() => bus.publish(event('a', 'A', 3))).toThrow('event b#4: a handler of namespace "a" published into namespace "b"');
    // The failed delivery left no namespace "in delivery": b publishes normally now.
    bus.publish(event('b', 'B', 5));
  });
});
