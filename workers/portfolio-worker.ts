// Browser worker entry (a module Worker, or a classic one once a bundler has made it an iife): exposes the
// worker API over comlink. No top-level await, so bundlers may emit it in any worker format.
import { expose } from 'comlink';
import { workerApi } from './worker-api.js';

expose(workerApi);
