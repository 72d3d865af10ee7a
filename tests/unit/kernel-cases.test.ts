// Hand-computed cases of docs/semantics.md. Every expected number is worked out in the comment above
// it; each case runs on the kernel AND the reference model, and both must give the hand value.
import { describe, expect, it } from 'vitest';
import type { AlignedBars } from '../../src/data/bars.js';
import { DEFAULT_EXECUTION, type ExecutionSpec, type PortfolioSpec } from '../../src/engine/spec.js';
import { alignedFrom, barsFrom, both, specWith, withSignals, type CaseRun } from '../helpers/kernel.js';

const signals = { type: 'signals', column: 'signal', allowShort: true } as const;
const exec = (over: Partial<ExecutionSpec>): ExecutionSpec => ({ ...DEFAULT_EXECUTION, ...over });
const kinds = (run: CaseRun) => run.records.map((r) => `${r.kind}:${r.reason}@${r.step}`);

describe('fills', () => {
  it('fills at the next open and marks at the close', async () => {
    // Buy-and-hold, fixed 10, capital 10 000. Bar 0 closes at 11: signal +1, order +10.
    // Bar 1 opens at 12: fill 10 @ 12 → cash 10 000 − 120 = 9 880. Equity: bar 0 = 10 000 (flat),
    // bar 1 = 9 880 + 10·13 = 10 010, bar 2 = 9 880 + 10·15 = 10 030.
    const run = await both(specWith({}), barsFrom([[10, 11], [12, 13], [14, 15]]));
    expect(run.fills).toEqual([{ step: 1, symbol: 0, quantity: 10, price: 12, commission: 0, realized: 0, orderSeq: 1 }]);
    expect(Array.from(run.equity)).toEqual([10_000, 10_010, 10_030]);
    expect(Array.from(run.cash)).toEqual([10_000, 9_880, 9_880]);
    expect(Array.from(run.gross)).toEqual([0, 130, 150]);
    expect(kinds(run)).toEqual(['signal:signal@0', 'order:signal@0', 'fill:signal@1']);
  });

  it('fills at the same close in close mode', async () => {
    // fill: close → bar 0's order fills at its own close 11: cash 10 000 − 110 = 9 890;
    // equity bar 0 = 9 890 + 110 = 10 000, bar 1 = 9 890 + 130 = 10 020.
    const run = await both(specWith({ execution: exec({ fill: 'close' }) }), barsFrom([[10, 11], [12, 13]]));
    expect(run.fills.map((f) => [f.step, f.quantity, f.price])).toEqual([[0, 10, 11]]);
    expect(Array.from(run.equity)).toEqual([10_000, 10_020]);
  });

  it('applies slippage against the trader on buys and on sells', async () => {
    // 50 bps: s = 0.005. Signal +1 at bar 0 → buy 10 at bar 1's open 20 · 1.005 = 20.10 → cash 9 799.
    // Signal 0 at bar 1 → sell 10 at bar 2's open 30 · 0.995 = 29.85 → cash 9 799 + 298.5 = 10 097.5;
    // realized = 10 · (29.85 − 20.10) = 97.5.
    const run = await both(
      specWith({ strategy: signals, execution: exec({ slippageBps: 50 }) }),
      withSignals([[10, 10], [20, 20], [30, 30]], [1, 0, 0]),
    );
    expect(run.fills).toHaveLength(2);
    expect(run.fills[0].price).toBeCloseTo(20.1, 12);
    expect(run.fills[1].price).toBeCloseTo(29.85, 12);
    expect(run.fills[1].realized).toBeCloseTo(97.5, 9);
    expect(run.cash[2]).toBeCloseTo(10_097.5, 9);
  });

  it('charges per-share commission with its minimum', async () => {
    // per_share 0.01, minimum 1. Buy 10 @ 12: 0.01 · 10 = 0.10 < 1 → 1. Cash 10 000 − 120 − 1 = 9 879.
    // Buy 500 @ 12 (a second portfolio): 0.01 · 500 = 5 ≥ 1 → 5. Cash 10 000 − 6 000 − 5 = 3 995.
    const bars = barsFrom([[10, 11], [12, 13]]);
    const small = await both(specWith({ execution: exec({ commission: { perShare: 0.01, percent: 0, minimum: 1 } }) }), bars);
    expect(small.fills[0].commission).toBe(1);
    expect(small.cash[1]).toBe(9_879);
    const large = await both(specWith({
      sizers: [{ type: 'fixed', size: 500 }],
      execution: exec({ commission: { perShare: 0.01, percent: 0, minimum: 1 } }),
    }), bars);
    expect(large.fills[0].commission).toBeCloseTo(5, 12);
    expect(large.cash[1]).toBeCloseTo(3_995, 9);
  });

  it('charges percent-of-notional commission with its minimum', async () => {
    // percent 0.1 (%): 10 · 12 = 120 notional · 0.001 = 0.12. With minimum 5 → 5.
    const bars = barsFrom([[10, 11], [12, 13]]);
    const plain = await both(specWith({ execution: exec({ commission: { perShare: 0, percent: 0.1, minimum: 0 } }) }), bars);
    expect(plain.fills[0].commission).toBeCloseTo(0.12, 12);
    const floored = await both(specWith({ execution: exec({ commission: { perShare: 0, percent: 0.1, minimum: 5 } }) }), bars);
    expect(floored.fills[0].commission).toBe(5);
    expect(floored.cash[1]).toBe(10_000 - 120 - 5);
  });

  it('reduces a buy to what cash affords, and rejects one it cannot afford at all', async () => {
    // Capital 100, fixed 10, buy at open 12: 120 > 100 → n = floor(100 / 12) = 8, cost 96, cash 4.
    const run = await both(specWith({ initialCapital: 100 }), barsFrom([[10, 11], [12, 13]]));
    expect(kinds(run)).toEqual(['signal:signal@0', 'order:signal@0', 'risk:order_reduced@1', 'fill:signal@1']);
    expect(run.records[2]).toMatchObject({ before: 10, after: 8, limit: 100 }); // limit: the cash
    expect(run.fills[0].quantity).toBe(8);
    expect(run.cash[1]).toBe(4);
    // With a per-share fee 0.5 (minimum 0): n = floor(100 / 12.5) = 8 → 96 + 4 = 100 ≤ 100, cash 0.
    const fee = await both(specWith({ initialCapital: 100, execution: exec({ commission: { perShare: 0.5, percent: 0, minimum: 0 } }) }),
      barsFrom([[10, 11], [12, 13]]));
    expect(fee.fills[0].quantity).toBe(8);
    expect(fee.cash[1]).toBe(0);
    // Capital 10 and a minimum fee of 5: floor((10 − 5) / 12) = 0 → rejected, no fill, cash unchanged.
    const none = await both(specWith({ initialCapital: 10, execution: exec({ commission: { perShare: 0, percent: 0, minimum: 5 } }) }),
      barsFrom([[10, 11], [12, 13]]));
    expect(kinds(none)).toEqual(['signal:signal@0', 'order:signal@0', 'risk:order_rejected@1']);
    expect(none.fills).toEqual([]);
    expect(Array.from(none.equity)).toEqual([10, 10]);
  });

  it('lets margin accounts overdraw cash', async () => {
    // allow_margin: the same 10 @ 12 with capital 100 fills whole: cash 100 − 120 = −20.
    const run = await both(specWith({ initialCapital: 100, execution: exec({ allowMargin: true }) }), barsFrom([[10, 11], [12, 13]]));
    expect(run.fills[0].quantity).toBe(10);
    expect(run.cash[1]).toBe(-20);
    expect(run.equity[1]).toBe(-20 + 130);
  });

  it('cancels an order still pending at the end of the data', async () => {
    // One bar: the entry order of bar 0 has no next open → cancelled at the end, no fill.
    const run = await both(specWith({}), barsFrom([[10, 11]]));
    expect(kinds(run)).toEqual(['signal:signal@0', 'order:signal@0', 'cancel:end_of_data@1']);
    expect(run.records[2]).toMatchObject({ quantity: 10, cause: 1 });
    expect(run.fills).toEqual([]);
  });
});

