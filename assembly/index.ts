// The foliolab kernel's exports: one instance is one portfolio. Configure it, start it, then feed
// chunks of aligned bars; it writes equity per step and compact event records. The state is in
// state.ts, the step order in step.ts (accounting.ts, risk.ts), strategies in strategies.ts.
// Semantics: docs/semantics.md.
import {
  ABI_VERSION, KIND_CANCEL, REASON_END_OF_DATA, TRACE_SIGNAL, TRACE_CANCEL, STRATEGY_MOMENTUM,
  STRATEGY_MEAN_REVERSION, STRATEGY_SMA_CROSSOVER, STRATEGY_BREAKOUT, STRATEGY_RSI, STRATEGY_BUY_AND_HOLD,
  STRATEGY_SIGNALS, SIZER_FIXED, SIZER_FIXED_VALUE, LIMIT_MAX_POSITION_VALUE, LIMIT_MAX_DRAWDOWN,
  FILL_NEXT_OPEN, FILL_CLOSE, MAX_SIZERS, MAX_LIMITS, FIELD_HIGH, FIELD_LOW, FIELD_CLOSE, FIELD_SIGNAL,
  N_FIELDS, SYM_SLOTS, SYM_PENDING, SYM_PENDING_SEQ, FILL_FIELDS, REC_SLOTS, STATUS_OK, ERR_NOT_STARTED,
  ERR_ALREADY_STARTED, ERR_BAD_ARGUMENT, ERR_CHUNK_TOO_LARGE, ERR_TOO_MANY_RULES, ERR_NO_SIZER,
  ERR_NO_STRATEGY, RECORDS_PER_SYMBOL_STEP, RECORDS_PER_STEP,
} from './abi';
import {
  EPS, STRAT_SLOTS, momentumPass, meanReversionPass, smaCrossoverPass, breakoutPass, rsiPass,
  buyAndHoldPass, signalsPass, setKeepIndicators,
} from './strategies';
import {
  Book, Layout, Rules, Strategy, column, limitKind, limitValue, record, setSym, sizerKind, sizerValue, sym,
} from './state';
import { markEquity } from './accounting';
import { portfolioPass } from './step';

function strategyPass(n: i32): void {
  const stride = <usize>Layout.cap;
  const mask = Layout.ringMask;
  const short = Strategy.short;
  const code = Strategy.code;
  for (let s = 0; s < Layout.symbols; s++) {
    const close = column(FIELD_CLOSE, s);
    const dir = Layout.dir + ((<usize>s * stride) << 2);
    const ind = Layout.ind + ((<usize>s * stride) << 4);
    const st = Layout.stratState + ((<usize>(s * STRAT_SLOTS)) << 3);
    const ring = Layout.ring + <usize>s * Layout.ringBytes;
    if (code == STRATEGY_MOMENTUM) {
      momentumPass(close, dir, ind, st, ring, mask, n, Strategy.period, Strategy.momentumUp, Strategy.momentumDown, short);
    } else if (code == STRATEGY_MEAN_REVERSION) {
      meanReversionPass(close, dir, ind, st, ring, mask, n, Strategy.period, Strategy.entry2, Strategy.exit2, short);
    } else if (code == STRATEGY_SMA_CROSSOVER) {
      smaCrossoverPass(close, dir, ind, st, ring, mask, n, Strategy.period, Strategy.slowPeriod, short);
    } else if (code == STRATEGY_BREAKOUT) {
      breakoutPass(column(FIELD_HIGH, s), column(FIELD_LOW, s), close, dir, ind, st, ring, mask, n, Strategy.period, short);
    } else if (code == STRATEGY_RSI) {
      rsiPass(close, dir, ind, st, n, Strategy.period, Strategy.rsiLow, Strategy.rsiHigh, short);
    } else if (code == STRATEGY_BUY_AND_HOLD) {
      buyAndHoldPass(close, dir, ind, st, n);
    } else {
      signalsPass(close, column(FIELD_SIGNAL, s), dir, ind, st, n, short);
    }
  }
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
  if (Layout.started) return ERR_ALREADY_STARTED;
  if (code == STRATEGY_MOMENTUM) {
    if (!(p1 >= 1) || !(p2 >= 0)) return ERR_BAD_ARGUMENT;
    Strategy.period = <i32>p1;
    Strategy.momentumUp = 1 + p2 + EPS;
    Strategy.momentumDown = 1 - (p2 + EPS);
  } else if (code == STRATEGY_MEAN_REVERSION) {
    if (!(p1 >= 2) || !(p2 > 0) || !(p3 >= 0)) return ERR_BAD_ARGUMENT;
    Strategy.period = <i32>p1;
    const entry = p2 + EPS;
    const exit = p3 + EPS;
    Strategy.entry2 = entry * entry;
    Strategy.exit2 = exit * exit;
  } else if (code == STRATEGY_SMA_CROSSOVER) {
    if (!(p1 >= 1) || !(p2 > p1)) return ERR_BAD_ARGUMENT;
    Strategy.period = <i32>p1;
    Strategy.slowPeriod = <i32>p2;
  } else if (code == STRATEGY_BREAKOUT) {
    if (!(p1 >= 1)) return ERR_BAD_ARGUMENT;
    Strategy.period = <i32>p1;
  } else if (code == STRATEGY_RSI) {
    if (!(p1 >= 1) || !(p2 >= 0) || !(p3 >= p2) || !(p3 <= 100)) return ERR_BAD_ARGUMENT;
    Strategy.period = <i32>p1;
    Strategy.rsiLow = p2 - EPS;
    Strategy.rsiHigh = p3 + EPS;
  } else if (code == STRATEGY_BUY_AND_HOLD || code == STRATEGY_SIGNALS) {
    // no parameters
  } else return ERR_BAD_ARGUMENT;
  Strategy.short = allowShort ? -1 : 0;
  Strategy.code = code;
  return STATUS_OK;
}

