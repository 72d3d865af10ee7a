// The kernel in real Chromium: loaded from a URL (fetch + compileStreaming), it must agree bit for bit
// with the reference model running in the same page, on random bars and portfolios.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import kernelUrl from '../../build/foliolab.wasm?url';
import { runPortfolio } from '../../src/engine/portfolio.js';
import { fillsOf } from '../../src/engine/records.js';
import { compileKernel } from '../../src/engine/wasm.js';
import { barsAndSpecArb } from '../helpers/arbitraries.js';
import { runReference } from '../reference/model.js';

describe('kernel in Chromium', () => {
  it('runs in a real browser page', () => {
    expect(typeof window).toBe('object');
    expect(navigator.userAgent).toMatch(/Chrome\//);
  });

  it('loads from a URL and matches the reference model on 500 random cases', async () => {
    const module = await compileKernel(new URL(kernelUrl, location.href));
    let fills = 0;
    await fc.assert(
      fc.asyncProperty(barsAndSpecArb, async ([bars, spec]) => {
        const run = await runPortfolio(module, spec, bars, { tracing: 'full', chunkSize: 37, firstChunk: 5 });
        const ref = runReference(spec, bars);
        expect(run.records).toEqual(ref.records);
        expect(run.fills.toArray()).toEqual(fillsOf(ref.records));
        expect(Array.from(run.equity)).toEqual(Array.from(ref.equity));
        fills += run.fills.length;
      }),
      { numRuns: 500, seed: 4242 },
    );
    expect(fills).toBeGreaterThan(500);
  });
});
