// Accounting: commissions, fills (the cash rule, average cost, realized P&L) and the account's marks
// (equity, exposures). docs/semantics.md, "Fills" and "Margin and bankruptcy".
import {
  KIND_FILL, KIND_RISK, TRACE_FILL, TRACE_RISK, REASON_SIGNAL, REASON_ORDER_REDUCED, REASON_ORDER_REJECTED,
  SYM_POSITION, SYM_AVG_COST, SYM_MARK, SYM_REALIZED, SYM_FEES, FILL_STEP, FILL_SYMBOL, FILL_QUANTITY,
  FILL_PRICE, FILL_COMMISSION, FILL_REALIZED, FILL_ORDER_SEQ, FIELD_CLOSE,
} from './abi';
import { Book, Layout, Rules, at, column, record, setSym, sym } from './state';

// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function commission(q: f64, p: f64): f64 {
  const aq = Math.abs(q);
  const k = Rules.perShare * aq + Rules.rate * aq * p;
  return k < Rules.minimum ? Rules.minimum : k;
}

/**
 * Fills `q` shares of symbol s at base price p0 (open or close): slippage, the cash rule (a buy's
 * cover of a short always fills; its long part only as far as cash goes), accounting, records.
 */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function fill(s: i32, q: f64, p0: f64, orderSeq: f64): void {
  const p = q > 0 ? p0 * (1 + Rules.slip) : p0 * (1 - Rules.slip);
  let k = commission(q, p);
  const old = sym(s, SYM_POSITION);
  const cash = Book.cash;
  if (!Rules.allowMargin && q > 0) {
    const cover = old < 0 ? (q < -old ? q : -old) : 0;
    if (q > cover && (cash - q * p) - k < 0) {
      let n = Math.floor(cash / (p + Rules.perShare + Rules.rate * p));
      const byMinimum = Math.floor((cash - Rules.minimum) / p);
      if (byMinimum < n) n = byMinimum;
      if (n > q) n = q;
      while (n > cover && (cash - n * p) - commission(n, p) < 0) n -= 1;
      if (n < cover) n = cover;
      if (n <= 0) {
        record(KIND_RISK, TRACE_RISK, orderSeq, s, REASON_ORDER_REJECTED, q, 0, cash, 0);
        return;
      }
      record(KIND_RISK, TRACE_RISK, orderSeq, s, REASON_ORDER_REDUCED, q, n, cash, 0);
      q = n;
      k = commission(q, p);
    }
  }
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
  Book.cash = (cash - q * p) - k;
  setSym(s, SYM_POSITION, next);
  setSym(s, SYM_AVG_COST, avg);
  setSym(s, SYM_REALIZED, sym(s, SYM_REALIZED) + realized);
  setSym(s, SYM_FEES, sym(s, SYM_FEES) + k);
  record(KIND_FILL, TRACE_FILL, orderSeq, s, REASON_SIGNAL, q, p, k, realized);
  const f = Layout.fills + (<usize>Book.fillCount << 3);
  const stride = <usize>Layout.evCap << 3;
  store<f64>(f + <usize>FILL_STEP * stride, Book.stepIndex);
  store<f64>(f + <usize>FILL_SYMBOL * stride, <f64>s);
  store<f64>(f + <usize>FILL_QUANTITY * stride, q);
  store<f64>(f + <usize>FILL_PRICE * stride, p);
  store<f64>(f + <usize>FILL_COMMISSION * stride, k);
  store<f64>(f + <usize>FILL_REALIZED * stride, realized);
  store<f64>(f + <usize>FILL_ORDER_SEQ * stride, orderSeq);
  Book.fillCount++;
}

/** equity = cash + Σ position·mark, in symbol order, skipping flat symbols. */
export function markEquity(): f64 {
  let equity = Book.cash;
  for (let s = 0; s < Layout.symbols; s++) {
    const pos = sym(s, SYM_POSITION);
    if (pos != 0) equity += pos * sym(s, SYM_MARK);
  }
  return equity;
}

/** The account at its marks, as markAccount last computed it (sums in symbol order, flat symbols skipped). */
export class Marks {
  /** Σ |position|·mark. */
  static gross: f64 = 0;
  /** Σ position·mark over longs, and Σ |position|·mark over shorts. */
  static long: f64 = 0;
  static short: f64 = 0;
  /** Whether a symbol with a bar at the step holds a position. */
  static held: bool = false;
}

/**
 * Returns the equity at the marks (as markEquity) and sets Marks, in one pass over the symbols. The
 * sums are separate accumulators, so each is what its own loop would give.
 */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function markAccount(i: i32): f64 {
  let equity = Book.cash;
  let gross: f64 = 0;
  let long: f64 = 0;
  let short: f64 = 0;
  let held = false;
  for (let s = 0; s < Layout.symbols; s++) {
    const pos = sym(s, SYM_POSITION);
    if (pos == 0) continue;
    const mark = sym(s, SYM_MARK);
    const value = pos * mark;
    equity += value;
    const size = Math.abs(pos) * mark;
    gross += size;
    if (pos > 0) long += value;
    else short += size;
    const c = at(column(FIELD_CLOSE, s), i);
    if (c == c) held = true;
  }
  Marks.gross = gross;
  Marks.long = long;
  Marks.short = short;
  Marks.held = held;
  return equity;
}

/**
 * The maintenance requirement from short exposure S and long exposure L at the marks:
 * maintenance · (S + B), B = min(L, −cash) when cash < 0 (the borrowed part of the longs), else 0.
 */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function requirement(short: f64, long: f64): f64 {
  const cash = Book.cash;
  const borrowed = cash < 0 ? Math.min(long, -cash) : 0;
  return Rules.maintenanceMargin * (short + borrowed);
}
