// extractTrades: round trips from fills (DESIGN.md §2.5, docs/metrics.md "Trades") on hand-worked
// cases, and a fast-check property that the trades account for every share, fee and realized dollar.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractTrades, type Trade } from '../../src/analytics/index.js';
import { FillTable, type Fill } from '../../src/engine/records.js';

let seq = 0;
/** A fill; `realized` is given by hand as the engine's average-cost accounting would compute it. */
const fill = (step: number, symbol: number, quantity: number, price: number, commission: number, realized = 0): Fill =>
  ({ step, symbol, quantity, price, commission, realized, orderSeq: seq++ });

const DAY = 86_400_000;
const days = (n: number) => Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * DAY);

describe('extractTrades: single round trips', () => {
  it('long round trip: buy 10 @ 100, sell 10 @ 110', () => {
    // realized = −q·(p − avg) = 10·(110 − 100) = 100; fees 1 + 1 = 2; net 98; held over closes 2, 3, 4.
    const ts = days(8);
    const trades = extractTrades([fill(2, 0, 10, 100, 1), fill(5, 0, -10, 110, 1, 100)], ['SPY'], { timestamps: ts });
    expect(trades).toEqual<Trade[]>([{
      symbol: 'SPY', symbolIndex: 0, direction: 'long', open: false, entryStep: 2, exitStep: 5,
      entryTime: Date.UTC(2024, 0, 3), exitTime: Date.UTC(2024, 0, 6),
      quantity: 10, entryQuantity: 10, exitQuantity: 10, entryPrice: 100, exitPrice: 110,
      grossPnl: 100, fees: 2, netPnl: 98, bars: 3, fills: 2,
    }]);
  });

  it('short round trip: sell 5 @ 50, buy 5 @ 45', () => {
    // realized = −q·(p − avg) = −5·(45 − 50) = 25; fees 0.5 + 0.5 = 1; net 24; 4 bars.
    const [t] = extractTrades([fill(0, 0, -5, 50, 0.5), fill(4, 0, 5, 45, 0.5, 25)], ['QQQ']);
    expect(t).toMatchObject({ direction: 'short', open: false, entryStep: 0, exitStep: 4, quantity: 5,
      entryPrice: 50, exitPrice: 45, grossPnl: 25, fees: 1, netPnl: 24, bars: 4 });
    expect(t.entryTime).toBeUndefined();
  });

  it('partial reductions stay in one trade; the exit price is share-weighted', () => {
    // buy 10 @ 100; sell 4 @ 105 (realized 4·5 = 20); sell 6 @ 95 (realized 6·(−5) = −30).
    // exitPrice = (4·105 + 6·95) / 10 = (420 + 570) / 10 = 99; gross −10; fees 3; net −13.
    const trades = extractTrades([fill(0, 0, 10, 100, 1), fill(1, 0, -4, 105, 1, 20), fill(3, 0, -6, 95, 1, -30)], ['A']);
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ direction: 'long', entryStep: 0, exitStep: 3, quantity: 10, entryQuantity: 10,
      exitQuantity: 10, entryPrice: 100, exitPrice: 99, grossPnl: -10, fees: 3, netPnl: -13, bars: 3, fills: 3 });
  });

  it('adds stay in one trade; the entry price is share-weighted and quantity is the peak position', () => {
    // buy 10 @ 100, buy 10 @ 110 → avg 105, position 20; sell 5 @ 120 (realized 5·15 = 75),
    // sell 15 @ 120 (realized 15·15 = 225). gross 300, fees 4·0.25 = 1, net 299.
    const trades = extractTrades([fill(0, 0, 10, 100, 0.25), fill(1, 0, 10, 110, 0.25), fill(2, 0, -5, 120, 0.25, 75),
      fill(4, 0, -15, 120, 0.25, 225)], ['A']);
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ quantity: 20, entryQuantity: 20, exitQuantity: 20, entryPrice: 105, exitPrice: 120,
      grossPnl: 300, fees: 1, netPnl: 299, bars: 4, fills: 4 });
  });

  it('a flip closes the trade and opens the next, splitting its commission by shares', () => {
    // buy 10 @ 100 (k 1); sell 30 @ 90 (k 3): closes 10 (realized 10·(90 − 100) = −100), opens short 20 @ 90;
    // buy 20 @ 80 (k 2): realized −20·(80 − 90) = 200.
    // Flip commission 3: 3·10/30 = 1 to the long, 3·20/30 = 2 to the short.
    // Long: fees 1 + 1 = 2, net −102. Short: fees 2 + 2 = 4, net 196.
    const ts = days(5);
    const trades = extractTrades([fill(0, 0, 10, 100, 1), fill(2, 0, -30, 90, 3, -100), fill(4, 0, 20, 80, 2, 200)], ['A'],
      { timestamps: ts });
    expect(trades).toEqual<Trade[]>([
      { symbol: 'A', symbolIndex: 0, direction: 'long', open: false, entryStep: 0, exitStep: 2, entryTime: ts[0], exitTime: ts[2],
        quantity: 10, entryQuantity: 10, exitQuantity: 10, entryPrice: 100, exitPrice: 90, grossPnl: -100, fees: 2, netPnl: -102,
        bars: 2, fills: 2 },
      { symbol: 'A', symbolIndex: 0, direction: 'short', open: false, entryStep: 2, exitStep: 4, entryTime: ts[2], exitTime: ts[4],
        quantity: 20, entryQuantity: 20, exitQuantity: 20, entryPrice: 90, exitPrice: 80, grossPnl: 200, fees: 4, netPnl: 196,
        bars: 2, fills: 2 },
    ]);
  });

  it('reports a trade still open at the end, with what it realized so far', () => {
    // buy 10 @ 100 at step 1 (k 1); sell 4 @ 110 at step 3 (realized 40, k 1); 6 shares still held.
    // 6 steps: held over closes 1 … 5 → bars = 6 − 1 = 5. gross 40, fees 2, net 38.
    const fills = [fill(1, 0, 10, 100, 1), fill(3, 0, -4, 110, 1, 40)];
    const [t] = extractTrades(fills, ['A'], { timestamps: days(6) });
    expect(t).toMatchObject({ open: true, direction: 'long', entryStep: 1, quantity: 10, entryQuantity: 10, exitQuantity: 4,
      entryPrice: 100, exitPrice: 110, grossPnl: 40, fees: 2, netPnl: 38, bars: 5 });
    expect(t.exitStep).toBeUndefined();
    expect(t.exitTime).toBeUndefined();
    expect('exitStep' in t).toBe(false);
    // Without timestamps or steps the run is taken to end at the last fill's step (3): bars = 4 − 1 = 3.
    expect(extractTrades(fills, ['A'])[0].bars).toBe(3);
    expect(extractTrades(fills, ['A'], { steps: 100 })[0].bars).toBe(99);
    // An opening fill with nothing closed yet has no exit price.
    expect(extractTrades([fill(0, 0, -3, 10, 0)], ['A'])[0]).toMatchObject({ open: true, direction: 'short', exitPrice: NaN, bars: 1 });
  });
});

