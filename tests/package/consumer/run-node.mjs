// Runs in a project that installed the packed tarball: every entry imports, and the seed config runs
// inline and in workers. Prints one JSON object.
import { readFileSync } from 'node:fs';
import * as full from 'foliolab';
import * as core from 'foliolab/core';
import * as edge from 'foliolab/edge';
import { digestOf } from './digest.mjs';

const config = full.loadConfig(readFileSync(process.argv[2], 'utf8'));
const inline = await full.runBacktest(config, { executor: 'inline' });
const workers = await full.runBacktest(config, { executor: 'workers', workers: 2 });
const coreRun = await core.runBacktest(core.loadConfig(readFileSync(process.argv[2], 'utf8')), { executor: 'inline' });
console.log(JSON.stringify({
  inline: await digestOf(inline), workers: await digestOf(workers), core: await digestOf(coreRun),
  executors: [inline.executor, workers.executor], warnings: [...inline.warnings, ...workers.warnings],
  edgeHandler: typeof edge.createBacktestHandler,
}));
// No dispose: the default pool must not keep the process alive.
