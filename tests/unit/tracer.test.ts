// EventTracer: levels, filters, JSON lines, and explain(fill) walking fill → order → signal → bar with
// the indicator values that decided it, on a case small enough to check by hand.
import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/schema.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../../src/engine/spec.js';
import { EventBus } from '../../src/events/bus.js';
import { EventTracer } from '../../src/events/tracer.js';
import { runBacktest, type PortfolioOk } from '../../src/workflow/run.js';
import { barsFrom, kernelModule } from '../helpers/kernel.js';

// momentum(L = 1, th = 0.01), fixed 10, max_position_value 500, capital 10 000.
// Closes 50, 51: m = 51 / 50 − 1 = 0.02 > 0.01 → signal +1 at bar 1 (momentum 0.02, base close 50).
// Size 10, cap floor(500 / 51) = 9 → risk max_position_value 10 → 9, order +9, fill at bar 2's open 52.
const spec: PortfolioSpec = {
  portfolioId: 'mom', namespace: 'm', initialCapital: 10_000,
  strategy: { type: 'momentum', lookbackPeriod: 1, momentumThreshold: 0.01, allowShort: true },
  sizers: [{ type: 'fixed', size: 10 }], limits: [{ type: 'max_position_value', value: 500 }], execution: DEFAULT_EXECUTION,
};
const other: PortfolioSpec = { ...spec, portfolioId: 'bh', namespace: 'b', strategy: { type: 'buy_and_hold' }, limits: [] };
const config: RunConfig = {
  workflow: { type: 'multi_portfolio_backtest', name: 't' }, data: { source: 'csv', symbols: ['SPY'] }, tradingSystems: [spec, other],
  execution: DEFAULT_EXECUTION, reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false }, tracing: 'full', warnings: [],
};
const bars = barsFrom([[50, 50], [50, 51], [52, 53]]);

async function traced(level: 'trades' | 'full') {
  const result = await runBacktest(config, { bars, executor: 'inline', kernel: await kernelModule() });
  const bus = new EventBus();
  const tracer = new EventTracer(level);
  tracer.attach(bus);
  for (const p of Object.values(result.portfolios) as PortfolioOk[]) {
    bus.register(p.namespace, p.portfolioId);
    for (const e of p.events) bus.publish(e);
  }
  return tracer;
}

describe('EventTracer', () => {
  it('explains a fill back to its bar with the indicator values', async () => {
    const tracer = await traced('full');
    const [fill] = tracer.events({ portfolioId: 'mom', type: 'fill' });
    const why = tracer.explain(fill);
    expect(why.fill.payload).toMatchObject({ symbol: 'SPY', quantity: 9, price: 52 });
    expect(why.order?.payload).toMatchObject({ quantity: 9, target: 9, referencePrice: 51 });
    expect(why.signal?.payload).toMatchObject({ direction: 'long', previous: 'flat', indicators: { base_close: 50 } });
    expect((why.signal?.payload as { indicators: { momentum: number } }).indicators.momentum).toBeCloseTo(0.02, 12);
    expect(why.risk.map((r) => r.payload)).toEqual([{ symbol: 'SPY', reason: 'max_position_value', before: 10, after: 9, limit: 500 }]);
    expect(why.bar).toEqual({ id: 'm@bar1', barIndex: 1, timestamp: bars.timestamps[1] });
    expect(why.story).toEqual([
      `bar 1 closed at ${new Date(bars.timestamps[1]).toISOString()}`,
      expect.stringMatching(/^SPY: signal flat → long \(momentum = 0\.0200000000000\d*, base_close = 50\)$/),
      'risk: max_position_value (10 → 9)',
      'order +9 SPY toward a position of 9',
      'filled +9 SPY at 52 (commission 0) on bar 2',
    ]);
    expect(tracer.explain(fill.id).fill).toBe(fill);
  });

  it('keeps only trade events at level trades, and filters by portfolio, type and time', async () => {
    const trades = await traced('trades');
    expect(new Set(trades.events().map((e) => e.type))).toEqual(new Set(['order', 'fill', 'risk']));
    const full = await traced('full');
    // One signal each (mom at bar 1, bh at bar 0), in publishing order: mom's events first, then bh's.
    expect(full.events({ type: 'signal' }).map((e) => `${e.portfolioId}@${e.barIndex}`)).toEqual(['mom@1', 'bh@0']);
    // bh: signal and order at bar 0 (10 shares), fill at bar 1's open 50.
    expect(full.events({ portfolioId: 'bh' }).map((e) => `${e.portfolioId}:${e.type}@${e.barIndex}`)).toEqual(['bh:signal@0', 'bh:order@0', 'bh:fill@1']);
    // bh buys at bar 0's close and fills at bar 1's open; mom signals at bar 1 and fills at bar 2's open.
    const at = (i: number) => full.events({ from: bars.timestamps[i], to: bars.timestamps[i] }).map((e) => `${e.portfolioId}:${e.type}`);
    expect(at(2)).toEqual(['mom:fill']);
    expect(at(1)).toEqual(['mom:signal', 'mom:risk', 'mom:order', 'bh:fill']);
  });

  it('exports JSON lines that parse back to the events', async () => {
    const tracer = await traced('full');
    const text = tracer.toJSONLines({ portfolioId: 'mom' });
    expect(text.endsWith('}\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    // mom's four events (signal, risk, order at bar 1; fill at bar 2), seq 0…3, written out by hand.
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { id: 'm#0', type: 'signal', portfolioId: 'mom', namespace: 'm', seq: 0, causationId: 'm@bar1', barIndex: 1, timestamp: bars.timestamps[1],
        payload: { symbol: 'SPY', direction: 'long', previous: 'flat', indicators: { momentum: expect.closeTo(0.02, 12), base_close: 50 } } },
      { id: 'm#1', type: 'risk', portfolioId: 'mom', namespace: 'm', seq: 1, causationId: 'm#0', barIndex: 1, timestamp: bars.timestamps[1],
        payload: { symbol: 'SPY', reason: 'max_position_value', before: 10, after: 9, limit: 500 } },
      { id: 'm#2', type: 'order', portfolioId: 'mom', namespace: 'm', seq: 2, causationId: 'm#0', barIndex: 1, timestamp: bars.timestamps[1],
        payload: { symbol: 'SPY', quantity: 9, target: 9, referencePrice: 51, reason: 'signal', status: 'placed' } },
      { id: 'm#3', type: 'fill', portfolioId: 'mom', namespace: 'm', seq: 3, causationId: 'm#2', barIndex: 2, timestamp: bars.timestamps[2],
        payload: { symbol: 'SPY', quantity: 9, price: 52, commission: 0, realized: 0 } },
    ]);
    expect(tracer.toJSONLines({ portfolioId: 'nobody' })).toBe(''); // not one blank line
  });

  it('refuses to explain what is not a recorded fill', async () => {
    const tracer = await traced('full');
    const [signal] = tracer.events({ type: 'signal' });
    expect(() => tracer.explain(signal)).toThrow(`explain: ${signal.id} is not a recorded fill`);
    expect(() => tracer.explain('m#999')).toThrow('explain: m#999 is not a recorded fill');
  });
});
