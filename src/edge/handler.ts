// A fetch handler that runs one portfolio backtest per request: runtime-agnostic (WebAssembly,
// Request, Response only), so the same code serves workerd, Deno, Bun and Node. Work is bounded.
import type { AlignedBars } from '../data/bars.js';
import { runPortfolio } from '../engine/portfolio.js';
import { DEFAULT_EXECUTION, type PortfolioSpec } from '../engine/spec.js';

/** Largest request the handler accepts: steps × symbols, and body bytes. */
export const EDGE_LIMITS = { maxCells: 2_000_000, maxBodyBytes: 64 * 1024 * 1024 };

interface BacktestRequest {
  spec: Omit<PortfolioSpec, 'execution'> & { execution?: PortfolioSpec['execution'] };
  bars: { symbols: string[]; timestamps: number[]; open: number[][]; high: number[][]; low: number[][]; close: number[][] };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * Creates the handler around a compiled kernel module (in workerd: the imported `.wasm`).
 * POST a JSON `{ spec, bars }`; the answer holds the equity series, fills and final positions.
 */
export function createBacktestHandler(kernel: WebAssembly.Module) {
  return {
    async fetch(request: Request): Promise<Response> {
      if (request.method !== 'POST') return json({ error: 'POST a JSON body { spec, bars }' }, 405);
      const length = Number(request.headers.get('content-length') ?? 0);
      if (length > EDGE_LIMITS.maxBodyBytes) return json({ error: `body of ${length} bytes exceeds ${EDGE_LIMITS.maxBodyBytes}` }, 413);
      let body: BacktestRequest;
      try {
        body = (await request.json()) as BacktestRequest;
      } catch (e) {
        return json({ error: `body is not JSON: ${(e as Error).message}` }, 400);
      }
      const b = body?.bars;
      if (!b || !Array.isArray(b.symbols) || !Array.isArray(b.timestamps)) return json({ error: 'bars: expected { symbols, timestamps, open, high, low, close }' }, 400);
      const cells = b.timestamps.length * b.symbols.length;
      if (cells > EDGE_LIMITS.maxCells) return json({ error: `bars: ${cells} symbol-steps exceed the limit of ${EDGE_LIMITS.maxCells}` }, 413);
      const column = (rows: number[][], name: string) =>
        b.symbols.map((_, s) => {
          const row = rows?.[s];
          if (!Array.isArray(row) || row.length !== b.timestamps.length) throw new RangeError(`bars.${name}[${s}]: expected ${b.timestamps.length} numbers`);
          return Float64Array.from(row, (v) => (v === null ? NaN : v));
        });
      try {
        const bars: AlignedBars = {
          timestamps: Float64Array.from(b.timestamps), symbols: b.symbols,
          open: column(b.open, 'open'), high: column(b.high, 'high'), low: column(b.low, 'low'), close: column(b.close, 'close'),
          volume: b.symbols.map(() => new Float64Array(b.timestamps.length)), columns: {},
        };
        const spec: PortfolioSpec = { ...body.spec, execution: body.spec.execution ?? DEFAULT_EXECUTION };
        const run = await runPortfolio(kernel, spec, bars, { tracing: 'off' });
        return json({ equity: Array.from(run.equity), fills: run.fills.toArray(), positions: run.positions });
      } catch (e) {
        return json({ error: (e as Error).message }, 400);
      }
    },
  };
}
