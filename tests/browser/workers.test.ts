// The seed config in Web Workers inside Chromium: one kernel instance per portfolio in a worker pool,
// bit-identical to the inline run in Node (digest provided by node-reference.setup.ts).
import { describe, expect, inject, it } from 'vitest';
import kernelUrl from '../../build/foliolab.wasm?url';
import { compileKernel } from '../../src/engine/wasm.js';
import { createWorkerPool, generateBars, loadConfig, runBacktest } from '../../workers/index.js';
import { digestOf, SEED_RUN } from '../shared/digest.js';

describe('worker pool in the browser', () => {
  it('runs the seed config in Web Workers, bit-identical to Node inline', async () => {
    const kernel = await compileKernel(new URL(kernelUrl, location.href));
    const bars = generateBars({ symbols: SEED_RUN.symbols, bars: SEED_RUN.bars, interval: '1m', seed: SEED_RUN.seed });
    const pool = createWorkerPool({ size: 2 });
    try {
      const progress: string[] = [];
      const result = await runBacktest(loadConfig(inject('seedYaml')), {
        bars, kernel, executor: pool, sliceSteps: 5_000, onProgress: (p) => progress.push(`${p.portfolioId}:${p.stepsDone}`),
      });
      expect(result.executor).toBe('workers');
      expect(progress).toContain('momentum_portfolio:20000');
      expect(progress).toContain('mean_reversion_portfolio:20000');
      const digest = await digestOf(result);
      expect(digest.momentum_portfolio).toMatch(/^[1-9]\d* fills, [0-9a-f]{64}$/);
      expect(digest).toEqual(inject('nodeDigest'));
    } finally {
      await pool.dispose();
    }
  });

  it('inline in the page gives the same digest too', async () => {
    const kernel = await compileKernel(new URL(kernelUrl, location.href));
    const bars = generateBars({ symbols: SEED_RUN.symbols, bars: SEED_RUN.bars, interval: '1m', seed: SEED_RUN.seed });
    const result = await runBacktest(loadConfig(inject('seedYaml')), { bars, kernel, executor: 'inline' });
    expect(await digestOf(result)).toEqual(inject('nodeDigest'));
  });
});
