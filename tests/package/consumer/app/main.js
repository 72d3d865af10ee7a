// A minimal Vite app using the installed package: the seed config inline and in workers.
import { loadConfig, runBacktest } from 'foliolab';
import { digestOf } from '../digest.mjs';
import configText from '../seed-generated.yaml?raw';

const out = document.getElementById('out');
try {
  const config = loadConfig(configText);
  const inline = await runBacktest(config, { executor: 'inline' });
  const workers = await runBacktest(config, { executor: 'workers', workers: 2 });
  out.textContent = JSON.stringify({
    inline: await digestOf(inline), workers: await digestOf(workers),
    executors: [inline.executor, workers.executor], warnings: [...inline.warnings, ...workers.warnings],
  });
} catch (e) {
  out.textContent = `error: ${e?.stack ?? e}`;
}
