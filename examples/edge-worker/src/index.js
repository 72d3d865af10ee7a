// A deployable Cloudflare Worker that runs foliolab backtests: POST a config (YAML, or JSON with CSV
// per symbol, or multipart) and get metrics, analytics and decimated curves back as JSON.
// workerd cannot compile WebAssembly at run time, so the kernel is imported as a module (CompiledWasm).
import kernel from 'foliolab/foliolab.wasm';
import { createBacktestHandler } from 'foliolab/edge';

export default createBacktestHandler({
  kernel,
  // The defaults (8 MiB bodies, 500 000 bar-portfolios) fit a Workers isolate's 128 MB; for example
  // limits: { maxBarPortfolios: 2_000_000 } with a higher cpu_ms in wrangler.toml, where memory allows.
  limits: {},
  cors: '*',
});