export function addSizer(code: i32, value: f64): i32 {
  if (Layout.started) return ERR_ALREADY_STARTED;
  if (Rules.sizers >= MAX_SIZERS) return ERR_TOO_MANY_RULES;
  if (code < SIZER_FIXED || code > SIZER_FIXED_VALUE || !(value > 0)) return ERR_BAD_ARGUMENT;
  unchecked((sizerKind[Rules.sizers] = code));
  unchecked((sizerValue[Rules.sizers] = value));
  Rules.sizers++;
  return STATUS_OK;
}

export function addLimit(code: i32, value: f64): i32 {
  if (Layout.started) return ERR_ALREADY_STARTED;
  if (Rules.limits >= MAX_LIMITS) return ERR_TOO_MANY_RULES;
  if (code < LIMIT_MAX_POSITION_VALUE || code > LIMIT_MAX_DRAWDOWN || !(value > 0)) return ERR_BAD_ARGUMENT;
  if (code == LIMIT_MAX_DRAWDOWN) {
    if (!(value < 1)) return ERR_BAD_ARGUMENT;
    // The tightest drawdown limit is the one that halts first.
    if (Rules.drawdownLimit < 0 || value < Rules.drawdownLimit) Rules.drawdownLimit = value;
    return STATUS_OK;
  }
  unchecked((limitKind[Rules.limits] = code));
  unchecked((limitValue[Rules.limits] = value));
  Rules.limits++;
  return STATUS_OK;
}

/**
 * Fill mode, slippage, commission and margin: `initialMargin` in (0, 1], `maintenanceMargin` in
 * [0, initialMargin] (docs/semantics.md, "Margin and bankruptcy").
 */
export function setExecution(mode: i32, slippageBps: f64, perShareFee: f64, percentFee: f64,
  minimumFee: f64, margin: bool, initialMargin: f64, maintenanceMargin: f64): i32 {
  if (Layout.started) return ERR_ALREADY_STARTED;
  if ((mode != FILL_NEXT_OPEN && mode != FILL_CLOSE) || !(slippageBps >= 0) || !(perShareFee >= 0) ||
    !(percentFee >= 0) || !(minimumFee >= 0) || !(initialMargin > 0 && initialMargin <= 1) ||
    !(maintenanceMargin >= 0 && maintenanceMargin <= initialMargin)) return ERR_BAD_ARGUMENT;
  Rules.fillMode = mode;
  Rules.slip = slippageBps / 10000;
  Rules.perShare = perShareFee;
  Rules.rate = percentFee / 100;
  Rules.minimum = minimumFee;
  Rules.allowMargin = margin;
  Rules.initialMargin = initialMargin;
  Rules.maintenanceMargin = maintenanceMargin;
  return STATUS_OK;
}

