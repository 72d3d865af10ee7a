// <folio-metrics-table>: every scalar metric of one or more portfolios: side by side (a row per
// portfolio, sortable by any metric, the best of each column in bold) or grouped (one portfolio).
import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { PortfolioMetrics } from '../../src/analytics/metrics.js';
import { defineElement } from '../define.js';
import { download, emit, fileSafe, formatValue, toCsv } from '../format.js';
import { METRICS, METRIC_GROUPS, type MetricDef } from '../metric-defs.js';
import { base } from '../theme.js';

export interface MetricsRow {
  id: string;
  metrics: PortfolioMetrics;
  color?: string;
}

export class FolioMetricsTable extends LitElement {
  static override styles = [base, css`
    :host { display: block; }
    .bar { display: flex; align-items: center; gap: 6px; margin-bottom: 6px; }
    .bar h3 { margin: 0; flex: 1; }
    .bar button { font-size: 11px; padding: 1px 7px; }
    .scroll { overflow-x: auto; max-width: 100%; }
    th button { all: unset; cursor: pointer; }
    th button:focus-visible { outline: 2px solid var(--folio-accent, #2563eb); }
    th.sorted { color: var(--folio-fg, #1b1f24); }
    td.id, th.id { position: sticky; left: 0; background: var(--folio-surface, #fff); z-index: 1; max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
    td.best { font-weight: 700; }
    tr.group th { padding-top: 6px; font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; border-bottom: 0; }
    .groups { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 4px 22px; }
    .groups table td:first-child { color: var(--folio-muted, #5d6672); }
  `];

  @property({ attribute: false }) rows: MetricsRow[] = [];
  /** 'side-by-side': a row per portfolio, sortable; 'grouped': the metrics of the first row, by group. */
  @property() layout: 'side-by-side' | 'grouped' = 'side-by-side';
  @property({ attribute: 'chart-title' }) chartTitle = 'Metrics';
  @state() private sortKey = '';
  @state() private sortDir: 1 | -1 = -1;

  private sorted(): MetricsRow[] {
    const def = METRICS.find((d) => d.key === this.sortKey);
    if (!def) return this.rows;
    const num = (r: MetricsRow) => {
      const v = def.value(r.metrics);
      return typeof v === 'number' && !Number.isNaN(v) ? v : -Infinity * this.sortDir;
    };
    return [...this.rows].sort((a, b) => (num(a) - num(b)) * this.sortDir || 0);
  }

  /** Sorts by a metric key (again: reverses). */
  sortBy(key: string): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 1 ? -1 : 1;
    else {
      this.sortKey = key;
      this.sortDir = -1;
    }
    emit(this, 'folio-sort', { key, direction: this.sortDir === 1 ? 'ascending' : 'descending' });
  }

  private best(def: MetricDef): number {
    if (!def.better || this.rows.length < 2) return NaN;
    const values = this.rows.map((r) => def.value(r.metrics)).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
    return values.length ? (def.better > 0 ? Math.max(...values) : Math.min(...values)) : NaN;
  }

  private cls(def: MetricDef, v: unknown): string {
    if (typeof v !== 'number' || !Number.isFinite(v) || def.format !== 'pct' || def.better === 0) return 'num';
    if (['totalReturn', 'cagr', 'bestDay', 'worstDay'].includes(def.key)) return `num ${v > 0 ? 'pos' : v < 0 ? 'neg' : ''}`;
    return 'num';
  }

  protected override render() {
    return html`
      <div class="bar" part="toolbar">
        <h3 part="title">${this.chartTitle}</h3>
        <button @click=${this.exportCsv} aria-label="Export metrics as CSV">CSV</button>
      </div>
      ${this.layout === 'grouped' ? this.renderGrouped() : this.renderSideBySide()}`;
  }

  private renderSideBySide() {
    const bests = new Map(METRICS.map((d) => [d.key, this.best(d)]));
    return html`<div class="scroll" part="table">
      <table>
        <thead><tr>
          <th class="id" scope="col">Portfolio</th>
          ${METRICS.map((d) => html`<th class="num ${this.sortKey === d.key ? 'sorted' : ''}" scope="col"
            aria-sort=${this.sortKey === d.key ? (this.sortDir === 1 ? 'ascending' : 'descending') : 'none'} title=${d.hint ?? d.group}>
            <button data-key=${d.key} @click=${() => this.sortBy(d.key)}>${d.label}${this.sortKey === d.key ? (this.sortDir === 1 ? ' ▲' : ' ▼') : ''}</button></th>`)}
        </tr></thead>
        <tbody>${this.sorted().map((r) => html`<tr data-id=${r.id}>
          <td class="id" title=${r.id}>${r.color ? html`<span class="swatch" style="background:${r.color}"></span>` : nothing}${r.id}</td>
          ${METRICS.map((d) => {
            const v = d.value(r.metrics);
            return html`<td class="${this.cls(d, v)} ${v === bests.get(d.key) ? 'best' : ''}" data-key=${d.key}>${formatValue(v, d.format)}</td>`;
          })}
        </tr>`)}</tbody>
      </table></div>`;
  }

  private renderGrouped() {
    const row = this.rows[0];
    if (!row) return html`<p class="muted">No metrics</p>`;
    return html`<div class="groups" part="table">${METRIC_GROUPS.map((g) => html`<table>
      <thead><tr class="group"><th colspan="2">${g}</th></tr></thead>
      <tbody>${METRICS.filter((d) => d.group === g).map((d) => {
        const v = d.value(row.metrics);
        return html`<tr><td title=${d.hint ?? ''}>${d.label}</td><td class=${this.cls(d, v)} data-key=${d.key}>${formatValue(v, d.format)}</td></tr>`;
      })}</tbody></table>`)}</div>`;
  }

  /** Every metric of every row, full precision. */
  csv(): string {
    return toCsv([['metric', ...this.rows.map((r) => r.id)], ...METRICS.map((d) => [d.label, ...this.rows.map((r) => d.value(r.metrics))])]);
  }

  private exportCsv = () => download(`${fileSafe(this.chartTitle)}.csv`, this.csv(), 'text/csv');
}

defineElement('folio-metrics-table', FolioMetricsTable);

declare global {
  interface HTMLElementTagNameMap {
    'folio-metrics-table': FolioMetricsTable;
  }
}