describe('extractTrades: several symbols', () => {
  it('keeps interleaved symbols apart and lists trades in the order they opened', () => {
    // A: buy 10 @ 10 (s0), sell 10 @ 12 (s2, realized 20), buy 5 @ 11 (s3, open).
    // B: sell 4 @ 50 (s1), buy 4 @ 55 (s3, realized −4·(55 − 50) = −20).
    const fills = [fill(0, 0, 10, 10, 0.1), fill(1, 1, -4, 50, 0.2), fill(2, 0, -10, 12, 0.1, 20),
      fill(3, 1, 4, 55, 0.2, -20), fill(3, 0, 5, 11, 0.1)];
    const trades = extractTrades(fills, ['A', 'B'], { steps: 5 });
    expect(trades.map((t) => [t.symbol, t.direction, t.entryStep, t.exitStep, t.open])).toEqual([
      ['A', 'long', 0, 2, false], ['B', 'short', 1, 3, false], ['A', 'long', 3, undefined, true]]);
    expect(trades[0].netPnl).toBeCloseTo(20 - 0.2, 12);
    expect(trades[1].netPnl).toBeCloseTo(-20 - 0.4, 12);
    expect(trades[2]).toMatchObject({ symbolIndex: 0, quantity: 5, entryPrice: 11, grossPnl: 0, bars: 2 });
  });

  it('reads a FillTable the same as an array of fills', () => {
    const fills = [fill(0, 0, 10, 100, 1), fill(2, 0, -30, 90, 3, -100), fill(3, 1, 7, 20, 0.5), fill(4, 0, 20, 80, 2, 200)];
    const column = (k: keyof Fill) => Float64Array.from(fills, (f) => f[k]);
    const table = FillTable.fromColumns({ step: column('step'), symbol: column('symbol'), quantity: column('quantity'),
      price: column('price'), commission: column('commission'), realized: column('realized'), orderSeq: column('orderSeq') });
    expect(extractTrades(table, ['A', 'B'])).toEqual(extractTrades(fills, ['A', 'B']));
    expect(extractTrades(table, ['A', 'B'])).toHaveLength(3);
    expect(extractTrades(new FillTable(), ['A'])).toEqual([]);
  });
});

