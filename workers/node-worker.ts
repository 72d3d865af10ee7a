// Node worker_thread entry: exposes the worker API over comlink's adapter for the thread's parent port.
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { workerApi } from './worker-api.js';

if (!parentPort) throw new Error('workers/node-worker must run as a worker_thread');
expose(workerApi, nodeEndpoint(parentPort as unknown as Parameters<typeof nodeEndpoint>[0]));
