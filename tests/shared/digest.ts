// A digest of a run's results (equity, cash, gross, fills of every portfolio), computed the same way in
// Node and in the browser, so results from two runtimes can be compared exactly.
import type { RunResult } from '../../src/workflow/run.js';

export const SEED_RUN = { bars: 20_000, seed: 77, symbols: ['SPY'] };

export async function digestOf(result: RunResult): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [id, p] of Object.entries(result.portfolios)) {
    if (p.status !== 'ok') {
      out[id] = `failed: ${p.error}`;
      continue;
    }
    const parts = [p.equity, p.cash, p.gross, ...(['step', 'quantity', 'price', 'commission', 'realized'] as const).map((f) => p.fills.column(f))];
    const bytes = new Uint8Array(parts.reduce((n, a) => n + a.byteLength, 0));
    let at = 0;
    for (const a of parts) {
      bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      at += a.byteLength;
    }
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    out[id] = `${p.fills.length} fills, ${Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }
  return out;
}
