// Tick positions for the SVG charts: "nice" steps of 1, 2 or 5 × 10^k covering a range.

/** About `count` round tick values spanning [min, max] (the range is widened to whole steps). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) {
    const pad = Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  if (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
  return out;
}

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Tick labels with just enough decimals to tell neighbours apart (0.001%, 0.002%, … rather than 0.00% ×3). */
export function tickLabels(ticks: number[], format: 'pct' | 'number' | 'ratio' | string): string[] {
  const scale = format === 'pct' ? 100 : 1;
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) * scale : 1;
  const decimals = Math.max(0, Math.min(8, -Math.floor(Math.log10(step || 1) + 1e-9)));
  return ticks.map((t) => `${(t * scale).toFixed(decimals)}${format === 'pct' ? '%' : ''}`);
}
