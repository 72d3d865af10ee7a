// <folio-bar-chart>: labelled horizontal bars around zero (attribution, risk contribution), SVG, with
// PNG and CSV export.
import { LitElement, css, html, svg } from 'lit';
import { property, query } from 'lit/decorators.js';
import { defineElement } from '../define.js';
import { download, fileSafe, formatValue, toCsv, type ValueFormat } from '../format.js';
import { base, svgChart, cssVar, SERIES_COLORS } from '../theme.js';
import { linear, niceTicks, tickLabels } from './axes.js';
import { exportSvgPng } from './svg-export.js';

export interface BarItem {
  label: string;
  value: number;
  color?: string;
  /** Shown in the bar's tooltip after the value. */
  note?: string;
}

export class FolioBarChart extends LitElement {
  static override styles = [base, svgChart, css`
    text.label, text.tick { fill: var(--folio-muted, #5d6672); }
    text.value { font-family: var(--folio-mono, ui-monospace, Menlo, monospace); font-size: 10.5px; }
    line.grid { stroke: var(--folio-grid, rgba(0,0,0,0.08)); }
    line.zero { stroke: var(--folio-muted, #5d6672); }
  `];

  @property({ attribute: false }) items: BarItem[] = [];
  @property() format: ValueFormat = 'pct';
  @property({ attribute: 'chart-title' }) chartTitle = '';
  /** A last bar drawn apart (the combined total), when given. */
  @property({ attribute: false }) total?: BarItem;

  @query('svg') private svgEl?: SVGSVGElement;

  protected override render() {
    const items = this.total ? [...this.items, this.total] : this.items;
    const values = items.map((i) => i.value).filter(Number.isFinite);
    const ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values), 4);
    const labelW = Math.min(150, Math.max(40, ...items.map((i) => i.label.length * 6.4))) + 8;
    const W = 460;
    const rowH = 24;
    const top = 4;
    const plotL = labelW;
    const plotR = W - 64;
    const X = linear(ticks[0] ?? 0, ticks[ticks.length - 1] ?? 1, plotL, plotR);
    const H = top + items.length * rowH + 18;
    return html`
      <div class="bar" part="toolbar">
        <h3 part="title">${this.chartTitle}</h3>
        <button @click=${this.exportPng} aria-label="Export ${this.chartTitle} as PNG">PNG</button>
        <button @click=${this.exportCsv} aria-label="Export ${this.chartTitle} as CSV">CSV</button>
      </div>
      <svg part="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label=${this.chartTitle}>
        ${ticks.map((t, k) => svg`<line class="grid" x1=${X(t)} x2=${X(t)} y1=${top} y2=${H - 16}></line>
          <text class="tick" x=${X(t)} y=${H - 4} text-anchor="middle">${tickLabels(ticks, this.format === 'pct' ? 'pct' : 'number')[k]}</text>`)}
        ${items.map((item, i) => {
          const y = top + i * rowH;
          const v = Number.isFinite(item.value) ? item.value : 0;
          const x0 = X(0);
          const x1 = X(v);
          const isTotal = this.total !== undefined && i === items.length - 1;
          const color = item.color ?? (isTotal ? 'var(--folio-fg, #1b1f24)' : SERIES_COLORS[i % SERIES_COLORS.length]);
          return svg`<g class="item" data-index=${i}>
            <text class="label" x=${labelW - 6} y=${y + rowH / 2 + 4} text-anchor="end" style=${isTotal ? 'font-weight:600' : ''}>${item.label.length > 24 ? `${item.label.slice(0, 23)}…` : item.label}<title>${item.label}</title></text>
            <rect x=${Math.min(x0, x1)} y=${y + 4} width=${Math.max(1, Math.abs(x1 - x0))} height=${rowH - 8} rx="2" style=${`fill:${color}`}>
              <title>${item.label}: ${formatValue(item.value, this.format)}${item.note ? ` — ${item.note}` : ''}</title></rect>
            <text class="value" x=${Math.max(x0, x1) + 4} y=${y + rowH / 2 + 4}>${formatValue(item.value, this.format)}</text>
          </g>`;
        })}
        <line class="zero" x1=${X(0)} x2=${X(0)} y1=${top} y2=${H - 16}></line>
      </svg>`;
  }

  private exportPng = () => {
    if (this.svgEl) void exportSvgPng(this.svgEl, this.chartTitle || 'bars', cssVar(this, '--folio-surface', '#ffffff'));
  };

  private exportCsv = () => {
    const items = this.total ? [...this.items, this.total] : this.items;
    download(`${fileSafe(this.chartTitle || 'bars')}.csv`, toCsv([['label', 'value'], ...items.map((i) => [i.label, i.value])]), 'text/csv');
  };
}

defineElement('folio-bar-chart', FolioBarChart);

declare global {
  interface HTMLElementTagNameMap {
    'folio-bar-chart': FolioBarChart;
  }
}
