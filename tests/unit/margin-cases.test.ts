// Hand-computed cases of docs/semantics.md, "Margin and bankruptcy": covering, the initial rule, the
// maintenance call, bankruptcy, flips, close mode. Each runs on the kernel and the reference model
// (both must agree exactly), and the numbers worked out in the comment are asserted.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignBars } from '../../src/data/align.js';
import type { AlignedBars } from '../../src/data/bars.js';
import { parseCsv } from '../../src/data/csv.js';
import { DEFAULT_EXECUTION, type ExecutionSpec } from '../../src/engine/spec.js';
import { alignedFrom, both, specWith, withSignals, type CaseRun } from '../helpers/kernel.js';

const signals = { type: 'signals', column: 'signal', allowShort: true } as const;
const exec = (over: Partial<ExecutionSpec>): ExecutionSpec => ({ ...DEFAULT_EXECUTION, ...over });
const kinds = (run: CaseRun) => run.records.map((r) => `${r.kind}:${r.reason}@${r.step}`);

/** Several symbols, each with its own signal column: series[name] = [rows, signals]. */
function withSignalsOf(series: Record<string, [number[][], number[]]>): AlignedBars {
  const bars = alignedFrom(Object.fromEntries(Object.entries(series).map(([name, [rows]]) => [name, rows])));
  bars.columns.signal = Object.values(series).map(([, signal]) => Float64Array.from(signal));
  return bars;
}

describe('covering', () => {
  it('a buy that covers a short fills in full even when cash goes below zero; equity ≤ 0 is bankrupt', async () => {
    // Capital 1 000, fixed 10, signals −1, 0, −1, −1; bars (open, close) 100/100, 100/100, 250/250, 50/50.
    // Bar 0: short 10 (margin cap floor((1 000/0.5)/100) = 20 does not bind). Bar 1 open 100: fill −10,
    //   cash 2 000; mark 100: equity 1 000 ≥ 0.3·1 000. Signal 0 → order +10.
    // Bar 2 open 250: the cover fills whole: cash 2 000 − 2 500 = −500, realized −10·(250 − 100) = −1 500.
    //   Mark: equity −500 ≤ 0 → bankrupt. Signal −1: size 10, margin cap floor(max(0, −500/0.5)/250) = 0
    //   (margin_limit 10 → 0), so no order. Bar 3: halted and flat: nothing.
    const run = await both(specWith({ initialCapital: 1_000, strategy: signals }),
      withSignals([[100, 100], [100, 100], [250, 250], [50, 50]], [-1, 0, -1, -1]));
    expect(kinds(run)).toEqual(['signal:signal@0', 'order:signal@0', 'fill:signal@1', 'signal:signal@1', 'order:signal@1',
      'fill:signal@2', 'risk:bankrupt@2', 'signal:signal@2', 'risk:margin_limit@2']);
    expect(run.fills.map((f) => [f.step, f.quantity, f.price, f.realized])).toEqual([[1, -10, 100, 0], [2, 10, 250, -1_500]]);
    expect(run.records[6]).toMatchObject({ symbol: -1, equity: -500 });
    expect(run.records[8]).toMatchObject({ before: 10, after: 0, limit: 0.5 });
    expect(Array.from(run.cash)).toEqual([1_000, 2_000, -500, -500]);
    expect(Array.from(run.equity)).toEqual([1_000, 1_000, -500, -500]);
    expect([run.halted, run.bankrupt]).toEqual([true, true]);
  });

  it('a flip covers in full and buys its long part within the cash rule', async () => {
    // Capital 1 000, fixed 100, signals −1, +1, +1. Bar 1 open 10: short 100, cash 2 000.
    // Bar 1 signal +1: target +100, order +200. Bar 2 open 15: cover = 100; 2 000 − 200·15 < 0 →
    //   n = floor(2 000/15) = 133 (133·15 = 1 995 ≤ 2 000): order_reduced 200 → 133. Fill +133 @ 15:
    //   realized −100·(15 − 10) = −500, avg 15, cash 5, position +33. Equity at 15: 5 + 33·15 = 500.
    const run = await both(specWith({ initialCapital: 1_000, strategy: signals, sizers: [{ type: 'fixed', size: 100 }] }),
      withSignals([[10, 10], [10, 10], [15, 15]], [-1, 1, 1]));
    expect(kinds(run)).toEqual(['signal:signal@0', 'order:signal@0', 'fill:signal@1', 'signal:signal@1', 'order:signal@1',
      'risk:order_reduced@2', 'fill:signal@2']);
    expect(run.records[5]).toMatchObject({ before: 200, after: 133, limit: 2_000 });
    expect(run.positions[0]).toMatchObject({ position: 33, avgCost: 15, realized: -500 });
    expect(Array.from(run.equity)).toEqual([1_000, 1_000, 500]);
    // The same flip at open 25: cash 2 000 affords floor(2 000/25) = 80 < the cover of 100, so the buy
    // is the cover alone (order_reduced 200 → 100): cash 2 000 − 2 500 = −500, flat → bankrupt.
    const broke = await both(specWith({ initialCapital: 1_000, strategy: signals, sizers: [{ type: 'fixed', size: 100 }] }),
      withSignals([[10, 10], [10, 10], [25, 25]], [-1, 1, 1]));
    expect(broke.records[5]).toMatchObject({ reason: 'order_reduced', before: 200, after: 100 });
    expect(broke.fills[1]).toMatchObject({ quantity: 100, price: 25, realized: -1_500 });
    expect(Array.from(broke.equity)).toEqual([1_000, 1_000, -500]);
    expect(broke.bankrupt).toBe(true);
  });
});

