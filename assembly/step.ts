// The step order of docs/semantics.md ("Steps, bars and symbols"), written once in step(), and the two
// passes that run it over a chunk: one for any number of symbols, and one for a single symbol that
// skips through runs of quiet steps (nothing to fill, decide or check) in SIMD loops.
import {
  KIND_SIGNAL, KIND_ORDER, KIND_RISK, TRACE_SIGNAL, TRACE_ORDER, TRACE_RISK, REASON_SIGNAL, REASON_HALTED,
  REASON_MARGIN_CALL, FILL_CLOSE,
  FIELD_OPEN, FIELD_CLOSE, SYM_POSITION, SYM_MARK, SYM_PENDING, SYM_PENDING_SEQ, SYM_PREV_DIR,
} from './abi';
import { EPS } from './strategies';
import { Book, Layout, Rules, at, column, direction, indicators, record, setSym, sym, writeRecord } from './state';
import { Marks, fill, markAccount } from './accounting';
import { checkMark, goBankrupt, targetSize } from './risk';

/** Places an order of q shares for symbol s at this step's close c: pending, or filled now. */
function placeOrder(s: i32, q: f64, target: f64, c: f64, cause: f64, reason: i32): void {
  const id = record(KIND_ORDER, TRACE_ORDER, cause, s, reason, q, target, c, 0);
  if (Rules.fillMode == FILL_CLOSE) {
    fill(s, q, c, id);
  } else {
    setSym(s, SYM_PENDING, q);
    setSym(s, SYM_PENDING_SEQ, id);
  }
}

/**
 * Step 4 for one symbol with a bar at step i: a direction change gives a signal and maybe an order;
 * a halted portfolio, or a margin call (callSeq >= 0), flattens a position. Returns true when
 * something filled at this close.
 */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function decide(s: i32, i: i32, c: f64, equity: f64, callSeq: f64): bool {
  const pos = sym(s, SYM_POSITION);
  const d = direction(s, i);
  const prev = <i32>sym(s, SYM_PREV_DIR);
  if (d != prev) {
    setSym(s, SYM_PREV_DIR, <f64>d);
    // Not record(): the indicator values are read only when the record is written (otherwise that
    // memory is cold, and reading it costs a cache miss per signal).
    const sig = Book.seq;
    Book.seq = sig + 1;
    if ((Rules.traceMask & TRACE_SIGNAL) != 0) {
      const ind = indicators(s, i);
      writeRecord(KIND_SIGNAL, sig, -1, s, REASON_SIGNAL, <f64>d, <f64>prev, load<f64>(ind), load<f64>(ind, 8));
    }
    let q: f64 = 0;
    if (d != 0) {
      q = <f64>d * targetSize(s, d, c, equity, sig);
      if (Book.halted && q != 0) {
        record(KIND_RISK, TRACE_RISK, sig, s, REASON_HALTED, Math.abs(q), 0, Book.haltLimit, 0);
        q = 0;
      }
    }
    const order = q - pos;
    if (order == 0) return false;
    placeOrder(s, order, q, c, sig, REASON_SIGNAL);
    return Rules.fillMode == FILL_CLOSE;
  }
  if (pos != 0) {
    if (Book.halted) {
      placeOrder(s, -pos, 0, c, Book.haltSeq, Book.haltReason);
      return Rules.fillMode == FILL_CLOSE;
    }
    if (callSeq >= 0) {
      placeOrder(s, -pos, 0, c, callSeq, REASON_MARGIN_CALL);
      return Rules.fillMode == FILL_CLOSE;
    }
  }
  return false;
}

