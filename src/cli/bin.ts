#!/usr/bin/env node
// The `foliolab` command (dist/cli.js): the worker pool registered, so large runs use workers.
import '../../workers/index.js';
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
