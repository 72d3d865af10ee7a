// The reference model: docs/semantics.md written as plain, readable TypeScript. It is the oracle the
// WebAssembly kernel must match fill for fill and bit for bit. Readable first; speed does not matter.
import type { AlignedBars } from '../../src/data/bars.js';
import { recordOf, type ReasonName, type RecordKind, type TraceRecord } from '../../src/engine/records.js';
import type { LimitSpec, PortfolioSpec, StrategySpec } from '../../src/engine/spec.js';

const EPS = 1e-9;

interface Decision {
  dir: number;
  ind1: number;
  ind2: number;
}

/** A strategy sees one symbol's bars (gaps removed) and returns the direction after each. */
interface Strategy {
  next(bar: { high: number; low: number; close: number; signal: number }): Decision;
}

function makeStrategy(spec: StrategySpec): Strategy {
  switch (spec.type) {
    case 'momentum':
      return momentum(spec.lookbackPeriod, spec.momentumThreshold, spec.allowShort ? -1 : 0);
    case 'mean_reversion':
      return meanReversion(spec.lookbackPeriod, spec.entryThreshold, spec.exitThreshold, spec.allowShort ? -1 : 0);
    case 'sma_crossover':
      return smaCrossover(spec.fastPeriod, spec.slowPeriod, spec.allowShort ? -1 : 0);
    case 'breakout':
      return breakout(spec.lookbackPeriod, spec.allowShort ? -1 : 0);
    case 'rsi':
      return rsi(spec.period, spec.oversold, spec.overbought, spec.allowShort ? -1 : 0);
    case 'buy_and_hold':
      return { next: (bar) => ({ dir: 1, ind1: bar.close, ind2: 0 }) };
    case 'signals': {
      const short = spec.allowShort ? -1 : 0;
      let d = 0;
      return {
        next(bar) {
          const v = bar.signal;
          d = Number.isNaN(v) ? d : v > EPS ? 1 : v < -EPS ? short : 0;
          return { dir: d, ind1: v, ind2: 0 };
        },
      };
    }
  }
}

function momentum(L: number, th: number, short: number): Strategy {
  const closes: number[] = [];
  const up = 1 + th + EPS;
  const down = 1 - (th + EPS);
  let d = 0;
  return {
    next({ close: c }) {
      closes.push(c);
      const t = closes.length - 1;
      if (t < L) return { dir: (d = 0), ind1: 0, ind2: 0 };
      const b = closes[t - L];
      if (c > b * up) d = 1;
      else if (c < b * down) d = short;
      return { dir: d, ind1: c / b - 1, ind2: b };
    },
  };
}

function meanReversion(L: number, ze: number, zx: number, short: number): Strategy {
  const closes: number[] = [];
  const a = ze + EPS;
  const b = zx + EPS;
  const a2 = a * a;
  const b2 = b * b;
  let K = 0;
  let S1 = 0;
  let S2 = 0;
  let d = 0;
  return {
    next({ close: c }) {
      closes.push(c);
      const t = closes.length - 1;
      if (t === 0) K = c;
      if (t >= L) {
        const o = closes[t - L];
        S1 = S1 + ((c - K) - (o - K));
        S2 = S2 + ((c - K) * (c - K) - (o - K) * (o - K));
      } else {
        S1 = S1 + (c - K);
        S2 = S2 + (c - K) * (c - K);
      }
      if ((t + 1) % L === 0) {
        K = c;
        S1 = 0;
        S2 = 0;
        for (const x of closes.slice(t + 1 - L)) {
          S1 += x - K;
          S2 += (x - K) * (x - K);
        }
      }
      if (t < L - 1) return { dir: (d = 0), ind1: 0, ind2: 0 };
      const invL = 1 / L;
      const dm = S1 * invL;
      const v = Math.max(S2 * invL - dm * dm, 0);
      const sma = K + dm;
      const dev = (c - K) - dm;
      const window = closes.slice(t + 1 - L);
      const flat = window.every((x) => x === c) || v <= (EPS * sma) * (EPS * sma);
      if (!flat) {
        const below = dev < 0 && dev * dev > a2 * v; // z < -(ze + EPS)
        const above = dev > 0 && dev * dev > a2 * v; // z > ze + EPS
        if (d === 0) d = below ? 1 : above ? short : 0;
        else if (d > 0) d = dev >= 0 || dev * dev <= b2 * v ? 0 : 1; // exit when z >= -(zx + EPS)
        else d = dev <= 0 || dev * dev <= b2 * v ? 0 : -1; // exit when z <= zx + EPS
      }
      return { dir: d, ind1: v > 0 ? dev / Math.sqrt(v) : 0, ind2: sma };
    },
  };
}