/** One step (global index stepBase + i) for every symbol, in the order of docs/semantics.md. */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function step(i: i32): void {
  Book.stepIndex = Book.stepBase + <f64>i;
  const n = Layout.symbols;
  // 1. fills at the open, then the mark moves to the close
  for (let s = 0; s < n; s++) {
    const c = at(column(FIELD_CLOSE, s), i);
    if (c != c) continue;
    const pending = sym(s, SYM_PENDING);
    if (pending != 0) {
      setSym(s, SYM_PENDING, 0);
      fill(s, pending, at(column(FIELD_OPEN, s), i), sym(s, SYM_PENDING_SEQ));
    }
    setSym(s, SYM_MARK, c);
  }
  // 2. mark, 3. checks
  let equity = markAccount(i);
  const callSeq = checkMark(equity);
  // 4. signals and orders
  let filledAtClose = false;
  for (let s = 0; s < n; s++) {
    const c = at(column(FIELD_CLOSE, s), i);
    if (c != c) continue;
    if (decide(s, i, c, equity, callSeq)) filledAtClose = true;
  }
  // 5. record (close fills can take the account to zero after the checks)
  if (filledAtClose) {
    equity = markAccount(i);
    if (!Book.bankrupt && equity <= 0) goBankrupt(equity);
  }
  const o = <usize>i << 3;
  store<f64>(Layout.equityOut + o, equity);
  store<f64>(Layout.cashOut + o, Book.cash);
  store<f64>(Layout.grossOut + o, Marks.gross);
}

/** Whether the buffers have room for one more step's records and fills. */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function roomForStep(): bool {
  return Book.evCount + Layout.recordsPerStep <= Layout.evCap && Book.fillCount + Layout.symbols <= Layout.evCap;
}

/** Portfolio pass from chunkDone until the chunk ends or the event buffer could overflow. */
export function portfolioPass(): i32 {
  const one = Layout.symbols == 1;
  let i = Layout.chunkDone;
  while (i < Layout.chunkLen) {
    if (one) {
      i = quietRunsOne(i);
      if (i >= Layout.chunkLen) break;
    }
    if (!roomForStep()) break;
    step(i);
    i++;
  }
  Book.stepIndex = Book.stepBase + <f64>i;
  Layout.chunkDone = i;
  return i;
}

