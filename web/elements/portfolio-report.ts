// <folio-portfolio-report>: one portfolio in depth: equity, underwater and exposure; price candles with
// its fills and trades; the trade list (a click zooms every chart to the trade); monthly and yearly
// returns; the daily return distribution; rolling Sharpe and volatility; every metric by group; its
// config; and its event trace when the run kept events.
import { css, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { Trade } from '../../src/analytics/trades.js';
import type { ReportData, ReportPortfolio } from '../../src/report/model.js';
import '../charts/heatmap.js';
import '../charts/histogram.js';
import '../charts/time-chart.js';
import type { FolioTimeChart } from '../charts/time-chart.js';
import { defineElement } from '../define.js';
import { emit, formatValue, ratio } from '../format.js';
import { base, cssVar, palette, reportLayout, SERIES_COLORS } from '../theme.js';
import './event-trace.js';
import './metrics-table.js';
import { FolioReportBase, specSummary } from './report-base.js';
import './trade-list.js';
import type { TradeSelectDetail } from './trade-list.js';

let instances = 0;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Monthly returns as a years × (12 months + year) matrix; a year compounds its months. */
export function monthlyMatrix(monthly: ReadonlyArray<{ year: number; month: number; return: number }>): { years: number[]; values: number[][] } {
  const years = [...new Set(monthly.map((m) => m.year))].sort((a, b) => a - b);
  const values = years.map(() => new Array<number>(13).fill(NaN));
  for (const m of monthly) values[years.indexOf(m.year)][m.month - 1] = m.return;
  for (const row of values) {
    const months = row.slice(0, 12).filter((v) => !Number.isNaN(v));
    row[12] = months.length ? months.reduce((g, r) => g * (1 + r), 1) - 1 : NaN;
  }
  return { years, values };
}

/** Sample standard deviation of each full window of `window` finite values × √periodsPerYear (NaN otherwise). */
export function rollingVolatility(values: Float64Array, window: number, periodsPerYear: number): Float64Array {
  const out = new Float64Array(values.length).fill(NaN);
  for (let t = window - 1; t < values.length; t++) {
    let s = 0;
    let ok = true;
    for (let k = t - window + 1; k <= t; k++) {
      if (!Number.isFinite(values[k])) ok = false;
      s += values[k];
    }
    if (!ok) continue;
    const mean = s / window;
    let q = 0;
    for (let k = t - window + 1; k <= t; k++) q += (values[k] - mean) ** 2;
    out[t] = Math.sqrt(q / (window - 1)) * Math.sqrt(periodsPerYear);
  }
  return out;
}

export class FolioPortfolioReport extends FolioReportBase {
  static override styles = [palette, base, reportLayout, css`
    .symbol { margin-left: auto; }
  `];

  /** Which portfolio of the run to show (default the first). */
  @property({ attribute: 'portfolio-id' }) portfolioId = '';
  @state() private symbol = '';
  @state() private selectedTrade = -1;
  @state() private highlight?: { min: number; max: number };
  @query('#price') private priceChart?: FolioTimeChart;
  @query('#equity') private equityChart?: FolioTimeChart;
  private readonly syncKey = `folio-portfolio-${++instances}`;

  constructor() {
    super();
    this.maxEvents = 20_000;
  }

  /** The portfolio shown. */
  get portfolio(): ReportPortfolio | undefined {
    const d = this.view;
    return d && (d.portfolios.find((p) => p.id === this.portfolioId) ?? (this.portfolioId ? undefined : d.portfolios[0]));
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const p = this.portfolio;
    if (p && !p.symbols.includes(this.symbol)) this.symbol = p.symbols.find((s) => this.view?.prices?.bySymbol[s]) ?? p.symbols[0] ?? '';
  }

  /** Zooms every chart to a trade (with a margin of half its length each side) and highlights it. */
  zoomToTrade(trade: Trade): void {
    const d = this.view;
    if (!d || trade.entryTime === undefined) return;
    const end = trade.exitTime ?? d.timeline[d.timeline.length - 1];
    const pad = Math.max((end - trade.entryTime) * 0.5, 30 * 60_000);
    if (trade.symbol !== this.symbol && this.view?.prices?.bySymbol[trade.symbol]) this.symbol = trade.symbol;
    this.highlight = { min: trade.entryTime, max: end };
    void this.updateComplete.then(() => (this.priceChart ?? this.equityChart)?.setRange(trade.entryTime! - pad, end + pad));
  }

  private onTradeSelect = (e: CustomEvent<TradeSelectDetail>) => {
    this.selectedTrade = e.detail.index;
    this.zoomToTrade(e.detail.trade);
  };

  protected override render() {
    const d = this.view;
    if (!d) return html`<p class="muted" part="empty">No results yet.</p>`;
    const p = this.portfolio;
    if (!p) return html`<p class="banner" role="alert">No portfolio "${this.portfolioId}" in this run${d.failed[this.portfolioId] ? `: it failed (${d.failed[this.portfolioId]})` : ''}.</p>`;
    const m = p.metrics;
    const index = d.portfolios.indexOf(p);
    const color = cssVar(this, `--folio-series-${(index % 10) + 1}`, SERIES_COLORS[index % SERIES_COLORS.length]);
    const fg = cssVar(this, '--folio-fg', '#1b1f24');
    const n = d.timeline.length;
    const v = this.themeVersion;
    const benchAvailable = d.benchmark && p.symbols.includes(d.benchmark.symbol) ? d.benchmark : undefined;
    const bench = benchAvailable && this.benchmarkShown(d, [p]) ? benchAvailable : undefined;
    const equitySeries = this.memo('equity', [p, bench, v], () => [{ label: p.id, values: p.equity, color },
      ...(bench ? [{ label: `Buy & hold ${bench.symbol}`, values: bench.equity, scale: p.initialCapital / d.combined.initialCapital, color: '#8a8f98', dash: [5, 4], width: 1.2 }] : [])]);
    const underwaterSeries = this.memo('underwater', [p, v], () => [{ label: 'underwater', values: p.underwater, color: cssVar(this, '--folio-negative', '#c2410c'), fill: true }]);
    const exposureSeries = this.memo('exposure', [p, v], () => [{ label: 'exposure', values: ratio(p.gross, p.equity), color: fg, fill: true, width: 1 }]);
    const sharpeSeries = this.memo('sharpe', [p, v], () => [{ label: 'Sharpe', values: m.rollingSharpe.values, color }]);
    const { years, values } = monthlyMatrix(m.monthlyReturns);
    const daily = d.returns.byPortfolio[p.id];
    const prices = d.prices?.bySymbol[this.symbol];
    const symbolIndex = p.symbols.indexOf(this.symbol);
    const fills = p.fills;
    const markers = prices && fills.time.length ? this.markersOf(p, symbolIndex) : undefined;
    const trades = this.memo('trades', [p, this.symbol], () => p.trades.filter((t) => t.symbol === this.symbol));
    return html`
      <header part="header">
        <h1><span class="swatch" style="background:${color};width:14px;height:14px"></span>${p.id}</h1>
        <span class="meta">${p.strategy ?? ''} · ${d.name} · ${this.period(d)} · ${d.bars.toLocaleString('en-US')} bars · ${p.symbols.join(', ')}${p.halted ? ' · HALTED' : ''}</span>
      </header>
      <section class="kpis" aria-label="Summary">
        ${this.kpi('Total return', m.totalReturn, 'pct', true)}
        ${this.kpi('CAGR', m.cagr, 'pct', true)}
        ${this.kpi('Sharpe', m.sharpe, 'ratio')}
        ${this.kpi('Sortino', m.sortino, 'ratio')}
        ${this.kpi('Max drawdown', m.maxDrawdown, 'pct')}
        ${this.kpi('Trades', m.trades, 'int')}
        ${this.kpi('Win rate', m.winRate, 'pct')}
        ${this.kpi('Profit factor', m.profitFactor, 'ratio')}
        ${this.kpi('Final equity', p.finalEquity, 'money')}
      </section>
      <section class="panel stack" part="panel equity">
        <div class="toggles">
          <span class="muted">Drag to zoom · wheel zooms · shift+wheel pans · double-click resets · click a trade to zoom to it</span>
          ${benchAvailable ? html`<button aria-pressed=${Boolean(bench)} @click=${() => (this.showBenchmark = !bench)}>Buy & hold ${benchAvailable.symbol}</button>` : nothing}
        </div>
        <folio-time-chart id="equity" chart-title="Equity" .x=${d.timeline} format="money" sync-key=${this.syncKey} time-zone=${d.timeZone} .theme=${this.themeVersion} height="260"
          .highlight=${this.highlight}
          .series=${equitySeries}></folio-time-chart>
        <folio-time-chart id="underwater" chart-title="Drawdown" .x=${d.timeline} format="pct" sync-key=${this.syncKey} time-zone=${d.timeZone} .theme=${this.themeVersion} height="150"
          .highlight=${this.highlight} .series=${underwaterSeries}></folio-time-chart>
        <folio-time-chart id="exposure" chart-title="Exposure (gross ÷ equity)" .x=${d.timeline} format="pct" sync-key=${this.syncKey} time-zone=${d.timeZone} .theme=${this.themeVersion} height="130"
          .highlight=${this.highlight} .series=${exposureSeries}></folio-time-chart>
        ${prices ? html`
          <div class="toggles">
            <span class="label">Price${d.prices!.barsPerCandle > 1 ? ` (candles of ${d.prices!.barsPerCandle} bars)` : ''} · ▲ buys ▼ sells · dashed: trades, green won</span>
            ${p.symbols.length > 1 ? html`<select class="symbol" aria-label="Symbol" @change=${(e: Event) => (this.symbol = (e.target as HTMLSelectElement).value)}>
              ${p.symbols.map((s) => html`<option ?selected=${s === this.symbol}>${s}</option>`)}</select>` : nothing}
          </div>
          <folio-time-chart id="price" chart-title=${`${this.symbol} price and fills`} .candles=${prices} .markers=${markers} .segments=${trades} .highlight=${this.highlight}
            format="number" sync-key=${this.syncKey} time-zone=${d.timeZone} .theme=${this.themeVersion} height="320"></folio-time-chart>` : html`<p class="note">No price data in this report (pass the bars to show candles and fills).</p>`}
        ${d.decimatedFrom ? html`<p class="note">Curves show ${n.toLocaleString('en-US')} of ${d.decimatedFrom.toLocaleString('en-US')} bars (each bucket keeps its lowest and highest point); metrics use every bar.</p>` : nothing}
      </section>
      <section class="panel" part="panel trades" style="margin:12px 0">
        <folio-trade-list .trades=${p.trades} time-zone=${d.timeZone} .selected=${this.selectedTrade} @folio-trade-select=${this.onTradeSelect}></folio-trade-list>
      </section>
      <div class="grid two">
        <section class="panel" part="panel monthly">
          <folio-heatmap id="monthly" chart-title="Monthly returns" palette="returns" format="pct" .rows=${years.map(String)} .cols=${[...MONTHS, 'Year']} .values=${values}
            min=${-Math.max(1e-9, ...values.flat().filter(Number.isFinite).map(Math.abs))} max=${Math.max(1e-9, ...values.flat().filter(Number.isFinite).map(Math.abs))}
            cell-width="54" cell-height="28"></folio-heatmap>
        </section>
        <section class="panel" part="panel distribution">
          <folio-histogram id="distribution" chart-title="Distribution of ${d.returns.frequency} returns" .values=${daily ?? []}
            .markers=${[{ label: 'VaR 95%', value: -m.var95 }, { label: 'CVaR 95%', value: -m.cvar95 }]}></folio-histogram>
          <p class="note">Skew ${formatValue(m.dailySkew, 'ratio')} · excess kurtosis ${formatValue(m.dailyKurtosis, 'ratio')} · best day ${formatValue(m.bestDay, 'pct')} · worst day ${formatValue(m.worstDay, 'pct')}</p>
        </section>
      </div>
      <div class="grid two">
        <section class="panel" part="panel rolling-sharpe">
          <folio-time-chart id="rolling-sharpe" chart-title="Rolling Sharpe (${m.rollingSharpe.window} days, annualized)" .x=${m.rollingSharpe.timestamps} format="ratio"
            .series=${sharpeSeries} time-zone=${d.timeZone} .theme=${this.themeVersion} height="200"></folio-time-chart>
        </section>
        <section class="panel" part="panel rolling-volatility">
          ${daily ? html`<folio-time-chart id="rolling-volatility" chart-title="Rolling volatility (${m.rollingSharpe.window} days, annualized)" .x=${d.returns.timestamps} format="pct"
            .series=${this.memo('volatility', [p, v], () => [{ label: 'volatility', values: rollingVolatility(daily, m.rollingSharpe.window, 252), color }])} time-zone=${d.timeZone} .theme=${this.themeVersion} height="200"></folio-time-chart>` : nothing}
        </section>
      </div>
      <section class="panel" part="panel metrics" style="margin-bottom:12px">
        <folio-metrics-table layout="grouped" chart-title="All metrics" .rows=${[{ id: p.id, metrics: m }]}></folio-metrics-table>
      </section>
      ${p.events.length ? html`<section class="panel" part="panel trace" style="margin-bottom:12px">
        <folio-event-trace .events=${p.events} time-zone=${d.timeZone} color-theme=${this.colorTheme}></folio-event-trace>
        ${p.eventCount > p.events.length ? html`<p class="note">The first ${p.events.length.toLocaleString('en-US')} of ${p.eventCount.toLocaleString('en-US')} events.</p>` : nothing}
      </section>` : nothing}
      <section class="panel" part="panel parameters">
        <details open><summary>Configuration</summary>
          <p>${specSummary(p.spec)}</p>
          ${p.spec ? html`<details><summary class="muted" style="font-weight:400">JSON</summary><pre>${JSON.stringify(p.spec, null, 2)}</pre></details>` : nothing}
        </details>
      </section>
      <footer part="footer">foliolab · times in ${d.timeZone}</footer>`;
  }

  private markersCache = new WeakMap<ReportPortfolio, Map<number, { time: Float64Array; price: Float64Array; quantity: Float64Array }>>();

  /** The fills of one symbol as marker columns (cached per portfolio and symbol). */
  private markersOf(p: ReportPortfolio, symbol: number) {
    let bySymbol = this.markersCache.get(p);
    if (!bySymbol) this.markersCache.set(p, (bySymbol = new Map()));
    let m = bySymbol.get(symbol);
    if (!m) {
      const at: number[] = [];
      for (let i = 0; i < p.fills.symbol.length; i++) if (p.fills.symbol[i] === symbol) at.push(i);
      const pick = (c: Float64Array) => Float64Array.from(at, (i) => c[i]);
      m = { time: pick(p.fills.time), price: pick(p.fills.price), quantity: pick(p.fills.quantity) };
      bySymbol.set(symbol, m);
    }
    return m;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (changed.has('portfolioId')) emit(this, 'folio-portfolio-change', { portfolioId: this.portfolio?.id });
  }
}

defineElement('folio-portfolio-report', FolioPortfolioReport);

declare global {
  interface HTMLElementTagNameMap {
    'folio-portfolio-report': FolioPortfolioReport;
  }
}
