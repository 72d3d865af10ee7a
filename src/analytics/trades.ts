// Round trips ("trades") rebuilt from fills, per symbol from flat to flat (DESIGN.md §2.5): a flip
// closes one trade and opens the next; partial reductions and adds stay in the trade they touch.
import type { Fill, FillTable } from '../engine/records.js';
import { inBlocks, type BlockPass } from './block.js';

export type TradeDirection = 'long' | 'short';

/** One round trip of one symbol. Prices are share-weighted averages; P&L is in account currency. */
export interface Trade {
  symbol: string;
  /** Index of the symbol in the `symbols` passed to `extractTrades` (the fills' `symbol`). */
  symbolIndex: number;
  direction: TradeDirection;
  /** True when the position was still open after the last fill; such a trade has no exit step. */
  open: boolean;
  /** Step of the fill that opened the trade (from flat, or the flip that opened it). */
  entryStep: number;
  /** Step of the fill that brought the position back to flat (or flipped it); absent while open. */
  exitStep?: number;
  /** `timestamps[entryStep]`, when timestamps were given. */
  entryTime?: number;
  /** `timestamps[exitStep]`, when timestamps were given and the trade is closed. */
  exitTime?: number;
  /** Largest absolute position reached during the trade (shares). */
  quantity: number;
  /** Shares opened or added (a flip counts its remainder); equals `exitQuantity` once closed. */
  entryQuantity: number;
  /** Shares closed by reducing fills (a flip counts its closing part). */
  exitQuantity: number;
  /** Average price of the opening and adding shares. */
  entryPrice: number;
  /** Average price of the closing shares; NaN while no share has been closed. */
  exitPrice: number;
  /** Sum of the `realized` of its fills (a flip's realized P&L belongs to the trade it closes). */
  grossPnl: number;
  /** Commissions of its fills (a flip's commission split by shares between the two trades). */
  fees: number;
  /**
   * grossPnl − fees; exactly 0 (break-even) when within 1e-9 of the trade's notional, i.e. rounding
   * noise. For an open trade: realized so far minus fees so far.
   */
  netPnl: number;
  /**
   * Closes at which the position was held: `exitStep − entryStep` for a closed trade, and
   * `steps − entryStep` for an open one (held through the last step).
   */
  bars: number;
  /** Number of fills that touched the trade (a flip fill counts in both trades). */
  fills: number;
}

export interface ExtractTradesOptions {
  /** One timestamp per step (indexed by the fills' `step`): adds entryTime/exitTime. */
  timestamps?: Float64Array;
  /** Steps in the run, for the `bars` of open trades. Default: `timestamps.length`, else last fill step + 1. */
  steps?: number;
}

/** @internal The fill fields trades need, as columns (views for a FillTable, copies for an array). */
export interface FillColumns {
  length: number;
  step: ArrayLike<number>;
  symbol: ArrayLike<number>;
  quantity: ArrayLike<number>;
  price: ArrayLike<number>;
  commission: ArrayLike<number>;
  realized: ArrayLike<number>;
}

/** @internal Reads fills column by column whether they come as objects or as a FillTable. */
export function fillColumns(fills: Fill[] | FillTable): FillColumns {
  if (Array.isArray(fills)) {
    const n = fills.length;
    const step = new Float64Array(n), symbol = new Float64Array(n), quantity = new Float64Array(n);
    const price = new Float64Array(n), commission = new Float64Array(n), realized = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const f = fills[i];
      step[i] = f.step; symbol[i] = f.symbol; quantity[i] = f.quantity;
      price[i] = f.price; commission[i] = f.commission; realized[i] = f.realized;
    }
    return { length: n, step, symbol, quantity, price, commission, realized };
  }
  return {
    length: fills.length, step: fills.column('step'), symbol: fills.column('symbol'), quantity: fills.column('quantity'),
    price: fills.column('price'), commission: fills.column('commission'), realized: fills.column('realized'),
  };
}

/**
 * Net P&L within this fraction of the trade's notional (Σ |shares · price| of its fills) is rounding
 * noise: a one-cent move that pays exactly two per-share commissions sums to ±1e-11, not 0, in floating
 * point. Such a trade is break-even (net 0). The smallest real P&L, a cent on one share of a trade's
 * notional N, is 0.01 ≫ 1e-9·N for any N below ten million per share traded.
 */
const BREAK_EVEN_TOLERANCE = 1e-9;

/** grossPnl − fees, with rounding noise of the trade's notional snapped to 0 (break-even). */
function netPnlOf(t: OpenTrade): number {
  const net = t.grossPnl - t.fees;
  return Math.abs(net) <= BREAK_EVEN_TOLERANCE * (t.entryNotional + t.exitNotional) ? 0 : net;
}

/** A trade being built: running sums, turned into a `Trade` when it closes or the fills end. */
interface OpenTrade {
  slot: number;
  symbolIndex: number;
  sign: 1 | -1;
  entryStep: number;
  quantity: number;
  entryShares: number;
  entryNotional: number;
  exitShares: number;
  exitNotional: number;
  grossPnl: number;
  fees: number;
  fills: number;
}