export function setTraceMask(mask: i32): void {
  Rules.traceMask = mask;
  setKeepIndicators((mask & TRACE_SIGNAL) != 0);
}

/**
 * Allocates every buffer once; nothing is allocated after this. With runSteps > 0 the equity, cash and
 * gross outputs hold the whole run (so the host reads them in place, without a copy per chunk);
 * with 0 they hold one chunk. Returns a status code.
 */
export function start(symbols: i32, initialCash: f64, chunkCapacity: i32, eventCapacity: i32, runSteps: i32): i32 {
  if (Layout.started) return ERR_ALREADY_STARTED;
  if (Strategy.code == 0) return ERR_NO_STRATEGY;
  if (Rules.sizers == 0) return ERR_NO_SIZER;
  if (symbols < 1 || chunkCapacity < 1 || runSteps < 0 || !(initialCash > 0)) return ERR_BAD_ARGUMENT;
  Layout.symbols = symbols;
  Layout.cap = chunkCapacity;
  Layout.recordsPerStep = symbols * (RECORDS_PER_SYMBOL_STEP + Rules.limits) + RECORDS_PER_STEP;
  Layout.evCap = eventCapacity < Layout.recordsPerStep ? Layout.recordsPerStep : eventCapacity;
  const code = Strategy.code;
  let lookback = 1;
  if (code == STRATEGY_MOMENTUM || code == STRATEGY_MEAN_REVERSION || code == STRATEGY_BREAKOUT) {
    lookback = Strategy.period;
  } else if (code == STRATEGY_SMA_CROSSOVER) lookback = Strategy.slowPeriod;
  let ringLen = 2;
  while (ringLen < lookback + 2) ringLen <<= 1;
  Layout.ringMask = ringLen - 1;
  Layout.ringBytes = <usize>ringLen << (code == STRATEGY_BREAKOUT ? 5 : 3);
  const steps = <usize>chunkCapacity;
  const n = <usize>symbols;
  Layout.input = alloc((<usize>N_FIELDS * n * steps) << 3);
  Layout.dir = alloc((n * steps) << 2);
  Layout.ind = alloc((n * steps) << 4);
  Layout.runLength = runSteps;
  const outSteps = runSteps > 0 ? <usize>runSteps : steps;
  Layout.equityRun = alloc(outSteps << 3);
  Layout.cashRun = alloc(outSteps << 3);
  Layout.grossRun = alloc(outSteps << 3);
  Layout.equityOut = Layout.equityRun;
  Layout.cashOut = Layout.cashRun;
  Layout.grossOut = Layout.grossRun;
  Layout.events = alloc((<usize>Layout.evCap * <usize>REC_SLOTS) << 3);
  Layout.fills = alloc((<usize>Layout.evCap * <usize>FILL_FIELDS) << 3);
  Layout.symState = alloc((n * <usize>SYM_SLOTS) << 3);
  Layout.stratState = alloc((n * <usize>STRAT_SLOTS) << 3);
  Layout.ring = alloc(n * Layout.ringBytes);
  Book.cash = initialCash;
  Book.peak = initialCash;
  Layout.started = true;
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
  if (!Layout.started || field < 0 || field >= N_FIELDS || symbol < 0 || symbol >= Layout.symbols) return 0;
  return column(field, symbol);
}

/**
 * Processes a chunk of n steps already written to the input columns. Returns how many steps are done;
 * fewer than n when the event buffer is full: read the records, then call resume().
 */
