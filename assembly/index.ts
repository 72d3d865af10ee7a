// The foliolab kernel: one instance is one portfolio. Configure it, start it, then feed chunks of
// aligned bars; it writes equity per step and compact event records. Semantics: docs/semantics.md.
import {
  ABI_VERSION, REC_SLOTS, REC_KIND, REC_SEQ, REC_CAUSE, REC_STEP, REC_SYMBOL, REC_REASON, REC_A, REC_B,
  REC_C, REC_D, KIND_SIGNAL, KIND_ORDER, KIND_FILL, KIND_RISK, KIND_CANCEL, REASON_SIGNAL,
  REASON_MAX_DRAWDOWN, REASON_HALTED, REASON_ORDER_REDUCED, REASON_ORDER_REJECTED, REASON_END_OF_DATA, TRACE_SIGNAL,
  TRACE_ORDER, TRACE_FILL, TRACE_RISK, TRACE_CANCEL, STRATEGY_MOMENTUM, STRATEGY_MEAN_REVERSION,
  STRATEGY_SMA_CROSSOVER, STRATEGY_BREAKOUT, STRATEGY_RSI, STRATEGY_BUY_AND_HOLD, STRATEGY_SIGNALS,
  SIZER_FIXED, SIZER_PERCENTAGE, SIZER_FIXED_VALUE, LIMIT_MAX_POSITION_VALUE, LIMIT_MAX_POSITION_SIZE,
  LIMIT_MAX_GROSS_EXPOSURE, LIMIT_MAX_DRAWDOWN, FILL_NEXT_OPEN, FILL_CLOSE, MAX_SIZERS, MAX_LIMITS,
  FIELD_OPEN, FIELD_HIGH, FIELD_LOW, FIELD_CLOSE, FIELD_SIGNAL, N_FIELDS, SYM_SLOTS, SYM_POSITION,
  SYM_AVG_COST, SYM_MARK, SYM_PENDING, SYM_PENDING_SEQ, SYM_PREV_DIR, SYM_REALIZED, SYM_FEES,
  FILL_STEP, FILL_SYMBOL, FILL_QUANTITY, FILL_PRICE, FILL_COMMISSION, FILL_REALIZED, FILL_ORDER_SEQ,
  FILL_FIELDS, STATUS_OK, ERR_NOT_STARTED, ERR_ALREADY_STARTED, ERR_BAD_ARGUMENT, ERR_CHUNK_TOO_LARGE,
  ERR_TOO_MANY_RULES, ERR_NO_SIZER, ERR_NO_STRATEGY, RECORDS_PER_SYMBOL_STEP,
} from './abi';
import {
  EPS, STRAT_SLOTS, momentumPass, meanReversionPass, smaCrossoverPass, breakoutPass, rsiPass,
  buyAndHoldPass, signalsPass, setKeepIndicators,
} from './strategies';

// ---- configuration (set before start) ------------------------------------------------------------
let strategy: i32 = 0;
let stratInt1: i32 = 0; // lookback / fast / period
let stratInt2: i32 = 0; // slow
let stratF1: f64 = 0; // derived thresholds, see setStrategy
let stratF2: f64 = 0;
let shortDir: i32 = -1;

let nSizers: i32 = 0;
let nLimits: i32 = 0;
const sizerKind = new StaticArray<i32>(MAX_SIZERS);
const sizerValue = new StaticArray<f64>(MAX_SIZERS);
const limitKind = new StaticArray<i32>(MAX_LIMITS);
const limitValue = new StaticArray<f64>(MAX_LIMITS);
let drawdownLimit: f64 = -1; // < 0: none

let fillMode: i32 = FILL_NEXT_OPEN;
let slip: f64 = 0;
let perShare: f64 = 0;
let rate: f64 = 0;
let minimum: f64 = 0;
let allowMargin: bool = false;
let traceMask: i32 = 0;

// ---- layout (allocated once by start) --------------------------------------------------------------
let started: bool = false;
let nSym: i32 = 0;
let cap: i32 = 0; // steps per chunk
let evCap: i32 = 0; // records per call
let ringMask: i32 = 0;
let inputBase: usize = 0;
let dirBase: usize = 0;
let indBase: usize = 0;
let equityOut: usize = 0; // where index 0 of the current chunk's outputs goes
let cashOut: usize = 0;
let grossOut: usize = 0;
let runLength: i32 = 0; // > 0: outputs span the whole run (indexed by global step), else one chunk
let equityRun: usize = 0;
let cashRun: usize = 0;
let grossRun: usize = 0;
let events: usize = 0;
let fills: usize = 0; // FILL_FIELDS columns of evCap f64
let symState: usize = 0;
let stratState: usize = 0;
let ringBase: usize = 0;
let ringBytes: usize = 0;

