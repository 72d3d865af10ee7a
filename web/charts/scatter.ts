// <folio-scatter>: points and an optional line on volatility × return axes (the efficient frontier with
// each portfolio, the minimum-variance and maximum-Sharpe mixes), SVG, with PNG and CSV export.
import { LitElement, css, html, svg, nothing } from 'lit';
import { property, query } from 'lit/decorators.js';
import { defineElement } from '../define.js';
import { download, fileSafe, formatValue, toCsv, type ValueFormat } from '../format.js';
import { base, svgChart, cssVar } from '../theme.js';
import { linear, niceTicks, tickLabels } from './axes.js';
import { exportSvgPng } from './svg-export.js';

export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
  color?: string;
  shape?: 'circle' | 'diamond' | 'star';
  /** Tooltip lines after the coordinates (weights of a mix). */
  detail?: string;
}

export class FolioScatter extends LitElement {
  static override styles = [base, svgChart, css`
    text.tick, text.axis { fill: var(--folio-muted, #5d6672); }
    line.grid { stroke: var(--folio-grid, rgba(0,0,0,0.08)); }
    path.line { fill: none; stroke: var(--folio-accent, #2563eb); stroke-width: 2; }
    .pt { stroke: var(--folio-surface, #fff); stroke-width: 1.5; }
  `];

  @property({ attribute: false }) points: ScatterPoint[] = [];
  /** A polyline through these points, in order. */
  @property({ attribute: false }) line: Array<{ x: number; y: number }> = [];
  @property({ attribute: 'x-label' }) xLabel = 'volatility';
  @property({ attribute: 'y-label' }) yLabel = 'return';
  @property({ attribute: 'x-format' }) xFormat: ValueFormat = 'pct';
  @property({ attribute: 'y-format' }) yFormat: ValueFormat = 'pct';
  @property({ attribute: 'chart-title' }) chartTitle = '';

  @query('svg') private svgEl?: SVGSVGElement;

  protected override render() {
    const all = [...this.points, ...this.line].filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    const xt = niceTicks(Math.min(0, ...all.map((p) => p.x)), Math.max(...all.map((p) => p.x), 1e-9), 5);
    const yt = niceTicks(Math.min(...all.map((p) => p.y), 0), Math.max(...all.map((p) => p.y), 0), 5);
    const W = 480;
    const H = 300;
    const L = 74;
    const xl = tickLabels(xt, this.xFormat);
    const yl = tickLabels(yt, this.yFormat);
    const B = 40;
    const X = linear(xt[0] ?? 0, xt[xt.length - 1] ?? 1, L, W - 28);
    const Y = linear(yt[0] ?? 0, yt[yt.length - 1] ?? 1, H - B, 10);
    const shape = (p: ScatterPoint) => {
      const x = X(p.x);
      const y = Y(p.y);
      const fill = `fill:${p.color ?? 'var(--folio-accent, #2563eb)'}`;
      if (p.shape === 'diamond') return svg`<path class="pt" d="M${x} ${y - 7}L${x + 7} ${y}L${x} ${y + 7}L${x - 7} ${y}Z" style=${fill}></path>`;
      if (p.shape === 'star') {
        const d = Array.from({ length: 10 }, (_, k) => {
          const r = k % 2 ? 3.5 : 8.5;
          const a = (Math.PI / 5) * k - Math.PI / 2;
          return `${k ? 'L' : 'M'}${x + r * Math.cos(a)} ${y + r * Math.sin(a)}`;
        }).join('') + 'Z';
        return svg`<path class="pt" d=${d} style=${fill}></path>`;
      }
      return svg`<circle class="pt" cx=${x} cy=${y} r="5.5" style=${fill}></circle>`;
    };
    return html`
      <div class="bar" part="toolbar">
        <h3 part="title">${this.chartTitle}</h3>
        <button @click=${this.exportPng} aria-label="Export ${this.chartTitle} as PNG">PNG</button>
        <button @click=${this.exportCsv} aria-label="Export ${this.chartTitle} as CSV">CSV</button>
      </div>
      <svg part="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label=${this.chartTitle}>
        ${xt.map((t, k) => svg`<line class="grid" x1=${X(t)} x2=${X(t)} y1="10" y2=${H - B}></line><text class="tick" x=${X(t)} y=${H - B + 14} text-anchor="middle">${xl[k]}</text>`)}
        ${yt.map((t, k) => svg`<line class="grid" x1=${L} x2=${W - 28} y1=${Y(t)} y2=${Y(t)}></line><text class="tick" x=${L - 6} y=${Y(t) + 4} text-anchor="end">${yl[k]}</text>`)}
        <text class="axis" x=${(L + W) / 2} y=${H - 6} text-anchor="middle">${this.xLabel}</text>
        <text class="axis" transform="translate(11,${(H - B) / 2}) rotate(-90)" text-anchor="middle">${this.yLabel}</text>
        ${this.line.length > 1 ? svg`<path class="line" d=${this.line.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p, k) => `${k ? 'L' : 'M'}${X(p.x)} ${Y(p.y)}`).join('')}></path>` : nothing}
        ${this.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => svg`<g class="point">${shape(p)}
          <text x=${p.shape ? X(p.x) + 10 : X(p.x) > W * 0.6 ? X(p.x) - 9 : X(p.x) + 9} y=${p.shape ? Y(p.y) + 16 : Y(p.y) - 8}
            text-anchor=${!p.shape && X(p.x) > W * 0.6 ? 'end' : 'start'}>${p.label.length > 24 ? `${p.label.slice(0, 23)}…` : p.label}</text>
          <title>${p.label}: ${this.xLabel} ${formatValue(p.x, this.xFormat)}, ${this.yLabel} ${formatValue(p.y, this.yFormat)}${p.detail ? `\n${p.detail}` : ''}</title></g>`)}
      </svg>`;
  }

  private exportPng = () => {
    if (this.svgEl) void exportSvgPng(this.svgEl, this.chartTitle || 'scatter', cssVar(this, '--folio-surface', '#ffffff'));
  };

  private exportCsv = () => {
    const rows: unknown[][] = [['kind', 'label', this.xLabel, this.yLabel, 'detail']];
    for (const p of this.points) rows.push(['point', p.label, p.x, p.y, p.detail ?? '']);
    for (const p of this.line) rows.push(['line', '', p.x, p.y, '']);
    download(`${fileSafe(this.chartTitle || 'scatter')}.csv`, toCsv(rows), 'text/csv');
  };
}

defineElement('folio-scatter', FolioScatter);

declare global {
  interface HTMLElementTagNameMap {
    'folio-scatter': FolioScatter;
  }
}
