// <folio-event-trace>: a run's events filtered by portfolio, type and time (paged); a click on a fill
// shows its chain fill → order → risk limits → signal (with the indicator values) → bar; the filtered
// events export as JSON lines.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { zoneOffset } from '../../src/analytics/returns.js';
import type { EventType, FolioEvent } from '../../src/events/event.js';
import { EventTracer, type EventFilter, type FillExplanation } from '../../src/events/tracer.js';
import { defineElement } from '../define.js';
import { download, emit, fileSafe, formatTime } from '../format.js';
import { base, palette, type ColorTheme } from '../theme.js';

const TYPES: EventType[] = ['signal', 'order', 'fill', 'risk', 'rebalance', 'bar', 'portfolio', 'system'];

/** A number as recorded (12 significant digits: float noise such as 267.06000000000003 trimmed). */
const exact = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(12))) : String(v));

/** The payload of an event in one line ("symbol SPY · quantity 100 · price 431.2"). */
export function payloadText(e: FolioEvent): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e.payload)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object') parts.push(`${k} {${Object.entries(v as Record<string, unknown>).map(([a, b]) => `${a} ${typeof b === 'number' ? exact(b) : String(b)}`).join(', ')}}`);
    else parts.push(`${k} ${typeof v === 'number' ? exact(v) : String(v)}`);
  }
  return parts.join(' · ');
}

/** A wall-clock "YYYY-MM-DDTHH:MM" of `timeZone` as a UTC instant (ms); NaN when empty. */
function wallClockToUtc(value: string, timeZone: string): number {
  if (!value) return NaN;
  const asUtc = Date.parse(`${value.length === 10 ? `${value}T00:00` : value}Z`);
  const offset = zoneOffset(timeZone);
  return asUtc - offset(asUtc - offset(asUtc));
}

export class FolioEventTrace extends LitElement {
  static override styles = [palette, base, css`
    :host { display: block; }
    :host([standalone]) { background: var(--folio-bg); padding: 16px; }
    .filters { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; margin-bottom: 8px; }
    .filters label { display: inline-flex; gap: 4px; align-items: center; }
    .types { display: inline-flex; gap: 4px; flex-wrap: wrap; }
    .types button { font-size: 11px; padding: 1px 7px; }
    .layout { display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr); }
    @media (min-width: 1000px) { .layout.open { grid-template-columns: minmax(0, 3fr) minmax(280px, 2fr); } }
    tbody tr { cursor: pointer; }
    tr[aria-selected='true'] { background: color-mix(in srgb, var(--folio-accent) 14%, transparent); }
    td.payload { white-space: normal; min-width: 240px; color: var(--folio-muted); font-size: 12px; }
    .type { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 11px; border: 1px solid var(--folio-border); }
    .type.fill { border-color: var(--folio-positive); color: var(--folio-positive); }
    .type.risk { border-color: var(--folio-negative); color: var(--folio-negative); }
    .type.signal { border-color: var(--folio-accent); color: var(--folio-accent); }
    .pager { display: flex; gap: 6px; align-items: center; justify-content: flex-end; margin-top: 6px; }
    ol.chain { list-style: none; margin: 0; padding: 0; }
    ol.chain li { position: relative; padding: 6px 0 10px 22px; border-left: 2px solid var(--folio-border); margin-left: 6px; }
    ol.chain li::before { content: ''; position: absolute; left: -7px; top: 9px; width: 12px; height: 12px; border-radius: 50%; background: var(--folio-surface); border: 2px solid var(--folio-accent); }
    ol.chain li:last-child { border-left-color: transparent; }
    .link-kind { font-weight: 600; text-transform: capitalize; }
    .kv { display: grid; grid-template-columns: max-content 1fr; gap: 1px 10px; margin-top: 3px; font-size: 12px; }
    .kv dt { color: var(--folio-muted); }
    .kv dd { margin: 0; }
    .story { margin-top: 8px; padding-left: 18px; color: var(--folio-muted); font-size: 12px; }
  `];

