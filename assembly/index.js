"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.abiVersion = abiVersion;
exports.setStrategy = setStrategy;
exports.addSizer = addSizer;
exports.addLimit = addLimit;
exports.setExecution = setExecution;
exports.setTraceMask = setTraceMask;
exports.start = start;
exports.inputPtr = inputPtr;
exports.run = run;
exports.resume = resume;
exports.finish = finish;
exports.eventCount = eventCount;
exports.eventsPtr = eventsPtr;
exports.equityPtr = equityPtr;
exports.cashPtr = cashPtr;
exports.grossPtr = grossPtr;
exports.symbolStatePtr = symbolStatePtr;
exports.cashNow = cashNow;
exports.peakEquity = peakEquity;
exports.isHalted = isHalted;
exports.stepsDone = stepsDone;
exports.chunkCapacity = chunkCapacity;
exports.eventCapacity = eventCapacity;
// The foliolab kernel: one instance is one portfolio. Configure it, start it, then feed chunks of
// aligned bars; it writes equity per step and compact event records. Semantics: docs/semantics.md.
const abi_1 = require("./abi");
const strategies_1 = require("./strategies");
// ---- configuration (set before start) ------------------------------------------------------------
let strategy = 0;
let stratInt1 = 0; // lookback / fast / period
let stratInt2 = 0; // slow
let stratF1 = 0; // derived thresholds, see setStrategy
let stratF2 = 0;
let shortDir = -1;
let nSizers = 0;
let nLimits = 0;
const sizerKind = new StaticArray(abi_1.MAX_SIZERS);
const sizerValue = new StaticArray(abi_1.MAX_SIZERS);
const limitKind = new StaticArray(abi_1.MAX_LIMITS);
const limitValue = new StaticArray(abi_1.MAX_LIMITS);
let drawdownLimit = -1; // < 0: none
let fillMode = abi_1.FILL_NEXT_OPEN;
let slip = 0;
let perShare = 0;
let rate = 0;
let minimum = 0;
let allowMargin = false;
let traceMask = abi_1.TRACE_FILL;
// ---- layout (allocated once by start) --------------------------------------------------------------
let started = false;
let nSym = 0;
let cap = 0; // steps per chunk
let evCap = 0; // records per call
let ringMask = 0;
let inputBase = 0;
let dirBase = 0;
let indBase = 0;
let equityOut = 0;
let cashOut = 0;
let grossOut = 0;
let events = 0;
let symState = 0;
let stratState = 0;
let ringBase = 0;
let ringBytes = 0;
// ---- portfolio state -------------------------------------------------------------------------------
let cash = 0;
let peak = 0;
let halted = false;
let haltSeq = -1;
let seq = 0;
let stepIndex = 0; // global step of the next bar
let evCount = 0;
let chunkLen = 0;
let chunkDone = 0;
let recordsPerStep = 0;
// ---- helpers ----------------------------------------------------------------------------------------
// @ts-ignore: decorator (AssemblyScript inlining hint)
function column(field, s) {
    return inputBase + (((field * nSym + s) * cap) << 3);
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
function at(base, i) {
    return load(base + (i << 3));
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
function sym(s, k) {
    return load(symState + ((s * abi_1.SYM_SLOTS + k) << 3));
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
function setSym(s, k, v) {
    store(symState + ((s * abi_1.SYM_SLOTS + k) << 3), v);
}
/** Takes the next sequence number and, if the tracing mask keeps this kind, writes the record. */
function record(kind, bit, cause, s, reason, a, b, c, d) {
    const id = seq;
    seq += 1;
    if ((traceMask & bit) != 0) {
        const p = events + ((evCount * abi_1.REC_SLOTS) << 3);
        store(p, kind, abi_1.REC_KIND << 3);
        store(p, id, abi_1.REC_SEQ << 3);
        store(p, cause, abi_1.REC_CAUSE << 3);
        store(p, stepIndex, abi_1.REC_STEP << 3);
        store(p, s, abi_1.REC_SYMBOL << 3);
        store(p, reason, abi_1.REC_REASON << 3);
        store(p, a, abi_1.REC_A << 3);
        store(p, b, abi_1.REC_B << 3);
        store(p, c, abi_1.REC_C << 3);
        store(p, d, abi_1.REC_D << 3);
        evCount++;
    }
    return id;
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
function commission(q, p) {
    const aq = Math.abs(q);
    const k = perShare * aq + rate * aq * p;
    return k < minimum ? minimum : k;
}
/** Fills `q` shares of symbol s at base price p0 (open or close), applying slippage, margin, accounting. */
function fill(s, q, p0, orderSeq) {
    const p = q > 0 ? p0 * (1 + slip) : p0 * (1 - slip);
    let k = commission(q, p);
    if (!allowMargin && q > 0 && (cash - q * p) - k < 0) {
        let n = Math.floor(cash / (p + perShare + rate * p));
        const byMinimum = Math.floor((cash - minimum) / p);
        if (byMinimum < n)
            n = byMinimum;
        if (n > q)
            n = q;
        while (n > 0 && (cash - n * p) - commission(n, p) < 0)
            n -= 1;
        if (n <= 0) {
            record(abi_1.KIND_RISK, abi_1.TRACE_RISK, orderSeq, s, abi_1.REASON_ORDER_REJECTED, q, 0, cash, 0);
            return;
        }
        record(abi_1.KIND_RISK, abi_1.TRACE_RISK, orderSeq, s, abi_1.REASON_ORDER_REDUCED, q, n, cash, 0);
        q = n;
        k = commission(q, p);
    }
    const old = sym(s, abi_1.SYM_POSITION);
    const next = old + q;
    let avg = sym(s, abi_1.SYM_AVG_COST);
    let realized = 0;
    if (old == 0 || (old > 0) == (q > 0)) {
        avg = (avg * old + q * p) / next;
    }
    else if (Math.abs(q) <= Math.abs(old)) {
        realized = -q * (p - avg);
        if (next == 0)
            avg = 0;
    }
    else {
        realized = old * (p - avg);
        avg = p;
    }
    cash = (cash - q * p) - k;
    setSym(s, abi_1.SYM_POSITION, next);
    setSym(s, abi_1.SYM_AVG_COST, avg);
    setSym(s, abi_1.SYM_REALIZED, sym(s, abi_1.SYM_REALIZED) + realized);
    setSym(s, abi_1.SYM_FEES, sym(s, abi_1.SYM_FEES) + k);
    record(abi_1.KIND_FILL, abi_1.TRACE_FILL, orderSeq, s, abi_1.REASON_SIGNAL, q, p, k, realized);
}
/** Size for direction d != 0 after sizers and limits (>= 0), writing a risk record per binding limit. */
function targetSize(s, c, equity, cause) {
    let size = Infinity;
    for (let j = 0; j < nSizers; j++) {
        const v = unchecked(sizerValue[j]);
        const kind = unchecked(sizerKind[j]);
        let z = 0;
        if (kind == abi_1.SIZER_FIXED)
            z = v;
        else if (kind == abi_1.SIZER_PERCENTAGE) {
            z = Math.floor((v * equity) / c);
            if (z < 0)
                z = 0;
        }
        else
            z = Math.floor(v / c);
        if (z < size)
            size = z;
    }
    for (let j = 0; j < nLimits; j++) {
        const kind = unchecked(limitKind[j]);
        const v = unchecked(limitValue[j]);
        let capSize = Infinity;
        if (kind == abi_1.LIMIT_MAX_POSITION_VALUE)
            capSize = Math.floor(v / c);
        else if (kind == abi_1.LIMIT_MAX_POSITION_SIZE)
            capSize = v;
        else if (kind == abi_1.LIMIT_MAX_GROSS_EXPOSURE) {
            let others = 0;
            for (let o = 0; o < nSym; o++) {
                if (o == s)
                    continue;
                const projected = sym(o, abi_1.SYM_POSITION) + sym(o, abi_1.SYM_PENDING);
                if (projected != 0)
                    others += Math.abs(projected) * sym(o, abi_1.SYM_MARK);
            }
            const room = v * equity - others;
            capSize = Math.floor((room > 0 ? room : 0) / c);
        }
        if (size > capSize) {
            record(abi_1.KIND_RISK, abi_1.TRACE_RISK, cause, s, kind, size, capSize, v, 0);
            size = capSize;
        }
    }
    return size;
}
/** Places an order of q shares for symbol s at this step's close c: pending, or filled now. */
function placeOrder(s, q, target, c, cause, reason) {
    const id = record(abi_1.KIND_ORDER, abi_1.TRACE_ORDER, cause, s, reason, q, target, c, 0);
    if (fillMode == abi_1.FILL_CLOSE) {
        fill(s, q, c, id);
    }
    else {
        setSym(s, abi_1.SYM_PENDING, q);
        setSym(s, abi_1.SYM_PENDING_SEQ, id);
    }
}
function strategyPass(n) {
    const stride = cap;
    for (let s = 0; s < nSym; s++) {
        const close = column(abi_1.FIELD_CLOSE, s);
        const dir = dirBase + ((s * stride) << 2);
        const ind = indBase + ((s * stride) << 4);
        const st = stratState + ((s * strategies_1.STRAT_SLOTS) << 3);
        const ring = ringBase + s * ringBytes;
        if (strategy == abi_1.STRATEGY_MOMENTUM) {
            (0, strategies_1.momentumPass)(close, dir, ind, st, ring, ringMask, n, stratInt1, stratF1, stratF2, shortDir);
        }
        else if (strategy == abi_1.STRATEGY_MEAN_REVERSION) {
            (0, strategies_1.meanReversionPass)(close, dir, ind, st, ring, ringMask, n, stratInt1, stratF1, stratF2, shortDir);
        }
        else if (strategy == abi_1.STRATEGY_SMA_CROSSOVER) {
            (0, strategies_1.smaCrossoverPass)(close, dir, ind, st, ring, ringMask, n, stratInt1, stratInt2, shortDir);
        }
        else if (strategy == abi_1.STRATEGY_BREAKOUT) {
            (0, strategies_1.breakoutPass)(column(abi_1.FIELD_HIGH, s), column(abi_1.FIELD_LOW, s), close, dir, ind, st, ring, ringMask, n, stratInt1, shortDir);
        }
        else if (strategy == abi_1.STRATEGY_RSI) {
            (0, strategies_1.rsiPass)(close, dir, ind, st, n, stratInt1, stratF1, stratF2, shortDir);
        }
        else if (strategy == abi_1.STRATEGY_BUY_AND_HOLD) {
            (0, strategies_1.buyAndHoldPass)(close, dir, ind, st, n);
        }
        else {
            (0, strategies_1.signalsPass)(close, column(abi_1.FIELD_SIGNAL, s), dir, ind, st, n, shortDir);
        }
    }
}
/** Portfolio pass from chunkDone until the chunk ends or the event buffer could overflow. */
function portfolioPass() {
    const stride = cap;
    let i = chunkDone;
    for (; i < chunkLen; i++) {
        if (evCount + recordsPerStep > evCap)
            break;
        let filledAtClose = false;
        // 1. fills at the open, then the mark moves to the close
        for (let s = 0; s < nSym; s++) {
            const c = at(column(abi_1.FIELD_CLOSE, s), i);
            if (c != c)
                continue;
            const pending = sym(s, abi_1.SYM_PENDING);
            if (pending != 0) {
                setSym(s, abi_1.SYM_PENDING, 0);
                fill(s, pending, at(column(abi_1.FIELD_OPEN, s), i), sym(s, abi_1.SYM_PENDING_SEQ));
            }
            setSym(s, abi_1.SYM_MARK, c);
        }
        // 2. mark
        let equity = cash;
        for (let s = 0; s < nSym; s++) {
            const pos = sym(s, abi_1.SYM_POSITION);
            if (pos != 0)
                equity += pos * sym(s, abi_1.SYM_MARK);
        }
        // 3. drawdown
        if (drawdownLimit >= 0) {
            if (equity > peak)
                peak = equity;
            if (!halted && peak - equity >= (drawdownLimit - strategies_1.EPS) * peak) {
                halted = true;
                haltSeq = record(abi_1.KIND_RISK, abi_1.TRACE_RISK, -1, -1, abi_1.REASON_MAX_DRAWDOWN, equity, peak, drawdownLimit, 0);
            }
        }
        // 4. signals and orders
        for (let s = 0; s < nSym; s++) {
            const c = at(column(abi_1.FIELD_CLOSE, s), i);
            if (c != c)
                continue;
            const d = load(dirBase + ((s * stride + i) << 2));
            const prev = sym(s, abi_1.SYM_PREV_DIR);
            const pos = sym(s, abi_1.SYM_POSITION);
            if (d != prev) {
                setSym(s, abi_1.SYM_PREV_DIR, d);
                const ip = indBase + ((s * stride + i) << 4);
                const sig = record(abi_1.KIND_SIGNAL, abi_1.TRACE_SIGNAL, -1, s, abi_1.REASON_SIGNAL, d, prev, load(ip), load(ip, 8));
                let q = 0;
                if (d != 0) {
                    q = d * targetSize(s, c, equity, sig);
                    if (halted && q != 0) {
                        record(abi_1.KIND_RISK, abi_1.TRACE_RISK, sig, s, abi_1.REASON_HALTED, Math.abs(q), 0, drawdownLimit, 0);
                        q = 0;
                    }
                }
                const order = q - pos;
                if (order != 0) {
                    placeOrder(s, order, q, c, sig, abi_1.REASON_SIGNAL);
                    if (fillMode == abi_1.FILL_CLOSE)
                        filledAtClose = true;
                }
            }
            else if (halted && pos != 0) {
                placeOrder(s, -pos, 0, c, haltSeq, abi_1.REASON_MAX_DRAWDOWN);
                if (fillMode == abi_1.FILL_CLOSE)
                    filledAtClose = true;
            }
        }
        // 5. record
        let gross = 0;
        if (filledAtClose) {
            equity = cash;
            for (let s = 0; s < nSym; s++) {
                const pos = sym(s, abi_1.SYM_POSITION);
                if (pos != 0)
                    equity += pos * sym(s, abi_1.SYM_MARK);
            }
        }
        for (let s = 0; s < nSym; s++) {
            const pos = sym(s, abi_1.SYM_POSITION);
            if (pos != 0)
                gross += Math.abs(pos) * sym(s, abi_1.SYM_MARK);
        }
        store(equityOut + (i << 3), equity);
        store(cashOut + (i << 3), cash);
        store(grossOut + (i << 3), gross);
        stepIndex += 1;
    }
    chunkDone = i;
    return i;
}
// ---- exports ----------------------------------------------------------------------------------------
function abiVersion() {
    return abi_1.ABI_VERSION;
}
/**
 * Chooses the strategy. p1..p4 are its parameters in docs/semantics.md order
 * (momentum: L, th; mean_reversion: L, ze, zx; sma_crossover: F, S; breakout: L; rsi: P, oversold, overbought).
 */
function setStrategy(code, p1, p2, p3, allowShort) {
    if (started)
        return abi_1.ERR_ALREADY_STARTED;
    shortDir = allowShort ? -1 : 0;
    if (code == abi_1.STRATEGY_MOMENTUM) {
        if (!(p1 >= 1) || !(p2 >= 0))
            return abi_1.ERR_BAD_ARGUMENT;
        stratInt1 = p1;
        stratF1 = 1 + p2 + strategies_1.EPS;
        stratF2 = 1 - (p2 + strategies_1.EPS);
    }
    else if (code == abi_1.STRATEGY_MEAN_REVERSION) {
        if (!(p1 >= 2) || !(p2 > 0) || !(p3 >= 0))
            return abi_1.ERR_BAD_ARGUMENT;
        stratInt1 = p1;
        const a = p2 + strategies_1.EPS;
        const b = p3 + strategies_1.EPS;
        stratF1 = a * a;
        stratF2 = b * b;
    }
    else if (code == abi_1.STRATEGY_SMA_CROSSOVER) {
        if (!(p1 >= 1) || !(p2 > p1))
            return abi_1.ERR_BAD_ARGUMENT;
        stratInt1 = p1;
        stratInt2 = p2;
    }
    else if (code == abi_1.STRATEGY_BREAKOUT) {
        if (!(p1 >= 1))
            return abi_1.ERR_BAD_ARGUMENT;
        stratInt1 = p1;
    }
    else if (code == abi_1.STRATEGY_RSI) {
        if (!(p1 >= 1) || !(p2 >= 0) || !(p3 >= p2) || !(p3 <= 100))
            return abi_1.ERR_BAD_ARGUMENT;
        stratInt1 = p1;
        stratF1 = p2 - strategies_1.EPS;
        stratF2 = p3 + strategies_1.EPS;
    }
    else if (code == abi_1.STRATEGY_BUY_AND_HOLD || code == abi_1.STRATEGY_SIGNALS) {
        // no parameters
    }
    else
        return abi_1.ERR_BAD_ARGUMENT;
    strategy = code;
    return abi_1.STATUS_OK;
}
function addSizer(code, value) {
    if (started)
        return abi_1.ERR_ALREADY_STARTED;
    if (nSizers >= abi_1.MAX_SIZERS)
        return abi_1.ERR_TOO_MANY_RULES;
    if (code < abi_1.SIZER_FIXED || code > abi_1.SIZER_FIXED_VALUE || !(value > 0))
        return abi_1.ERR_BAD_ARGUMENT;
    unchecked((sizerKind[nSizers] = code));
    unchecked((sizerValue[nSizers] = value));
    nSizers++;
    return abi_1.STATUS_OK;
}
function addLimit(code, value) {
    if (started)
        return abi_1.ERR_ALREADY_STARTED;
    if (nLimits >= abi_1.MAX_LIMITS)
        return abi_1.ERR_TOO_MANY_RULES;
    if (code < abi_1.LIMIT_MAX_POSITION_VALUE || code > abi_1.LIMIT_MAX_DRAWDOWN || !(value > 0))
        return abi_1.ERR_BAD_ARGUMENT;
    if (code == abi_1.LIMIT_MAX_DRAWDOWN) {
        if (!(value < 1))
            return abi_1.ERR_BAD_ARGUMENT;
        // The tightest drawdown limit is the one that halts first.
        if (drawdownLimit < 0 || value < drawdownLimit)
            drawdownLimit = value;
        return abi_1.STATUS_OK;
    }
    unchecked((limitKind[nLimits] = code));
    unchecked((limitValue[nLimits] = value));
    nLimits++;
    return abi_1.STATUS_OK;
}
function setExecution(mode, slippageBps, perShareFee, percentFee, minimumFee, margin) {
    if (started)
        return abi_1.ERR_ALREADY_STARTED;
    if ((mode != abi_1.FILL_NEXT_OPEN && mode != abi_1.FILL_CLOSE) || !(slippageBps >= 0) || !(perShareFee >= 0) ||
        !(percentFee >= 0) || !(minimumFee >= 0))
        return abi_1.ERR_BAD_ARGUMENT;
    fillMode = mode;
    slip = slippageBps / 10000;
    perShare = perShareFee;
    rate = percentFee / 100;
    minimum = minimumFee;
    allowMargin = margin;
    return abi_1.STATUS_OK;
}
function setTraceMask(mask) {
    traceMask = mask | abi_1.TRACE_FILL;
}
/** Allocates every buffer once; nothing is allocated after this. Returns a status code. */
function start(symbols, initialCash, chunkCapacity, eventCapacity) {
    if (started)
        return abi_1.ERR_ALREADY_STARTED;
    if (strategy == 0)
        return abi_1.ERR_NO_STRATEGY;
    if (nSizers == 0)
        return abi_1.ERR_NO_SIZER;
    if (symbols < 1 || chunkCapacity < 1 || !(initialCash > 0))
        return abi_1.ERR_BAD_ARGUMENT;
    nSym = symbols;
    cap = chunkCapacity;
    recordsPerStep = symbols * (abi_1.RECORDS_PER_SYMBOL_STEP + nLimits) + 1;
    evCap = eventCapacity < recordsPerStep ? recordsPerStep : eventCapacity;
    let lookback = 1;
    if (strategy == abi_1.STRATEGY_MOMENTUM || strategy == abi_1.STRATEGY_MEAN_REVERSION || strategy == abi_1.STRATEGY_BREAKOUT) {
        lookback = stratInt1;
    }
    else if (strategy == abi_1.STRATEGY_SMA_CROSSOVER)
        lookback = stratInt2;
    let ringLen = 2;
    while (ringLen < lookback + 2)
        ringLen <<= 1;
    ringMask = ringLen - 1;
    ringBytes = ringLen << (strategy == abi_1.STRATEGY_BREAKOUT ? 5 : 3);
    const steps = cap;
    const n = nSym;
    inputBase = alloc((abi_1.N_FIELDS * n * steps) << 3);
    dirBase = alloc((n * steps) << 2);
    indBase = alloc((n * steps) << 4);
    equityOut = alloc(steps << 3);
    cashOut = alloc(steps << 3);
    grossOut = alloc(steps << 3);
    events = alloc((evCap * abi_1.REC_SLOTS) << 3);
    symState = alloc((n * abi_1.SYM_SLOTS) << 3);
    stratState = alloc((n * strategies_1.STRAT_SLOTS) << 3);
    ringBase = alloc(n * ringBytes);
    cash = initialCash;
    peak = initialCash;
    started = true;
    return abi_1.STATUS_OK;
}
function alloc(bytes) {
    const p = heap.alloc(bytes);
    memory.fill(p, 0, bytes);
    return p;
}
/** Address of an input column (field, symbol); the caller writes up to the chunk capacity into it. */
function inputPtr(field, symbol) {
    if (!started || field < 0 || field >= abi_1.N_FIELDS || symbol < 0 || symbol >= nSym)
        return 0;
    return column(field, symbol);
}
/**
 * Processes a chunk of n steps already written to the input columns. Returns how many steps are done;
 * fewer than n when the event buffer is full: read the records, then call resume().
 */
function run(n) {
    if (!started)
        return abi_1.ERR_NOT_STARTED;
    if (n < 0 || n > cap)
        return abi_1.ERR_CHUNK_TOO_LARGE;
    evCount = 0;
    chunkLen = n;
    chunkDone = 0;
    strategyPass(n);
    return portfolioPass();
}
function resume() {
    if (!started)
        return abi_1.ERR_NOT_STARTED;
    evCount = 0;
    return portfolioPass();
}
/** Ends the run: cancels orders still pending. Returns the number of records written. */
function finish() {
    if (!started)
        return abi_1.ERR_NOT_STARTED;
    evCount = 0;
    for (let s = 0; s < nSym; s++) {
        const pending = sym(s, abi_1.SYM_PENDING);
        if (pending != 0) {
            setSym(s, abi_1.SYM_PENDING, 0);
            record(abi_1.KIND_CANCEL, abi_1.TRACE_CANCEL, sym(s, abi_1.SYM_PENDING_SEQ), s, abi_1.REASON_END_OF_DATA, pending, 0, 0, 0);
        }
    }
    return evCount;
}
function eventCount() { return evCount; }
function eventsPtr() { return events; }
function equityPtr() { return equityOut; }
function cashPtr() { return cashOut; }
function grossPtr() { return grossOut; }
function symbolStatePtr() { return symState; }
function cashNow() { return cash; }
function peakEquity() { return peak; }
function isHalted() { return halted; }
function stepsDone() { return stepIndex; }
function chunkCapacity() { return cap; }
function eventCapacity() { return evCap; }
