// Child process of the benchmark: the scaling section in a process of its own, so the main thread's
// garbage collections measure this section's results only (the ingest section leaves a heap of several GB
// that made every later main-thread collection slower). Progress lines go to stderr; the figures to stdout.
import { benchBars } from './kernel.js';
import { benchScaling } from './scaling.js';

const [bars, quiet] = process.argv.slice(2);
const log = quiet === 'quiet' ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
process.stdout.write(JSON.stringify(await benchScaling(benchBars(Number(bars)), log)));
