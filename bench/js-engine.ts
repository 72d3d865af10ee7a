// The plain-JavaScript baseline of the benchmark: the kernel's single-symbol loop (strategy pass, then
// fills, mark, orders) written as ordinary JS over Float64Arrays, with the same arithmetic, so its
// equity must equal the kernel's bit for bit. Covers momentum / mean_reversion with fixed / percentage.
import { FillTable } from '../src/engine/records.js';
import type { PortfolioSpec } from '../src/engine/spec.js';

const EPS = 1e-9;

export interface JsRun {
  equity: Float64Array;
  cash: Float64Array;
  gross: Float64Array;
  fills: FillTable;
}

/** Directions of the whole series (pass 1), as the kernel's strategy pass computes them. */
export function directions(spec: PortfolioSpec, close: Float64Array, dir: Int32Array): void {
  const s = spec.strategy;
  const n = close.length;
  if (s.type === 'momentum') {
    const L = s.lookbackPeriod;
    const up = 1 + s.momentumThreshold + EPS;
    const down = 1 - (s.momentumThreshold + EPS);
    const short = s.allowShort ? -1 : 0;
    let d = 0;
    for (let t = 0; t < n; t++) {
      if (t >= L) {
        const c = close[t];
        const b = close[t - L];
        d = c > b * up ? 1 : c < b * down ? short : d;
      }
      dir[t] = d;
    }
    return;
  }
  if (s.type !== 'mean_reversion') throw new Error(`js baseline: ${s.type} not implemented`);
  const L = s.lookbackPeriod;
  const a = s.entryThreshold + EPS;
  const b = s.exitThreshold + EPS;
  const a2 = a * a;
  const b2 = b * b;
  const invL = 1 / L;
  const short = s.allowShort ? -1 : 0;
  let d = 0;
  let anchor = 0;
  let s1 = 0;
  let s2 = 0;
  let run = 0;
  let last = 0;
  let since = 0;
  for (let t = 0; t < n; t++) {
    const c = close[t];
    if (t === 0) anchor = c;
    run = c === last ? run + 1 : 1;
    last = c;
    const x = c - anchor;
    if (t >= L) {
      const o = close[t - L] - anchor;
      s1 = s1 + (x - o);
      s2 = s2 + (x * x - o * o);
    } else {
      s1 = s1 + x;
      s2 = s2 + x * x;
    }
    since++;
    if (since === L) {
      since = 0;
      anchor = c;
      s1 = 0;
      s2 = 0;
      for (let j = t + 1 - L; j <= t; j++) {
        const y = close[j] - anchor;
        s1 += y;
        s2 += y * y;
      }
    }
    let nd = 0;
    if (t + 1 >= L) {
      const dm = s1 * invL;
      let v = s2 * invL - dm * dm;
      if (v < 0) v = 0;
      const e = EPS * (anchor + dm);
      if (run >= L || v <= e * e) nd = d;
      else {
        const dev = (c - anchor) - dm;
        const dev2 = dev * dev;
        if (d === 0) nd = dev < 0 && dev2 > a2 * v ? 1 : dev > 0 && dev2 > a2 * v ? short : 0;
        else if (d > 0) nd = dev >= 0 || dev2 <= b2 * v ? 0 : 1;
        else nd = dev <= 0 || dev2 <= b2 * v ? 0 : -1;
      }
    }
    d = nd;
    dir[t] = d;
  }
}

/** Output buffers, reusable across runs (the kernel tier of the benchmark reuses them on both sides). */
export interface JsBuffers {
  dir: Int32Array;
  equity: Float64Array;
  cash: Float64Array;
  gross: Float64Array;
  fills: FillTable;
}

export function jsBuffers(n: number): JsBuffers {
  return { dir: new Int32Array(n), equity: new Float64Array(n), cash: new Float64Array(n), gross: new Float64Array(n), fills: new FillTable() };
}

