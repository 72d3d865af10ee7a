// foliolab/edge: the fetch handler for edge runtimes (workerd, Deno, Bun, Node), on the core library.
export * from './handler.js';