/**
 * For a portfolio of one symbol: from step i, writes the outputs of the quiet steps (no pending order,
 * no direction change, no halt to act on, no check that would fire) and returns the first step that is
 * not quiet (or the chunk's end). Such a step changes nothing but the mark and the peak, so it is the
 * outputs alone, computed as step() would. The state lives in locals here.
 */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function quietRunsOne(from: i32): i32 {
  const end = Layout.chunkLen;
  const pending = sym(0, SYM_PENDING);
  const pos = sym(0, SYM_POSITION);
  if (from >= end || pending != 0 || (Book.halted && pos != 0)) return from;
  const close = column(FIELD_CLOSE, 0);
  const dir = Layout.dir;
  const equityOut = Layout.equityOut;
  const cashOut = Layout.cashOut;
  const grossOut = Layout.grossOut;
  const cash = Book.cash;
  const prev = <i32>sym(0, SYM_PREV_DIR);
  let mark = sym(0, SYM_MARK);
  let i = from;
  if (pos == 0 && Rules.drawdownLimit < 0) {
    // Flat: equity and cash are the cash, gross is 0, until the direction changes. Four steps at a
    // time: each block is written whole (steps from a change on are written again when they are
    // reached), and a change inside it gives the exact step from the comparison's bit mask.
    if (!(cash > 0) && !Book.bankrupt) return from; // the bankruptcy check would fire
    const flat2 = f64x2.splat(cash);
    const zero2 = f64x2.splat(0);
    const prev4 = i32x4.splat(prev);
    let found = false;
    for (; i + 4 <= end; i += 4) {
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
      for (; i < end; i++) {
        if (load<i32>(dir + (<usize>i << 2)) != prev) break;
        store<f64>(equityOut + (<usize>i << 3), cash);
        store<f64>(cashOut + (<usize>i << 3), cash);
        store<f64>(grossOut + (<usize>i << 3), 0);
      }
    }
    // The mark follows the last bar of the run (a change stops on a bar, and step() sets it there).
    for (let j = i - 1; j >= from; j--) {
      const c = at(close, j);
      if (c == c) {
        mark = c;
        break;
      }
    }
    setSym(0, SYM_MARK, mark);
    return i;
  }
  // Holding (or watching the drawdown): marks move. A step stops the run when its direction changes
  // or a check at its mark would fire: equity <= 0 (not yet bankrupt), equity below the maintenance
  // requirement (a position: not halted here), or the drawdown line (watched).
  const watch = Rules.drawdownLimit >= 0;
  const line = Rules.drawdownLimit - EPS;
  const maintenance = Rules.maintenanceMargin;
  // Which part of the requirement a mark m gives: a short's |pos|·m, or the borrowed min(pos·m, −cash).
  const shortHeld = pos < 0;
  const borrowing = pos > 0 && cash < 0;
  const size = Math.abs(pos);
  const bankrupt = Book.bankrupt;
  let found = false;
  if (!watch) {
    // pos != 0 here. Four steps at a time while the four bars exist; the same operations as the
    // scalar loop below, lane by lane. The checks at the mark are screened by the close alone, with
    // price bounds a hair inside the exact ones: a block with a close outside (lo, hi] goes to the
    // scalar loop, which checks exactly (a long paid in cash cannot reach equity <= 0 at a close > 0).
    let lo: f64 = 0;
    let hi: f64 = Infinity;
    if (shortHeld) {
      const level = cash / (size * (1 + maintenance)); // above it, equity < maintenance · |pos| · c
      hi = level > 0 ? level * (1 - 1e-9) : -Infinity;
    } else if (borrowing) {
      lo = ((-cash * (1 + maintenance)) / pos) * (1 + 1e-9); // below it, equity < maintenance · borrowed
    }
    const cash2 = f64x2.splat(cash);
    const pos2 = f64x2.splat(pos);
    const size2 = f64x2.splat(size);
    const lo2 = f64x2.splat(lo);
    const hi2 = f64x2.splat(hi);
    const prev4 = i32x4.splat(prev);
    for (; i + 4 <= end; i += 4) {
      const same = i32x4.bitmask(i32x4.eq(v128.load(dir + (<usize>i << 2)), prev4));
      const o = <usize>i << 3;
      const c01 = v128.load(close + o);
      const c23 = v128.load(close + o, 16);
      const outside = v128.or(v128.or(f64x2.le(c01, lo2), f64x2.gt(c01, hi2)), v128.or(f64x2.le(c23, lo2), f64x2.gt(c23, hi2)));
      if (v128.any_true(v128.or(outside, v128.or(f64x2.ne(c01, c01), f64x2.ne(c23, c23))))) break;
      v128.store(equityOut + o, f64x2.add(cash2, f64x2.mul(pos2, c01)));
      v128.store(equityOut + o, f64x2.add(cash2, f64x2.mul(pos2, c23)), 16);
      v128.store(cashOut + o, cash2);
      v128.store(cashOut + o, cash2, 16);
      v128.store(grossOut + o, f64x2.mul(size2, c01));
      v128.store(grossOut + o, f64x2.mul(size2, c23), 16);
      if (same != 0xf) {
        i += ctz(~same); // step() sets the mark of the step it runs
        found = true;
        break;
      }
      mark = f64x2.extract_lane(c23, 1);
    }
  }
  if (!found) {
    for (; i < end; i++) {
      if (load<i32>(dir + (<usize>i << 2)) != prev) break;
      const c = at(close, i);
      const m = c == c ? c : mark;
      const equity = pos != 0 ? cash + pos * m : cash;
      if (equity <= 0 && !bankrupt) break;
      if (shortHeld) {
        if (equity < maintenance * (size * m)) break;
      } else if (borrowing) {
        if (equity < maintenance * Math.min(pos * m, -cash)) break;
      }
      if (watch) {
        const top = equity > Book.peak ? equity : Book.peak;
        if (!Book.halted && top - equity >= line * top) break;
        Book.peak = top;
      }
      mark = m;
      store<f64>(equityOut + (<usize>i << 3), equity);
      store<f64>(cashOut + (<usize>i << 3), cash);
      store<f64>(grossOut + (<usize>i << 3), pos != 0 ? size * m : 0);
    }
  }
  setSym(0, SYM_MARK, mark);
  return i;
}
