// The whole-process baseline for bench/cli.ts: a minimal plain-JS program (no foliolab code) that reads
// the same CSV, parses it, runs the same momentum loop (next-open fills, fixed size) and writes a summary.
// Usage: node bench/cli-baseline.mjs <file.csv> <lookback> <threshold> <size> <capital> <out.json>
import { readFileSync, writeFileSync } from 'node:fs';

const [file, lookbackArg, thresholdArg, sizeArg, capitalArg, out] = process.argv.slice(2);
const L = Number(lookbackArg);
const threshold = Number(thresholdArg);
const size = Number(sizeArg);
const EPS = 1e-9;

const text = readFileSync(file, 'latin1');
let rows = 0;
for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) rows++;
const ts = new Float64Array(rows);
const open = new Float64Array(rows);
const high = new Float64Array(rows);
const low = new Float64Array(rows);
const close = new Float64Array(rows);
const volume = new Float64Array(rows);
let n = 0;
let p = text.indexOf('\n') + 1; // header: timestamp,open,high,low,close,volume
while (p < text.length) {
  const end = text.indexOf('\n', p) === -1 ? text.length : text.indexOf('\n', p);
  if (end > p) {
    const c = text.slice(p, end).split(',');
    ts[n] = Date.parse(c[0]);
    open[n] = Number(c[1]);
    high[n] = Number(c[2]);
    low[n] = Number(c[3]);
    close[n] = Number(c[4]);
    volume[n] = Number(c[5]);
    if (!(close[n] > 0) || !(ts[n] > (n ? ts[n - 1] : -Infinity))) throw new Error(`line ${n + 2}: bad row`);
    n++;
  }
  p = end + 1;
}

let cash = Number(capitalArg);
let position = 0;
let avg = 0;
let pending = 0;
let prev = 0;
let d = 0;
let fills = 0;
const equity = new Float64Array(n);
for (let t = 0; t < n; t++) {
  if (pending !== 0) {
    const q = pending;
    const price = open[t];
    pending = 0;
    const old = position;
    const next = old + q;
    if (old === 0 || (old > 0) === (q > 0)) avg = (avg * old + q * price) / next;
    else if (Math.abs(q) > Math.abs(old)) avg = price;
    else if (next === 0) avg = 0;
    cash -= q * price;
    position = next;
    fills++;
  }
  const c = close[t];
  equity[t] = position !== 0 ? cash + position * c : cash;
  if (t >= L) {
    const b = close[t - L];
    d = c > b * (1 + threshold + EPS) ? 1 : c < b * (1 - (threshold + EPS)) ? -1 : d;
  }
  if (d !== prev) {
    prev = d;
    if (d * size - position !== 0) pending = d * size - position;
  }
}
writeFileSync(out, JSON.stringify({ bars: n, finalEquity: equity[n - 1], fills }));