describe('accounting', () => {
  it('closes and flips with realized P&L at average cost', async () => {
    // Signals +1, −1, 0, fixed 10. Bar 1 open 10: buy 10 → avg 10.
    // Bar 2 open 15: order −20 flips: realized 10 · (15 − 10) = 50, position −10, avg 15.
    // Bar 3 open 12: order +10 closes the short: realized −10 · (12 − 15) = 30, position 0.
    // Cash: 10 000 − 100 = 9 900 → + 300 = 10 200 → − 120 = 10 080 = 10 000 + 50 + 30.
    const run = await both(specWith({ strategy: signals }),
      withSignals([[9, 9], [10, 10], [15, 15], [12, 12]], [1, -1, 0, 0]));
    expect(run.fills.map((f) => [f.step, f.quantity, f.price, f.realized])).toEqual([[1, 10, 10, 0], [2, -20, 15, 50], [3, 10, 12, 30]]);
    expect(run.cash[3]).toBe(10_080);
    expect(run.positions[0]).toMatchObject({ position: 0, realized: 80 });
  });

  // Covering a short is never refused for cash: see tests/unit/margin-cases.test.ts.
});

describe('limits', () => {
  it('max_position_value caps the size at floor(value / close)', async () => {
    // fixed 10 at close 60 with max_position_value 500 → floor(500 / 60) = 8.
    const run = await both(specWith({ limits: [{ type: 'max_position_value', value: 500 }] }), barsFrom([[60, 60], [61, 61]]));
    expect(run.records[1]).toMatchObject({ kind: 'risk', reason: 'max_position_value', before: 10, after: 8, limit: 500 });
    expect(run.fills[0].quantity).toBe(8);
  });

  it('max_position_size caps the size', async () => {
    const run = await both(specWith({ limits: [{ type: 'max_position_size', size: 7 }] }), barsFrom([[60, 60], [61, 61]]));
    expect(run.records[1]).toMatchObject({ kind: 'risk', reason: 'max_position_size', before: 10, after: 7 });
    expect(run.fills[0].quantity).toBe(7);
  });

  it('applies limits in config order, each on the size the previous one left', async () => {
    // fixed 10 → max_position_size 7 binds (10 → 7) → max_position_value 500 / 60 = 8 does not bind.
    const run = await both(specWith({
      limits: [{ type: 'max_position_size', size: 7 }, { type: 'max_position_value', value: 500 }],
    }), barsFrom([[60, 60], [61, 61]]));
    expect(kinds(run)).toEqual(['signal:signal@0', 'risk:max_position_size@0', 'order:signal@0', 'fill:signal@1']);
  });

  it('max_gross_exposure counts the other symbols, pending orders included', async () => {
    // Two symbols, buy-and-hold fixed 100, capital 10 000, max_gross_exposure 0.5 → 5 000 of exposure.
    // Bar 0: A closes 30: cap floor(5 000 / 30) = 166 ≥ 100, no bind; order +100 pending.
    // B closes 40: others = |0 + 100| · 30 = 3 000 → cap floor((5 000 − 3 000) / 40) = 50 → binds 100 → 50.
    const bars = alignedFrom({ A: [[30, 30], [30, 30]], B: [[40, 40], [40, 40]] });
    const run = await both(specWith({ sizers: [{ type: 'fixed', size: 100 }], limits: [{ type: 'max_gross_exposure', value: 0.5 }] }), bars);
    const risks = run.records.filter((r) => r.kind === 'risk');
    expect(risks).toHaveLength(1);
    expect(risks[0]).toMatchObject({ symbol: 1, reason: 'max_gross_exposure', before: 100, after: 50, limit: 0.5 });
    expect(run.fills.map((f) => [f.symbol, f.quantity])).toEqual([[0, 100], [1, 50]]);
  });

  it('max_drawdown flattens the portfolio and then blocks entries', async () => {
    // Capital 1 000, fixed 10, max_drawdown 0.05, signals 1,1,1,0,1.
    // Bar 1 open 100: buy 10 → cash 0. Bar 1 close 100: equity 1 000 (peak 1 000).
    // Bar 2 close 95: equity 950 = peak − 5 % exactly: the drawdown check is inclusive → halt, and the
    //   unchanged direction with a position gives a flatten order −10 (reason max_drawdown).
    // Bar 3 open 96: sell 10 → cash 960. Bar 3 signal 0: target 0 = position, no order.
    // Bar 4 signal +1: size 10 but halted → risk "halted", no order. Equity stays 960.
    const run = await both(specWith({ initialCapital: 1_000, strategy: signals, limits: [{ type: 'max_drawdown', value: 0.05 }] }),
      withSignals([[100, 100], [100, 100], [95, 95], [96, 96], [97, 97]], [1, 1, 1, 0, 1]));
    expect(kinds(run)).toEqual([
      'signal:signal@0', 'order:signal@0', 'fill:signal@1',
      'risk:max_drawdown@2', 'order:max_drawdown@2', 'fill:signal@3',
      'signal:signal@3', 'signal:signal@4', 'risk:halted@4',
    ]);
    expect(run.records[3]).toMatchObject({ symbol: -1, equity: 950, bound: 1_000, limit: 0.05 });
    expect(run.records[4]).toMatchObject({ quantity: -10, cause: run.records[3].seq });
    expect(Array.from(run.equity)).toEqual([1_000, 1_000, 950, 960, 960]);
    expect(run.halted).toBe(true);
  });
});

