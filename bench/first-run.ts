// Child process of the benchmark: the first run of a fresh process (nothing compiled or tiered up yet).
// Arguments: strategy case, bars, mode ('kernel' | 'e2e'), 'warm' | 'cold'.
import { firstRuns } from './kernel.js';

const [name, bars, mode, warm] = process.argv.slice(2);
process.stdout.write(JSON.stringify(await firstRuns(name, Number(bars), mode as 'kernel' | 'e2e', warm === 'warm')));
