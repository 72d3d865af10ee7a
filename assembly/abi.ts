// The one definition of the kernel's binary interface: record layout, codes and state slots.
// Plain integer constants only, so this file compiles as AssemblyScript and is imported by src/engine.

/** Bumped whenever anything below changes meaning; the TS facade refuses a module with another. */
export const ABI_VERSION = 5;

// ---- event records: REC_SLOTS f64 values each, written to the event buffer ----------------------
export const REC_SLOTS = 10;
export const REC_KIND = 0;
export const REC_SEQ = 1;
/** seq of the record that caused this one; -1 for a signal (caused by its bar, REC_STEP). */
export const REC_CAUSE = 2;
/** Global step index (bar of the aligned timeline). */
export const REC_STEP = 3;
export const REC_SYMBOL = 4;
export const REC_REASON = 5;
export const REC_A = 6;
export const REC_B = 7;
export const REC_C = 8;
export const REC_D = 9;

// Payloads, by kind:
//   signal: A = new direction, B = previous direction, C, D = indicator values (see STRATEGY_*)
//   order:  A = quantity, B = target position, C = reference close
//   fill:   A = quantity, B = price, C = commission, D = realized P&L of this fill
//   risk, on a symbol:     A = size before, B = size after, C = limit value (order_reduced/rejected: cash)
//   risk, portfolio-wide (symbol -1): A = equity, B = peak (max_drawdown) or requirement (margin_call), C = limit
//   cancel: A = quantity
// src/engine/records.ts decodes these slots into named fields; nothing else reads the letters.
export const KIND_SIGNAL = 1;
export const KIND_ORDER = 2;
export const KIND_FILL = 3;
export const KIND_RISK = 4;
export const KIND_CANCEL = 5;

// ---- reason codes (risk records, orders, cancels) -----------------------------------------------
export const REASON_SIGNAL = 0;
export const REASON_MAX_POSITION_VALUE = 1;
export const REASON_MAX_POSITION_SIZE = 2;
export const REASON_MAX_GROSS_EXPOSURE = 3;
export const REASON_MAX_DRAWDOWN = 4;
export const REASON_HALTED = 5;
export const REASON_ORDER_REDUCED = 6;
export const REASON_ORDER_REJECTED = 7;
export const REASON_END_OF_DATA = 8;
/** The initial margin rule capped a target (docs/semantics.md, "Margin and bankruptcy"). */
export const REASON_MARGIN_LIMIT = 9;
/** Equity fell below the maintenance requirement: positions are flattened. */
export const REASON_MARGIN_CALL = 10;
/** Equity at or below zero: flattened and halted for good. */
export const REASON_BANKRUPT = 11;

// ---- fills: always written, as columns of the fill buffer (FILL_FIELDS columns of eventCapacity) ----
export const FILL_STEP = 0;
export const FILL_SYMBOL = 1;
export const FILL_QUANTITY = 2;
export const FILL_PRICE = 3;
export const FILL_COMMISSION = 4;
export const FILL_REALIZED = 5;
export const FILL_ORDER_SEQ = 6;
export const FILL_FIELDS = 7;
// src/engine/records.ts names these columns once (FILL_COLUMNS), in this order; every other TS file uses that list.

// ---- tracing mask: which record kinds go to the event buffer (fills also to the fill columns) -----
export const TRACE_SIGNAL = 1;
export const TRACE_ORDER = 2;
export const TRACE_FILL = 4;
export const TRACE_RISK = 8;
export const TRACE_CANCEL = 16;

// ---- configuration codes ---------------------------------------------------------------------------
export const STRATEGY_MOMENTUM = 1;
export const STRATEGY_MEAN_REVERSION = 2;
export const STRATEGY_SMA_CROSSOVER = 3;
export const STRATEGY_BREAKOUT = 4;
export const STRATEGY_RSI = 5;
export const STRATEGY_BUY_AND_HOLD = 6;
export const STRATEGY_SIGNALS = 7;

export const SIZER_FIXED = 1;
export const SIZER_PERCENTAGE = 2;
export const SIZER_FIXED_VALUE = 3;

/** Limit codes equal the reason codes of the risk records they write. */
export const LIMIT_MAX_POSITION_VALUE = 1;
export const LIMIT_MAX_POSITION_SIZE = 2;
export const LIMIT_MAX_GROSS_EXPOSURE = 3;
export const LIMIT_MAX_DRAWDOWN = 4;

export const FILL_NEXT_OPEN = 0;
export const FILL_CLOSE = 1;

export const MAX_SIZERS = 8;
export const MAX_LIMITS = 16;

// ---- input columns of a chunk: field-major, then symbol, then step --------------------------------
export const FIELD_OPEN = 0;
export const FIELD_HIGH = 1;
export const FIELD_LOW = 2;
export const FIELD_CLOSE = 3;
export const FIELD_SIGNAL = 4;
export const N_FIELDS = 5;

// ---- per-symbol portfolio state: SYM_SLOTS f64 values per symbol, readable by TS --------------------
export const SYM_SLOTS = 8;
export const SYM_POSITION = 0;
export const SYM_AVG_COST = 1;
export const SYM_MARK = 2;
export const SYM_PENDING = 3;
export const SYM_PENDING_SEQ = 4;
export const SYM_PREV_DIR = 5;
export const SYM_REALIZED = 6;
export const SYM_FEES = 7;

// ---- status codes returned by the kernel (>= 0 means success) -------------------------------------
export const STATUS_OK = 0;
export const ERR_NOT_STARTED = -1;
export const ERR_ALREADY_STARTED = -2;
export const ERR_BAD_ARGUMENT = -3;
export const ERR_CHUNK_TOO_LARGE = -4;
export const ERR_TOO_MANY_RULES = -5;
export const ERR_NO_SIZER = -6;
export const ERR_NO_STRATEGY = -7;

/** Records a symbol can write in one step, besides one per limit. */
export const RECORDS_PER_SYMBOL_STEP = 7;
/** Portfolio-wide records one step can write (bankrupt, max_drawdown, margin_call). */
export const RECORDS_PER_STEP = 3;
