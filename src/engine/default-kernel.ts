// The kernel bundled with this package, compiled once per process: read from disk under Node (whose
// fetch has no file: URLs), fetched elsewhere (bundlers emit the .wasm beside the code).
import { compileKernel } from './wasm.js';

let compiled: Promise<WebAssembly.Module> | undefined;

/** The package's own kernel module, compiled on first use and shared afterwards. */
export function defaultKernel(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const url = new URL('../../build/foliolab.wasm', import.meta.url);
    if (url.protocol === 'file:') {
      const fsModule = 'node:fs/promises'; // a variable, so bundlers for browsers leave it alone
      const { readFile } = (await import(/* @vite-ignore */ fsModule)) as { readFile(path: URL): Promise<Uint8Array> };
      return compileKernel(await readFile(url));
    }
    return compileKernel(url);
  })();
  compiled.catch(() => (compiled = undefined)); // a failed load may be retried
  return compiled;
}