  @property({ reflect: true, attribute: 'color-theme' }) colorTheme: ColorTheme = 'auto';
  @property({ attribute: false }) events: FolioEvent[] = [];
  @property({ attribute: 'time-zone' }) timeZone = 'UTC';
  @property({ type: Number, attribute: 'page-size' }) pageSize = 15;
  @state() private portfolio = '';
  @state() private types = new Set<EventType>(['signal', 'order', 'fill', 'risk', 'rebalance']);
  @state() private from = '';
  @state() private to = '';
  @state() private page = 0;
  @state() private chain?: FillExplanation;
  @state() private chainError = '';
  private tracer = new EventTracer('full');

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('events')) {
      this.tracer = new EventTracer('full');
      for (const e of this.events) this.tracer.record(e);
      this.chain = undefined;
      this.page = 0;
    }
  }

  /** The filter the controls describe. */
  get filter(): EventFilter {
    const from = wallClockToUtc(this.from, this.timeZone);
    const to = wallClockToUtc(this.to, this.timeZone);
    return { portfolioId: this.portfolio || undefined, type: [...this.types], from: Number.isNaN(from) ? undefined : from, to: Number.isNaN(to) ? undefined : to };
  }

  /** Events passing the filter, in recording order. */
  get filtered(): FolioEvent[] {
    return this.tracer.events(this.filter);
  }

  /** Shows the chain of a fill (by event or id). */
  explain(fill: FolioEvent | string): FillExplanation | undefined {
    try {
      this.chain = this.tracer.explain(fill);
      this.chainError = '';
      emit(this, 'folio-event-select', { event: this.chain.fill, chain: this.chain });
    } catch (e) {
      this.chain = undefined;
      this.chainError = (e as Error).message;
    }
    return this.chain;
  }

  setFilter(filter: { portfolioId?: string; types?: EventType[]; from?: string; to?: string }): void {
    if (filter.portfolioId !== undefined) this.portfolio = filter.portfolioId;
    if (filter.types) this.types = new Set(filter.types);
    if (filter.from !== undefined) this.from = filter.from;
    if (filter.to !== undefined) this.to = filter.to;
    this.page = 0;
  }

  private toggleType(t: EventType): void {
    const next = new Set(this.types);
    if (next.has(t)) next.delete(t);
    else next.add(t);
    this.types = next;
    this.page = 0;
  }

  protected override render() {
    const portfolios = [...new Set(this.events.map((e) => e.portfolioId))];
    const present = new Set(this.events.map((e) => e.type));
    const rows = this.filtered;
    const pages = Math.max(1, Math.ceil(rows.length / this.pageSize));
    const page = Math.min(this.page, pages - 1);
    const shown = rows.slice(page * this.pageSize, (page + 1) * this.pageSize);
    return html`
      <div class="filters" part="filters" role="search">
        <h3 style="margin:0">Event trace</h3>
        <label>Portfolio <select aria-label="Portfolio" @change=${(e: Event) => this.setFilter({ portfolioId: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${!this.portfolio}>all</option>
          ${portfolios.map((p) => html`<option .value=${p} ?selected=${p === this.portfolio}>${p}</option>`)}</select></label>
        <span class="types" role="group" aria-label="Event types">${TYPES.filter((t) => present.has(t)).map((t) => html`<button aria-pressed=${this.types.has(t)} data-type=${t} @click=${() => this.toggleType(t)}>${t}</button>`)}</span>
        <label>From <input type="datetime-local" aria-label="From (${this.timeZone})" .value=${this.from} @change=${(e: Event) => this.setFilter({ from: (e.target as HTMLInputElement).value })}></label>
        <label>To <input type="datetime-local" aria-label="To (${this.timeZone})" .value=${this.to} @change=${(e: Event) => this.setFilter({ to: (e.target as HTMLInputElement).value })}></label>
        <span class="muted">${rows.length.toLocaleString('en-US')} of ${this.events.length.toLocaleString('en-US')} events</span>
        <button @click=${this.exportJsonLines} aria-label="Export the filtered events as JSON lines">JSONL</button>
      </div>
      <div class="layout ${this.chain || this.chainError ? 'open' : ''}">
        <div class="panel scroll" part="list">
          <table aria-label="Events">
            <thead><tr><th>Time (${this.timeZone})</th><th class="num">Bar</th><th>Portfolio</th><th>Type</th><th>Details</th></tr></thead>
            <tbody>${shown.map((e) => html`<tr tabindex="0" data-id=${e.id} aria-selected=${this.chain?.fill.id === e.id ? 'true' : 'false'}
              @click=${() => this.onRow(e)} @keydown=${(k: KeyboardEvent) => { if (k.key === 'Enter') this.onRow(e); }}>
              <td>${formatTime(e.timestamp, this.timeZone)}</td><td class="num">${e.barIndex}</td><td>${e.portfolioId}</td>
              <td><span class="type ${e.type}">${e.type}</span></td><td class="payload">${payloadText(e)}</td></tr>`)}</tbody>
          </table>
          <div class="pager" part="pager">
            <button @click=${() => (this.page = 0)} ?disabled=${page === 0} aria-label="First page">«</button>
            <button @click=${() => (this.page = page - 1)} ?disabled=${page === 0} aria-label="Previous page">‹</button>
            <span class="muted">page ${page + 1} of ${pages}</span>
            <button @click=${() => (this.page = page + 1)} ?disabled=${page >= pages - 1} aria-label="Next page">›</button>
            <button @click=${() => (this.page = pages - 1)} ?disabled=${page >= pages - 1} aria-label="Last page">»</button>
          </div>
        </div>
        ${this.chain ? this.renderChain(this.chain) : this.chainError ? html`<div class="panel banner" role="alert">${this.chainError}</div>` : nothing}
      </div>`;
  }

  private onRow(e: FolioEvent): void {
    if (e.type === 'fill') this.explain(e);
    else emit(this, 'folio-event-select', { event: e });
  }

  private renderChain(c: FillExplanation) {
    const kv = (o: Record<string, unknown>) => html`<dl class="kv">${Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => html`<dt>${k}</dt><dd class="num" style="text-align:left">${
      v !== null && typeof v === 'object' ? Object.entries(v as Record<string, unknown>).map(([a, b]) => `${a} = ${typeof b === 'number' ? exact(b) : String(b)}`).join(', ')
        : typeof v === 'number' ? exact(v) : String(v)}</dd>`)}</dl>`;
    const links: Array<{ kind: string; id: string; body: unknown }> = [
      { kind: 'fill', id: c.fill.id, body: kv({ bar: c.fill.barIndex, time: formatTime(c.fill.timestamp, this.timeZone), ...c.fill.payload }) },
      ...(c.order ? [{ kind: 'order', id: c.order.id, body: kv({ bar: c.order.barIndex, ...c.order.payload }) }] : []),
      ...c.risk.map((r) => ({ kind: 'risk', id: r.id, body: kv({ ...r.payload }) })),
      ...(c.halt ? [{ kind: 'drawdown halt', id: c.halt.id, body: kv({ ...c.halt.payload }) }] : []),
      ...(c.signal ? [{ kind: 'signal', id: c.signal.id, body: kv({ bar: c.signal.barIndex, ...c.signal.payload }) }] : []),
      { kind: 'bar', id: c.bar.id, body: kv({ bar: c.bar.barIndex, time: formatTime(c.bar.timestamp, this.timeZone) }) },
    ];
    return html`<div class="panel" part="chain" aria-live="polite">
      <h3>Why this fill</h3>
      <ol class="chain">${links.map((l) => html`<li data-kind=${l.kind}><span class="link-kind">${l.kind}</span> <span class="muted">${l.id}</span>${l.body}</li>`)}</ol>
      <ol class="story">${c.story.map((s) => html`<li>${s}</li>`)}</ol>
    </div>`;
  }

  private exportJsonLines = () => {
    download(`${fileSafe(this.portfolio || 'events')}.jsonl`, this.tracer.toJSONLines(this.filter), 'application/x-ndjson');
  };
}

defineElement('folio-event-trace', FolioEventTrace);

declare global {
  interface HTMLElementTagNameMap {
    'folio-event-trace': FolioEventTrace;
  }
}
