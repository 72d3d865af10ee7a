"use strict";
// The one definition of the kernel's binary interface: record layout, codes and state slots.
// Plain integer constants only, so this file compiles as AssemblyScript and is imported by src/engine.
Object.defineProperty(exports, "__esModule", { value: true });
exports.FIELD_OPEN = exports.MAX_LIMITS = exports.MAX_SIZERS = exports.FILL_CLOSE = exports.FILL_NEXT_OPEN = exports.LIMIT_MAX_DRAWDOWN = exports.LIMIT_MAX_GROSS_EXPOSURE = exports.LIMIT_MAX_POSITION_SIZE = exports.LIMIT_MAX_POSITION_VALUE = exports.SIZER_FIXED_VALUE = exports.SIZER_PERCENTAGE = exports.SIZER_FIXED = exports.STRATEGY_SIGNALS = exports.STRATEGY_BUY_AND_HOLD = exports.STRATEGY_RSI = exports.STRATEGY_BREAKOUT = exports.STRATEGY_SMA_CROSSOVER = exports.STRATEGY_MEAN_REVERSION = exports.STRATEGY_MOMENTUM = exports.TRACE_CANCEL = exports.TRACE_RISK = exports.TRACE_FILL = exports.TRACE_ORDER = exports.TRACE_SIGNAL = exports.REASON_END_OF_DATA = exports.REASON_ORDER_REJECTED = exports.REASON_ORDER_REDUCED = exports.REASON_HALTED = exports.REASON_MAX_DRAWDOWN = exports.REASON_MAX_GROSS_EXPOSURE = exports.REASON_MAX_POSITION_SIZE = exports.REASON_MAX_POSITION_VALUE = exports.REASON_SIGNAL = exports.KIND_CANCEL = exports.KIND_RISK = exports.KIND_FILL = exports.KIND_ORDER = exports.KIND_SIGNAL = exports.REC_D = exports.REC_C = exports.REC_B = exports.REC_A = exports.REC_REASON = exports.REC_SYMBOL = exports.REC_STEP = exports.REC_CAUSE = exports.REC_SEQ = exports.REC_KIND = exports.REC_SLOTS = exports.ABI_VERSION = void 0;
exports.RECORDS_PER_SYMBOL_STEP = exports.ERR_NO_STRATEGY = exports.ERR_NO_SIZER = exports.ERR_TOO_MANY_RULES = exports.ERR_CHUNK_TOO_LARGE = exports.ERR_BAD_ARGUMENT = exports.ERR_ALREADY_STARTED = exports.ERR_NOT_STARTED = exports.STATUS_OK = exports.SYM_FEES = exports.SYM_REALIZED = exports.SYM_PREV_DIR = exports.SYM_PENDING_SEQ = exports.SYM_PENDING = exports.SYM_MARK = exports.SYM_AVG_COST = exports.SYM_POSITION = exports.SYM_SLOTS = exports.N_FIELDS = exports.FIELD_SIGNAL = exports.FIELD_CLOSE = exports.FIELD_LOW = exports.FIELD_HIGH = void 0;
/** Bumped whenever anything below changes meaning; the TS facade refuses a module with another. */
exports.ABI_VERSION = 1;
// ---- event records: REC_SLOTS f64 values each, written to the event buffer ----------------------
exports.REC_SLOTS = 10;
exports.REC_KIND = 0;
exports.REC_SEQ = 1;
/** seq of the record that caused this one; -1 for a signal (caused by its bar, REC_STEP). */
exports.REC_CAUSE = 2;
/** Global step index (bar of the aligned timeline). */
exports.REC_STEP = 3;
exports.REC_SYMBOL = 4;
exports.REC_REASON = 5;
exports.REC_A = 6;
exports.REC_B = 7;
exports.REC_C = 8;
exports.REC_D = 9;
// Payloads, by kind:
//   signal: A = new direction, B = previous direction, C, D = indicator values (see STRATEGY_*)
//   order:  A = quantity, B = target position, C = reference close
//   fill:   A = quantity, B = price, C = commission, D = realized P&L of this fill
//   risk:   A = size before, B = size after, C = limit value (drawdown: A = equity, B = peak)
//   cancel: A = quantity
exports.KIND_SIGNAL = 1;
exports.KIND_ORDER = 2;
exports.KIND_FILL = 3;
exports.KIND_RISK = 4;
exports.KIND_CANCEL = 5;
// ---- reason codes (risk records, orders, cancels) -----------------------------------------------
exports.REASON_SIGNAL = 0;
exports.REASON_MAX_POSITION_VALUE = 1;
exports.REASON_MAX_POSITION_SIZE = 2;
exports.REASON_MAX_GROSS_EXPOSURE = 3;
exports.REASON_MAX_DRAWDOWN = 4;
exports.REASON_HALTED = 5;
exports.REASON_ORDER_REDUCED = 6;
exports.REASON_ORDER_REJECTED = 7;
exports.REASON_END_OF_DATA = 8;
// ---- tracing mask: which record kinds are written (fills always are: results need them) ----------
exports.TRACE_SIGNAL = 1;
exports.TRACE_ORDER = 2;
exports.TRACE_FILL = 4;
exports.TRACE_RISK = 8;
exports.TRACE_CANCEL = 16;
// ---- configuration codes ---------------------------------------------------------------------------
exports.STRATEGY_MOMENTUM = 1;
exports.STRATEGY_MEAN_REVERSION = 2;
exports.STRATEGY_SMA_CROSSOVER = 3;
exports.STRATEGY_BREAKOUT = 4;
exports.STRATEGY_RSI = 5;
exports.STRATEGY_BUY_AND_HOLD = 6;
exports.STRATEGY_SIGNALS = 7;
exports.SIZER_FIXED = 1;
exports.SIZER_PERCENTAGE = 2;
exports.SIZER_FIXED_VALUE = 3;
/** Limit codes equal the reason codes of the risk records they write. */
exports.LIMIT_MAX_POSITION_VALUE = 1;
exports.LIMIT_MAX_POSITION_SIZE = 2;
exports.LIMIT_MAX_GROSS_EXPOSURE = 3;
exports.LIMIT_MAX_DRAWDOWN = 4;
exports.FILL_NEXT_OPEN = 0;
exports.FILL_CLOSE = 1;
exports.MAX_SIZERS = 8;
exports.MAX_LIMITS = 16;
// ---- input columns of a chunk: field-major, then symbol, then step --------------------------------
exports.FIELD_OPEN = 0;
exports.FIELD_HIGH = 1;
exports.FIELD_LOW = 2;
exports.FIELD_CLOSE = 3;
exports.FIELD_SIGNAL = 4;
exports.N_FIELDS = 5;
// ---- per-symbol portfolio state: SYM_SLOTS f64 values per symbol, readable by TS --------------------
exports.SYM_SLOTS = 8;
exports.SYM_POSITION = 0;
exports.SYM_AVG_COST = 1;
exports.SYM_MARK = 2;
exports.SYM_PENDING = 3;
exports.SYM_PENDING_SEQ = 4;
exports.SYM_PREV_DIR = 5;
exports.SYM_REALIZED = 6;
exports.SYM_FEES = 7;
// ---- status codes returned by the kernel (>= 0 means success) -------------------------------------
exports.STATUS_OK = 0;
exports.ERR_NOT_STARTED = -1;
exports.ERR_ALREADY_STARTED = -2;
exports.ERR_BAD_ARGUMENT = -3;
exports.ERR_CHUNK_TOO_LARGE = -4;
exports.ERR_TOO_MANY_RULES = -5;
exports.ERR_NO_SIZER = -6;
exports.ERR_NO_STRATEGY = -7;
/** Records a symbol can write in one step, besides one per limit. */
exports.RECORDS_PER_SYMBOL_STEP = 6;
