// OHLC bars as columns and their aggregation into coarser candles (first open, highest high, lowest
// low, last close of each bucket): what a candle chart shows when there are more bars than pixels.

/** Candles column by column; `time` is the first bar's timestamp of each candle. */
export interface Ohlc {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/**
 * Bars [from, to) of `bars` in `buckets` candles of consecutive bars (as equal as integer division
 * allows). Bars with a NaN close (the symbol did not trade at that step) are skipped; a bucket of
 * them gives no candle.
 */
export function aggregateOhlc(bars: Ohlc, from: number, to: number, buckets: number): Ohlc {
  const n = to - from;
  const count = Math.max(1, Math.min(buckets, n));
  const out: Ohlc = { time: new Float64Array(count), open: new Float64Array(count), high: new Float64Array(count), low: new Float64Array(count), close: new Float64Array(count) };
  let k = 0;
  for (let b = 0; b < count; b++) {
    const lo = from + Math.floor((b * n) / count);
    const hi = from + Math.floor(((b + 1) * n) / count);
    let first = -1;
    let high = -Infinity;
    let low = Infinity;
    let last = -1;
    for (let i = lo; i < hi; i++) {
      if (!(bars.close[i] === bars.close[i])) continue;
      if (first < 0) first = i;
      last = i;
      if (bars.high[i] > high) high = bars.high[i];
      if (bars.low[i] < low) low = bars.low[i];
    }
    if (first < 0) continue;
    out.time[k] = bars.time[first];
    out.open[k] = bars.open[first];
    out.high[k] = high;
    out.low[k] = low;
    out.close[k] = bars.close[last];
    k++;
  }
  return k === count ? out : { time: out.time.slice(0, k), open: out.open.slice(0, k), high: out.high.slice(0, k), low: out.low.slice(0, k), close: out.close.slice(0, k) };
}
