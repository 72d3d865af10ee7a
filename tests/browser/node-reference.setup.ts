// Browser project globalSetup (runs in Node): runs the seed config inline in Node and provides the
// digest of its results and the seed YAML to the browser tests.
import { readFile } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config/index.js';
import { generateBars } from '../../src/data/generate.js';
import { runBacktest } from '../../src/workflow/run.js';
import { digestOf, SEED_RUN } from '../shared/digest.js';

declare module 'vitest' {
  export interface ProvidedContext {
    seedYaml: string;
    nodeDigest: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const seedYaml = await readFile(new URL('../fixtures/seed-config.yaml', import.meta.url), 'utf8');
  const bars = generateBars({ symbols: SEED_RUN.symbols, bars: SEED_RUN.bars, interval: '1m', seed: SEED_RUN.seed });
  const result = await runBacktest(loadConfig(seedYaml), { bars, executor: 'inline' });
  project.provide('seedYaml', seedYaml);
  project.provide('nodeDigest', await digestOf(result));
}