/**
 * A position within this fraction of the shares involved counts as flat, so fractional shares that
 * do not cancel exactly in floating point (0.1 + 0.2 − 0.3) leave no ghost trade. Whole shares, as
 * the engine trades them, cancel exactly.
 */
const FLAT_TOLERANCE = 1e-9;

/**
 * Rebuilds round trips from fills, in the order they opened. Per symbol a trade runs from flat to
 * flat; a fill that crosses zero closes the open trade with its first |position| shares and opens a
 * new one with the rest, its commission split pro rata by shares and its realized P&L kept by the
 * closed trade. Fills of quantity 0 are added to the open trade of their symbol (ignored when flat).
 *
 * Throws a RangeError on malformed fills: a symbol index outside `symbols`, a step that is not a
 * whole number ≥ 0 (or beyond `timestamps`), steps going backwards, or a non-finite number.
 *
 * @example
 *   const trades = extractTrades(run.fills, run.symbols, { timestamps: bars.timestamps });
 *   const closed = trades.filter((t) => !t.open);
 *   console.log(closed.length, closed.reduce((s, t) => s + t.netPnl, 0));
 */
export function extractTrades(fills: Fill[] | FillTable, symbols: string[], opts: ExtractTradesOptions = {}): Trade[] {
  return tradesOf(fillColumns(fills), symbols, opts);
}

/** What a walk over the fills reports: a trade opening (in entry order) and a trade ending. */
interface TradeSink {
  opened(t: OpenTrade): void;
  /** exitStep undefined: still open at the end, after `steps` steps. */
  closed(t: OpenTrade, exitStep: number | undefined, steps: number): void;
}

/**
 * One walk over the fills, keeping one running trade per symbol (its accumulator is reused: a trade always
 * ends before the next one of its symbol opens), reporting each trade to the sink. Fed block by block
 * (see block.ts) so V8 optimizes `add` from whole calls.
 */
class TradeWalk implements BlockPass {
  private readonly accumulators: OpenTrade[];
  private readonly current: Array<OpenTrade | undefined>;
  private readonly position: Float64Array;
  lastStep = -1;

  constructor(private readonly f: FillColumns, private readonly symbols: string[], private readonly timestamps: Float64Array | undefined,
    private readonly sink: TradeSink) {
    this.accumulators = symbols.map((_, s) => ({ slot: -1, symbolIndex: s, sign: 1, entryStep: 0, quantity: 0,
      entryShares: 0, entryNotional: 0, exitShares: 0, exitNotional: 0, grossPnl: 0, fees: 0, fills: 0 }));
    this.current = new Array(symbols.length).fill(undefined);
    this.position = new Float64Array(symbols.length);
  }

  private open(s: number, sign: 1 | -1, step: number): OpenTrade {
    const t = this.accumulators[s];
    t.sign = sign;
    t.entryStep = step;
    t.quantity = t.entryShares = t.entryNotional = t.exitShares = t.exitNotional = t.grossPnl = t.fees = t.fills = 0;
    this.sink.opened(t);
    this.current[s] = t;
    return t;
  }

  /** Fills [from, to). */
  add(from: number, to: number): void {
    const { f, symbols, timestamps, sink, current, position } = this;
    let lastStep = this.lastStep;
    for (let i = from; i < to; i++) {
      const step = f.step[i], s = f.symbol[i], q = f.quantity[i], p = f.price[i], k = f.commission[i], realized = f.realized[i];
      if (!(Number.isInteger(s) && s >= 0 && s < symbols.length)) {
        throw new RangeError(`fills[${i}].symbol is ${s}, expected an index into the ${symbols.length} symbols`);
      }
      if (!(Number.isInteger(step) && step >= 0)) throw new RangeError(`fills[${i}].step is ${step}, expected a whole number ≥ 0`);
      if (step < lastStep) throw new RangeError(`fills[${i}].step is ${step}, before the previous fill's step ${lastStep}`);
      if (timestamps && step >= timestamps.length) {
        throw new RangeError(`fills[${i}].step is ${step}, beyond the ${timestamps.length} timestamps`);
      }
      if (!(Number.isFinite(q) && Number.isFinite(p) && Number.isFinite(k) && Number.isFinite(realized))) {
        throw new RangeError(`fills[${i}] has a non-finite number: quantity ${q}, price ${p}, commission ${k}, realized ${realized}`);
      }
      lastStep = step;

      const old = position[s];
      let trade = current[s];
      if (q === 0) {
        if (trade) { trade.fees += k; trade.grossPnl += realized; trade.fills++; }
        continue;
      }
      const shares = Math.abs(q);
      const sign: 1 | -1 = q > 0 ? 1 : -1;
      if (!trade || Math.sign(old) === sign) {
        // Opening or adding.
        trade ??= this.open(s, sign, step);
        trade.entryShares += shares;
        trade.entryNotional += shares * p;
        trade.fees += k;
        trade.grossPnl += realized;
        trade.fills++;
        position[s] = old + q;
        trade.quantity = Math.max(trade.quantity, Math.abs(old + q));
        continue;
      }
      const held = Math.abs(old);
      if (shares <= held * (1 + FLAT_TOLERANCE)) {
        // Reducing, or closing when it reaches flat.
        trade.exitShares += shares;
        trade.exitNotional += shares * p;
        trade.fees += k;
        trade.grossPnl += realized;
        trade.fills++;
        const next = old + q;
        if (Math.abs(next) <= FLAT_TOLERANCE * held) {
          position[s] = 0;
          current[s] = undefined;
          sink.closed(trade, step, 0);
        } else {
          position[s] = next;
        }
        continue;
      }
      // Flip: the first `held` shares close the trade, the rest open the next one.
      const closingFee = k * (held / shares);
      trade.exitShares += held;
      trade.exitNotional += held * p;
      trade.fees += closingFee;
      trade.grossPnl += realized;
      trade.fills++;
      sink.closed(trade, step, 0);
      const rest = shares - held;
      const next = this.open(s, sign, step);
      next.entryShares = rest;
      next.entryNotional = rest * p;
      next.fees = k - closingFee;
      next.fills = 1;
      next.quantity = rest;
      position[s] = old + q;
    }
    this.lastStep = lastStep;
  }