// ---- portfolio state -------------------------------------------------------------------------------
let cash: f64 = 0;
let peak: f64 = 0;
let halted: bool = false;
let haltSeq: f64 = -1;
let seq: f64 = 0;
let stepIndex: f64 = 0; // global step of the bar being processed (then of the next one)
let stepBase: f64 = 0; // global step of index 0 of the current chunk
let evCount: i32 = 0;
let fillCount: i32 = 0;
let chunkLen: i32 = 0;
let chunkDone: i32 = 0;
let recordsPerStep: i32 = 0;

// ---- helpers ----------------------------------------------------------------------------------------
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function column(field: i32, s: i32): usize {
  return inputBase + ((<usize>(field * nSym + s) * <usize>cap) << 3);
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function at(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function sym(s: i32, k: i32): f64 {
  return load<f64>(symState + ((<usize>(s * SYM_SLOTS + k)) << 3));
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function setSym(s: i32, k: i32, v: f64): void {
  store<f64>(symState + ((<usize>(s * SYM_SLOTS + k)) << 3), v);
}

/** Takes the next sequence number and, if the tracing mask keeps this kind, writes the record. */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function record(kind: i32, bit: i32, cause: f64, s: i32, reason: i32, a: f64, b: f64, c: f64, d: f64): f64 {
  const id = seq;
  seq = id + 1;
  if ((traceMask & bit) != 0) writeRecord(kind, id, cause, s, reason, a, b, c, d);
  return id;
}

function writeRecord(kind: i32, id: f64, cause: f64, s: i32, reason: i32, a: f64, b: f64, c: f64, d: f64): void {
  const p = events + ((<usize>(evCount * REC_SLOTS)) << 3);
  store<f64>(p, <f64>kind, REC_KIND << 3);
  store<f64>(p, id, REC_SEQ << 3);
  store<f64>(p, cause, REC_CAUSE << 3);
  store<f64>(p, stepIndex, REC_STEP << 3);
  store<f64>(p, <f64>s, REC_SYMBOL << 3);
  store<f64>(p, <f64>reason, REC_REASON << 3);
  store<f64>(p, a, REC_A << 3);
  store<f64>(p, b, REC_B << 3);
  store<f64>(p, c, REC_C << 3);
  store<f64>(p, d, REC_D << 3);
  evCount++;
}

// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function commission(q: f64, p: f64): f64 {
  const aq = Math.abs(q);
  const k = perShare * aq + rate * aq * p;
  return k < minimum ? minimum : k;
}

/** Fills `q` shares of symbol s at base price p0 (open or close), applying slippage, margin, accounting. */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function fill(s: i32, q: f64, p0: f64, orderSeq: f64): void {
  const p = q > 0 ? p0 * (1 + slip) : p0 * (1 - slip);
  let k = commission(q, p);
  if (!allowMargin && q > 0 && (cash - q * p) - k < 0) {
    let n = Math.floor(cash / (p + perShare + rate * p));
    const byMinimum = Math.floor((cash - minimum) / p);
    if (byMinimum < n) n = byMinimum;
    if (n > q) n = q;
    while (n > 0 && (cash - n * p) - commission(n, p) < 0) n -= 1;
    if (n <= 0) {
      record(KIND_RISK, TRACE_RISK, orderSeq, s, REASON_ORDER_REJECTED, q, 0, cash, 0);
      return;
    }
    record(KIND_RISK, TRACE_RISK, orderSeq, s, REASON_ORDER_REDUCED, q, n, cash, 0);
    q = n;
    k = commission(q, p);
  }
  const old = sym(s, SYM_POSITION);
  const next = old + q;
  let avg = sym(s, SYM_AVG_COST);
  let realized: f64 = 0;
  if (old == 0 || (old > 0) == (q > 0)) {
    avg = (avg * old + q * p) / next;
  } else if (Math.abs(q) <= Math.abs(old)) {
    realized = -q * (p - avg);
    if (next == 0) avg = 0;
  } else {
    realized = old * (p - avg);
    avg = p;
  }
  cash = (cash - q * p) - k;
  setSym(s, SYM_POSITION, next);
  setSym(s, SYM_AVG_COST, avg);
  setSym(s, SYM_REALIZED, sym(s, SYM_REALIZED) + realized);
  setSym(s, SYM_FEES, sym(s, SYM_FEES) + k);
  record(KIND_FILL, TRACE_FILL, orderSeq, s, REASON_SIGNAL, q, p, k, realized);
  const f = fills + (<usize>fillCount << 3);
  const stride = <usize>evCap << 3;
  store<f64>(f + <usize>FILL_STEP * stride, stepIndex);
  store<f64>(f + <usize>FILL_SYMBOL * stride, <f64>s);
  store<f64>(f + <usize>FILL_QUANTITY * stride, q);
  store<f64>(f + <usize>FILL_PRICE * stride, p);
  store<f64>(f + <usize>FILL_COMMISSION * stride, k);
  store<f64>(f + <usize>FILL_REALIZED * stride, realized);
  store<f64>(f + <usize>FILL_ORDER_SEQ * stride, orderSeq);
  fillCount++;
}

/** Size for direction d != 0 after sizers and limits (>= 0), writing a risk record per binding limit. */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function targetSize(s: i32, c: f64, equity: f64, cause: f64): f64 {
  let size = Infinity;
  for (let j = 0; j < nSizers; j++) {
    const v = unchecked(sizerValue[j]);
    const kind = unchecked(sizerKind[j]);
    let z: f64 = 0;
    if (kind == SIZER_FIXED) z = v;
    else if (kind == SIZER_PERCENTAGE) {
      z = Math.floor((v * equity) / c);
      if (z < 0) z = 0;
    } else z = Math.floor(v / c);
    if (z < size) size = z;
  }
  for (let j = 0; j < nLimits; j++) {
    const kind = unchecked(limitKind[j]);
    const v = unchecked(limitValue[j]);
    let capSize = Infinity;
    if (kind == LIMIT_MAX_POSITION_VALUE) capSize = Math.floor(v / c);
    else if (kind == LIMIT_MAX_POSITION_SIZE) capSize = v;
    else if (kind == LIMIT_MAX_GROSS_EXPOSURE) {
      let others: f64 = 0;
      for (let o = 0; o < nSym; o++) {
        if (o == s) continue;
        const projected = sym(o, SYM_POSITION) + sym(o, SYM_PENDING);
        if (projected != 0) others += Math.abs(projected) * sym(o, SYM_MARK);
      }
      const room = v * equity - others;
      capSize = Math.floor((room > 0 ? room : 0) / c);
    }
    if (size > capSize) {
      record(KIND_RISK, TRACE_RISK, cause, s, kind, size, capSize, v, 0);
      size = capSize;
    }
  }
  return size;
}

/** Places an order of q shares for symbol s at this step's close c: pending, or filled now. */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function placeOrder(s: i32, q: f64, target: f64, c: f64, cause: f64, reason: i32): void {
  const id = record(KIND_ORDER, TRACE_ORDER, cause, s, reason, q, target, c, 0);
  if (fillMode == FILL_CLOSE) {
    fill(s, q, c, id);
  } else {
    setSym(s, SYM_PENDING, q);
    setSym(s, SYM_PENDING_SEQ, id);
  }
}

function strategyPass(n: i32): void {
  const stride = <usize>cap;
  for (let s = 0; s < nSym; s++) {
    const close = column(FIELD_CLOSE, s);
    const dir = dirBase + ((<usize>s * stride) << 2);
    const ind = indBase + ((<usize>s * stride) << 4);
    const st = stratState + ((<usize>(s * STRAT_SLOTS)) << 3);
    const ring = ringBase + <usize>s * ringBytes;
    if (strategy == STRATEGY_MOMENTUM) {
      momentumPass(close, dir, ind, st, ring, ringMask, n, stratInt1, stratF1, stratF2, shortDir);
    } else if (strategy == STRATEGY_MEAN_REVERSION) {
      meanReversionPass(close, dir, ind, st, ring, ringMask, n, stratInt1, stratF1, stratF2, shortDir);
    } else if (strategy == STRATEGY_SMA_CROSSOVER) {
      smaCrossoverPass(close, dir, ind, st, ring, ringMask, n, stratInt1, stratInt2, shortDir);
    } else if (strategy == STRATEGY_BREAKOUT) {
      breakoutPass(column(FIELD_HIGH, s), column(FIELD_LOW, s), close, dir, ind, st, ring, ringMask, n,
        stratInt1, shortDir);
    } else if (strategy == STRATEGY_RSI) {
      rsiPass(close, dir, ind, st, n, stratInt1, stratF1, stratF2, shortDir);
    } else if (strategy == STRATEGY_BUY_AND_HOLD) {
      buyAndHoldPass(close, dir, ind, st, n);
    } else {
      signalsPass(close, column(FIELD_SIGNAL, s), dir, ind, st, n, shortDir);
    }
  }
}

/**
 * Step 4 for one symbol with a bar at this step: a direction change gives a signal and maybe an order;
 * a halted portfolio with a position is flattened. Returns true when something filled at this close.
 */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function decide(s: i32, d: i32, prev: i32, c: f64, equity: f64, indPtr: usize): bool {
  const pos = sym(s, SYM_POSITION);
  if (d != prev) {
    setSym(s, SYM_PREV_DIR, <f64>d);
    // Not record(): the indicator values are read only when the record is written (otherwise that
    // memory is cold, and reading it costs a cache miss per signal).
    const sig = seq;
    seq = sig + 1;
    if ((traceMask & TRACE_SIGNAL) != 0) {
      writeRecord(KIND_SIGNAL, sig, -1, s, REASON_SIGNAL, <f64>d, <f64>prev, load<f64>(indPtr), load<f64>(indPtr, 8));
    }
    let q: f64 = 0;
    if (d != 0) {
      q = <f64>d * targetSize(s, c, equity, sig);
      if (halted && q != 0) {
        record(KIND_RISK, TRACE_RISK, sig, s, REASON_HALTED, Math.abs(q), 0, drawdownLimit, 0);
        q = 0;
      }
    }
    const order = q - pos;
    if (order == 0) return false;
    placeOrder(s, order, q, c, sig, REASON_SIGNAL);
    return fillMode == FILL_CLOSE;
  }
  if (halted && pos != 0) {
    placeOrder(s, -pos, 0, c, haltSeq, REASON_MAX_DRAWDOWN);
    return fillMode == FILL_CLOSE;
  }
  return false;
}

/** Step 3: the drawdown check on this step's mark equity. */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function checkDrawdown(equity: f64): void {
  if (equity > peak) peak = equity;
  if (!halted && peak - equity >= (drawdownLimit - EPS) * peak) {
    halted = true;
    haltSeq = record(KIND_RISK, TRACE_RISK, -1, -1, REASON_MAX_DRAWDOWN, equity, peak, drawdownLimit, 0);
  }
}

function markEquity(): f64 {
  let equity = cash;
  for (let s = 0; s < nSym; s++) {
    const pos = sym(s, SYM_POSITION);
    if (pos != 0) equity += pos * sym(s, SYM_MARK);
  }
  return equity;
}

/** Portfolio pass from chunkDone until the chunk ends or the event buffer could overflow. */
function portfolioPass(): i32 {
  return nSym == 1 ? portfolioPassOne() : portfolioPassMany();
}

function portfolioPassMany(): i32 {
  const stride = <usize>cap;
  let i = chunkDone;
  for (; i < chunkLen; i++) {
    if (evCount + recordsPerStep > evCap || fillCount + nSym > evCap) break;
    // 1. fills at the open, then the mark moves to the close
    for (let s = 0; s < nSym; s++) {
      const c = at(column(FIELD_CLOSE, s), i);
      if (c != c) continue;
      const pending = sym(s, SYM_PENDING);
      if (pending != 0) {
        setSym(s, SYM_PENDING, 0);
        fill(s, pending, at(column(FIELD_OPEN, s), i), sym(s, SYM_PENDING_SEQ));
      }
      setSym(s, SYM_MARK, c);
    }
    // 2. mark, 3. drawdown
    let equity = markEquity();
    if (drawdownLimit >= 0) checkDrawdown(equity);
    // 4. signals and orders
    let filledAtClose = false;
    for (let s = 0; s < nSym; s++) {
      const c = at(column(FIELD_CLOSE, s), i);
      if (c != c) continue;
      const d = load<i32>(dirBase + ((<usize>s * stride + <usize>i) << 2));
      const prev = <i32>sym(s, SYM_PREV_DIR);
      if (decide(s, d, prev, c, equity, indBase + ((<usize>s * stride + <usize>i) << 4))) filledAtClose = true;
    }
    // 5. record
    if (filledAtClose) equity = markEquity();
    let gross: f64 = 0;
    for (let s = 0; s < nSym; s++) {
      const pos = sym(s, SYM_POSITION);
      if (pos != 0) gross += Math.abs(pos) * sym(s, SYM_MARK);
    }
    store<f64>(equityOut + (<usize>i << 3), equity);
    store<f64>(cashOut + (<usize>i << 3), cash);
    store<f64>(grossOut + (<usize>i << 3), gross);
    stepIndex += 1;
  }
  chunkDone = i;
  return i;
}

/**
 * The same steps for a portfolio of one symbol. The state lives in locals and goes back to memory only
 * around the rare fills and orders; runs of quiet steps (nothing pending, no direction change, no halt
 * to act on) only write their outputs, in tight loops.
 */
function portfolioPassOne(): i32 {
  const close = column(FIELD_CLOSE, 0);
  const open = column(FIELD_OPEN, 0);
  const dir = dirBase;
  let pos = sym(0, SYM_POSITION);
  let pending = sym(0, SYM_PENDING);
  let mark = sym(0, SYM_MARK);
  let prev = <i32>sym(0, SYM_PREV_DIR);
  let i = chunkDone;
  while (i < chunkLen) {
    if (pending == 0 && !(halted && pos != 0)) {
      if (pos == 0 && drawdownLimit < 0) {
        // Flat: equity and cash are the cash, gross is 0, until the direction changes. Four steps at a
        // time: each block is written whole (steps from a change on are written again when they are
        // reached), and a change inside it gives the exact step from the comparison's bit mask.
        const from = i;
        const flat = cash;
        const flat2 = f64x2.splat(flat);
        const zero2 = f64x2.splat(0);
        const prev4 = i32x4.splat(prev);
        let found = false;
        for (; i + 4 <= chunkLen; i += 4) {
          const same = i32x4.bitmask(i32x4.eq(v128.load(dir + (<usize>i << 2)), prev4));
          const o = <usize>i << 3;
          v128.store(equityOut + o, flat2);
          v128.store(equityOut + o, flat2, 16);
          v128.store(cashOut + o, flat2);
          v128.store(cashOut + o, flat2, 16);
          v128.store(grossOut + o, zero2);
          v128.store(grossOut + o, zero2, 16);
          if (same != 0xf) {
            i += ctz(~same);
            found = true;
            break;
          }
        }
        if (!found) {
          for (; i < chunkLen; i++) {
            if (load<i32>(dir + (<usize>i << 2)) != prev) break;
            store<f64>(equityOut + (<usize>i << 3), flat);
            store<f64>(cashOut + (<usize>i << 3), flat);
            store<f64>(grossOut + (<usize>i << 3), 0);
          }
          // The mark follows the last bar of the run (a change stops on a bar, and the step below sets it).
          for (let j = i - 1; j >= from; j--) {
            const c = at(close, j);
            if (c == c) {
              mark = c;
              break;
            }
          }
        }
      } else {
        // Holding (or watching the drawdown): marks move; stop before the step that would halt.
        const watch = drawdownLimit >= 0;
        const line = drawdownLimit - EPS;
        let found = false;
        if (!watch) {
          // pos != 0 here. Four steps at a time while the four bars exist, as in the flat case; the
          // same operations as the scalar loop below, lane by lane.
          const cash2 = f64x2.splat(cash);
          const pos2 = f64x2.splat(pos);
          const size2 = f64x2.splat(Math.abs(pos));
          const prev4 = i32x4.splat(prev);
          for (; i + 4 <= chunkLen; i += 4) {
            const same = i32x4.bitmask(i32x4.eq(v128.load(dir + (<usize>i << 2)), prev4));
            const o = <usize>i << 3;
            const c01 = v128.load(close + o);
            const c23 = v128.load(close + o, 16);
            if (v128.any_true(v128.or(f64x2.ne(c01, c01), f64x2.ne(c23, c23)))) break;
            v128.store(equityOut + o, f64x2.add(cash2, f64x2.mul(pos2, c01)));
            v128.store(equityOut + o, f64x2.add(cash2, f64x2.mul(pos2, c23)), 16);
            v128.store(cashOut + o, cash2);
            v128.store(cashOut + o, cash2, 16);
            v128.store(grossOut + o, f64x2.mul(size2, c01));
            v128.store(grossOut + o, f64x2.mul(size2, c23), 16);
            if (same != 0xf) {
              i += ctz(~same); // a bar with a change: the step below sets the mark
              found = true;
              break;
            }
            mark = f64x2.extract_lane(c23, 1);
          }
        }
        if (!found) {
          for (; i < chunkLen; i++) {
            if (load<i32>(dir + (<usize>i << 2)) != prev) break;
            const c = at(close, i);
            const m = c == c ? c : mark;
            const equity = pos != 0 ? cash + pos * m : cash;
            if (watch) {
              const top = equity > peak ? equity : peak;
              if (!halted && top - equity >= line * top) break;
              peak = top;
            }
            mark = m;
            store<f64>(equityOut + (<usize>i << 3), equity);
            store<f64>(cashOut + (<usize>i << 3), cash);
            store<f64>(grossOut + (<usize>i << 3), pos != 0 ? Math.abs(pos) * m : 0);
          }
        }
      }
      if (i >= chunkLen) break;
    }
    // A step with something to do, exactly as in portfolioPassMany.
    if (evCount + recordsPerStep > evCap || fillCount + 1 > evCap) break;
    stepIndex = stepBase + <f64>i;
    const c = at(close, i);
    if (c == c) {
      if (pending != 0) {
        setSym(0, SYM_PENDING, 0);
        fill(0, pending, at(open, i), sym(0, SYM_PENDING_SEQ));
        pos = sym(0, SYM_POSITION);
        pending = 0;
      }
      mark = c;
    }
    let equity = pos != 0 ? cash + pos * mark : cash;
    if (drawdownLimit >= 0) checkDrawdown(equity);
    if (c == c) {
      const d = load<i32>(dir + (<usize>i << 2));
      if (d != prev || (halted && pos != 0)) {
        setSym(0, SYM_MARK, mark);
        if (decide(0, d, prev, c, equity, indBase + (<usize>i << 4))) {
          pos = sym(0, SYM_POSITION);
          equity = pos != 0 ? cash + pos * mark : cash;
        }
        pending = sym(0, SYM_PENDING);
        prev = d;
      }
    }
    store<f64>(equityOut + (<usize>i << 3), equity);
    store<f64>(cashOut + (<usize>i << 3), cash);
    store<f64>(grossOut + (<usize>i << 3), pos != 0 ? Math.abs(pos) * mark : 0);
    i++;
  }
  setSym(0, SYM_MARK, mark);
  stepIndex = stepBase + <f64>i;
  chunkDone = i;
  return i;
}

// ---- exports ----------------------------------------------------------------------------------------

export function abiVersion(): i32 {
  return ABI_VERSION;
}

/**
 * Chooses the strategy. p1..p4 are its parameters in docs/semantics.md order
 * (momentum: L, th; mean_reversion: L, ze, zx; sma_crossover: F, S; breakout: L; rsi: P, oversold, overbought).
 */
export function setStrategy(code: i32, p1: f64, p2: f64, p3: f64, allowShort: bool): i32 {
  if (started) return ERR_ALREADY_STARTED;
  shortDir = allowShort ? -1 : 0;
  if (code == STRATEGY_MOMENTUM) {
    if (!(p1 >= 1) || !(p2 >= 0)) return ERR_BAD_ARGUMENT;
    stratInt1 = <i32>p1;
    stratF1 = 1 + p2 + EPS;
    stratF2 = 1 - (p2 + EPS);
  } else if (code == STRATEGY_MEAN_REVERSION) {
    if (!(p1 >= 2) || !(p2 > 0) || !(p3 >= 0)) return ERR_BAD_ARGUMENT;
    stratInt1 = <i32>p1;
    const a = p2 + EPS;
    const b = p3 + EPS;
    stratF1 = a * a;
    stratF2 = b * b;
  } else if (code == STRATEGY_SMA_CROSSOVER) {
    if (!(p1 >= 1) || !(p2 > p1)) return ERR_BAD_ARGUMENT;
    stratInt1 = <i32>p1;
    stratInt2 = <i32>p2;
  } else if (code == STRATEGY_BREAKOUT) {
    if (!(p1 >= 1)) return ERR_BAD_ARGUMENT;
    stratInt1 = <i32>p1;
  } else if (code == STRATEGY_RSI) {
    if (!(p1 >= 1) || !(p2 >= 0) || !(p3 >= p2) || !(p3 <= 100)) return ERR_BAD_ARGUMENT;
    stratInt1 = <i32>p1;
    stratF1 = p2 - EPS;
    stratF2 = p3 + EPS;
  } else if (code == STRATEGY_BUY_AND_HOLD || code == STRATEGY_SIGNALS) {
    // no parameters
  } else return ERR_BAD_ARGUMENT;
  strategy = code;
  return STATUS_OK;
}

export function addSizer(code: i32, value: f64): i32 {
  if (started) return ERR_ALREADY_STARTED;
  if (nSizers >= MAX_SIZERS) return ERR_TOO_MANY_RULES;
  if (code < SIZER_FIXED || code > SIZER_FIXED_VALUE || !(value > 0)) return ERR_BAD_ARGUMENT;
  unchecked((sizerKind[nSizers] = code));
  unchecked((sizerValue[nSizers] = value));
  nSizers++;
  return STATUS_OK;
}

export function addLimit(code: i32, value: f64): i32 {
  if (started) return ERR_ALREADY_STARTED;
  if (nLimits >= MAX_LIMITS) return ERR_TOO_MANY_RULES;
  if (code < LIMIT_MAX_POSITION_VALUE || code > LIMIT_MAX_DRAWDOWN || !(value > 0)) return ERR_BAD_ARGUMENT;
  if (code == LIMIT_MAX_DRAWDOWN) {
    if (!(value < 1)) return ERR_BAD_ARGUMENT;
    // The tightest drawdown limit is the one that halts first.
    if (drawdownLimit < 0 || value < drawdownLimit) drawdownLimit = value;
    return STATUS_OK;
  }
  unchecked((limitKind[nLimits] = code));
  unchecked((limitValue[nLimits] = value));
  nLimits++;
  return STATUS_OK;
}

export function setExecution(mode: i32, slippageBps: f64, perShareFee: f64, percentFee: f64,
  minimumFee: f64, margin: bool): i32 {
  if (started) return ERR_ALREADY_STARTED;
  if ((mode != FILL_NEXT_OPEN && mode != FILL_CLOSE) || !(slippageBps >= 0) || !(perShareFee >= 0) ||
    !(percentFee >= 0) || !(minimumFee >= 0)) return ERR_BAD_ARGUMENT;
  fillMode = mode;
  slip = slippageBps / 10000;
  perShare = perShareFee;
  rate = percentFee / 100;
  minimum = minimumFee;
  allowMargin = margin;
  return STATUS_OK;
}

export function setTraceMask(mask: i32): void {
  traceMask = mask;
  setKeepIndicators((mask & TRACE_SIGNAL) != 0);
}

/**
 * Allocates every buffer once; nothing is allocated after this. With runSteps > 0 the equity, cash and
 * gross outputs hold the whole run (so the host reads them in place, without a copy per chunk);
 * with 0 they hold one chunk. Returns a status code.
 */
export function start(symbols: i32, initialCash: f64, chunkCapacity: i32, eventCapacity: i32, runSteps: i32): i32 {
  if (started) return ERR_ALREADY_STARTED;
  if (strategy == 0) return ERR_NO_STRATEGY;
  if (nSizers == 0) return ERR_NO_SIZER;
  if (symbols < 1 || chunkCapacity < 1 || runSteps < 0 || !(initialCash > 0)) return ERR_BAD_ARGUMENT;
  nSym = symbols;
  cap = chunkCapacity;
  recordsPerStep = symbols * (RECORDS_PER_SYMBOL_STEP + nLimits) + 1;
  evCap = eventCapacity < recordsPerStep ? recordsPerStep : eventCapacity;
  let lookback = 1;
  if (strategy == STRATEGY_MOMENTUM || strategy == STRATEGY_MEAN_REVERSION || strategy == STRATEGY_BREAKOUT) {
    lookback = stratInt1;
  } else if (strategy == STRATEGY_SMA_CROSSOVER) lookback = stratInt2;
  let ringLen = 2;
  while (ringLen < lookback + 2) ringLen <<= 1;
  ringMask = ringLen - 1;
  ringBytes = <usize>ringLen << (strategy == STRATEGY_BREAKOUT ? 5 : 3);
  const steps = <usize>cap;
  const n = <usize>nSym;
  inputBase = alloc((<usize>N_FIELDS * n * steps) << 3);
  dirBase = alloc((n * steps) << 2);
  indBase = alloc((n * steps) << 4);
  runLength = runSteps;
  const outSteps = runSteps > 0 ? <usize>runSteps : steps;
  equityRun = alloc(outSteps << 3);
  cashRun = alloc(outSteps << 3);
  grossRun = alloc(outSteps << 3);
  equityOut = equityRun;
  cashOut = cashRun;
  grossOut = grossRun;
  events = alloc((<usize>evCap * <usize>REC_SLOTS) << 3);
  fills = alloc((<usize>evCap * <usize>FILL_FIELDS) << 3);
  symState = alloc((n * <usize>SYM_SLOTS) << 3);
  stratState = alloc((n * <usize>STRAT_SLOTS) << 3);
  ringBase = alloc(n * ringBytes);
  cash = initialCash;
  peak = initialCash;
  started = true;
  return STATUS_OK;
}

/**
 * Memory for one buffer. It is already zero: start() runs once per instance, the stub runtime never
 * frees, so every block is fresh linear memory, which WebAssembly zero-initialises. Not filling it keeps
 * pages that are never written (most of the indicator buffer, say) from being mapped at all.
 */
function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Address of an input column (field, symbol); the caller writes up to the chunk capacity into it. */
export function inputPtr(field: i32, symbol: i32): usize {
  if (!started || field < 0 || field >= N_FIELDS || symbol < 0 || symbol >= nSym) return 0;
  return column(field, symbol);
}

/**
 * Processes a chunk of n steps already written to the input columns. Returns how many steps are done;
 * fewer than n when the event buffer is full: read the records, then call resume().
 */
export function run(n: i32): i32 {
  if (!started) return ERR_NOT_STARTED;
  if (n < 0 || n > cap) return ERR_CHUNK_TOO_LARGE;
  evCount = 0;
  fillCount = 0;
  stepBase = stepIndex;
  if (runLength > 0) {
    if (stepBase + <f64>n > <f64>runLength) return ERR_CHUNK_TOO_LARGE;
    const offset = <usize>stepBase << 3;
    equityOut = equityRun + offset;
    cashOut = cashRun + offset;
    grossOut = grossRun + offset;
  }
  chunkLen = n;
  chunkDone = 0;
  strategyPass(n);
  return portfolioPass();
}

export function resume(): i32 {
  if (!started) return ERR_NOT_STARTED;
  evCount = 0;
  fillCount = 0;
  return portfolioPass();
}

/** Ends the run: cancels orders still pending. Returns the number of records written. */
export function finish(): i32 {
  if (!started) return ERR_NOT_STARTED;
  evCount = 0;
  fillCount = 0;
  for (let s = 0; s < nSym; s++) {
    const pending = sym(s, SYM_PENDING);
    if (pending != 0) {
      setSym(s, SYM_PENDING, 0);
      record(KIND_CANCEL, TRACE_CANCEL, sym(s, SYM_PENDING_SEQ), s, REASON_END_OF_DATA, pending, 0, 0, 0);
    }
  }
  return evCount;
}

/**
 * Moves capital in (amount > 0) or out (< 0) at the close of the last processed step: cash changes, the
 * step's recorded equity and cash include the move, and the drawdown peak scales by the same factor as
 * equity, so a withdrawal is not a loss. Returns the equity after the move.
 */
export function adjustCash(amount: f64): f64 {
  if (!started) return NaN;
  const before = markEquity();
  cash += amount;
  const after = before + amount;
  if (before > 0 && after > 0) peak = peak * (after / before);
  else if (after > peak) peak = after;
  // The last recorded step of the current chunk (or of the run) takes the move too.
  if (chunkDone > 0) {
    const last = <usize>(chunkDone - 1) << 3;
    store<f64>(equityOut + last, load<f64>(equityOut + last) + amount);
    store<f64>(cashOut + last, load<f64>(cashOut + last) + amount);
  }
  return after;
}

export function eventCount(): i32 { return evCount; }
export function eventsPtr(): usize { return events; }
export function fillCountNow(): i32 { return fillCount; }
/** Column `field` (FILL_*) of the fill buffer: fillCountNow() values, written since the last run/resume/finish. */
export function fillColumnPtr(field: i32): usize {
  return field >= 0 && field < FILL_FIELDS ? fills + ((<usize>(field * evCap)) << 3) : 0;
}
/** Outputs of the current chunk (index 0 = its first step). */
export function equityPtr(): usize { return equityOut; }
export function cashPtr(): usize { return cashOut; }
export function grossPtr(): usize { return grossOut; }
/** Outputs of the whole run (index = global step), when started with runSteps > 0; else 0. */
export function equityRunPtr(): usize { return runLength > 0 ? equityRun : 0; }
export function cashRunPtr(): usize { return runLength > 0 ? cashRun : 0; }
export function grossRunPtr(): usize { return runLength > 0 ? grossRun : 0; }
export function symbolStatePtr(): usize { return symState; }
export function cashNow(): f64 { return cash; }
export function peakEquity(): f64 { return peak; }
export function isHalted(): bool { return halted; }
export function stepsDone(): f64 { return stepIndex; }
export function chunkCapacity(): i32 { return cap; }
export function eventCapacity(): i32 { return evCap; }
