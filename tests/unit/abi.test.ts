// Pins the kernel's binary interface: the constants both languages read from assembly/abi.ts, and the
// raw bytes the kernel writes where TS reads them. Changing the layout must change ABI_VERSION.
import { describe, expect, it } from 'vitest';
import * as abi from '../../assembly/abi.js';
import { compileKernel, instantiateKernel, KernelLoadError } from '../../src/engine/wasm.js';
import { kernelModule } from '../helpers/kernel.js';

describe('ABI', () => {
  it('keeps its pinned layout (bump ABI_VERSION and this table together)', () => {
    expect(abi.ABI_VERSION).toBe(5);
    expect([abi.FILL_STEP, abi.FILL_SYMBOL, abi.FILL_QUANTITY, abi.FILL_PRICE, abi.FILL_COMMISSION, abi.FILL_REALIZED,
      abi.FILL_ORDER_SEQ, abi.FILL_FIELDS]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([abi.REC_SLOTS, abi.REC_KIND, abi.REC_SEQ, abi.REC_CAUSE, abi.REC_STEP, abi.REC_SYMBOL, abi.REC_REASON,
      abi.REC_A, abi.REC_B, abi.REC_C, abi.REC_D]).toEqual([10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([abi.KIND_SIGNAL, abi.KIND_ORDER, abi.KIND_FILL, abi.KIND_RISK, abi.KIND_CANCEL]).toEqual([1, 2, 3, 4, 5]);
    expect([abi.SYM_SLOTS, abi.SYM_POSITION, abi.SYM_AVG_COST, abi.SYM_MARK, abi.SYM_PENDING, abi.SYM_PENDING_SEQ,
      abi.SYM_PREV_DIR, abi.SYM_REALIZED, abi.SYM_FEES]).toEqual([8, 0, 1, 2, 3, 4, 5, 6, 7]);
    expect([abi.FIELD_OPEN, abi.FIELD_HIGH, abi.FIELD_LOW, abi.FIELD_CLOSE, abi.FIELD_SIGNAL, abi.N_FIELDS]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([abi.REASON_SIGNAL, abi.REASON_MAX_POSITION_VALUE, abi.REASON_MAX_POSITION_SIZE, abi.REASON_MAX_GROSS_EXPOSURE,
      abi.REASON_MAX_DRAWDOWN, abi.REASON_HALTED, abi.REASON_ORDER_REDUCED, abi.REASON_ORDER_REJECTED, abi.REASON_END_OF_DATA,
      abi.REASON_MARGIN_LIMIT, abi.REASON_MARGIN_CALL, abi.REASON_BANKRUPT])
      .toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // Limit codes double as the reason codes of the records they write.
    expect([abi.LIMIT_MAX_POSITION_VALUE, abi.LIMIT_MAX_POSITION_SIZE, abi.LIMIT_MAX_GROSS_EXPOSURE, abi.LIMIT_MAX_DRAWDOWN])
      .toEqual([abi.REASON_MAX_POSITION_VALUE, abi.REASON_MAX_POSITION_SIZE, abi.REASON_MAX_GROSS_EXPOSURE, abi.REASON_MAX_DRAWDOWN]);
  });

  it('imports its memory (so a thread can hand a cleared one to its next instance) and exports it', async () => {
    const module = await kernelModule();
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'env', name: 'abort', kind: 'function' },
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
    expect(WebAssembly.Module.exports(module)).toContainEqual({ name: 'memory', kind: 'memory' });
    const memory = new WebAssembly.Memory({ initial: 1 });
    const k = await instantiateKernel(module, memory);
    expect(k.memory).toBe(memory);
  });

  it('the built kernel reports the same ABI version', async () => {
    const k = await instantiateKernel(await kernelModule());
    expect(k.abiVersion()).toBe(abi.ABI_VERSION);
  });

  it('writes a fill record at the pinned offsets', async () => {
    // Buy-and-hold, fixed 10, capital 1 000; bars (open, close): (10, 11), (12, 13).
    // Records: seq 0 signal, seq 1 order, seq 2 fill of 10 @ 12 at step 1, caused by the order (seq 1).
    const k = await instantiateKernel(await kernelModule());
    expect(k.setStrategy(abi.STRATEGY_BUY_AND_HOLD, 0, 0, 0, 0)).toBe(abi.STATUS_OK);
    expect(k.addSizer(abi.SIZER_FIXED, 10)).toBe(abi.STATUS_OK);
    expect(k.setExecution(abi.FILL_NEXT_OPEN, 0, 0.5, 0, 0, 0, 0.5, 0.3)).toBe(abi.STATUS_OK);
    k.setTraceMask(abi.TRACE_FILL);
    expect(k.start(1, 1_000, 4, 64, 0)).toBe(abi.STATUS_OK);
    const mem = new Float64Array(k.memory.buffer);
    mem.set([10, 12], k.inputPtr(abi.FIELD_OPEN, 0) / 8);
    mem.set([11, 13], k.inputPtr(abi.FIELD_CLOSE, 0) / 8);
    expect(k.run(2)).toBe(2);
    expect(k.eventCount()).toBe(1); // only the fill is kept at this tracing mask
    const base = k.eventsPtr() / 8;
    // kind, seq, cause, step, symbol, reason, quantity, price, commission (0.5 · 10), realized
    expect(Array.from(mem.subarray(base, base + 10))).toEqual([3, 2, 1, 1, 0, 0, 10, 12, 5, 0]);
    // Equity per step: 1 000, then 1 000 − 120 − 5 + 10 · 13 = 1 005.
    expect(Array.from(mem.subarray(k.equityPtr() / 8, k.equityPtr() / 8 + 2))).toEqual([1_000, 1_005]);
    // The same fill in the fill columns (written at every tracing mask): column j starts at j · capacity.
    expect(k.fillCountNow()).toBe(1);
    const column = (field: number) => mem[k.fillColumnPtr(field) / 8];
    expect([abi.FILL_STEP, abi.FILL_SYMBOL, abi.FILL_QUANTITY, abi.FILL_PRICE, abi.FILL_COMMISSION, abi.FILL_REALIZED,
      abi.FILL_ORDER_SEQ].map(column)).toEqual([1, 0, 10, 12, 5, 0, 1]);
    expect(k.fillColumnPtr(abi.FILL_SYMBOL) - k.fillColumnPtr(abi.FILL_STEP)).toBe(8 * k.eventCapacity());
    const state = k.symbolStatePtr() / 8;
    expect(Array.from(mem.subarray(state, state + abi.SYM_SLOTS))).toEqual([10, 12, 13, 0, 1, 1, 0, 5]);
  });

  it('writes fills to the fill columns but not to the event buffer when tracing is off', async () => {
    const k = await instantiateKernel(await kernelModule());
    k.setStrategy(abi.STRATEGY_BUY_AND_HOLD, 0, 0, 0, 0);
    k.addSizer(abi.SIZER_FIXED, 10);
    k.setExecution(abi.FILL_NEXT_OPEN, 0, 0, 0, 0, 0, 0.5, 0.3);
    k.setTraceMask(0);
    k.start(1, 1_000, 4, 64, 0);
    const mem = new Float64Array(k.memory.buffer);
    mem.set([10, 12], k.inputPtr(abi.FIELD_OPEN, 0) / 8);
    mem.set([11, 13], k.inputPtr(abi.FIELD_CLOSE, 0) / 8);
    expect(k.run(2)).toBe(2);
    expect(k.eventCount()).toBe(0);
    expect(k.fillCountNow()).toBe(1);
    expect(mem[k.fillColumnPtr(abi.FILL_QUANTITY) / 8]).toBe(10);
    expect(k.fillColumnPtr(abi.FILL_FIELDS)).toBe(0); // out of range
  });

  it('returns status codes for bad calls instead of trapping', async () => {
    const k = await instantiateKernel(await kernelModule());
    expect(k.run(1)).toBe(abi.ERR_NOT_STARTED);
    expect(k.start(1, 1_000, 4, 64, 0)).toBe(abi.ERR_NO_STRATEGY);
    expect(k.setStrategy(99, 0, 0, 0, 0)).toBe(abi.ERR_BAD_ARGUMENT);
    expect(k.setStrategy(abi.STRATEGY_MOMENTUM, 0, 0.1, 0, 1)).toBe(abi.ERR_BAD_ARGUMENT); // L = 0
    expect(k.setStrategy(abi.STRATEGY_MOMENTUM, 5, 0.1, 0, 1)).toBe(abi.STATUS_OK);
    expect(k.start(1, 1_000, 4, 64, 0)).toBe(abi.ERR_NO_SIZER);
    expect(k.addSizer(abi.SIZER_FIXED, -1)).toBe(abi.ERR_BAD_ARGUMENT);
    expect(k.addLimit(abi.LIMIT_MAX_DRAWDOWN, 1.5)).toBe(abi.ERR_BAD_ARGUMENT);
    expect(k.addSizer(abi.SIZER_FIXED, 1)).toBe(abi.STATUS_OK);
    expect(k.start(1, 1_000, 4, 64, 0)).toBe(abi.STATUS_OK);
    expect(k.start(1, 1_000, 4, 64, 0)).toBe(abi.ERR_ALREADY_STARTED);
    expect(k.run(5)).toBe(abi.ERR_CHUNK_TOO_LARGE);
  });

  it('refuses a WebAssembly module that is not the kernel', async () => {
    const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    await expect(compileKernel(empty)).rejects.toThrow(KernelLoadError);
    await expect(compileKernel(empty)).rejects.toThrow(/not the foliolab kernel \(no "abiVersion" export\)/);
  });
});
