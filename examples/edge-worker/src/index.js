// A deployable Cloudflare Worker that runs foliolab backtests: POST a config (YAML, or JSON with CSV
// per symbol, or multipart) and get metrics, analytics and decimated curves back as JSON.
// workerd cannot compile WebAssembly at run time, so the kernel is imported as a module (CompiledWasm).
import kernel from 'foliolab/foliolab.wasm';
import { createBacktestHandler } from 'foliolab/edge';

export default createBacktestHandler({
  kernel,
  // The defaults fit a Workers isolate (128 MB, a few seconds of CPU); raise them on a paid plan.
  limits: { maxBodyBytes: 8 * 1024 * 1024, maxBarPortfolios: 1_000_000 },
  cors: '*',
});
