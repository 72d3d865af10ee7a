// Loading the kernel: compile once from a Module, bytes, a URL or a Response; instantiate per portfolio.
// workerd forbids compiling bytes at run time, so an imported precompiled Module is accepted as is.
import { ABI_VERSION } from '../../assembly/abi.js';

/** What the kernel exports (the pointer API; no generated bindings, nothing is copied per call). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  abiVersion(): number;
  setStrategy(code: number, p1: number, p2: number, p3: number, allowShort: number): number;
  addSizer(code: number, value: number): number;
  addLimit(code: number, value: number): number;
  setExecution(mode: number, slippageBps: number, perShare: number, percent: number, minimum: number,
    allowMargin: number): number;
  setTraceMask(mask: number): void;
  start(symbols: number, initialCash: number, chunkCapacity: number, eventCapacity: number, runSteps: number): number;
  inputPtr(field: number, symbol: number): number;
  run(steps: number): number;
  resume(): number;
  finish(): number;
  adjustCash(amount: number): number;
  eventCount(): number;
  eventsPtr(): number;
  fillCountNow(): number;
  fillColumnPtr(field: number): number;
  equityPtr(): number;
  cashPtr(): number;
  grossPtr(): number;
  equityRunPtr(): number;
  cashRunPtr(): number;
  grossRunPtr(): number;
  symbolStatePtr(): number;
  cashNow(): number;
  peakEquity(): number;
  isHalted(): number;
  stepsDone(): number;
  chunkCapacity(): number;
  eventCapacity(): number;
}

/** Anything the kernel can be loaded from. */
export type KernelSource =
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | Response
  | PromiseLike<Response>
  | URL
  | string;

export class KernelLoadError extends Error {
  override name = 'KernelLoadError';
}

/**
 * Compiles the kernel module (or passes a precompiled one through).
 * @example
 *   const module = await compileKernel(new URL('../../build/foliolab.wasm', import.meta.url));
 */
export async function compileKernel(source: KernelSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return checked(source);
  if (typeof source === 'string' || source instanceof URL) {
    return compileKernel(fetch(source));
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    return checked(await WebAssembly.compile(source as BufferSource));
  }
  const response = await source;
  if (!response.ok) throw new KernelLoadError(`cannot load the kernel from ${response.url}: HTTP ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  // compileStreaming insists on application/wasm; fall back to bytes for servers that do not send it.
  if (type.startsWith('application/wasm') && typeof WebAssembly.compileStreaming === 'function') {
    return checked(await WebAssembly.compileStreaming(response));
  }
  return checked(await WebAssembly.compile(await response.arrayBuffer()));
}

function checked(module: WebAssembly.Module): WebAssembly.Module {
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const name of ['abiVersion', 'start', 'run', 'memory']) {
    if (!names.has(name)) throw new KernelLoadError(`this WebAssembly module is not the foliolab kernel (no "${name}" export)`);
  }
  return module;
}

/** One fresh instance: its own linear memory, hence its own portfolio. */
export async function instantiateKernel(module: WebAssembly.Module): Promise<KernelExports> {
  const imports = {
    env: {
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`foliolab kernel aborted at ${line}:${column}`);
      },
    },
  };
  const instance = await WebAssembly.instantiate(module, imports);
  const kernel = instance.exports as unknown as KernelExports;
  const version = kernel.abiVersion();
  if (version !== ABI_VERSION) {
    throw new KernelLoadError(`kernel ABI version ${version} does not match this library's ${ABI_VERSION}; rebuild the wasm`);
  }
  return kernel;
}
