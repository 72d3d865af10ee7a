// The run cache in Node (memory backend): keys, a stored run reading back identical to a fresh one, LRU
// eviction under a budget, a damaged record dropped, an aborted run storing nothing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { generateBars } from '../../src/data/generate.js';
import { canonicalJson, ENGINE_VERSION, openRunCache, RunCache, runCached, runKey } from '../../src/cache/index.js';
import { MemoryRunStore } from '../../src/cache/memory.js';
import { decodeRun, encodeRun, murmur3, payloadChecksum } from '../../src/cache/record.js';
import { LIBRARY_VERSION, sha256Hex } from '../../src/cache/key.js';
import { ABI_VERSION } from '../../assembly/abi.js';
import { runBacktest } from '../../src/workflow/run.js';
import { digestOf } from '../shared/digest.js';

const yaml = (lookback = 20, bars = 3000) => `
workflow: { name: unit cache }
data: { source: generated, symbols: [SPY, QQQ], bars: ${bars}, interval: 1m, seed: 7 }
trading_systems:
  - portfolio_id: mom
    initial_capital: 50000
    strategy: { type: momentum, parameters: { lookback_period: ${lookback}, momentum_threshold: 0.0002 } }
    risk: { position_sizers: [{ type: fixed, size: 100 }] }
  - portfolio_id: mr
    initial_capital: 50000
    strategy: { type: mean_reversion, parameters: { lookback_period: 15, entry_threshold: 1.0 } }
    risk: { position_sizers: [{ type: percentage, size: 0.02 }] }
`;

describe('cache keys', () => {
  it('sha256Hex matches the FIPS 180-2 test vector and node:crypto', async () => {
    expect(await sha256Hex(['a', 'bc'])).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const floats = new Float64Array([1.5, -0, Number.NaN]);
    const expected = createHash('sha256').update('x').update(new Uint8Array(floats.buffer)).digest('hex');
    expect(await sha256Hex(['x', floats])).toBe(expected);
  });

  it('murmur3 matches the reference vectors of MurmurHash3_x86_32', () => {
    // smhasher vectors: "" seed 0 → 0, "" seed 1 → 0x514e28b7, "test" (bytes 74 65 73 74, one LE word) seed 0 → 0xba6bd213
    expect(murmur3([], 0, 0)).toBe(0);
    expect(murmur3([], 0, 1)).toBe(0x514e28b7);
    expect(murmur3([0x74736574], 1, 0)).toBe(0xba6bd213);
  });

  it('the payload checksum changes with any one bit of the data or text', () => {
    const data = new Float64Array([1, 2, 3, 4]);
    const base = payloadChecksum({ json: '{"a":1}', data: data.buffer.slice(0) });
    for (let bit = 0; bit < 256; bit += 37) {
      const bytes = new Uint8Array(data.buffer.slice(0));
      bytes[bit >> 3] ^= 1 << (bit & 7);
      expect(payloadChecksum({ json: '{"a":1}', data: bytes.buffer })).not.toBe(base);
    }
    expect(payloadChecksum({ json: '{"a":2}', data: data.buffer.slice(0) })).not.toBe(base);
    expect(payloadChecksum({ json: '{"a":1}', data: data.buffer.slice(0, 24) })).not.toBe(base);
  });

  it('the engine version names the package release and the kernel ABI', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(LIBRARY_VERSION).toBe(pkg.version); // bump both together: keys must move with every release
    expect(ENGINE_VERSION).toBe(`foliolab ${pkg.version} abi ${ABI_VERSION}`);
  });

  it('canonicalJson sorts keys at every level and spells out what JSON loses', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
    expect(canonicalJson({ x: Number.NaN, y: -0, z: undefined })).toBe('{"x":"NaN","y":"-0"}');
  });

  it('is the SHA-256 of canonical config, data fingerprint, keyed options and engine version', async () => {
    const config = loadConfig(yaml());
    const { warnings: _w, ...meaning } = config;
    const text = `${canonicalJson(meaning)}\ngenerated\n${canonicalJson({})}\n${ENGINE_VERSION}`;
    expect(await runKey(config)).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('ignores key order and formatting, follows every parameter, the data and the options', async () => {
    const base = await runKey(loadConfig(yaml()));
    const reordered = yaml().replace('{ lookback_period: 20, momentum_threshold: 0.0002 }', '{ momentum_threshold: 2.0e-4, lookback_period: 20 }');
    expect(reordered).not.toBe(yaml());
    expect(await runKey(loadConfig(reordered))).toBe(base);
    expect(await runKey(loadConfig(yaml(21)))).not.toBe(base);
    expect(await runKey(loadConfig(yaml(20, 3001)))).not.toBe(base);
    expect(await runKey(loadConfig(yaml()), undefined, { tracing: 'full' })).not.toBe(base);
    const bars = generateBars({ symbols: ['SPY', 'QQQ'], bars: 500, seed: 1 });
    const other = generateBars({ symbols: ['SPY', 'QQQ'], bars: 500, seed: 1 });
    other.series.QQQ.close[499] += 0.01;
    const withBars = await runKey(loadConfig(yaml()), bars);
    expect(withBars).not.toBe(base);
    expect(await runKey(loadConfig(yaml()), generateBars({ symbols: ['SPY', 'QQQ'], bars: 500, seed: 1 }))).toBe(withBars);
    expect(await runKey(loadConfig(yaml()), other)).not.toBe(withBars);
  });
});

