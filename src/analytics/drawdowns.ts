// Drawdowns of each portfolio and of the combined book (Σ equity): underwater series on a flow-adjusted
// wealth index, and the deepest drawdown episodes with their peak, trough and recovery.
import { alignBook, checkPortfolio, flowsBySample, type PortfolioSeries } from './returns.js';

/** One drawdown episode: from a peak to the first step back at (or above) that peak. */
export interface Drawdown {
  peakStep: number;
  peakTimestamp: number;
  troughStep: number;
  troughTimestamp: number;
  /** First step at or above the peak again; undefined when not recovered by the last step. */
  recoveryStep?: number;
  recoveryTimestamp?: number;
  /** 1 − trough / peak (0.2 is a 20% fall). */
  depth: number;
  /** Steps from peak to recovery (to the last step when not recovered). */
  lengthSteps: number;
  /** Time from peak to recovery (to the last step when not recovered). */
  lengthMs: number;
  recovered: boolean;
}

export interface DrawdownSeries {
  timestamps: Float64Array;
  /** value / running peak − 1 (≤ 0) per step. */
  underwater: Float64Array;
  /** Deepest depth (0 when the series never falls). */
  maxDrawdown: number;
  /** The deepest episodes, deepest first (ties: earlier peak first). */
  top: Drawdown[];
}

export interface DrawdownReport {
  portfolios: Record<string, DrawdownSeries>;
  /** The combined book: Σ equity on the union of timestamps (each portfolio carried forward). */
  combined: DrawdownSeries;
}

export interface DrawdownOptions {
  /** Episodes kept per series. Default 5. */
  top?: number;
  /**
   * 'flow-adjusted' (default): drawdowns of the wealth index that compounds flow-free returns, so capital
   * moved out by a rebalancer is not a loss (identical to equity when there are no flows). 'equity': raw equity.
   */
  basis?: 'flow-adjusted' | 'equity';
}

/**
 * Wealth index W of an equity series with flows: W₋₁ = E₋₁ = start, Wₖ = Wₖ₋₁·(Eₖ − Fₖ)/Eₖ₋₁
 * (the equity itself when there are no flows; 0 from the step after equity reaches 0 or below).
 */
function wealthIndex(equity: Float64Array, flows: Float64Array, start: number): Float64Array {
  if (flows.every((f) => f === 0)) return equity;
  const w = new Float64Array(equity.length);
  let prevW = start;
  let prevE = start;
  for (let k = 0; k < equity.length; k++) {
    w[k] = prevE > 0 ? prevW * ((equity[k] - flows[k]) / prevE) : 0;
    prevW = w[k];
    prevE = equity[k];
  }
  return w;
}

/**
 * Underwater series and the `top` deepest drawdown episodes of a value series (equity or wealth index).
 * @example
 *   const d = drawdownSeries(Float64Array.of(100, 120, 90, 130), Float64Array.of(0, 1, 2, 3));
 *   d.top[0];  // { peakStep: 1, troughStep: 2, recoveryStep: 3, depth: 0.25, lengthSteps: 2, … }
 */
export function drawdownSeries(values: Float64Array, timestamps: Float64Array, top = 5): DrawdownSeries {
  const n = values.length;
  const underwater = new Float64Array(n);
  const episodes: Drawdown[] = [];
  let peak = -Infinity;
  let peakStep = 0;
  let trough = Infinity;
  let troughStep = 0;
  let falling = false;
  const close = (recoveryStep: number | undefined) => {
    const endStep = recoveryStep ?? n - 1;
    const episode: Drawdown = {
      peakStep, peakTimestamp: timestamps[peakStep], troughStep, troughTimestamp: timestamps[troughStep],
      depth: 1 - trough / peak, lengthSteps: endStep - peakStep, lengthMs: timestamps[endStep] - timestamps[peakStep], recovered: recoveryStep !== undefined,
    };
    if (recoveryStep !== undefined) {
      episode.recoveryStep = recoveryStep;
      episode.recoveryTimestamp = timestamps[recoveryStep];
    }
    episodes.push(episode);
  };
  for (let k = 0; k < n; k++) {
    const v = values[k];
    if (v >= peak) {
      if (falling) close(k);
      falling = false;
      peak = v;
      peakStep = k;
      underwater[k] = 0;
      continue;
    }
    underwater[k] = peak > 0 ? v / peak - 1 : NaN;
    if (!falling || v < trough) {
      trough = v;
      troughStep = k;
    }
    falling = true;
  }
  if (falling) close(undefined);
  episodes.sort((a, b) => b.depth - a.depth || a.peakStep - b.peakStep);
  return { timestamps, underwater, maxDrawdown: episodes.length ? Math.max(0, episodes[0].depth) : 0, top: episodes.slice(0, Math.max(0, top)) };
}

/**
 * Drawdowns of every portfolio and of the combined book.
 * @example
 *   const d = drawdowns(portfolios, { top: 3 });
 *   d.combined.maxDrawdown;             // e.g. 0.12
 *   d.portfolios.momentum.top[0].recoveryTimestamp;
 */
export function drawdowns(portfolios: readonly PortfolioSeries[], options: DrawdownOptions = {}): DrawdownReport {
  const top = options.top ?? 5;
  const adjusted = (options.basis ?? 'flow-adjusted') === 'flow-adjusted';
  const out: Record<string, DrawdownSeries> = {};
  for (const p of portfolios) {
    checkPortfolio(p);
    const values = adjusted ? wealthIndex(p.equity, flowsBySample(p), p.initialCapital) : p.equity;
    out[p.id] = drawdownSeries(values, p.timestamps, top);
  }
  const book = alignBook(portfolios);
  const steps = book.timestamps.length;
  const equity = new Float64Array(steps);
  const flows = new Float64Array(steps);
  book.equity.forEach((e, k) => {
    for (let t = 0; t < steps; t++) {
      equity[t] += e[t];
      flows[t] += book.flows[k][t];
    }
  });
  const start = portfolios.reduce((a, p) => a + p.initialCapital, 0);
  const combined = drawdownSeries(adjusted ? wealthIndex(equity, flows, start) : equity, book.timestamps, top);
  return { portfolios: out, combined };
}
