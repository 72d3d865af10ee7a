// The bundled kernel under workerd (the package's `workerd` condition): imported as a module, because
// workerd compiles WebAssembly only from modules it loaded itself, never from bytes at run time.
import kernel from './foliolab.wasm';

/** The package's own kernel module. */
export function defaultKernel(): Promise<WebAssembly.Module> {
  return Promise.resolve(kernel as WebAssembly.Module);
}
