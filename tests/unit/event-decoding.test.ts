// Kernel records → Events: each strategy's two indicator slots under their names, with the values
// worked by hand from docs/semantics.md on a few bars (a swapped or renamed slot fails), and every
// risk reason's payload from hand-built records.
import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/schema.js';
import type { AlignedBars } from '../../src/data/bars.js';
import { REASON_NAMES, recordOf, type ReasonName, type RecordKind, type TraceRecord } from '../../src/engine/records.js';
import { DEFAULT_EXECUTION, type StrategySpec } from '../../src/engine/spec.js';
import { toEvent, toEvents, type EventSource } from '../../src/events/event.js';
import { runBacktest, type PortfolioOk } from '../../src/workflow/run.js';
import { barsFrom, kernelModule } from '../helpers/kernel.js';

async function firstSignal(strategy: StrategySpec, bars: AlignedBars) {
  const config: RunConfig = {
    workflow: { type: 'multi_portfolio_backtest', name: 'decode' }, data: { source: 'csv', symbols: ['SPY'] },
    tradingSystems: [{ portfolioId: 'p', namespace: 'n', initialCapital: 10_000, strategy, sizers: [{ type: 'fixed', size: 1 }], limits: [], execution: DEFAULT_EXECUTION }],
    execution: DEFAULT_EXECUTION, reporting: { individualReports: false, combinedDashboard: false, correlationAnalysis: false }, tracing: 'full', warnings: [],
  };
  const r = await runBacktest(config, { bars, executor: 'inline', kernel: await kernelModule() });
  const signal = (r.portfolios.p as PortfolioOk).events.find((e) => e.type === 'signal');
  if (!signal) throw new Error(`${strategy.type}: no signal`);
  return signal;
}

/** One bar per close, opening at its close (so high = low = close). */
const closes = (...c: number[]) => barsFrom(c.map((x) => [x, x]));

describe('signal indicators, by strategy', () => {
  it('momentum: momentum = c/b − 1, base_close = b', async () => {
    // L = 2: at t = 2, c = 12, b = close[0] = 10 → m = 0.2 > 0 → long.
    const e = await firstSignal({ type: 'momentum', lookbackPeriod: 2, momentumThreshold: 0, allowShort: true }, closes(10, 10, 12));
    expect(e).toMatchObject({ barIndex: 2, payload: { direction: 'long', previous: 'flat' } });
    const ind = (e.payload as { indicators: Record<string, number> }).indicators;
    expect(Object.keys(ind)).toEqual(['momentum', 'base_close']);
    expect(ind.momentum).toBeCloseTo(0.2, 12);
    expect(ind.base_close).toBe(10);
  });

  it('mean_reversion: z = (c − sma)/std, sma = mean of the last L closes', async () => {
    // L = 3: t = 2 is flat (10, 10, 10); t = 3: window 10, 10, 4 → sma 8, var = (100+100+16)/3 − 64 = 8,
    // z = (4 − 8)/√8 = −√2 < −1 → long.
    const e = await firstSignal({ type: 'mean_reversion', lookbackPeriod: 3, entryThreshold: 1, exitThreshold: 0, allowShort: true }, closes(10, 10, 10, 4));
    expect(e).toMatchObject({ barIndex: 3, payload: { direction: 'long' } });
    const ind = (e.payload as { indicators: Record<string, number> }).indicators;
    expect(Object.keys(ind)).toEqual(['z', 'sma']);
    expect(ind.z).toBeCloseTo(-Math.SQRT2, 9);
    expect(ind.sma).toBeCloseTo(8, 9);
  });

  it('sma_crossover: fast_sma and slow_sma', async () => {
    // F = 1, S = 3: t = 2 has fast = slow = 10 (hold); t = 3: fast 13, slow (10+10+13)/3 = 11 → long.
    const e = await firstSignal({ type: 'sma_crossover', fastPeriod: 1, slowPeriod: 3, allowShort: true }, closes(10, 10, 10, 13));
    expect(e).toMatchObject({ barIndex: 3, payload: { direction: 'long' } });
    const ind = (e.payload as { indicators: Record<string, number> }).indicators;
    expect(Object.keys(ind)).toEqual(['fast_sma', 'slow_sma']);
    expect(ind.fast_sma).toBeCloseTo(13, 9);
    expect(ind.slow_sma).toBeCloseTo(11, 9);
  });

  it('breakout: upper = max of prior highs, lower = min of prior lows', async () => {
    // L = 2, bars [open, close] 9→10, 10→11, 11→14: at t = 2 upper = max(10, 11) = 11, lower = min(9, 10) = 9; 14 > 11 → long.
    const e = await firstSignal({ type: 'breakout', lookbackPeriod: 2, allowShort: true }, barsFrom([[9, 10], [10, 11], [11, 14]]));
    expect(e).toMatchObject({ barIndex: 2, payload: { direction: 'long' } });
    expect((e.payload as { indicators: unknown }).indicators).toEqual({ upper: 11, lower: 9 });
  });

  it('rsi: rsi only', async () => {
    // P = 2: two falls of 1 → G = 0, L = 1 at t = 2 → rsi = 0 < 30 → long.
    const e = await firstSignal({ type: 'rsi', period: 2, oversold: 30, overbought: 70, allowShort: false }, closes(10, 9, 8));
    expect(e).toMatchObject({ barIndex: 2, payload: { direction: 'long' } });
    expect((e.payload as { indicators: unknown }).indicators).toEqual({ rsi: 0 });
  });

  it('buy_and_hold: the close; signals: the column value', async () => {
    const bh = await firstSignal({ type: 'buy_and_hold' }, closes(17, 18));
    expect(bh).toMatchObject({ barIndex: 0, payload: { direction: 'long', previous: 'flat', indicators: { close: 17 } } });
    expect(Object.keys((bh.payload as { indicators: object }).indicators)).toEqual(['close']);
    const bars = closes(5, 5, 5);
    bars.columns.sig = [Float64Array.from([NaN, -0.5, NaN])];
    const s = await firstSignal({ type: 'signals', column: 'sig', allowShort: true }, bars);
    expect(s).toMatchObject({ barIndex: 1, payload: { direction: 'short', previous: 'flat', indicators: { value: -0.5 } } });
    expect(Object.keys((s.payload as { indicators: object }).indicators)).toEqual(['value']);
  });
});

