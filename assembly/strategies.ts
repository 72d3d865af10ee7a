// Strategy pass of the kernel: for one symbol and one chunk, turns closes into directions.
// Strategies depend on prices only, so this runs per symbol in a tight loop before the portfolio pass.
// Arithmetic follows docs/semantics.md operation for operation (the reference model does the same).

export const EPS: f64 = 1e-9;

/**
 * Whether the indicator values behind each direction change are written (for signal records). Only
 * when signals are traced: nothing else reads them, and computing them costs a mispredicted branch
 * and, for some strategies, a division or square root per change.
 */
export let keepIndicators: bool = false;

export function setKeepIndicators(keep: bool): void {
  keepIndicators = keep;
}

// Strategy state: STRAT_SLOTS f64 per symbol. The meaning of slots 2.. depends on the strategy.
export const STRAT_SLOTS = 10;
const ST_COUNT = 0; // the symbol's own bar index t (bars seen so far)
const ST_DIR = 1; // direction after the last bar
const ST_A = 2;
const ST_B = 3;
const ST_C = 4;
const ST_D = 5;
const ST_E = 6;
const ST_F = 7;

// Columns: close/high/low/signal are f64 per step; dir is i32 per step; ind holds two f64 per step,
// written only where the direction changes (the values that decided it, for tracing).

// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function setF64(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function slot(st: usize, k: i32): f64 {
  return load<f64>(st + (<usize>k << 3));
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function setSlot(st: usize, k: i32, v: f64): void {
  store<f64>(st + (<usize>k << 3), v);
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function setDir(dir: usize, i: i32, d: i32): void {
  store<i32>(dir + (<usize>i << 2), d);
}
// @ts-ignore: decorator (AssemblyScript inlining hint)
@inline function setInd(ind: usize, i: i32, a: f64, b: f64): void {
  store<f64>(ind + (<usize>i << 4), a);
  store<f64>(ind + (<usize>i << 4), b, 8);
}

/** momentum(L, th): up = 1 + th + EPS, down = 1 - (th + EPS). */
export function momentumPass(close: usize, dir: usize, ind: usize, st: usize, ring: usize, mask: i32,
  n: i32, lookback: i32, up: f64, down: f64, short: i32): void {
  let t = <i32>slot(st, ST_COUNT);
  let d = <i32>slot(st, ST_DIR);
  // Without a gap in the chunk, bar t - L of step i >= L is the chunk's own close i - L: those steps go
  // to momentumRun (four at a time, no ring), and the ring only takes the closes the next chunk needs.
  const direct = n > lookback && !hasGap(close, n);
  const head = direct ? lookback : n;
  for (let i = 0; i < head; i++) {
    const c = f64At(close, i);
    if (c != c) {
      setDir(dir, i, d); // a step without a bar keeps the direction (the one-symbol pass scans dir alone)
      continue;
    }
    let nd = 0;
    if (t >= lookback) {
      const b = f64At(ring, (t - lookback) & mask);
      nd = c > b * up ? 1 : c < b * down ? short : d;
      if (keepIndicators && nd != d) setInd(ind, i, c / b - 1, b);
    }
    setF64(ring, t & mask, c);
    t++;
    d = nd;
    setDir(dir, i, d);
  }
  if (direct) {
    d = momentumRun(close, dir, ind, n, lookback, up, down, short, d);
    const from = n - lookback > lookback ? n - lookback : lookback;
    for (let i = from; i < n; i++) setF64(ring, (t + i - lookback) & mask, f64At(close, i));
    t += n - lookback;
  }
  setSlot(st, ST_COUNT, <f64>t);
  setSlot(st, ST_DIR, <f64>d);
}

/** Whether any of the first n closes is missing (NaN). */
function hasGap(close: usize, n: i32): bool {
  let i = 0;
  let gap = v128.splat<i64>(0);
  for (; i + 4 <= n; i += 4) {
    const a = v128.load(close + (<usize>i << 3));
    const b = v128.load(close + (<usize>i << 3), 16);
    gap = v128.or(gap, v128.or(f64x2.ne(a, a), f64x2.ne(b, b)));
  }
  if (v128.any_true(gap)) return true;
  for (; i < n; i++) {
    const c = f64At(close, i);
    if (c != c) return true;
  }
  return false;
}

// A lane code in momentumRun for "no threshold crossed: keep the direction before".
const KEEP: i32 = 2;

/**
 * Momentum over steps [L, n) of a chunk without gaps, where bar t - L is close[i - L]: the same
 * comparisons as the scalar loop, four steps at a time. Each lane gets 1 (up), short (down) or KEEP;
 * a scan over the lanes carries the last non-KEEP code forward (two shifted selects), and lanes still
 * KEEP take the direction before the block. Returns the direction after step n - 1.
 */
function momentumRun(close: usize, dir: usize, ind: usize, n: i32, lookback: i32, up: f64, down: f64,
  short: i32, d: i32): i32 {
  const up2 = f64x2.splat(up);
  const down2 = f64x2.splat(down);
  const one4 = i32x4.splat(1);
  const short4 = i32x4.splat(short);
  const keep4 = i32x4.splat(KEEP);
  const back = <usize>lookback << 3;
  let d4 = i32x4.splat(d);
  let i = lookback;
  for (; i + 4 <= n; i += 4) {
    const p = close + (<usize>i << 3);
    const c01 = v128.load(p);
    const c23 = v128.load(p, 16);
    const b01 = v128.load(p - back);
    const b23 = v128.load(p - back, 16);
    // 64-bit lane masks, narrowed to one 32-bit lane per step.
    const up4 = i32x4.shuffle(f64x2.gt(c01, f64x2.mul(b01, up2)), f64x2.gt(c23, f64x2.mul(b23, up2)), 0, 2, 4, 6);
    const down4 = i32x4.shuffle(f64x2.lt(c01, f64x2.mul(b01, down2)), f64x2.lt(c23, f64x2.mul(b23, down2)), 0, 2, 4, 6);
    let code = v128.bitselect(one4, v128.bitselect(short4, keep4, down4), up4);
    code = v128.bitselect(i32x4.shuffle(code, keep4, 4, 0, 1, 2), code, i32x4.eq(code, keep4));
    code = v128.bitselect(i32x4.shuffle(code, keep4, 4, 4, 0, 1), code, i32x4.eq(code, keep4));
    const next = v128.bitselect(d4, code, i32x4.eq(code, keep4));
    v128.store(dir + (<usize>i << 2), next);
    if (keepIndicators) {
      const changed = i32x4.bitmask(i32x4.ne(next, i32x4.shuffle(d4, next, 0, 4, 5, 6)));
      for (let k = 0; k < 4; k++) {
        if ((changed & (1 << k)) != 0) {
          const b = f64At(close, i + k - lookback);
          setInd(ind, i + k, f64At(close, i + k) / b - 1, b);
        }
      }
    }
    d4 = i32x4.shuffle(next, next, 3, 3, 3, 3);
  }
  let dd = i32x4.extract_lane(d4, 0);
  for (; i < n; i++) {
    const c = f64At(close, i);
    const b = f64At(close, i - lookback);
    const nd = c > b * up ? 1 : c < b * down ? short : dd;
    if (keepIndicators && nd != dd) setInd(ind, i, c / b - 1, b);
    dd = nd;
    setDir(dir, i, dd);
  }
  return dd;
}

/** mean_reversion(L, ze, zx): a2 = (ze + EPS)^2, b2 = (zx + EPS)^2. */
export function meanReversionPass(close: usize, dir: usize, ind: usize, st: usize, ring: usize, mask: i32,
  n: i32, lookback: i32, a2: f64, b2: f64, short: i32): void {
  let t = <i32>slot(st, ST_COUNT);
  let d = <i32>slot(st, ST_DIR);
  let anchor = slot(st, ST_A);
  let s1 = slot(st, ST_B);
  let s2 = slot(st, ST_C);
  let run = <i32>slot(st, ST_D);
  let last = slot(st, ST_E);
  let since = <i32>slot(st, ST_F);
  const invLen = 1 / <f64>lookback;
  for (let i = 0; i < n; i++) {
    const c = f64At(close, i);
    if (c != c) {
      setDir(dir, i, d); // a step without a bar keeps the direction (the one-symbol pass scans dir alone)
      continue;
    }
    if (t == 0) anchor = c;
    run = c == last ? run + 1 : 1;
    last = c;
    const x = c - anchor;
    if (t >= lookback) {
      const o = f64At(ring, (t - lookback) & mask) - anchor;
      s1 = s1 + (x - o);
      s2 = s2 + (x * x - o * o);
    } else {
      s1 = s1 + x;
      s2 = s2 + x * x;
    }
    setF64(ring, t & mask, c);
    t++;
    since++;
    if (since == lookback) {
      since = 0;
      anchor = c;
      s1 = 0;
      s2 = 0;
      for (let j = t - lookback; j < t; j++) {
        const y = f64At(ring, j & mask) - anchor;
        s1 += y;
        s2 += y * y;
      }
    }
    let nd = 0;
    if (t >= lookback) {
      const dm = s1 * invLen;
      let v = s2 * invLen - dm * dm;
      if (v < 0) v = 0;
      const sma = anchor + dm;
      const e = EPS * sma;
      const dev = (c - anchor) - dm;
      // Selected, not branched on: the sign of dev is a coin toss from bar to bar. Each outcome is
      // computed without d, which then only picks one.
      //   flat (run >= L or v <= e²): keep d;
      //   d = 0: dev < 0 and dev² > a2·v → 1, dev > 0 and dev² > a2·v → short, else 0;
      //   d > 0: dev < 0 and dev² > b2·v → 1, else 0;  d < 0: dev > 0 and dev² > b2·v → -1, else 0.
      const dev2 = dev * dev;
      const below = i32(dev < 0);
      const above = i32(dev > 0);
      const enter = i32(dev2 > a2 * v);
      const stay = i32(dev2 > b2 * v);
      const fromFlat = (below & enter) + (above & enter) * short;
      const fromLong = below & stay;
      const fromShort = -(above & stay);
      const moved = select<i32>(fromFlat, select<i32>(fromLong, fromShort, d > 0), d == 0);
      nd = select<i32>(d, moved, i32(run >= lookback) | i32(v <= e * e));
      if (keepIndicators && nd != d) setInd(ind, i, v > 0 ? dev / Math.sqrt(v) : 0, sma);
    }
    d = nd;
    setDir(dir, i, d);
  }
  setSlot(st, ST_COUNT, <f64>t);
  setSlot(st, ST_DIR, <f64>d);
  setSlot(st, ST_A, anchor);
  setSlot(st, ST_B, s1);
  setSlot(st, ST_C, s2);
  setSlot(st, ST_D, <f64>run);
  setSlot(st, ST_E, last);
  setSlot(st, ST_F, <f64>since);
}

/** sma_crossover(F, S), F < S. */
export function smaCrossoverPass(close: usize, dir: usize, ind: usize, st: usize, ring: usize, mask: i32,
  n: i32, fast: i32, slow: i32, short: i32): void {
  let t = <i32>slot(st, ST_COUNT);
  let d = <i32>slot(st, ST_DIR);
  let anchor = slot(st, ST_A);
  let fs = slot(st, ST_B);
  let ss = slot(st, ST_C);
  let since = <i32>slot(st, ST_D);
  const ff = <f64>fast;
  const sf = <f64>slow;
  for (let i = 0; i < n; i++) {
    const c = f64At(close, i);
    if (c != c) {
      setDir(dir, i, d); // a step without a bar keeps the direction (the one-symbol pass scans dir alone)
      continue;
    }
    if (t == 0) anchor = c;
    const x = c - anchor;
    fs = t >= fast ? fs + (x - (f64At(ring, (t - fast) & mask) - anchor)) : fs + x;
    ss = t >= slow ? ss + (x - (f64At(ring, (t - slow) & mask) - anchor)) : ss + x;
    setF64(ring, t & mask, c);
    t++;
    since++;
    if (since == slow) {
      since = 0;
      anchor = c;
      fs = 0;
      ss = 0;
      for (let j = t - slow; j < t; j++) ss += f64At(ring, j & mask) - anchor;
      for (let j = t - fast; j < t; j++) fs += f64At(ring, j & mask) - anchor;
    }
    let nd = 0;
    if (t >= slow) {
      const fm = fs / ff;
      const sm = ss / sf;
      const diff = fm - sm;
      const tol = EPS * Math.abs(anchor + sm);
      nd = diff > tol ? 1 : diff < -tol ? short : d;
      if (keepIndicators && nd != d) setInd(ind, i, anchor + fm, anchor + sm);
    }
    d = nd;
    setDir(dir, i, d);
  }
  setSlot(st, ST_COUNT, <f64>t);
  setSlot(st, ST_DIR, <f64>d);
  setSlot(st, ST_A, anchor);
  setSlot(st, ST_B, fs);
  setSlot(st, ST_C, ss);
  setSlot(st, ST_D, <f64>since);
}

/**
 * breakout(L): Donchian channel of the prior L bars, with two monotonic deques stored in `ring`
 * (maximum of highs: index and value arrays; minimum of lows: same), each `mask + 1` long.
 */
export function breakoutPass(high: usize, low: usize, close: usize, dir: usize, ind: usize, st: usize,
  ring: usize, mask: i32, n: i32, lookback: i32, short: i32): void {
  const cap = <usize>(mask + 1) << 3;
  const maxIdx = ring;
  const maxVal = ring + cap;
  const minIdx = ring + 2 * cap;
  const minVal = ring + 3 * cap;
  let t = <i32>slot(st, ST_COUNT);
  let d = <i32>slot(st, ST_DIR);
  let maxHead = <i32>slot(st, ST_A);
  let maxTail = <i32>slot(st, ST_B);
  let minHead = <i32>slot(st, ST_C);
  let minTail = <i32>slot(st, ST_D);
  for (let i = 0; i < n; i++) {
    const c = f64At(close, i);
    if (c != c) {
      setDir(dir, i, d); // a step without a bar keeps the direction (the one-symbol pass scans dir alone)
      continue;
    }
    const oldest = <f64>(t - lookback);
    while (maxHead < maxTail && f64At(maxIdx, maxHead & mask) < oldest) maxHead++;
    while (minHead < minTail && f64At(minIdx, minHead & mask) < oldest) minHead++;
    let nd = 0;
    if (t >= lookback) {
      const upper = f64At(maxVal, maxHead & mask);
      const lower = f64At(minVal, minHead & mask);
      nd = c > upper + EPS * upper ? 1 : c < lower - EPS * lower ? short : d;
      if (keepIndicators && nd != d) setInd(ind, i, upper, lower);
    }
    const h = f64At(high, i);
    const l = f64At(low, i);
    while (maxHead < maxTail && f64At(maxVal, (maxTail - 1) & mask) <= h) maxTail--;
    setF64(maxIdx, maxTail & mask, <f64>t);
    setF64(maxVal, maxTail & mask, h);
    maxTail++;
    while (minHead < minTail && f64At(minVal, (minTail - 1) & mask) >= l) minTail--;
    setF64(minIdx, minTail & mask, <f64>t);
    setF64(minVal, minTail & mask, l);
    minTail++;
    t++;
    d = nd;
    setDir(dir, i, d);
  }
  setSlot(st, ST_COUNT, <f64>t);
  setSlot(st, ST_DIR, <f64>d);
  setSlot(st, ST_A, <f64>maxHead);
  setSlot(st, ST_B, <f64>maxTail);
  setSlot(st, ST_C, <f64>minHead);
  setSlot(st, ST_D, <f64>minTail);
}

/** rsi(P, oversold, overbought) with Wilder smoothing; lo = oversold - EPS, hi = overbought + EPS. */
export function rsiPass(close: usize, dir: usize, ind: usize, st: usize, n: i32, period: i32,
  lo: f64, hi: f64, short: i32): void {
  let t = <i32>slot(st, ST_COUNT);
  let d = <i32>slot(st, ST_DIR);
  let prev = slot(st, ST_A);
  let sumG = slot(st, ST_B);
  let sumL = slot(st, ST_C);
  let avgG = slot(st, ST_D);
  let avgL = slot(st, ST_E);
  const p = <f64>period;
  const p1 = <f64>(period - 1);
  for (let i = 0; i < n; i++) {
    const c = f64At(close, i);
    if (c != c) {
      setDir(dir, i, d); // a step without a bar keeps the direction (the one-symbol pass scans dir alone)
      continue;
    }
    if (t >= 1) {
      const delta = c - prev;
      const g = delta > 0 ? delta : 0;
      const l = delta < 0 ? -delta : 0;
      if (t <= period) {
        sumG += g;
        sumL += l;
        if (t == period) {
          avgG = sumG / p;
          avgL = sumL / p;
        }
      } else {
        avgG = (avgG * p1 + g) / p;
        avgL = (avgL * p1 + l) / p;
      }
    }
    prev = c;
    let nd = 0;
    if (t >= period) {
      const total = avgG + avgL;
      const rsi = total == 0 ? 50.0 : (100 * avgG) / total;
      nd = rsi < lo ? 1 : rsi > hi ? short : d;
      if (keepIndicators && nd != d) setInd(ind, i, rsi, 0);
    }
    t++;
    d = nd;
    setDir(dir, i, d);
  }
  setSlot(st, ST_COUNT, <f64>t);
  setSlot(st, ST_DIR, <f64>d);
  setSlot(st, ST_A, prev);
  setSlot(st, ST_B, sumG);
  setSlot(st, ST_C, sumL);
  setSlot(st, ST_D, avgG);
  setSlot(st, ST_E, avgL);
}

export function buyAndHoldPass(close: usize, dir: usize, ind: usize, st: usize, n: i32): void {
  let t = <i32>slot(st, ST_COUNT);
  let d = <i32>slot(st, ST_DIR);
  for (let i = 0; i < n; i++) {
    const c = f64At(close, i);
    if (c != c) {
      setDir(dir, i, d); // a step without a bar keeps the direction (the one-symbol pass scans dir alone)
      continue;
    }
    if (keepIndicators && d != 1) setInd(ind, i, c, 0);
    d = 1;
    t++;
    setDir(dir, i, d);
  }
  setSlot(st, ST_COUNT, <f64>t);
  setSlot(st, ST_DIR, <f64>d);
}

export function signalsPass(close: usize, signal: usize, dir: usize, ind: usize, st: usize, n: i32,
  short: i32): void {
  let t = <i32>slot(st, ST_COUNT);
  let d = <i32>slot(st, ST_DIR);
  for (let i = 0; i < n; i++) {
    const c = f64At(close, i);
    if (c != c) {
      setDir(dir, i, d); // a step without a bar keeps the direction (the one-symbol pass scans dir alone)
      continue;
    }
    const v = f64At(signal, i);
    const nd = v != v ? d : v > EPS ? 1 : v < -EPS ? short : 0;
    if (keepIndicators && nd != d) setInd(ind, i, v, 0);
    t++;
    d = nd;
    setDir(dir, i, d);
  }
  setSlot(st, ST_COUNT, <f64>t);
  setSlot(st, ST_DIR, <f64>d);
}
