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
    allowMargin: number, initialMargin: number, maintenanceMargin: number): number;
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
  isBankrupt(): number;
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

/** Pages a kernel memory starts with: the minimum its import declares (asconfig.json, initialMemory). */
const KERNEL_PAGES = 1;

/** A new linear memory for one kernel instance (it grows as the instance allocates). */
export function kernelMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: KERNEL_PAGES });
}

/**
 * One instance, hence one portfolio, on a linear memory of its own: a fresh one by default, or one
 * that reads as zero throughout and that no live instance uses (a KernelMemoryPool gives such).
 */
export async function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory = kernelMemory()): Promise<KernelExports> {
  const imports = {
    env: {
      memory,
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

/**
 * Linear memories of finished instances, cleared, for the next instance of the same thread. A thread
 * that runs portfolios one after another (a worker, or runEach inline) gives each new instance the
 * memory the last one used instead of a fresh one: fresh wasm memory costs a reservation of address
 * space, a page fault per page touched and, in V8, a full garbage collection every few instances
 * (about one for every two systems of a 1M-bar run). A memory is zeroed when it comes back, so
 * nothing of a finished portfolio stays in it, and it is never given to two live instances.
 */
export class KernelMemoryPool {
  private readonly free: WebAssembly.Memory[] = [];

  /** @param maxKept memories kept at most (one suffices for runs one after another). */
  constructor(private readonly maxKept = 1) {}

  /** A memory no live instance uses, reading as zero throughout. */
  take(): WebAssembly.Memory {
    return this.free.pop() ?? kernelMemory();
  }

  /** Takes back the memory of an instance that is done: the caller must not use that instance again. */
  give(memory: WebAssembly.Memory): void {
    if (this.free.length >= this.maxKept || this.free.includes(memory)) return;
    new Uint8Array(memory.buffer).fill(0);
    this.free.push(memory);
  }

  /** Memories kept for reuse. */
  get size(): number {
    return this.free.length;
  }
}
