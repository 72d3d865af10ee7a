// Property-based parity: on random bars and random portfolios, the WebAssembly kernel and the
// reference model (tests/reference) produce the same records, fills and bit-identical equity; and on
// every run, equity is below zero only at or after a `bankrupt` record (docs/semantics.md).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runPortfolio } from '../../src/engine/portfolio.js';
import { fillsOf } from '../../src/engine/records.js';
import { barsAndSpecArb } from '../helpers/arbitraries.js';
import { kernelModule } from '../helpers/kernel.js';
import { runReference } from '../reference/model.js';

const RUNS = Number(process.env.PARITY_RUNS ?? 3000);

describe('kernel ≡ reference model', () => {
  it(`matches on ${RUNS} random bar series × portfolios (records, equity, cash, gross, positions)`, async () => {
    const module = await kernelModule();
    let fills = 0;
    let traded = 0;
    const seen = { margin_limit: 0, margin_call: 0, bankrupt: 0, negative: 0 };
    await fc.assert(
      fc.asyncProperty(barsAndSpecArb, fc.integer({ min: 1, max: 64 }), async ([bars, spec], chunkSize) => {
        const ref = runReference(spec, bars);
        const run = await runPortfolio(module, spec, bars, { tracing: 'full', chunkSize, firstChunk: chunkSize, eventCapacity: 64 });
        expect(run.records).toEqual(ref.records);
        expect(run.fills.toArray()).toEqual(fillsOf(ref.records));
        expect(Array.from(run.equity)).toEqual(Array.from(ref.equity));
        expect(Array.from(run.cash)).toEqual(Array.from(ref.cash));
        expect(Array.from(run.gross)).toEqual(Array.from(ref.gross));
        expect(run.positions.map(({ symbol: _, ...rest }) => rest)).toEqual(ref.positions);
        expect(run.halted).toBe(ref.halted);
        expect(run.bankrupt).toBe(ref.bankrupt);
        const bankruptAt = run.records.find((r) => r.kind === 'risk' && r.reason === 'bankrupt')?.step ?? Infinity;
        const firstNegative = run.equity.findIndex((e) => e < 0);
        if (firstNegative >= 0) {
          seen.negative++;
          expect(bankruptAt).toBeLessThanOrEqual(firstNegative);
        }
        expect(run.bankrupt).toBe(bankruptAt < Infinity);
        for (const r of run.records) if (r.kind === 'risk' && r.reason in seen) seen[r.reason as keyof typeof seen]++;
        fills += run.fills.length;
        if (run.fills.length > 0) traded++;
      }),
      { numRuns: RUNS },
    );
    // The generators must actually exercise trading, or the property proves little.
    expect(traded).toBeGreaterThan(RUNS / 3);
    expect(fills).toBeGreaterThan(RUNS);
    if (process.env.PARITY_VERBOSE) console.log(seen);
    // ... and the margin rules: caps, calls, bankruptcies, and runs whose equity went below zero.
    expect(seen.margin_limit).toBeGreaterThan(RUNS / 20);
    expect(seen.margin_call).toBeGreaterThan(RUNS / 50);
    expect(seen.bankrupt).toBeGreaterThan(RUNS / 100);
    expect(seen.negative).toBeGreaterThan(RUNS / 200);
  });
});