describe('initial margin', () => {
  it('caps a short so that initial · short exposure ≤ equity, counting other symbols’ pending shorts', async () => {
    // Capital 1 000, fixed 100; A closes 10, B 20; both signal −1 at bar 0.
    // A: room 1 000/0.5 − 0 = 2 000 → cap floor(2 000/10) = 200 ≥ 100: order −100 (pending).
    // B: room 2 000 − |−100|·10 = 1 000 → cap floor(1 000/20) = 50 < 100: margin_limit 100 → 50, order −50.
    // Bar 1: fills at the opens: cash 1 000 + 1 000 + 1 000 = 3 000; equity 3 000 − 1 000 − 1 000 = 1 000,
    // short exposure 2 000 = equity / initial exactly.
    const run = await both(specWith({ initialCapital: 1_000, strategy: signals, sizers: [{ type: 'fixed', size: 100 }] }),
      withSignalsOf({ A: [[[10, 10], [10, 10]], [-1, -1]], B: [[[20, 20], [20, 20]], [-1, -1]] }));
    expect(kinds(run)).toEqual(['signal:signal@0', 'order:signal@0', 'signal:signal@0', 'risk:margin_limit@0', 'order:signal@0',
      'fill:signal@1', 'fill:signal@1']);
    expect(run.records[3]).toMatchObject({ symbol: 1, before: 100, after: 50, limit: 0.5 });
    expect(run.fills.map((f) => [f.symbol, f.quantity])).toEqual([[0, -100], [1, -50]]);
    expect(Array.from(run.equity)).toEqual([1_000, 1_000]);
    expect(run.gross[1]).toBe(2_000);
  });

  it('with allow_margin, caps a long on gross exposure, calls the borrowed long, and allows new entries after', async () => {
    // Capital 1 000, fixed 300, allow_margin. Bar 0 close 10: cap floor((1 000/0.5)/10) = 200: margin_limit
    //   300 → 200. Bar 1 open 10: +200, cash −1 000 (no cash rule). Mark 10: equity 1 000, borrowed
    //   min(2 000, 1 000) = 1 000, requirement 300.
    // Bar 2 close 6.5: equity −1 000 + 1 300 = 300, requirement 0.3·1 000 = 300: not below, no call.
    // Bar 3 close 6.4: equity 280 < 300 → margin_call (280, 300, 0.3) and a flattening order −200.
    // Bar 4 open 6: sell 200 → cash 200, realized 200·(6 − 10) = −800; equity 200.
    // Bar 5 signal 0 (flat: no order). Bar 6 signal +1 at close 6: cap floor((200/0.5)/6) = 66: margin_limit
    //   300 → 66, order +66. Bar 7 open 6: cash 200 − 396 = −196; equity 200.
    const run = await both(specWith({ initialCapital: 1_000, strategy: signals, sizers: [{ type: 'fixed', size: 300 }],
      execution: exec({ allowMargin: true }) }),
    withSignals([[10, 10], [10, 10], [10, 6.5], [6.5, 6.4], [6, 6], [6, 6], [6, 6], [6, 6]], [1, 1, 1, 1, 1, 0, 1, 1]));
    expect(kinds(run)).toEqual(['signal:signal@0', 'risk:margin_limit@0', 'order:signal@0', 'fill:signal@1',
      'risk:margin_call@3', 'order:margin_call@3', 'fill:signal@4', 'signal:signal@5', 'signal:signal@6',
      'risk:margin_limit@6', 'order:signal@6', 'fill:signal@7']);
    expect(run.records[4]).toMatchObject({ symbol: -1, equity: 280, bound: 300, limit: 0.3 });
    expect(run.records[5]).toMatchObject({ quantity: -200, cause: run.records[4].seq });
    expect(run.fills.map((f) => [f.step, f.quantity, f.price, f.realized])).toEqual([[1, 200, 10, 0], [4, -200, 6, -800], [7, 66, 6, 0]]);
    expect(Array.from(run.equity)).toEqual([1_000, 1_000, 300, 280, 200, 200, 200, 200]);
    expect(Array.from(run.cash)).toEqual([1_000, -1_000, -1_000, -1_000, 200, 200, 200, -196]);
    expect(run.bankrupt).toBe(false);
  });
});