describe('extractTrades: many fills (walked block by block)', () => {
  it('keeps trades whole across block edges: 3 333 trades of 3 fills each, and one left open', () => {
    // Trade k (k = 0 … 3 332): buy 10 @ 100 + k, buy 5 @ 101 + k, sell 15 @ 103 + k at steps 3k, 3k+1, 3k+2,
    // fee 1 each. Average cost (1000 + 10k + 505 + 5k)/15 = 100 + k + 1/3 → realized 15·(103 + k − avg) = 40.
    // Entry price (1505 + 15k)/15, exit 103 + k, fees 3, net 37, bars 2. 3 fills do not divide 4 096, so many
    // trades straddle an edge. Then buy 7 @ 50 at step 9 999, still open after 10 001 steps.
    const fills: Fill[] = [];
    for (let k = 0; k < 3_333; k++) {
      fills.push(fill(3 * k, 0, 10, 100 + k, 1), fill(3 * k + 1, 0, 5, 101 + k, 1), fill(3 * k + 2, 0, -15, 103 + k, 1, 40));
    }
    fills.push(fill(9_999, 0, 7, 50, 1));
    const table = new FillTable();
    for (const f of fills) table.append(f.step, f.symbol, f.quantity, f.price, f.commission, f.realized, f.orderSeq);
    const trades = extractTrades(table, ['SPY'], { steps: 10_001 });
    expect(trades).toHaveLength(3_334);
    trades.slice(0, -1).forEach((t, k) => expect(t).toMatchObject({ open: false, entryStep: 3 * k, exitStep: 3 * k + 2, quantity: 15,
      entryQuantity: 15, exitQuantity: 15, exitPrice: 103 + k, grossPnl: 40, fees: 3, netPnl: 37, bars: 2, fills: 3 }));
    trades.slice(0, -1).forEach((t, k) => expect(t.entryPrice).toBeCloseTo((1_505 + 15 * k) / 15, 9));
    expect(trades.at(-1)).toMatchObject({ open: true, entryStep: 9_999, quantity: 7, bars: 2, fills: 1 });
  });
});

