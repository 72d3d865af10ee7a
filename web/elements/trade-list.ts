// <folio-trade-list>: a portfolio's round trips, paged and sortable; clicking a trade (or Enter on it)
// fires folio-trade-select so the charts can zoom to it.
import { LitElement, css, html } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Trade } from '../../src/analytics/trades.js';
import { defineElement } from '../define.js';
import { download, emit, fileSafe, formatTime, formatValue, toCsv, type ValueFormat } from '../format.js';
import { base } from '../theme.js';

/** Detail of folio-trade-select. */
export interface TradeSelectDetail {
  trade: Trade;
  /** Position of the trade in the `trades` array. */
  index: number;
}

interface Column {
  key: string;
  label: string;
  format: ValueFormat | 'time';
  value: (t: Trade) => number | string;
}

/** Net P&L over the capital the trade opened with (entry price × shares opened). */
export const tradeReturn = (t: Trade) => t.netPnl / (Math.abs(t.entryPrice) * t.entryQuantity);

const COLUMNS: Column[] = [
  { key: 'entryTime', label: 'Entry', format: 'time', value: (t) => t.entryTime ?? NaN },
  { key: 'exitTime', label: 'Exit', format: 'time', value: (t) => t.exitTime ?? NaN },
  { key: 'symbol', label: 'Symbol', format: 'text', value: (t) => t.symbol },
  { key: 'direction', label: 'Side', format: 'text', value: (t) => t.direction },
  { key: 'quantity', label: 'Qty', format: 'int', value: (t) => t.quantity },
  { key: 'entryPrice', label: 'Entry px', format: 'number', value: (t) => t.entryPrice },
  { key: 'exitPrice', label: 'Exit px', format: 'number', value: (t) => t.exitPrice },
  { key: 'netPnl', label: 'Net P&L', format: 'money', value: (t) => t.netPnl },
  { key: 'return', label: 'Return', format: 'pct', value: tradeReturn },
  { key: 'fees', label: 'Fees', format: 'money', value: (t) => t.fees },
  { key: 'bars', label: 'Bars', format: 'int', value: (t) => t.bars },
];

export class FolioTradeList extends LitElement {
  static override styles = [base, css`
    :host { display: block; }
    .bar { display: flex; align-items: center; gap: 8px; margin-bottom: 6px; flex-wrap: wrap; }
    .bar h3 { margin: 0; flex: 1; }
    .bar button { font-size: 11px; padding: 1px 7px; }
    th button { all: unset; cursor: pointer; }
    th button:focus-visible { outline: 2px solid var(--folio-accent, #2563eb); }
    tbody tr { cursor: pointer; }
    tr[aria-selected='true'] { background: color-mix(in srgb, var(--folio-accent, #2563eb) 14%, transparent); }
    .pager { display: flex; gap: 6px; align-items: center; justify-content: flex-end; margin-top: 6px; }
  `];

  @property({ attribute: false }) trades: Trade[] = [];
  @property({ type: Number, attribute: 'page-size' }) pageSize = 20;
  @property({ attribute: 'time-zone' }) timeZone = 'UTC';
  @property({ attribute: 'chart-title' }) chartTitle = 'Trades';
  /** Index (in `trades`) of the selected trade, or -1. */
  @property({ type: Number }) selected = -1;
  @state() private page = 0;
  @state() private sortKey = 'entryTime';
  @state() private sortDir: 1 | -1 = 1;

