// <folio-histogram>: the distribution of a sample (daily returns) in equal bins, with vertical markers
// (VaR, mean), SVG, with PNG and CSV export.
import { LitElement, css, html, svg } from 'lit';
import { property, query } from 'lit/decorators.js';
import { defineElement } from '../define.js';
import { download, fileSafe, formatValue, toCsv, type ValueFormat } from '../format.js';
import { base, svgChart, cssVar } from '../theme.js';
import { linear, niceTicks, tickLabels } from './axes.js';
import { exportSvgPng } from './svg-export.js';

export interface HistogramBins {
  /** Bin edges (bins + 1 values). */
  edges: number[];
  counts: number[];
}

/** Equal-width bins over the finite values (√n bins, 10 to 60). */
export function binValues(values: ArrayLike<number>, bins?: number): HistogramBins {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
  if (!finite.length) return { edges: [], counts: [] };
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    lo -= 1e-4;
    hi += 1e-4;
  }
  const k = bins ?? Math.max(10, Math.min(60, Math.round(Math.sqrt(finite.length))));
  const w = (hi - lo) / k;
  const counts = new Array<number>(k).fill(0);
  for (const v of finite) counts[Math.min(k - 1, Math.floor((v - lo) / w))]++;
  return { edges: Array.from({ length: k + 1 }, (_, i) => lo + i * w), counts };
}

export class FolioHistogram extends LitElement {
  static override styles = [base, svgChart, css`
    text.tick { fill: var(--folio-muted, #5d6672); }
    line.grid { stroke: var(--folio-grid, rgba(0,0,0,0.08)); }
    line.marker { stroke: var(--folio-fg, #1b1f24); stroke-dasharray: 4 3; }
  `];

  @property({ attribute: false }) values: ArrayLike<number> = [];
  /** Vertical lines at these values. */
  @property({ attribute: false }) markers: Array<{ label: string; value: number }> = [];
  @property() format: ValueFormat = 'pct';
  @property({ attribute: 'chart-title' }) chartTitle = '';

  @query('svg') private svgEl?: SVGSVGElement;

  get bins(): HistogramBins {
    return binValues(this.values);
  }

  protected override render() {
    const { edges, counts } = this.bins;
    const W = 460;
    const H = 240;
    const L = 40;
    const B = 34;
    const xt = edges.length ? niceTicks(edges[0], edges[edges.length - 1], 5) : [];
    const yt = niceTicks(0, Math.max(1, ...counts), 4);
    const X = linear(xt[0] ?? 0, xt[xt.length - 1] ?? 1, L, W - 8);
    const Y = linear(0, yt[yt.length - 1] ?? 1, H - B, 8);
    const pos = 'var(--folio-positive, #15803d)';
    const neg = 'var(--folio-negative, #c2410c)';
    return html`
      <div class="bar" part="toolbar">
        <h3 part="title">${this.chartTitle}</h3>
        <button @click=${this.exportPng} aria-label="Export ${this.chartTitle} as PNG">PNG</button>
        <button @click=${this.exportCsv} aria-label="Export ${this.chartTitle} as CSV">CSV</button>
      </div>
      <svg part="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label=${this.chartTitle}>
        ${yt.map((t) => svg`<line class="grid" x1=${L} x2=${W - 8} y1=${Y(t)} y2=${Y(t)}></line><text class="tick" x=${L - 4} y=${Y(t) + 4} text-anchor="end">${t}</text>`)}
        ${xt.map((t, k) => svg`<text class="tick" x=${X(t)} y=${H - B + 14} text-anchor="middle">${tickLabels(xt, this.format)[k]}</text>`)}
        ${counts.map((c, i) => svg`<rect class="bin" x=${X(edges[i]) + 0.5} y=${Y(c)} width=${Math.max(0.5, X(edges[i + 1]) - X(edges[i]) - 1)} height=${Y(0) - Y(c)}
          style=${`fill:${edges[i + 1] <= 0 ? neg : edges[i] >= 0 ? pos : 'var(--folio-muted, #5d6672)'};opacity:0.8`}>
          <title>${formatValue(edges[i], this.format)} to ${formatValue(edges[i + 1], this.format)}: ${c}</title></rect>`)}
        ${this.markers.filter((m) => Number.isFinite(m.value)).map((m, k) => svg`<line class="marker" x1=${X(m.value)} x2=${X(m.value)} y1="8" y2=${H - B}></line>
          <text x=${X(m.value) + 4} y=${16 + k * 13}>${m.label} ${formatValue(m.value, this.format)}</text>`)}
      </svg>`;
  }

  private exportPng = () => {
    if (this.svgEl) void exportSvgPng(this.svgEl, this.chartTitle || 'histogram', cssVar(this, '--folio-surface', '#ffffff'));
  };

  private exportCsv = () => {
    const { edges, counts } = this.bins;
    download(`${fileSafe(this.chartTitle || 'histogram')}.csv`, toCsv([['from', 'to', 'count'], ...counts.map((c, i) => [edges[i], edges[i + 1], c])]), 'text/csv');
  };
}

defineElement('folio-histogram', FolioHistogram);

declare global {
  interface HTMLElementTagNameMap {
    'folio-histogram': FolioHistogram;
  }
}