function smaCrossover(F: number, S: number, short: number): Strategy {
  const closes: number[] = [];
  let K = 0;
  let fS = 0;
  let sS = 0;
  let d = 0;
  return {
    next({ close: c }) {
      closes.push(c);
      const t = closes.length - 1;
      if (t === 0) K = c;
      fS = t >= F ? fS + ((c - K) - (closes[t - F] - K)) : fS + (c - K);
      sS = t >= S ? sS + ((c - K) - (closes[t - S] - K)) : sS + (c - K);
      if ((t + 1) % S === 0) {
        K = c;
        sS = 0;
        for (const x of closes.slice(t + 1 - S)) sS += x - K;
        fS = 0;
        for (const x of closes.slice(t + 1 - F)) fS += x - K;
      }
      if (t < S - 1) return { dir: (d = 0), ind1: 0, ind2: 0 };
      const fastMean = fS / F;
      const slowMean = sS / S;
      const diff = fastMean - slowMean;
      const tol = EPS * Math.abs(K + slowMean);
      if (diff > tol) d = 1;
      else if (diff < -tol) d = short;
      return { dir: d, ind1: K + fastMean, ind2: K + slowMean };
    },
  };
}

function breakout(L: number, short: number): Strategy {
  const highs: number[] = [];
  const lows: number[] = [];
  let d = 0;
  return {
    next({ high, low, close: c }) {
      const t = highs.length;
      let result: Decision = { dir: 0, ind1: 0, ind2: 0 };
      if (t < L) d = 0;
      else {
        const upper = Math.max(...highs.slice(t - L));
        const lower = Math.min(...lows.slice(t - L));
        if (c > upper + EPS * upper) d = 1;
        else if (c < lower - EPS * lower) d = short;
        result = { dir: d, ind1: upper, ind2: lower };
      }
      highs.push(high);
      lows.push(low);
      return { ...result, dir: d };
    },
  };
}

function rsi(P: number, oversold: number, overbought: number, short: number): Strategy {
  const closes: number[] = [];
  let sumG = 0;
  let sumL = 0;
  let G = 0;
  let Lo = 0;
  let d = 0;
  return {
    next({ close: c }) {
      closes.push(c);
      const t = closes.length - 1;
      if (t >= 1) {
        const delta = c - closes[t - 1];
        const g = delta > 0 ? delta : 0;
        const l = delta < 0 ? -delta : 0;
        if (t <= P) {
          sumG += g;
          sumL += l;
          if (t === P) {
            G = sumG / P;
            Lo = sumL / P;
          }
        } else {
          G = (G * (P - 1) + g) / P;
          Lo = (Lo * (P - 1) + l) / P;
        }
      }
      if (t < P) return { dir: (d = 0), ind1: 0, ind2: 0 };
      const value = G + Lo === 0 ? 50 : (100 * G) / (G + Lo);
      if (value < oversold - EPS) d = 1;
      else if (value > overbought + EPS) d = short;
      return { dir: d, ind1: value, ind2: 0 };
    },
  };
}

export interface ReferenceRun {
  equity: Float64Array;
  cash: Float64Array;
  gross: Float64Array;
  records: TraceRecord[];
  positions: Array<{ position: number; avgCost: number; mark: number; realized: number; fees: number }>;
  halted: boolean;
  bankrupt: boolean;
}

/** Capital moved in (+) or out (−) at the close of a step, after that step ran. */
export interface Flow {
  step: number;
  amount: number;
}