  /** Trade indices in display order. */
  get order(): number[] {
    const col = COLUMNS.find((c) => c.key === this.sortKey)!;
    const idx = this.trades.map((_, i) => i);
    const key = (i: number) => col.value(this.trades[i]);
    return idx.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      if (typeof x === 'string' || typeof y === 'string') return String(x).localeCompare(String(y)) * this.sortDir || a - b;
      const nx = Number.isNaN(x) ? Infinity : x;
      const ny = Number.isNaN(y) ? Infinity : y;
      return (nx - ny) * this.sortDir || a - b;
    });
  }

  get pages(): number {
    return Math.max(1, Math.ceil(this.trades.length / this.pageSize));
  }

  sortBy(key: string): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 1 ? -1 : 1;
    else {
      this.sortKey = key;
      this.sortDir = key === 'netPnl' || key === 'return' ? -1 : 1;
    }
    this.page = 0;
  }

  goTo(page: number): void {
    this.page = Math.max(0, Math.min(this.pages - 1, page));
  }

  select(index: number): void {
    this.selected = index;
    emit<TradeSelectDetail>(this, 'folio-trade-select', { trade: this.trades[index], index });
  }

  protected override render() {
    const rows = this.order.slice(this.page * this.pageSize, (this.page + 1) * this.pageSize);
    const wins = this.trades.filter((t) => !t.open && t.netPnl > 0).length;
    const closed = this.trades.filter((t) => !t.open).length;
    return html`
      <div class="bar" part="toolbar">
        <h3 part="title">${this.chartTitle}</h3>
        <span class="muted">${this.trades.length} trades · ${closed ? formatValue(wins / closed, 'pct') : '—'} won</span>
        <button @click=${this.exportCsv} aria-label="Export trades as CSV">CSV</button>
      </div>
      <div class="scroll" part="table">
        <table aria-label=${this.chartTitle}>
          <thead><tr>${COLUMNS.map((c) => html`<th scope="col" class=${c.format === 'text' || c.format === 'time' ? '' : 'num'}
            aria-sort=${this.sortKey === c.key ? (this.sortDir === 1 ? 'ascending' : 'descending') : 'none'}>
            <button data-key=${c.key} @click=${() => this.sortBy(c.key)}>${c.label}${this.sortKey === c.key ? (this.sortDir === 1 ? ' ▲' : ' ▼') : ''}</button></th>`)}</tr></thead>
          <tbody>${rows.map((i) => {
            const t = this.trades[i];
            return html`<tr tabindex="0" data-index=${i} aria-selected=${i === this.selected ? 'true' : 'false'}
              @click=${() => this.select(i)} @keydown=${(e: KeyboardEvent) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.select(i); } }}>
              ${COLUMNS.map((c) => {
                const v = c.value(t);
                if (c.format === 'time') return html`<td>${c.key === 'exitTime' && t.open ? html`<span class="muted">open</span>` : formatTime(v as number, this.timeZone)}</td>`;
                if (c.format === 'text') return html`<td>${v}</td>`;
                const tone = (c.key === 'netPnl' || c.key === 'return') && typeof v === 'number' ? (v > 0 ? 'pos' : v < 0 ? 'neg' : '') : '';
                return html`<td class="num ${tone}">${formatValue(v, c.format)}</td>`;
              })}</tr>`;
          })}</tbody>
        </table>
      </div>
      <div class="pager" part="pager">
        <button @click=${() => this.goTo(0)} ?disabled=${this.page === 0} aria-label="First page">«</button>
        <button @click=${() => this.goTo(this.page - 1)} ?disabled=${this.page === 0} aria-label="Previous page">‹</button>
        <span class="muted">page ${this.page + 1} of ${this.pages}</span>
        <button @click=${() => this.goTo(this.page + 1)} ?disabled=${this.page >= this.pages - 1} aria-label="Next page">›</button>
        <button @click=${() => this.goTo(this.pages - 1)} ?disabled=${this.page >= this.pages - 1} aria-label="Last page">»</button>
      </div>`;
  }

  private exportCsv = () => {
    const iso = (t: number | undefined) => (t === undefined || !Number.isFinite(t) ? '' : new Date(t).toISOString());
    const rows: unknown[][] = [['symbol', 'direction', 'entry_time', 'exit_time', 'quantity', 'entry_price', 'exit_price', 'gross_pnl', 'fees', 'net_pnl', 'bars', 'open']];
    for (const t of this.trades) rows.push([t.symbol, t.direction, iso(t.entryTime), iso(t.exitTime), t.quantity, t.entryPrice, t.exitPrice, t.grossPnl, t.fees, t.netPnl, t.bars, t.open]);
    download(`${fileSafe(this.chartTitle)}.csv`, toCsv(rows), 'text/csv');
  };
}

defineElement('folio-trade-list', FolioTradeList);

declare global {
  interface HTMLElementTagNameMap {
    'folio-trade-list': FolioTradeList;
  }
}