export function run(n: i32): i32 {
  if (!Layout.started) return ERR_NOT_STARTED;
  if (n < 0 || n > Layout.cap) return ERR_CHUNK_TOO_LARGE;
  Book.evCount = 0;
  Book.fillCount = 0;
  Book.stepBase = Book.stepIndex;
  if (Layout.runLength > 0) {
    if (Book.stepBase + <f64>n > <f64>Layout.runLength) return ERR_CHUNK_TOO_LARGE;
    const offset = <usize>Book.stepBase << 3;
    Layout.equityOut = Layout.equityRun + offset;
    Layout.cashOut = Layout.cashRun + offset;
    Layout.grossOut = Layout.grossRun + offset;
  }
  Layout.chunkLen = n;
  Layout.chunkDone = 0;
  strategyPass(n);
  return portfolioPass();
}

export function resume(): i32 {
  if (!Layout.started) return ERR_NOT_STARTED;
  Book.evCount = 0;
  Book.fillCount = 0;
  return portfolioPass();
}

/** Ends the run: cancels orders still pending. Returns the number of records written. */
export function finish(): i32 {
  if (!Layout.started) return ERR_NOT_STARTED;
  Book.evCount = 0;
  Book.fillCount = 0;
  for (let s = 0; s < Layout.symbols; s++) {
    const pending = sym(s, SYM_PENDING);
    if (pending != 0) {
      setSym(s, SYM_PENDING, 0);
      record(KIND_CANCEL, TRACE_CANCEL, sym(s, SYM_PENDING_SEQ), s, REASON_END_OF_DATA, pending, 0, 0, 0);
    }
  }
  return Book.evCount;
}

/**
 * Moves capital in (amount > 0) or out (< 0) at the close of the last processed step: cash changes, the
 * step's recorded equity and cash include the move, and the drawdown peak scales by the same factor as
 * equity, so a withdrawal is not a loss. Returns the equity after the move.
 */
export function adjustCash(amount: f64): f64 {
  if (!Layout.started) return NaN;
  const before = markEquity();
  Book.cash += amount;
  const after = before + amount;
  if (before > 0 && after > 0) Book.peak = Book.peak * (after / before);
  else if (after > Book.peak) Book.peak = after;
  // The last recorded step of the current chunk (or of the run) takes the move too.
  if (Layout.chunkDone > 0) {
    const last = <usize>(Layout.chunkDone - 1) << 3;
    store<f64>(Layout.equityOut + last, load<f64>(Layout.equityOut + last) + amount);
    store<f64>(Layout.cashOut + last, load<f64>(Layout.cashOut + last) + amount);
  }
  return after;
}

export function eventCount(): i32 { return Book.evCount; }
export function eventsPtr(): usize { return Layout.events; }
export function fillCountNow(): i32 { return Book.fillCount; }
/** Column `field` (FILL_*) of the fill buffer: fillCountNow() values, written since the last run/resume/finish. */
export function fillColumnPtr(field: i32): usize {
  return field >= 0 && field < FILL_FIELDS ? Layout.fills + ((<usize>(field * Layout.evCap)) << 3) : 0;
}
/** Outputs of the current chunk (index 0 = its first step). */
export function equityPtr(): usize { return Layout.equityOut; }
export function cashPtr(): usize { return Layout.cashOut; }
export function grossPtr(): usize { return Layout.grossOut; }
/** Outputs of the whole run (index = global step), when started with runSteps > 0; else 0. */
export function equityRunPtr(): usize { return Layout.runLength > 0 ? Layout.equityRun : 0; }
export function cashRunPtr(): usize { return Layout.runLength > 0 ? Layout.cashRun : 0; }
export function grossRunPtr(): usize { return Layout.runLength > 0 ? Layout.grossRun : 0; }
export function symbolStatePtr(): usize { return Layout.symState; }
export function cashNow(): f64 { return Book.cash; }
export function peakEquity(): f64 { return Book.peak; }
/** Halted for good: by max_drawdown or by bankruptcy (then isBankrupt() too). */
export function isHalted(): bool { return Book.halted; }
export function isBankrupt(): bool { return Book.bankrupt; }
export function stepsDone(): f64 { return Book.stepIndex; }
export function chunkCapacity(): i32 { return Layout.cap; }
export function eventCapacity(): i32 { return Layout.evCap; }