describe('run cache (memory)', () => {
  it('a second identical run is a hit whose results equal a fresh run, bit for bit', async () => {
    const cache = await openRunCache({ namespace: 'unit' });
    expect(cache.kind).toBe('memory');
    const config = loadConfig(yaml());
    const first = await runCached(cache, config, { executor: 'inline', tracing: 'trades' });
    expect([first.fromCache, first.stored]).toEqual([false, true]);
    const second = await runCached(cache, loadConfig(yaml()), { executor: 'inline', tracing: 'trades' });
    expect(second.fromCache).toBe(true);
    expect(second.key).toBe(first.key);
    const fresh = await runBacktest(config, { executor: 'inline', tracing: 'trades' });
    expect(await digestOf(second.result)).toEqual(await digestOf(fresh));
    for (const id of ['mom', 'mr']) {
      const [hit, ref] = [second.result.portfolios[id], fresh.portfolios[id]];
      if (hit.status !== 'ok' || ref.status !== 'ok') throw new Error(`${id} failed`);
      expect(hit.fills.length).toBeGreaterThan(10);
      expect(hit.metrics).toEqual(ref.metrics);
      expect(hit.trades).toEqual(ref.trades);
      expect(hit.events.length).toBeGreaterThan(10);
      expect(hit.events).toEqual(ref.events);
      expect(hit.positions).toEqual(ref.positions);
    }
    const [entry] = await cache.list();
    expect(entry).toMatchObject({ key: first.key, label: 'unit cache' });
    // 3000 steps × (timestamps + 2 × equity, cash, gross) × 8 bytes, plus fills, records and JSON
    expect(entry.size).toBeGreaterThan(3000 * 7 * 8);
  });

  it('non-finite numbers and -0 survive a round trip', async () => {
    const result = await runBacktest(loadConfig(yaml(20, 400)), { executor: 'inline' });
    const p = result.portfolios.mom;
    if (p.status !== 'ok') throw new Error(p.error);
    (p.metrics as unknown as Record<string, number>).sharpe = Number.NaN;
    (p.metrics as unknown as Record<string, number>).sortino = -0;
    p.positions.push({ ...p.positions[0], avgPrice: Number.POSITIVE_INFINITY } as never);
    const back = decodeRun(encodeRun(result), loadConfig(yaml(20, 400))).portfolios.mom;
    if (back.status !== 'ok') throw new Error('failed');
    expect(back.metrics.sharpe).toBeNaN();
    expect(Object.is(back.metrics.sortino, -0)).toBe(true);
    expect(back.positions.at(-1)).toEqual(p.positions.at(-1));
  });

  it('evicts the least recently used entries to stay within the budget', async () => {
    const configs = [yaml(10, 600), yaml(11, 600), yaml(12, 600)].map((t) => loadConfig(t));
    const probe = await openRunCache();
    await runCached(probe, configs[0], { executor: 'inline' });
    const size = (await probe.list())[0].size;
    const cache = await openRunCache({ budgetBytes: Math.floor(size * 2.5) }); // room for two entries of this size
    const keys = [];
    for (const config of configs.slice(0, 2)) keys.push((await runCached(cache, config, { executor: 'inline' })).key);
    expect((await runCached(cache, configs[0], { executor: 'inline' })).fromCache).toBe(true); // entry 0 is now the most recent
    keys.push((await runCached(cache, configs[2], { executor: 'inline' })).key);
    expect((await cache.list()).map((e) => e.key).sort()).toEqual([keys[0], keys[2]].sort());
    const tiny = await openRunCache({ budgetBytes: size - 1 });
    const run = await runCached(tiny, configs[0], { executor: 'inline' });
    expect([run.stored, (await tiny.list()).length]).toEqual([false, 0]);
  });

  it('drops a damaged record instead of returning it', async () => {
    const store = new MemoryRunStore();
    const cache = new RunCache(store, 'unit');
    const config = loadConfig(yaml(20, 500));
    const { key } = await runCached(cache, config, { executor: 'inline' });
    const record = (await store.read(key, 0))!;
    new Float64Array(record.payload.data)[1234] += 1; // one stored value changed, checksum left as it was
    await store.write(record, Infinity);
    expect(await cache.get(key, config)).toBeDefined(); // this instance still holds what it stored, decoded
    const reader = new RunCache(store, 'unit'); // as another page would read the store
    expect(await reader.get(key, config)).toBeUndefined();
    expect(await cache.list()).toEqual([]);
  });

  it('keeps recent results decoded, until their entry is deleted or cleared', async () => {
    const store = new MemoryRunStore();
    const cache = new RunCache(store, 'unit');
    const config = loadConfig(yaml(20, 500));
    const first = await runCached(cache, config, { executor: 'inline' });
    const hit = await runCached(cache, config, { executor: 'inline' });
    expect(hit.fromCache).toBe(true);
    expect(hit.result).toBe(first.result);
    const other = new RunCache(store, 'unit');
    const cold = await runCached(other, config, { executor: 'inline' });
    expect(cold.fromCache).toBe(true);
    expect(cold.result).not.toBe(first.result);
    expect(await digestOf(cold.result)).toEqual(await digestOf(first.result));
    await cache.delete(first.key);
    expect(await cache.get(first.key, config)).toBeUndefined();
  });

  it('an aborted run rejects and stores nothing; delete and clear empty the history', async () => {
    const cache = await openRunCache();
    const controller = new AbortController();
    const run = runCached(cache, loadConfig(yaml(20, 20_000)), {
      executor: 'inline', sliceSteps: 1000, signal: controller.signal, onProgress: (p) => p.stepsDone >= 5000 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(await cache.list()).toEqual([]);
    const a = await runCached(cache, loadConfig(yaml(5, 300)), { executor: 'inline', label: 'a' });
    await runCached(cache, loadConfig(yaml(6, 300)), { executor: 'inline', label: 'b' });
    expect((await cache.list()).map((e) => e.label)).toEqual(['b', 'a']); // newest first
    await cache.delete(a.key);
    expect((await cache.list()).map((e) => e.label)).toEqual(['b']);
    await cache.clear();
    expect(await cache.list()).toEqual([]);
  });

  it('rejects a namespace that is not a plain name', async () => {
    await expect(openRunCache({ namespace: '<img src=x onerror=alert(1)>' })).rejects.toThrow(/namespace: expected .*got "<img/);
  });
});
