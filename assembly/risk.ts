// Risk: sizing with its limits and the initial margin rule, and the checks at the mark (bankruptcy,
// drawdown, maintenance). docs/semantics.md, "Sizing and limits" and "Margin and bankruptcy".
import {
  KIND_RISK, TRACE_RISK, SIZER_FIXED, SIZER_PERCENTAGE, LIMIT_MAX_POSITION_VALUE, LIMIT_MAX_POSITION_SIZE,
  LIMIT_MAX_GROSS_EXPOSURE, REASON_MAX_DRAWDOWN, REASON_MARGIN_LIMIT, REASON_MARGIN_CALL, REASON_BANKRUPT,
  SYM_POSITION, SYM_PENDING, SYM_MARK,
} from './abi';
import { EPS } from './strategies';
import { Book, Layout, Rules, limitKind, limitValue, record, sizerKind, sizerValue, sym } from './state';
import { Marks, requirement } from './accounting';

/**
 * Size for direction d != 0 at close c after sizers, limits and the initial margin rule (>= 0),
 * writing a risk record per binding limit.
 */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function targetSize(s: i32, d: i32, c: f64, equity: f64, cause: f64): f64 {
  let size = Infinity;
  for (let j = 0; j < Rules.sizers; j++) {
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
  for (let j = 0; j < Rules.limits; j++) {
    const kind = unchecked(limitKind[j]);
    const v = unchecked(limitValue[j]);
    let capSize = Infinity;
    if (kind == LIMIT_MAX_POSITION_VALUE) capSize = Math.floor(v / c);
    else if (kind == LIMIT_MAX_POSITION_SIZE) capSize = v;
    else if (kind == LIMIT_MAX_GROSS_EXPOSURE) capSize = roomFor(s, v * equity, false, c);
    if (size > capSize) {
      record(KIND_RISK, TRACE_RISK, cause, s, kind, size, capSize, v, 0);
      size = capSize;
    }
  }
  // Shorts always need margin; longs only when they may borrow (otherwise the cash rule holds them).
  if (d < 0 || Rules.allowMargin) {
    const capSize = roomFor(s, equity / Rules.initialMargin, !Rules.allowMargin, c);
    if (size > capSize) {
      record(KIND_RISK, TRACE_RISK, cause, s, REASON_MARGIN_LIMIT, size, capSize, Rules.initialMargin, 0);
      size = capSize;
    }
  }
  return size;
}

/**
 * Shares at close c that keep the exposure of symbol s plus the other symbols' (projected with their
 * pending orders; only their shorts when `shortsOnly`) within `budget`.
 */
function roomFor(s: i32, budget: f64, shortsOnly: bool, c: f64): f64 {
  let others: f64 = 0;
  for (let o = 0; o < Layout.symbols; o++) {
    if (o == s) continue;
    const projected = sym(o, SYM_POSITION) + sym(o, SYM_PENDING);
    if (shortsOnly ? projected < 0 : projected != 0) others += Math.abs(projected) * sym(o, SYM_MARK);
  }
  const room = budget - others;
  return Math.floor((room > 0 ? room : 0) / c);
}

/** Equity at or below zero: a bankrupt record; the portfolio halts for good and is flattened. */
export function goBankrupt(equity: f64): void {
  Book.bankrupt = true;
  Book.halted = true;
  Book.haltSeq = record(KIND_RISK, TRACE_RISK, -1, -1, REASON_BANKRUPT, equity, 0, 0, 0);
  Book.haltReason = REASON_BANKRUPT;
  Book.haltLimit = 0;
}

/** The drawdown check on this step's mark equity (the peak moves even when halted). */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function checkDrawdown(equity: f64): void {
  const limit = Rules.drawdownLimit;
  if (equity > Book.peak) Book.peak = equity;
  if (!Book.halted && Book.peak - equity >= (limit - EPS) * Book.peak) {
    Book.halted = true;
    Book.haltSeq = record(KIND_RISK, TRACE_RISK, -1, -1, REASON_MAX_DRAWDOWN, equity, Book.peak, limit, 0);
    Book.haltReason = REASON_MAX_DRAWDOWN;
    Book.haltLimit = limit;
  }
}

/**
 * Step 3 at the mark, given the account's marks (Marks, from markAccount): bankruptcy, drawdown,
 * maintenance. Returns the margin_call record's seq when this is a call step, else −1.
 */
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline export function checkMark(equity: f64): f64 {
  if (!Book.bankrupt && equity <= 0) goBankrupt(equity);
  if (Rules.drawdownLimit >= 0) checkDrawdown(equity);
  if (Book.halted || !Marks.held) return -1;
  const required = requirement(Marks.short, Marks.long);
  if (equity < required) {
    return record(KIND_RISK, TRACE_RISK, -1, -1, REASON_MARGIN_CALL, equity, required, Rules.maintenanceMargin, 0);
  }
  return -1;
}
