// Return attribution of a multi-portfolio book: each portfolio's P&L net of flows over the combined
// starting capital, so the contributions add up to the combined return, in total and over time.
import { alignBook, type PortfolioSeries } from './returns.js';

export interface Attribution {
  ids: string[];
  /** Σ initial capital: the denominator of every contribution. */
  initialCapital: number;
  /** (Σ final equity − Σ initial capital − Σ net flows) / Σ initial capital. */
  combinedReturn: number;
  /** Per portfolio: final equity − initial capital − net flows. */
  pnl: Record<string, number>;
  /** Per portfolio: net capital moved in (+) or out (−); they sum to 0 when every move was internal. */
  netFlows: Record<string, number>;
  /** Per portfolio: pnl / Σ initial capital. They sum to combinedReturn. */
  contributions: Record<string, number>;
  /** The same over time, on the book's axis (the union of the portfolios' sample timestamps). */
  series: {
    timestamps: Float64Array;
    /** Per portfolio: (equity_t − initial − flows up to t) / Σ initial capital. */
    cumulative: Record<string, Float64Array>;
    /** Σ of the cumulative contributions: the combined return to date. */
    combined: Float64Array;
  };
}

/**
 * Contribution of each portfolio to the combined return of the book (Σ equity). Flows count as
 * capital, not P&L, so a rebalancer moving cash between portfolios changes no contribution.
 * @example
 *   const a = attribution(portfolios);
 *   a.combinedReturn;            // e.g. 0.083
 *   a.contributions.momentum;    // e.g. 0.051 (the rest comes from the others)
 */
export function attribution(portfolios: readonly PortfolioSeries[]): Attribution {
  const ids = portfolios.map((p) => p.id);
  const book = alignBook(portfolios);
  const initialCapital = portfolios.reduce((a, p) => a + p.initialCapital, 0);
  if (!(initialCapital > 0)) throw new RangeError(`attribution: the portfolios' initial capital adds up to ${initialCapital}, expected a number > 0`);
  const pnl: Record<string, number> = {};
  const netFlows: Record<string, number> = {};
  const contributions: Record<string, number> = {};
  const cumulative: Record<string, Float64Array> = {};
  const steps = book.timestamps.length;
  const combined = new Float64Array(steps);
  let finalSum = 0;
  let flowSum = 0;
  portfolios.forEach((p, k) => {
    const equity = book.equity[k];
    const flows = book.flows[k];
    const series = new Float64Array(steps);
    let flowToDate = 0;
    for (let t = 0; t < steps; t++) {
      flowToDate += flows[t];
      series[t] = (equity[t] - p.initialCapital - flowToDate) / initialCapital;
      combined[t] += series[t];
    }
    const final = steps ? equity[steps - 1] : p.initialCapital;
    pnl[p.id] = final - p.initialCapital - flowToDate;
    netFlows[p.id] = flowToDate;
    contributions[p.id] = pnl[p.id] / initialCapital;
    cumulative[p.id] = series;
    finalSum += final;
    flowSum += flowToDate;
  });
  const combinedReturn = (finalSum - initialCapital - flowSum) / initialCapital;
  return { ids, initialCapital, combinedReturn, pnl, netFlows, contributions, series: { timestamps: book.timestamps, cumulative, combined } };
}
