#!/usr/bin/env node
// The foliolab command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../workers/index.ts'); // registers the worker pool, so large runs use executor 'auto' → workers
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