describe('maintenance and bankruptcy', () => {
  it('calls a losing short at the maintenance level; the loss is the call price plus the gap to the next open', async () => {
    // Capital 1 000, fixed 100, signal −1 throughout. Bar 1 open 10: short 100, cash 2 000.
    // Call when 2 000 − 100·c < 0.3·100·c, i.e. c > 2 000/130 = 15.38.
    // Bar 2 close 15: equity 500 ≥ 450: no call. Bar 3 close 16: equity 400 < 480 → margin_call, order +100.
    // Bar 4 opens at 18 (a gap): cover 100 @ 18 → cash 2 000 − 1 800 = 200, realized −800. Equity 200.
    const run = await both(specWith({ initialCapital: 1_000, strategy: signals, sizers: [{ type: 'fixed', size: 100 }] }),
      withSignals([[10, 10], [10, 10], [15, 15], [15, 16], [18, 18], [30, 30]], [-1, -1, -1, -1, -1, -1]));
    expect(kinds(run)).toEqual(['signal:signal@0', 'order:signal@0', 'fill:signal@1', 'risk:margin_call@3',
      'order:margin_call@3', 'fill:signal@4']);
    expect(run.records[3]).toMatchObject({ equity: 400, bound: 480, limit: 0.3 });
    expect(run.fills[1]).toMatchObject({ step: 4, quantity: 100, price: 18, realized: -800 });
    // Flat afterwards (the direction never changed again): the rally to 30 costs nothing more.
    expect(Array.from(run.equity)).toEqual([1_000, 1_000, 500, 400, 200, 200]);
  });

  it('a gap past zero is bankruptcy, not a call: flattened with reason bankrupt, then halted', async () => {
    // As above, but bar 2 closes at 25: equity 2 000 − 2 500 = −500 ≤ 0 → bankrupt (no margin_call);
    // the unchanged short gets a flattening order +100 (reason bankrupt). Bar 3 open 26: cover →
    // cash 2 000 − 2 600 = −600, realized −1 600. Signal +1 at bar 3: size 100, halted → risk halted.
    const run = await both(specWith({ initialCapital: 1_000, strategy: signals, sizers: [{ type: 'fixed', size: 100 }] }),
      withSignals([[10, 10], [10, 10], [25, 25], [26, 26]], [-1, -1, -1, 1]));
    expect(kinds(run)).toEqual(['signal:signal@0', 'order:signal@0', 'fill:signal@1', 'risk:bankrupt@2', 'order:bankrupt@2',
      'fill:signal@3', 'signal:signal@3', 'risk:halted@3']);
    expect(run.records[4]).toMatchObject({ quantity: 100, cause: run.records[3].seq });
    expect(run.records[7]).toMatchObject({ before: 100, after: 0, limit: 0 });
    expect(Array.from(run.equity)).toEqual([1_000, 1_000, -500, -600]);
    expect([run.halted, run.bankrupt]).toEqual([true, true]);
  });

  it('one account across symbols: a short’s loss calls and flattens a cash-paid long too', async () => {
    // Capital 1 000, fixed 50; A long (+1), B short (−1), both at 10. Bar 1: cash 1 000 − 500 + 500 = 1 000,
    // equity 1 000. Bar 2: B closes 25: equity 1 000 + 500 − 1 250 = 250; the long is paid in cash
    // (cash ≥ 0: nothing borrowed), so the requirement is 0.3·1 250 = 375 > 250 → margin_call; both
    // positions get flattening orders. Bar 3: A sells 50 @ 10 (cash 1 500), B covers 50 @ 25
    // (cash 250, realized −750). Equity 250.
    const run = await both(specWith({ initialCapital: 1_000, strategy: signals, sizers: [{ type: 'fixed', size: 50 }] }),
      withSignalsOf({ A: [[[10, 10], [10, 10], [10, 10], [10, 10]], [1, 1, 1, 1]], B: [[[10, 10], [10, 10], [25, 25], [25, 25]], [-1, -1, -1, -1]] }));
    expect(kinds(run)).toEqual(['signal:signal@0', 'order:signal@0', 'signal:signal@0', 'order:signal@0', 'fill:signal@1',
      'fill:signal@1', 'risk:margin_call@2', 'order:margin_call@2', 'order:margin_call@2', 'fill:signal@3', 'fill:signal@3']);
    expect(run.records[6]).toMatchObject({ equity: 250, bound: 375 });
    expect(run.fills.slice(2).map((f) => [f.symbol, f.quantity, f.price, f.realized])).toEqual([[0, -50, 10, 0], [1, 50, 25, -750]]);
    expect(Array.from(run.equity)).toEqual([1_000, 1_000, 250, 250]);
  });

  it('close mode: the call fills at its close, and a cover whose slippage takes equity below zero is bankrupt', async () => {
    // Capital 100, fixed 10, fill at close, slippage 100 bps. Bar 0: short 10 @ 10·0.99 = 9.9 → cash 199,
    // equity 199 − 100 = 99. Bar 1 close 19.8: equity 199 − 198 = 1 < 0.3·198 = 59.4 → margin_call; the
    // flattening buy fills at 19.8·1.01 = 19.998 → cash 199 − 199.98 = −0.98: bankrupt at the record.
    const run = await both(specWith({ initialCapital: 100, strategy: signals, execution: exec({ fill: 'close', slippageBps: 100 }) }),
      withSignals([[10, 10], [19.8, 19.8]], [-1, -1]));
    expect(kinds(run)).toEqual(['signal:signal@0', 'order:signal@0', 'fill:signal@0', 'risk:margin_call@1',
      'order:margin_call@1', 'fill:signal@1', 'risk:bankrupt@1']);
    expect(run.equity[0]).toBeCloseTo(99, 9);
    expect(run.equity[1]).toBeCloseTo(-0.98, 9);
    expect(run.bankrupt).toBe(true);
  });
});