describe('several symbols', () => {
  it('marks a symbol with no bar at its last close and trades it at its own next bar', async () => {
    // A: bars at 0, 1, 2; B: bars at 0 and 2 only. Buy-and-hold, fixed 10 each.
    // Bar 0: orders +10 A (close 10), +10 B (close 20). Bar 1: A fills at open 11; B has no bar, so its
    //   order waits; equity = cash 9 890 + 10 · 12 (A) = 10 010 (B has no position yet).
    // Bar 2: B fills at its open 21 → cash 9 680; equity = 9 680 + 10 · 13 + 10 · 22 = 10 030.
    // Gap case: B's close at bar 1 is unknown; at bar 3 (no B bar) B is marked at 22 → 9 680 + 140 + 220.
    const bars = alignedFrom({ A: [[10, 10], [11, 12], [12, 13], [14, 14]], B: [[20, 20], null, [21, 22], null] });
    const run = await both(specWith({}), bars);
    expect(run.fills.map((f) => [f.step, f.symbol, f.price])).toEqual([[1, 0, 11], [2, 1, 21]]);
    expect(Array.from(run.equity)).toEqual([10_000, 10_010, 10_030, 10_040]);
  });
});

describe('tie rule: strict entries do not fire on a tie, inclusive exits do', () => {
  it('momentum: m exactly equal to the threshold does not enter', async () => {
    // L = 1, th = 0.01: 100 → 101 is m = 0.01 exactly (a tie): no entry, and 101 → 101 is m = 0.
    // 101 → 102.03 is m = 1.03 / 101 ≈ 0.0102 > 0.01 (101 · 1.01 = 102.01 < 102.03): entry at bar 2.
    const strategy = { type: 'momentum', lookbackPeriod: 1, momentumThreshold: 0.01, allowShort: true } as const;
    const tie = await both(specWith({ strategy }), barsFrom([[100, 100], [101, 101], [101, 101]]));
    expect(tie.records).toEqual([]);
    const above = await both(specWith({ strategy }), barsFrom([[100, 100], [101, 101], [102.03, 102.03]]));
    expect(kinds(above)).toEqual(['signal:signal@2', 'order:signal@2', 'cancel:end_of_data@3']);
    // Downward tie: 100 → 99 is m = −0.01 exactly: no short.
    const down = await both(specWith({ strategy }), barsFrom([[100, 100], [99, 99]]));
    expect(down.records).toEqual([]);
  });

  it('mean_reversion: |z| exactly at entry does not enter; z exactly 0 exits', async () => {
    // L = 2 gives |z| = 1 whenever the two closes differ: with ze = 1 that is a tie → never enters.
    const tie = await both(specWith({ strategy: { type: 'mean_reversion', lookbackPeriod: 2, entryThreshold: 1, exitThreshold: 0, allowShort: true } }),
      barsFrom([[10, 10], [8, 8], [12, 12], [7, 7]]));
    expect(tie.records).toEqual([]);
    // L = 3, ze = 1: window 10, 12, 8 → sma 10, population std √(8/3) ≈ 1.633, z(8) ≈ −1.2247 < −1 → long.
    // Next window 12, 8, 10 → sma 10, z(10) = 0 exactly: with zx = 0 the inclusive exit fires → 0.
    const run = await both(specWith({ strategy: { type: 'mean_reversion', lookbackPeriod: 3, entryThreshold: 1, exitThreshold: 0, allowShort: true } }),
      barsFrom([[10, 10], [12, 12], [8, 8], [10, 10], [10, 10]]));
    const sigs = run.records.filter((r) => r.kind === 'signal');
    expect(sigs.map((s) => [s.step, s.direction])).toEqual([[2, 1], [3, 0]]);
    expect(sigs[0].indicator1).toBeCloseTo(-2 / Math.sqrt(8 / 3), 12); // z recorded with the signal
    expect(sigs[0].indicator2).toBeCloseTo(10, 12); // sma
  });

  it('mean_reversion holds on a flat window (std = 0)', async () => {
    // Closes 10, 10, 10, 9: the first full window is flat (hold 0); then 10, 10, 9 → z(9) = −1.414 → long.
    const run = await both(specWith({ strategy: { type: 'mean_reversion', lookbackPeriod: 3, entryThreshold: 1, exitThreshold: 0, allowShort: true } }),
      barsFrom([[10, 10], [10, 10], [10, 10], [9, 9]]));
    expect(run.records.filter((r) => r.kind === 'signal').map((s) => [s.step, s.direction])).toEqual([[3, 1]]);
  });

  it('breakout: a close equal to the channel does not break out', async () => {
    // L = 2. Bars (o, h, l, c): prior highs 10 and 11 → upper 11. Close 11 (tie) → hold; close 11.01 → +1.
    const rows = (last: number) => alignedFrom({ X: [[10, 10, 9, 10], [10, 11, 9, 10], [10, last, 10, last]] });
    const strategy = { type: 'breakout', lookbackPeriod: 2, allowShort: true } as const;
    expect((await both(specWith({ strategy }), rows(11))).records).toEqual([]);
    const above = await both(specWith({ strategy }), rows(11.01));
    expect(above.records[0]).toMatchObject({ kind: 'signal', step: 2, direction: 1, indicator1: 11, indicator2: 9 });
  });

  it('rsi: a value exactly at oversold does not enter', async () => {
    // P = 2, closes 10, 7, 8: changes −3, +1 → gains 0, 1 and losses 3, 0 → G = 0.5, L = 1.5 →
    // rsi = 100 · 0.5 / 2 = 25 at bar 2 (the first bar with P changes).
    // oversold 25 → tie, no entry; oversold 25.5 → long.
    const bars = barsFrom([[10, 10], [7, 7], [8, 8]]);
    const at = (oversold: number) => ({ type: 'rsi', period: 2, oversold, overbought: 90, allowShort: true } as const);
    expect((await both(specWith({ strategy: at(25) }), bars)).records).toEqual([]);
    const run = await both(specWith({ strategy: at(25.5) }), bars);
    expect(run.records[0]).toMatchObject({ kind: 'signal', step: 2, direction: 1, indicator1: 25 });
  });

  it('sma_crossover: equal averages hold the previous direction', async () => {
    // F = 1, S = 2. Closes 10, 11 → fast 11 > slow 10.5 → +1. Then 11 → fast 11 = slow 11: hold +1.
    // Then 10 → fast 10 < slow 10.5 → −1.
    const run = await both(specWith({ strategy: { type: 'sma_crossover', fastPeriod: 1, slowPeriod: 2, allowShort: true } }),
      barsFrom([[10, 10], [11, 11], [11, 11], [10, 10]]));
    expect(run.records.filter((r) => r.kind === 'signal').map((s) => [s.step, s.direction, s.indicator1, s.indicator2])).toEqual([[1, 1, 11, 10.5], [3, -1, 10, 10.5]]);
  });

  it('allow_short: false turns short entries into flat', async () => {
    // momentum L = 1, th = 0: 10 → 9 would be −1; without shorts it is 0 (no change from 0, no record).
    const run = await both(specWith({ strategy: { type: 'momentum', lookbackPeriod: 1, momentumThreshold: 0, allowShort: false } }),
      barsFrom([[10, 10], [9, 9], [10, 10]]));
    expect(run.records.filter((r) => r.kind === 'signal').map((s) => [s.step, s.direction])).toEqual([[2, 1]]);
  });
});

describe('sizers', () => {
  it('percentage and fixed_value size from equity and value; several sizers take the smallest', async () => {
    // Capital 10 000, close 30: percentage 0.02 → floor(200 / 30) = 6; fixed_value 100 → floor(100 / 30) = 3.
    const bars = barsFrom([[30, 30], [30, 30]]);
    expect((await both(specWith({ sizers: [{ type: 'percentage', size: 0.02 }] }), bars)).fills[0].quantity).toBe(6);
    expect((await both(specWith({ sizers: [{ type: 'fixed_value', value: 100 }] }), bars)).fills[0].quantity).toBe(3);
    const both2 = await both(specWith({ sizers: [{ type: 'percentage', size: 0.02 }, { type: 'fixed_value', value: 100 }] }), bars);
    expect(both2.fills[0].quantity).toBe(3);
  });
});