  /** Reports the trades still open after `steps` steps. */
  end(steps: number): void {
    for (const t of this.current) if (t) this.sink.closed(t, undefined, steps);
  }
}

/** Walks all the fills (see TradeWalk). */
function walkTrades(f: FillColumns, symbols: string[], opts: ExtractTradesOptions, sink: TradeSink): void {
  const walk = inBlocks(new TradeWalk(f, symbols, opts.timestamps, sink), f.length);
  walk.end(opts.steps ?? (opts.timestamps ? opts.timestamps.length : walk.lastStep + 1));
}

/** Collects every trade as a `Trade`, in entry order. */
class TradeList implements TradeSink {
  readonly trades: Trade[] = [];

  constructor(private readonly symbols: string[], private readonly timestamps: Float64Array | undefined) {}

  opened(t: OpenTrade): void {
    t.slot = this.trades.length;
    this.trades.push(undefined as unknown as Trade); // the slot keeps the entry order; filled in when the trade ends
  }

  closed(t: OpenTrade, exitStep: number | undefined, steps: number): void {
    const trade: Trade = {
      symbol: this.symbols[t.symbolIndex], symbolIndex: t.symbolIndex, direction: t.sign > 0 ? 'long' : 'short',
      open: exitStep === undefined, entryStep: t.entryStep,
      quantity: t.quantity, entryQuantity: t.entryShares, exitQuantity: t.exitShares,
      entryPrice: t.entryShares > 0 ? t.entryNotional / t.entryShares : NaN,
      exitPrice: t.exitShares > 0 ? t.exitNotional / t.exitShares : NaN,
      grossPnl: t.grossPnl, fees: t.fees, netPnl: netPnlOf(t),
      bars: (exitStep ?? steps) - t.entryStep, fills: t.fills,
    };
    if (exitStep !== undefined) trade.exitStep = exitStep;
    const timestamps = this.timestamps;
    if (timestamps) {
      trade.entryTime = timestamps[t.entryStep];
      if (exitStep !== undefined) trade.exitTime = timestamps[exitStep];
    }
    this.trades[t.slot] = trade;
  }
}

/** @internal `extractTrades` over fills already read as columns. */
export function tradesOf(f: FillColumns, symbols: string[], opts: ExtractTradesOptions = {}): Trade[] {
  const list = new TradeList(symbols, opts.timestamps);
  walkTrades(f, symbols, opts, list);
  return list.trades;
}

/** Statistics of the closed trades (and the count of open ones), without building a Trade per trade. */
export interface ClosedTradeStatistics {
  closed: number;
  open: number;
  wins: number;
  losses: number;
  sumWins: number;
  /** Σ |netPnl| of the losing trades. */
  sumLosses: number;
  sumNet: number;
  sumBars: number;
}

/** Counts and sums the closed trades, and counts the open ones. */
class TradeTally implements TradeSink {
  readonly stats: ClosedTradeStatistics = { closed: 0, open: 0, wins: 0, losses: 0, sumWins: 0, sumLosses: 0, sumNet: 0, sumBars: 0 };

  opened(): void {}

  closed(t: OpenTrade, exitStep: number | undefined): void {
    const stats = this.stats;
    if (exitStep === undefined) {
      stats.open++;
      return;
    }
    const net = netPnlOf(t);
    stats.closed++;
    stats.sumNet += net;
    stats.sumBars += exitStep - t.entryStep;
    if (net > 0) { stats.wins++; stats.sumWins += net; }
    else if (net < 0) { stats.losses++; stats.sumLosses -= net; }
  }
}

/** @internal What computeMetrics needs of the trades: the same walk as extractTrades, no objects per trade. */
export function tradeStatistics(f: FillColumns, symbols: string[], opts: ExtractTradesOptions = {}): ClosedTradeStatistics {
  const tally = new TradeTally();
  walkTrades(f, symbols, opts, tally);
  return tally.stats;
}