describe('a losing short on real data (YHOO 2003–2005, a 4× rally)', () => {
  it('rsi(14), percentage(0.5), $30 000: the short is called at the maintenance level and its loss is bounded', async () => {
    const csv = readFileSync(new URL('../fixtures/real/yhoo-2003-2005.txt', import.meta.url), 'utf8');
    const bars = alignBars(parseCsv(csv, { symbol: 'YHOO' }));
    const close = bars.close[0];
    const open = bars.open[0];
    const run = await both(specWith({ initialCapital: 30_000, strategy: { type: 'rsi', period: 14, oversold: 30, overbought: 70, allowShort: true },
      sizers: [{ type: 'percentage', size: 0.5 }] }), bars);
    // The first trade is a short of q shares at price p (the RSI is overbought early in 2003), sized
    // floor(0.5 · 30 000 / close) at its signal's close; cash after it: 30 000 + q·p.
    const entry = run.fills[0];
    expect(entry.quantity).toBeLessThan(0);
    const q = -entry.quantity;
    const signalStep = entry.step - 1;
    expect(q).toBe(Math.floor((0.5 * 30_000) / close[signalStep]));
    const cash = 30_000 + q * entry.price;
    // Maintenance: called at the first close c with cash − q·c < 0.3·q·c, i.e. c > cash / (1.3·q).
    const level = cash / (1.3 * q);
    const calls = run.records.filter((r) => r.kind === 'risk' && r.reason === 'margin_call');
    expect(calls.length).toBe(1);
    const t = calls[0].step;
    let first = entry.step;
    while (!(cash - q * close[first] < 0.3 * (q * close[first]))) first++;
    expect(t).toBe(first);
    expect(close[t]).toBeGreaterThan(level);
    expect(close[t - 1]).toBeLessThanOrEqual(level);
    // The cover fills whole at the next open: the loss is the entry-to-open move of q shares, which is
    // the loss at the maintenance level plus the move from the level to that open.
    const cover = run.fills[1];
    expect(cover).toMatchObject({ step: t + 1, quantity: q, price: open[t + 1] });
    expect(cover.realized).toBeCloseTo(-q * (open[t + 1] - entry.price), 6);
    expect(run.cash[t + 1]).toBeCloseTo(cash - q * open[t + 1], 6);
    expect(-cover.realized).toBeLessThanOrEqual(q * (level - entry.price) + q * Math.max(0, open[t + 1] - level));
    // Without the call the short would have stayed open to the end: its loss there would exceed the
    // capital (the rally takes the price past cash / q, where equity is zero).
    expect(Math.max(...close.subarray(t))).toBeGreaterThan(cash / q);
    expect(Math.min(...run.equity)).toBeGreaterThan(0);
    expect(run.bankrupt).toBe(false);
  });
});
