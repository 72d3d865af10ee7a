// Child process of the benchmark: one cold run of each engine (fresh V8, nothing compiled or tiered up).
import { firstRuns } from './kernel.js';

const [name, bars] = process.argv.slice(2);
process.stdout.write(JSON.stringify(await firstRuns(name, Number(bars))));
