// <folio-heatmap>: a matrix of values as coloured SVG cells (correlations with their overlap counts,
// monthly returns), colours mixed in CSS from the theme's diverging palette, with PNG and CSV export.
import { LitElement, css, html, svg, nothing } from 'lit';
import { property, query } from 'lit/decorators.js';
import { defineElement } from '../define.js';
import { download, fileSafe, formatValue, toCsv, type ValueFormat } from '../format.js';
import { base, svgChart, cssVar } from '../theme.js';
import { exportSvgPng } from './svg-export.js';

export type HeatmapPalette = 'correlation' | 'returns';

const PALETTES: Record<HeatmapPalette, [string, string]> = {
  correlation: ['--folio-heat-negative', '--folio-heat-positive'],
  returns: ['--folio-negative', '--folio-positive'],
};

/** Share (0–100) of the end colour mixed into the zero colour for value v. */
export function heatShare(v: number, min: number, max: number, center: number): number {
  const span = v >= center ? max - center : center - min;
  return span > 0 ? Math.min(100, Math.round((Math.abs(v - center) / span) * 1000) / 10) : 0;
}

function clip(label: string, chars: number): string {
  return label.length > chars ? `${label.slice(0, chars - 1)}…` : label;
}

export class FolioHeatmap extends LitElement {
  static override styles = [base, svgChart, css`
    svg { overflow: visible; }
    text.label { fill: var(--folio-muted, #5d6672); }
    text.cell { font-family: var(--folio-mono, ui-monospace, Menlo, monospace); font-size: 10.5px; }
    text.count { font-size: 9px; fill: var(--folio-muted, #5d6672); }
    rect.empty { fill: transparent; stroke: var(--folio-border, #dde1e6); stroke-dasharray: 2 2; }
  `];

  @property({ attribute: false }) rows: string[] = [];
  @property({ attribute: false }) cols: string[] = [];
  /** values[i][j] for row i, column j; NaN is an empty cell. */
  @property({ attribute: false }) values: number[][] = [];
  /** Observations behind each cell (shown under the value). */
  @property({ attribute: false }) counts?: number[][];
  @property({ type: Number }) min = -1;
  @property({ type: Number }) max = 1;
  @property({ type: Number }) center = 0;
  @property() format: ValueFormat = 'ratio';
  @property() palette: HeatmapPalette = 'correlation';
  @property({ attribute: 'chart-title' }) chartTitle = '';
  /** Cell width and height (SVG units). */
  @property({ type: Number, attribute: 'cell-width' }) cellWidth = 64;
  @property({ type: Number, attribute: 'cell-height' }) cellHeight = 34;

  @query('svg') private svgEl?: SVGSVGElement;

  /** The fill of a cell, as CSS (a mix of the palette's end colour into its zero colour). */
  cellFill(v: number): string {
    if (!Number.isFinite(v)) return 'transparent';
    const [neg, pos] = PALETTES[this.palette];
    const share = heatShare(v, this.min, this.max, this.center);
    return `color-mix(in srgb, var(${v >= this.center ? pos : neg}) ${share}%, var(--folio-heat-zero, #f4f4f4))`;
  }

  protected override render() {
    const { rows, cols, values, counts, cellWidth: cw, cellHeight: ch } = this;
    const labelChars = Math.min(22, Math.max(4, ...rows.map((r) => r.length)));
    const left = labelChars * 6.4 + 8;
    const rotate = cols.some((c) => c.length * 6.4 > cw);
    const colChars = rotate ? 18 : Math.floor(cw / 6.4);
    const top = rotate ? Math.min(18, Math.max(...cols.map((c) => c.length), 1)) * 4.6 + 12 : 18;
    const width = left + cols.length * cw + (rotate ? 4 + Math.min(18, Math.max(...cols.map((c) => c.length))) * 4.9 : 4);
    const height = top + rows.length * ch + 4;
    return html`
      <div class="bar" part="toolbar">
        <h3 part="title">${this.chartTitle}</h3>
        <button @click=${this.exportPng} aria-label="Export ${this.chartTitle} as PNG">PNG</button>
        <button @click=${this.exportCsv} aria-label="Export ${this.chartTitle} as CSV">CSV</button>
      </div>
      <svg part="chart" viewBox="0 0 ${width} ${height}" style="max-width:${width * 1.25}px" role="img" aria-label=${this.chartTitle}>
        ${cols.map((c, j) => svg`<text class="label" text-anchor=${rotate ? 'start' : 'middle'}
          transform=${rotate ? `translate(${left + j * cw + cw / 2},${top - 6}) rotate(-40)` : `translate(${left + j * cw + cw / 2},${top - 6})`}>${clip(c, colChars)}<title>${c}</title></text>`)}
        ${rows.map((r, i) => svg`
          <text class="label" x=${left - 6} y=${top + i * ch + ch / 2 + 4} text-anchor="end">${clip(r, labelChars)}<title>${r}</title></text>
          ${cols.map((c, j) => {
            const v = values[i]?.[j] ?? NaN;
            const n = counts?.[i]?.[j];
            const finite = Number.isFinite(v);
            const strong = finite && heatShare(v, this.min, this.max, this.center) > 60;
            return svg`<g class="cell" data-row=${i} data-col=${j}>
              <rect class=${finite ? 'value' : 'empty'} x=${left + j * cw + 1} y=${top + i * ch + 1} width=${cw - 2} height=${ch - 2} rx="3"
                style=${`fill:${this.cellFill(v)}`}><title>${r} × ${c}: ${formatValue(v, this.format)}${n !== undefined ? ` (n = ${n})` : ''}</title></rect>
              <text class="cell" x=${left + j * cw + cw / 2} y=${top + i * ch + (n !== undefined ? ch / 2 : ch / 2 + 4)} text-anchor="middle"
                style=${strong ? 'fill:#fff' : ''}>${finite ? formatValue(v, this.format) : '—'}</text>
              ${n !== undefined ? svg`<text class="count" x=${left + j * cw + cw / 2} y=${top + i * ch + ch - 6} text-anchor="middle" style=${strong ? 'fill:#fff' : ''}>n=${n}</text>` : nothing}
            </g>`;
          })}`)}
      </svg>`;
  }

  private exportPng = () => {
    if (this.svgEl) void exportSvgPng(this.svgEl, this.chartTitle || 'heatmap', cssVar(this, '--folio-surface', '#ffffff'));
  };

  /** The matrix as CSV: a header of column names, one row per row name (and the counts below, when given). */
  csv(): string {
    const out: unknown[][] = [['', ...this.cols], ...this.rows.map((r, i) => [r, ...this.cols.map((_, j) => this.values[i]?.[j] ?? NaN)])];
    if (this.counts) out.push([], ['observations', ...this.cols], ...this.rows.map((r, i) => [r, ...this.cols.map((_, j) => this.counts![i]?.[j])]));
    return toCsv(out);
  }

  private exportCsv = () => download(`${fileSafe(this.chartTitle || 'heatmap')}.csv`, this.csv(), 'text/csv');
}

defineElement('folio-heatmap', FolioHeatmap);

declare global {
  interface HTMLElementTagNameMap {
    'folio-heatmap': FolioHeatmap;
  }
}