describe('extractTrades: malformed fills', () => {
  it('names the fill and the value', () => {
    expect(() => extractTrades([fill(0, 2, 1, 1, 0)], ['A', 'B'])).toThrow('fills[0].symbol is 2, expected an index into the 2 symbols');
    expect(() => extractTrades([fill(3, 0, 1, 1, 0), fill(2, 0, 1, 1, 0)], ['A'])).toThrow("fills[1].step is 2, before the previous fill's step 3");
    expect(() => extractTrades([fill(5, 0, 1, 1, 0)], ['A'], { timestamps: days(5) })).toThrow('fills[0].step is 5, beyond the 5 timestamps');
    expect(() => extractTrades([fill(0, 0, NaN, 1, 0)], ['A'])).toThrow(RangeError);
  });
});

/** Random fills built step by step so that closes and flips are frequent. */
const fillsArb = fc.array(
  fc.record({
    symbol: fc.integer({ min: 0, max: 2 }),
    action: fc.constantFrom('close', 'flip', 'trade', 'trade', 'trade'),
    size: fc.integer({ min: 1, max: 12 }),
    side: fc.constantFrom(1, -1),
    price: fc.integer({ min: 100, max: 20_000 }).map((c) => c / 100),
    commission: fc.integer({ min: 0, max: 500 }).map((c) => c / 100),
    realized: fc.integer({ min: -100_000, max: 100_000 }).map((c) => c / 100),
    advance: fc.constantFrom(0, 1, 1, 2),
  }),
  { maxLength: 60 },
).map((actions) => {
  const position = [0, 0, 0];
  let step = 0;
  return actions.map((a): Fill => {
    step += a.advance;
    const pos = position[a.symbol];
    let q = a.side * a.size;
    if (a.action === 'close' && pos !== 0) q = -pos;
    if (a.action === 'flip' && pos !== 0) q = -pos - Math.sign(pos) * a.size;
    position[a.symbol] += q;
    return { step, symbol: a.symbol, quantity: q, price: a.price, commission: a.commission, realized: a.realized, orderSeq: 0 };
  });
});

describe('extractTrades: property', () => {
  it('accounts for every fill: P&L, fees, shares, positions and the number of round trips', () => {
    fc.assert(fc.property(fillsArb, (fills) => {
      const trades = extractTrades(fills, ['A', 'B', 'C']);
      const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

      // Σ netPnl of closed and open trades = Σ realized − Σ commission of the fills.
      expect(close(sum(trades.map((t) => t.netPnl)), sum(fills.map((f) => f.realized - f.commission)))).toBe(true);
      expect(close(sum(trades.map((t) => t.fees)), sum(fills.map((f) => f.commission)))).toBe(true);
      // Every share of every fill belongs to exactly one trade (a flip's shares split between two).
      expect(sum(trades.map((t) => t.entryQuantity + t.exitQuantity))).toBe(sum(fills.map((f) => Math.abs(f.quantity))));

      for (let s = 0; s < 3; s++) {
        const own = fills.filter((f) => f.symbol === s);
        const mine = trades.filter((t) => t.symbolIndex === s);
        // Independent count from the running position: a round trip ends where it reaches 0 or crosses it.
        let pos = 0;
        let ends = 0;
        for (const f of own) {
          const next = pos + f.quantity;
          if (pos !== 0 && (next === 0 || Math.sign(next) !== Math.sign(pos))) ends++;
          pos = next;
        }
        expect(mine.filter((t) => !t.open)).toHaveLength(ends);
        expect(mine.filter((t) => t.open)).toHaveLength(pos === 0 ? 0 : 1);
        // A closed trade's fills net to zero shares; open trades net to the final position.
        for (const t of mine) if (!t.open) expect(t.entryQuantity).toBe(t.exitQuantity);
        expect(sum(mine.map((t) => (t.direction === 'long' ? 1 : -1) * (t.entryQuantity - t.exitQuantity)))).toBe(pos);
        for (const t of mine) {
          expect(t.quantity).toBeGreaterThan(0);
          expect(t.quantity).toBeLessThanOrEqual(t.entryQuantity);
          if (!t.open) expect(t.exitStep!).toBeGreaterThanOrEqual(t.entryStep);
        }
      }
    }), { numRuns: 300 });
  });
});
