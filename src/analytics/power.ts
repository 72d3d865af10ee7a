// x^y for the metrics, the same in every runtime: V8's Math.pow has changed between versions (workerd's
// and Node 20's round 213 of 2000 sampled arguments differently), while exp and log have not.

/** x^y for x > 0 as exp(y·ln x): identical wherever exp and log are (within a few ulp of Math.pow). */
export function power(x: number, y: number): number {
  if (x === 0) return y > 0 ? 0 : y === 0 ? 1 : Infinity;
  return Math.exp(y * Math.log(x));
}
