// `npm run demo`: the planning document's two-portfolio config on one year of generated 1-minute SPY
// bars (written to data/SPY_1m.csv the first time), with the summary printed and results in out/.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { toCsv } from '../src/data/csv.js';
import { generateBars } from '../src/data/generate.js';
import { main } from '../src/cli/main.js';
import '../workers/index.js'; // the worker pool, for executor 'auto' on large runs

const dataFile = 'data/SPY_1m.csv';
if (!existsSync(dataFile)) {
  // 252 sessions of 390 one-minute bars.
  const bars = generateBars({ symbols: ['SPY'], bars: 252 * 390, interval: '1m', seed: 2024, start: '2024-01-02' });
  await mkdir('data', { recursive: true });
  await writeFile(dataFile, toCsv(bars));
  console.error(`generated ${dataFile} (${bars.series.SPY.close.length} bars)`);
}
process.exitCode = await main(['run', 'tests/fixtures/seed-config.yaml', '--data', dataFile, '--out', 'out']);
