// Cloudflare Workers / workerd entry: the kernel is imported as a precompiled module, because
// workerd refuses to compile WebAssembly from bytes at run time.
import kernel from './foliolab.wasm';
import { createBacktestHandler } from './handler.js';

export default createBacktestHandler(kernel);
