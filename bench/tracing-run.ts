// Child process of the benchmark: one tracing level, measured in a fresh process (see bench/tracing.ts).
import type { TracingLevel } from '../src/engine/spec.js';
import { benchBars } from './kernel.js';
import { benchTracingLevel } from './tracing.js';

const [bars, level] = process.argv.slice(2);
process.stdout.write(JSON.stringify(await benchTracingLevel(benchBars(Number(bars)), level as TracingLevel)));
