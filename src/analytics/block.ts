// How long loops over steps or fills are cut up. V8 optimizes a function called many times with the
// feedback of whole calls; one long call is compiled in the middle of its loop (OSR) before the code after
// the loop has ever run, and that code then deoptimized on every later call, leaving the loop on a slower
// tier. Called once per block of this many items, computeMetrics took 10 ms per 1M bars rather than 20–30.

/** Items per call of a blocked pass. */
export const BLOCK = 4_096;

/** A pass over items [from, to), fed in order. */
export interface BlockPass {
  add(from: number, to: number): void;
}

/** Feeds items 0 … length − 1 to the pass, BLOCK at a time; returns the pass. */
export function inBlocks<P extends BlockPass>(pass: P, length: number): P {
  for (let from = 0; from < length; from += BLOCK) pass.add(from, Math.min(length, from + BLOCK));
  return pass;
}
