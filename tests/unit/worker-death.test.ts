// unlessDead: a pool call that the worker's death can interrupt, without keeping anything alive once the
// call has settled. (Racing each call against the never-settling `died` promise kept every call's scope,
// and with it every result of every run, for as long as the worker lived: about 0.6 GB of resident
// memory more per 100-system, 1M-bar run in one process.)
import { describe, expect, it } from 'vitest';
import { deathWatcherCount, unlessDead } from '../../workers/spawn.js';

function fakeWorker() {
  let die!: (e: Error) => void;
  const died = new Promise<Error>((resolve) => (die = resolve));
  return { died, die };
}

describe('unlessDead', () => {
  it('passes results and errors through, and keeps no watcher once calls settle', async () => {
    const worker = fakeWorker();
    const values = await Promise.all(Array.from({ length: 50 }, (_, i) => unlessDead(worker, Promise.resolve(i))));
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await expect(unlessDead(worker, Promise.reject(new Error('call failed')))).rejects.toThrow('call failed');
    expect(deathWatcherCount(worker)).toBe(0);
  });

  it('rejects the calls in flight when the worker dies, and only those', async () => {
    const worker = fakeWorker();
    await unlessDead(worker, Promise.resolve('done before'));
    const pending = [unlessDead(worker, new Promise(() => {})), unlessDead(worker, new Promise(() => {}))];
    expect(deathWatcherCount(worker)).toBe(2);
    worker.die(new Error('worker exited with code 1'));
    for (const call of pending) await expect(call).rejects.toThrow('worker exited with code 1');
    expect(deathWatcherCount(worker)).toBe(0);
  });
});
