// Node worker_thread entry when running from TypeScript sources: registers tsx's loader, then loads
// the worker module named in workerData (Node 20 does not apply --import to a worker's own entry).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