describe('records → events', () => {
  const src: EventSource = { portfolioId: 'p', namespace: 'n', symbols: ['SPY', 'QQQ'], timestamps: Float64Array.from([100, 200, 300]), strategy: 'momentum' };
  // Records as the kernel writes them: payload slots a..d, decoded by the one decoder (recordOf).
  type Slots = { kind: RecordKind; seq: number; cause: number; step: number; symbol: number; reason: ReasonName; a: number; b: number; c: number; d: number };
  const rec = (over: Partial<Slots>): TraceRecord => {
    const r: Slots = { kind: 'risk', seq: 7, cause: 3, step: 1, symbol: 1, reason: 'signal', a: 10, b: 6, c: 500, d: 0, ...over };
    return recordOf(r.kind, r.seq, r.cause, r.step, r.symbol, r.reason, r.a, r.b, r.c, r.d);
  };

  const perSymbol: ReasonName[] = ['max_position_value', 'max_position_size', 'max_gross_exposure', 'halted', 'order_reduced', 'order_rejected', 'margin_limit'];
  it('every per-symbol risk reason carries symbol, before, after and the limit', () => {
    for (const reason of perSymbol) {
      expect(toEvent(rec({ reason }), src)).toEqual({
        id: 'n#7', type: 'risk', portfolioId: 'p', namespace: 'n', seq: 7, causationId: 'n#3', barIndex: 1, timestamp: 200,
        payload: { symbol: 'QQQ', reason, before: 10, after: 6, limit: 500 },
      });
    }
  });

  it('the drawdown halt is portfolio-wide: equity, peak and limit, caused by its bar', () => {
    expect(toEvent(rec({ reason: 'max_drawdown', symbol: -1, cause: -1, a: 8_000, b: 10_000, c: 0.2 }), src)).toEqual({
      id: 'n#7', type: 'risk', portfolioId: 'p', namespace: 'n', seq: 7, causationId: 'n@bar1', barIndex: 1, timestamp: 200,
      payload: { reason: 'max_drawdown', equity: 8_000, peak: 10_000, limit: 0.2 },
    });
  });

  it('covers every reason the kernel can write (a new one must be added above)', () => {
    expect(new Set(Object.values(REASON_NAMES))).toEqual(new Set([...perSymbol, 'max_drawdown', 'margin_call', 'bankrupt', 'signal', 'end_of_data']));
  });

  it('orders, cancels and fills; the end-of-data cancel after the last bar takes the last timestamp', () => {
    const [order, cancel, fill, late] = toEvents([
      rec({ kind: 'order', seq: 1, cause: 0, step: 0, symbol: 0, reason: 'signal', a: 5, b: 5, c: 99.5 }),
      rec({ kind: 'cancel', seq: 2, cause: 1, step: 2, symbol: 0, reason: 'end_of_data', a: 5 }),
      rec({ kind: 'fill', seq: 3, cause: 1, step: 2, symbol: 1, a: -4, b: 101, c: 1.5, d: -2 }),
      rec({ kind: 'cancel', seq: 4, cause: 1, step: 3, symbol: 0, reason: 'end_of_data', a: 5 }),
    ], src);
    expect(order).toMatchObject({ type: 'order', causationId: 'n#0', timestamp: 100, payload: { symbol: 'SPY', quantity: 5, target: 5, referencePrice: 99.5, reason: 'signal', status: 'placed' } });
    expect(cancel).toMatchObject({ type: 'order', timestamp: 300, payload: { symbol: 'SPY', quantity: 5, reason: 'end_of_data', status: 'cancelled' } });
    expect(fill).toMatchObject({ type: 'fill', id: 'n#3', payload: { symbol: 'QQQ', quantity: -4, price: 101, commission: 1.5, realized: -2 } });
    expect(late).toMatchObject({ barIndex: 3, timestamp: 300 });
    expect(toEvent(rec({ step: 0 }), { ...src, timestamps: new Float64Array(0) }).timestamp).toBeNaN();
  });

  it('a signal names its directions, including short and flat', () => {
    const e = toEvent(rec({ kind: 'signal', cause: -1, step: 2, symbol: 0, a: -1, b: 1, c: -0.03, d: 50 }), src);
    expect(e).toEqual({
      id: 'n#7', type: 'signal', portfolioId: 'p', namespace: 'n', seq: 7, causationId: 'n@bar2', barIndex: 2, timestamp: 300,
      payload: { symbol: 'SPY', direction: 'short', previous: 'long', indicators: { momentum: -0.03, base_close: 50 } },
    });
    expect(toEvent(rec({ kind: 'signal', a: 0, b: 0 }), src).payload).toMatchObject({ direction: 'flat', previous: 'flat' });
  });
});