/** Runs one portfolio over the aligned bars exactly as docs/semantics.md says. */
export function runReference(spec: PortfolioSpec, bars: AlignedBars, flows: Flow[] = []): ReferenceRun {
  const names = spec.symbols ?? bars.symbols;
  const cols = names.map((n) => bars.symbols.indexOf(n));
  const steps = bars.timestamps.length;
  const ex = spec.execution;
  const slip = ex.slippageBps / 10000;
  const rate = ex.commission.percent / 100;
  const drawdowns = spec.limits.filter((l) => l.type === 'max_drawdown').map((l) => l.value);
  const drawdownLimit = drawdowns.length ? Math.min(...drawdowns) : undefined;
  const capLimits = spec.limits.filter((l) => l.type !== 'max_drawdown');
  const signalColumn = spec.strategy.type === 'signals' ? bars.columns[spec.strategy.column] : undefined;

  const books = names.map(() => ({
    position: 0, avgCost: 0, mark: 0, realized: 0, fees: 0, prevDir: 0, pending: 0, pendingSeq: -1,
    strategy: makeStrategy(spec.strategy),
  }));
  let cash = spec.initialCapital;
  let peak = spec.initialCapital;
  let halted = false;
  let bankrupt = false;
  // The record that halted the portfolio, and the reason and limit its flattening and refusals carry.
  let haltSeq = -1;
  let haltReason: ReasonName = 'max_drawdown';
  let haltLimit = 0;
  const { initial, maintenance } = ex.margin;
  let seq = 0;
  const records: TraceRecord[] = [];
  const out = { equity: new Float64Array(steps), cash: new Float64Array(steps), gross: new Float64Array(steps) };

  const write = (kind: RecordKind, cause: number, step: number, symbol: number, reason: ReasonName,
    a: number, b = 0, c = 0, d = 0): number => {
    records.push(recordOf(kind, seq, cause, step, symbol, reason, a, b, c, d));
    return seq++;
  };
  const commission = (q: number, p: number) => {
    const k = ex.commission.perShare * Math.abs(q) + rate * Math.abs(q) * p;
    return k < ex.commission.minimum ? ex.commission.minimum : k;
  };

  const fill = (s: number, q: number, base: number, orderSeq: number, step: number) => {
    const book = books[s];
    const p = q > 0 ? base * (1 + slip) : base * (1 - slip);
    // The cash rule: the part of a buy that covers a short always fills; the long part only as far as cash goes.
    const cover = book.position < 0 ? Math.min(q, -book.position) : 0;
    if (!ex.allowMargin && q > 0 && q > cover && (cash - q * p) - commission(q, p) < 0) {
      let n = Math.min(Math.floor(cash / (p + ex.commission.perShare + rate * p)),
        Math.floor((cash - ex.commission.minimum) / p), q);
      while (n > cover && (cash - n * p) - commission(n, p) < 0) n -= 1;
      if (n < cover) n = cover;
      if (n <= 0) {
        write('risk', orderSeq, step, s, 'order_rejected', q, 0, cash);
        return;
      }
      write('risk', orderSeq, step, s, 'order_reduced', q, n, cash);
      q = n;
    }
    const k = commission(q, p);
    const old = book.position;
    const next = old + q;
    let realized = 0;
    if (old === 0 || Math.sign(old) === Math.sign(q)) {
      book.avgCost = (book.avgCost * old + q * p) / next;
    } else if (Math.abs(q) <= Math.abs(old)) {
      realized = -q * (p - book.avgCost);
      if (next === 0) book.avgCost = 0;
    } else {
      realized = old * (p - book.avgCost);
      book.avgCost = p;
    }
    cash = (cash - q * p) - k;
    book.position = next;
    book.realized += realized;
    book.fees += k;
    write('fill', orderSeq, step, s, 'signal', q, p, k, realized);
  };

  /** Shares at close c keeping symbol s plus the others' exposure (with pending orders) within budget. */
  const roomFor = (s: number, budget: number, shortsOnly: boolean, c: number) => {
    let others = 0;
    books.forEach((o, j) => {
      const projected = o.position + o.pending;
      if (j !== s && (shortsOnly ? projected < 0 : projected !== 0)) others += Math.abs(projected) * o.mark;
    });
    return Math.floor(Math.max(budget - others, 0) / c);
  };

  const capOf = (limit: Exclude<LimitSpec, { type: 'max_drawdown' }>, s: number, c: number, equity: number) => {
    switch (limit.type) {
      case 'max_position_value':
        return Math.floor(limit.value / c);
      case 'max_position_size':
        return limit.size;
      case 'max_gross_exposure':
        return roomFor(s, limit.value * equity, false, c);
    }
  };

  const goBankrupt = (equity: number, step: number) => {
    bankrupt = true;
    halted = true;
    haltSeq = write('risk', -1, step, -1, 'bankrupt', equity, 0, 0);
    haltReason = 'bankrupt';
    haltLimit = 0;
  };

  const order = (s: number, q: number, target: number, c: number, cause: number, reason: ReasonName, step: number) => {
    const id = write('order', cause, step, s, reason, q, target, c);
    if (ex.fill === 'close') fill(s, q, c, id, step);
    else {
      books[s].pending = q;
      books[s].pendingSeq = id;
    }
  };

  const markToMarket = () => books.reduce((e, b) => (b.position !== 0 ? e + b.position * b.mark : e), cash);

  for (let step = 0; step < steps; step++) {
    const has = cols.map((col) => !Number.isNaN(bars.close[col][step]));
    // 1. fills at the open; the mark moves to the close
    books.forEach((book, s) => {
      if (!has[s]) return;
      if (book.pending !== 0) {
        const q = book.pending;
        book.pending = 0;
        fill(s, q, bars.open[cols[s]][step], book.pendingSeq, step);
      }
      book.mark = bars.close[cols[s]][step];
    });
    // 2. mark
    const equity = markToMarket();
    // 3. checks at the mark: bankruptcy, drawdown, maintenance
    if (!bankrupt && equity <= 0) goBankrupt(equity, step);
    if (drawdownLimit !== undefined) {
      peak = Math.max(peak, equity);
      if (!halted && peak - equity >= (drawdownLimit - EPS) * peak) {
        halted = true;
        haltSeq = write('risk', -1, step, -1, 'max_drawdown', equity, peak, drawdownLimit);
        haltReason = 'max_drawdown';
        haltLimit = drawdownLimit;
      }
    }
    let callSeq = -1;
    if (!halted) {
      let short = 0;
      let long = 0;
      books.forEach((b) => {
        if (b.position > 0) long += b.position * b.mark;
        else if (b.position < 0) short += Math.abs(b.position) * b.mark;
      });
      const borrowed = cash < 0 ? Math.min(long, -cash) : 0;
      const required = maintenance * (short + borrowed);
      const held = books.some((b, s) => has[s] && b.position !== 0);
      if (held && equity < required) callSeq = write('risk', -1, step, -1, 'margin_call', equity, required, maintenance);
    }
    // 4. signals and orders
    books.forEach((book, s) => {
      if (!has[s]) return;
      const col = cols[s];
      const c = bars.close[col][step];
      const decision = book.strategy.next({
        high: bars.high[col][step], low: bars.low[col][step], close: c,
        signal: signalColumn ? signalColumn[col][step] : NaN,
      });
      const d = decision.dir;
      if (d !== book.prevDir) {
        const sig = write('signal', -1, step, s, 'signal', d, book.prevDir, decision.ind1, decision.ind2);
        book.prevDir = d;
        let q = 0;
        if (d !== 0) {
          let size = Infinity;
          for (const sizer of spec.sizers) {
            const z = sizer.type === 'fixed' ? sizer.size
              : sizer.type === 'percentage' ? Math.max(Math.floor((sizer.size * equity) / c), 0)
              : Math.floor(sizer.value / c);
            size = Math.min(size, z);
          }
          for (const limit of capLimits) {
            const cap = capOf(limit, s, c, equity);
            if (size > cap) {
              write('risk', sig, step, s, limit.type, size, cap, limit.type === 'max_position_size' ? limit.size : limit.value);
              size = cap;
            }
          }
          // The initial margin rule: shorts always; longs too when they may borrow.
          if (d < 0 || ex.allowMargin) {
            const cap = roomFor(s, equity / initial, !ex.allowMargin, c);
            if (size > cap) {
              write('risk', sig, step, s, 'margin_limit', size, cap, initial);
              size = cap;
            }
          }
          q = d * size;
          if (halted && q !== 0) {
            write('risk', sig, step, s, 'halted', Math.abs(q), 0, haltLimit);
            q = 0;
          }
        }
        if (q - book.position !== 0) order(s, q - book.position, q, c, sig, 'signal', step);
      } else if (halted && book.position !== 0) {
        order(s, -book.position, 0, c, haltSeq, haltReason, step);
      } else if (callSeq >= 0 && book.position !== 0) {
        order(s, -book.position, 0, c, callSeq, 'margin_call', step);
      }
    });
    // 5. record, after every fill of the step
    out.equity[step] = markToMarket();
    if (!bankrupt && out.equity[step] <= 0) goBankrupt(out.equity[step], step);
    out.cash[step] = cash;
    out.gross[step] = books.reduce((g, b) => (b.position !== 0 ? g + Math.abs(b.position) * b.mark : g), 0);
    // Capital moved at this close: in the step's record too; the drawdown peak scales with equity.
    for (const flow of flows.filter((f) => f.step === step)) {
      const before = markToMarket();
      cash += flow.amount;
      const after = before + flow.amount;
      if (before > 0 && after > 0) peak = peak * (after / before);
      else if (after > peak) peak = after;
      out.equity[step] += flow.amount;
      out.cash[step] += flow.amount;
    }
  }
  books.forEach((book, s) => {
    if (book.pending !== 0) write('cancel', book.pendingSeq, steps, s, 'end_of_data', book.pending);
  });
  return {
    ...out, records, halted, bankrupt,
    positions: books.map(({ position, avgCost, mark, realized, fees }) => ({ position, avgCost, mark, realized, fees })),
  };
}