/**
 * One symbol, next_open fills, no limits: the benchmark's configurations. Covering, the initial margin
 * rule and the checks at the mark are done as the kernel does them; margin calls and bankruptcy are not.
 */
export function runJs(spec: PortfolioSpec, open: Float64Array, close: Float64Array, buffers = jsBuffers(close.length)): JsRun {
  const n = close.length;
  const dir = buffers.dir;
  directions(spec, close, dir);
  const ex = spec.execution;
  const slip = ex.slippageBps / 10000;
  const perShare = ex.commission.perShare;
  const rate = ex.commission.percent / 100;
  const minimum = ex.commission.minimum;
  const { initial, maintenance } = ex.margin;
  const sizer = spec.sizers[0];
  const equityOut = buffers.equity;
  const cashOut = buffers.cash;
  const grossOut = buffers.gross;
  let cash = spec.initialCapital;
  let position = 0;
  let avg = 0;
  let pending = 0;
  let prev = 0;
  const fills = buffers.fills;
  fills.clear();
  const commission = (q: number, p: number) => {
    const aq = Math.abs(q);
    const k = perShare * aq + rate * aq * p;
    return k < minimum ? minimum : k;
  };
  for (let t = 0; t < n; t++) {
    if (pending !== 0) {
      let q = pending;
      pending = 0;
      const p = q > 0 ? open[t] * (1 + slip) : open[t] * (1 - slip);
      let k = commission(q, p);
      let skip = false;
      const cover = position < 0 ? Math.min(q, -position) : 0;
      if (!ex.allowMargin && q > 0 && q > cover && (cash - q * p) - k < 0) {
        let m = Math.floor(cash / (p + perShare + rate * p));
        const byMinimum = Math.floor((cash - minimum) / p);
        if (byMinimum < m) m = byMinimum;
        if (m > q) m = q;
        while (m > cover && (cash - m * p) - commission(m, p) < 0) m -= 1;
        if (m < cover) m = cover;
        if (m <= 0) skip = true;
        else {
          q = m;
          k = commission(q, p);
        }
      }
      if (!skip) {
        const old = position;
        const next = old + q;
        let realized = 0;
        if (old === 0 || (old > 0) === (q > 0)) avg = (avg * old + q * p) / next;
        else if (Math.abs(q) <= Math.abs(old)) {
          realized = -q * (p - avg);
          if (next === 0) avg = 0;
        } else {
          realized = old * (p - avg);
          avg = p;
        }
        cash = (cash - q * p) - k;
        position = next;
        fills.append(t, 0, q, p, k, realized, 0);
      }
    }
    const c = close[t];
    const equity = position !== 0 ? cash + position * c : cash;
    // The checks at the mark (docs/semantics.md): the benchmark's configurations never trip them, and
    // the flattening they would start is not part of this baseline.
    if (equity <= 0) throw new Error(`js baseline: bankrupt at bar ${t}, not covered`);
    if (position !== 0) {
      const required = position < 0 ? maintenance * (Math.abs(position) * c) : cash < 0 ? maintenance * Math.min(position * c, -cash) : 0;
      if (equity < required) throw new Error(`js baseline: margin call at bar ${t}, not covered`);
    }
    const d = dir[t];
    if (d !== prev) {
      prev = d;
      let q = 0;
      if (d !== 0) {
        let size = sizer.type === 'fixed' ? sizer.size : sizer.type === 'percentage' ? Math.floor((sizer.size * equity) / c) : Math.floor(sizer.value / c);
        if (size < 0) size = 0;
        if (d < 0 || ex.allowMargin) size = Math.min(size, Math.floor(Math.max(equity / initial, 0) / c));
        q = d * size;
      }
      if (q - position !== 0) pending = q - position;
    }
    equityOut[t] = equity;
    cashOut[t] = cash;
    grossOut[t] = position !== 0 ? Math.abs(position) * c : 0;
  }
  return { equity: equityOut, cash: cashOut, gross: grossOut, fills };
}
