// <folio-dashboard>: the combined view of a multi-portfolio run: equity of each portfolio, the book and
// a buy-and-hold benchmark; overlaid drawdowns and the worst episodes; correlation, attribution, risk
// contribution and the efficient frontier; allocation when rebalanced; every metric side by side; the
// run's parameters.
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { Drawdown } from '../../src/analytics/drawdowns.js';
import type { ReportData } from '../../src/report/model.js';
import '../charts/bar-chart.js';
import '../charts/heatmap.js';
import '../charts/scatter.js';
import '../charts/time-chart.js';
import type { ChartSeries } from '../charts/time-chart.js';
import { defineElement } from '../define.js';
import { emit, formatDuration, formatTime, formatValue } from '../format.js';
import { base, palette, reportLayout, SERIES_COLORS } from '../theme.js';
import './metrics-table.js';
import { FolioReportBase, specSummary } from './report-base.js';

let instances = 0;

interface DrawdownRow extends Drawdown {
  series: string;
}

export class FolioDashboard extends FolioReportBase {
  static override styles = [palette, base, reportLayout, css`
    .dd td:first-child { max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
    .params td { vertical-align: top; white-space: normal; }
    .params td:first-child { white-space: nowrap; }
    .params pre { max-width: 640px; }
  `];

  /** Equity as growth of the initial capital (comparable across sizes) or in currency. */
  @state() equityMode: 'growth' | 'money' = 'growth';
  @state() logScale = false;
  private readonly syncKey = `folio-dashboard-${++instances}`;

  private color(i: number): string {
    return `var(--folio-series-${(i % 10) + 1}, ${SERIES_COLORS[i % SERIES_COLORS.length]})`;
  }

  /** Resolved colour of portfolio i (canvas needs a real colour, not a var()). */
  private canvasColor(i: number): string {
    return getComputedStyle(this).getPropertyValue(`--folio-series-${(i % 10) + 1}`).trim() || SERIES_COLORS[i % SERIES_COLORS.length];
  }

  protected override render() {
    const d = this.view;
    if (!d) return html`<p class="muted" part="empty">No results yet.</p>`;
    if (d.version !== 1) return html`<p class="banner">This report was written by a newer foliolab (format ${d.version}).</p>`;
    const ids = d.portfolios.map((p) => p.id);
    const combinedReturn = d.attribution.combinedReturn;
    const combinedDd = Math.max(0, ...d.combined.drawdowns.map((x) => x.depth));
    const bestSharpe = d.portfolios.reduce<{ id: string; v: number } | undefined>((b, p) => (Number.isFinite(p.metrics.sharpe) && (!b || p.metrics.sharpe > b.v) ? { id: p.id, v: p.metrics.sharpe } : b), undefined);
    return html`
      <header part="header">
        <h1>${d.name}</h1>
        <span class="meta">${this.period(d)} · ${d.bars.toLocaleString('en-US')} bars of ${d.symbols.join(', ')} · ${ids.length} portfolio${ids.length === 1 ? '' : 's'}${d.generatedAt ? ` · generated ${d.generatedAt.slice(0, 16).replace('T', ' ')} UTC` : ''}</span>
      </header>
      ${Object.keys(d.failed).length ? html`<div class="banner" role="alert">Failed: ${Object.entries(d.failed).map(([id, e]) => html`<div><b>${id}</b>: ${e}</div>`)}</div>` : nothing}
      <section class="kpis" aria-label="Summary">
        ${this.kpi('Combined return', combinedReturn, 'pct', true)}
        ${this.kpi('Combined max drawdown', combinedDd, 'pct')}
        ${this.kpi(`Best Sharpe${bestSharpe ? ` (${bestSharpe.id})` : ''}`, bestSharpe?.v, 'ratio')}
        ${ids.length === 2 ? this.kpi('Correlation (daily)', d.correlation.matrix[0][1], 'ratio') : nothing}
        ${this.kpi('Book volatility', d.riskContribution.volatility, 'pct')}
        ${this.kpi('Initial capital', d.combined.initialCapital, 'money')}
      </section>
      <section class="panel stack" part="panel equity">
        <div class="toggles" role="toolbar" aria-label="Equity display">
          <span class="label">Show</span>
          <button aria-pressed=${this.equityMode === 'growth'} @click=${() => (this.equityMode = 'growth')}>Return</button>
          <button aria-pressed=${this.equityMode === 'money'} @click=${() => (this.equityMode = 'money')}>Equity</button>
          <button aria-pressed=${this.logScale} @click=${() => { this.logScale = !this.logScale; emit(this, 'folio-log-scale', { log: this.logScale }); }}>Log scale</button>
          ${d.benchmark ? html`<button aria-pressed=${this.benchmarkShown(d)} @click=${() => (this.showBenchmark = !this.benchmarkShown(d))}>Buy & hold ${d.benchmark.symbol}</button>` : nothing}
          <span class="muted">Drag to zoom · wheel zooms · shift+wheel pans · double-click resets</span>
        </div>
        <folio-time-chart id="equity" chart-title="Equity" .x=${d.timeline} .series=${this.memo('equity', [d, this.equityMode, this.themeVersion, this.benchmarkShown(d)], () => this.equitySeries(d))} format=${this.equityMode === 'growth' ? 'growth' : 'money'}
          ?log-scale=${this.logScale} sync-key=${this.syncKey} time-zone=${d.timeZone} .theme=${this.themeVersion} height="300"></folio-time-chart>
        <folio-time-chart id="underwater" chart-title="Drawdown (underwater)" .x=${d.timeline} .series=${this.memo('underwater', [d, this.themeVersion], () => this.underwaterSeries(d))} format="pct"
          sync-key=${this.syncKey} time-zone=${d.timeZone} .theme=${this.themeVersion} height="190"></folio-time-chart>
        ${d.decimatedFrom ? html`<p class="note">Curves show ${d.timeline.length.toLocaleString('en-US')} of ${d.decimatedFrom.toLocaleString('en-US')} bars: every bucket keeps its lowest and highest point, so no trough or peak is lost. Metrics use every bar.</p>` : nothing}
      </section>
      <section class="panel" part="panel metrics" style="margin:12px 0">
        <folio-metrics-table chart-title="Metrics" .rows=${d.portfolios.map((p, i) => ({ id: p.id, metrics: p.metrics, color: this.color(i) }))}></folio-metrics-table>
      </section>
      <div class="grid three">
        <section class="panel" part="panel correlation">
          <folio-heatmap id="correlation" chart-title="Correlation of ${d.returns.frequency} returns (${d.correlation.method})" .rows=${d.correlation.ids} .cols=${d.correlation.ids}
            .values=${d.correlation.matrix} .counts=${d.correlation.observations}></folio-heatmap>
          <p class="note">n = periods where both portfolios have a return.</p>
        </section>
        <section class="panel" part="panel attribution">
          <folio-bar-chart id="attribution" chart-title="Attribution of the combined return" format="pct"
            .items=${ids.map((id, i) => ({ label: id, value: d.attribution.contributions[id], color: this.color(i), note: `P&L ${formatValue(d.attribution.pnl[id], 'money')}, net flows ${formatValue(d.attribution.netFlows[id], 'money')}` }))}
            .total=${{ label: 'Combined', value: combinedReturn }}></folio-bar-chart>
          <p class="note">P&L net of flows ÷ combined initial capital (${formatValue(d.attribution.initialCapital, 'money')}); the bars add up to the combined return.</p>
        </section>
        <section class="panel" part="panel risk">
          <folio-bar-chart id="risk" chart-title="Risk contribution (share of book volatility)" format="pct"
            .items=${d.riskContribution.ids.map((id, i) => ({ label: id, value: d.riskContribution.percent[i], color: this.color(ids.indexOf(id)),
              note: `weight ${formatValue(d.riskContribution.weights[i], 'pct')}, component ${formatValue(d.riskContribution.component[i], 'pct')}` }))}></folio-bar-chart>
          <p class="note">Euler decomposition of σ = ${formatValue(d.riskContribution.volatility, 'pct')}${d.riskContribution.annualized ? ' (annualized)' : ` per ${d.returns.frequency === 'daily' ? 'day' : 'period'}`} at capital weights.
            ${d.riskContribution.notes.join(' ')}</p>
        </section>
      </div>
      <div class="grid two">
        <section class="panel" part="panel frontier">
          ${this.frontier(d)}
        </section>
        <section class="panel" part="panel contribution">
          <folio-time-chart id="contribution" chart-title="Cumulative contribution to the combined return" .x=${d.timeline} format="pct"
            .series=${this.memo('contribution', [d, this.themeVersion], () => [...ids.map((id, i) => ({ label: id, values: d.attribution.cumulative[id], color: this.canvasColor(i) })), { label: 'Combined', values: d.attribution.combined, color: this.fg(), width: 2 }])}
            sync-key=${this.syncKey} time-zone=${d.timeZone} .theme=${this.themeVersion} height="260"></folio-time-chart>
        </section>
      </div>
      ${d.allocation ? html`<section class="panel" part="panel allocation" style="margin-bottom:12px">
        <folio-time-chart id="allocation" chart-title="Allocation (share of book equity; ${d.rebalances} rebalance${d.rebalances === 1 ? '' : 's'} moved capital)" .x=${d.timeline} format="pct"
          .series=${this.memo('allocation', [d, this.themeVersion], () => ids.map((id, i) => ({ label: id, values: d.allocation![id], color: this.canvasColor(i) })))} sync-key=${this.syncKey} time-zone=${d.timeZone} .theme=${this.themeVersion} height="200"></folio-time-chart>
      </section>` : nothing}
      <section class="panel dd" part="panel drawdowns" style="margin-bottom:12px">
        <h3>Worst drawdowns</h3>
        ${this.drawdownTable(d)}
      </section>
      <section class="panel params" part="panel parameters">
        <details open><summary>Run parameters</summary>
          <div class="scroll"><table style="margin-top:8px"><thead><tr><th>Portfolio</th><th>Strategy</th><th class="num">Initial capital</th><th>Configuration</th></tr></thead>
            <tbody>${d.portfolios.map((p, i) => html`<tr><td><span class="swatch" style="background:${this.color(i)}"></span>${p.id}</td><td>${p.strategy ?? '—'}</td>
              <td class="num">${formatValue(p.initialCapital, 'money')}</td><td>${specSummary(p.spec)}${p.spec ? html`<details><summary class="muted" style="font-weight:400">JSON</summary><pre>${JSON.stringify(p.spec, null, 2)}</pre></details>` : nothing}</td></tr>`)}</tbody></table></div>
          ${d.config ? html`<details style="margin-top:8px"><summary>Whole config</summary><pre>${JSON.stringify(d.config, null, 2)}</pre></details>` : nothing}
          ${d.warnings.length ? html`<p class="note">Warnings: ${d.warnings.join(' · ')}</p>` : nothing}
        </details>
      </section>
      <footer part="footer">foliolab · times in ${d.timeZone}</footer>`;
  }

  private fg(): string {
    return getComputedStyle(this).getPropertyValue('--folio-fg').trim() || '#1b1f24';
  }

  private equitySeries(d: ReportData): ChartSeries[] {
    const growth = this.equityMode === 'growth';
    const scale = (capital: number) => (growth ? 1 / capital : 1);
    const out: ChartSeries[] = d.portfolios.map((p, i) => ({ label: p.id, values: p.equity, scale: scale(p.initialCapital), color: this.canvasColor(i) }));
    if (d.portfolios.length > 1 || !growth) out.push({ label: 'Combined', values: d.combined.equity, scale: scale(d.combined.initialCapital), color: this.fg(), width: 2.2 });
    if (d.benchmark && this.benchmarkShown(d)) out.push({ label: `Buy & hold ${d.benchmark.symbol}`, values: d.benchmark.equity, scale: scale(d.combined.initialCapital), color: '#8a8f98', dash: [5, 4], width: 1.2 });
    return out;
  }

  private underwaterSeries(d: ReportData): ChartSeries[] {
    const out: ChartSeries[] = d.portfolios.map((p, i) => ({ label: p.id, values: p.underwater, color: this.canvasColor(i), fill: d.portfolios.length <= 3 }));
    if (d.portfolios.length > 1) out.push({ label: 'Combined', values: d.combined.underwater, color: this.fg(), width: 2 });
    return out;
  }

  private frontier(d: ReportData) {
    const f = d.frontier;
    const per = f.annualized ? 'annualized' : `per ${d.returns.frequency === 'daily' ? 'day' : 'period'}`;
    const mix = (w: number[]) => f.ids.map((id, i) => `${id}: ${formatValue(w[i], 'pct')}`).join(', ');
    const ids = d.portfolios.map((p) => p.id);
    return html`<folio-scatter id="frontier" chart-title="Efficient frontier (long-only mixes)" x-label="volatility (${per})" y-label="mean return (${per})"
      .line=${f.points.map((p) => ({ x: p.volatility, y: p.expectedReturn }))}
      .points=${[
        ...d.frontierPortfolios.map((p) => ({ label: p.id, x: p.volatility, y: p.expectedReturn, color: this.color(ids.indexOf(p.id)) })),
        { label: 'min variance', x: f.minVariance.volatility, y: f.minVariance.expectedReturn, shape: 'diamond', color: 'var(--folio-fg)', detail: mix(f.minVariance.weights) },
        { label: 'max Sharpe', x: f.maxSharpe.volatility, y: f.maxSharpe.expectedReturn, shape: 'star', color: 'var(--folio-accent)', detail: mix(f.maxSharpe.weights) },
      ]}></folio-scatter>
      <p class="note">Min variance: ${mix(f.minVariance.weights)}. Max Sharpe (${formatValue(f.maxSharpe.sharpe ?? NaN, 'number')} ${per}): ${mix(f.maxSharpe.weights)}.
        ${f.observations ?? 0} common periods.${f.degenerate ? ` ${f.degenerate}: ${f.notes.join(' ')}` : ''}</p>`;
  }

  private drawdownTable(d: ReportData) {
    const rows: DrawdownRow[] = [
      ...d.combined.drawdowns.map((x) => ({ ...x, series: 'Combined' })),
      ...d.portfolios.flatMap((p) => p.drawdowns.map((x) => ({ ...x, series: p.id }))),
    ].sort((a, b) => b.depth - a.depth).slice(0, 10);
    const t = (ms: number | undefined) => (ms === undefined ? '—' : formatTime(ms, d.timeZone));
    return html`<div class="scroll"><table>
      <thead><tr><th>Series</th><th class="num">Depth</th><th>Peak</th><th>Trough</th><th>Recovery</th><th class="num">Length</th><th class="num">Bars</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr><td title=${r.series}>${r.series}</td><td class="num neg">${formatValue(-r.depth, 'pct')}</td><td>${t(r.peakTimestamp)}</td>
        <td>${t(r.troughTimestamp)}</td><td>${r.recovered ? t(r.recoveryTimestamp) : html`<span class="muted">not recovered</span>`}</td>
        <td class="num">${formatDuration(r.lengthMs)}</td><td class="num">${r.lengthSteps.toLocaleString('en-US')}</td></tr>`)}</tbody>
    </table></div>`;
  }
}

defineElement('folio-dashboard', FolioDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'folio-dashboard': FolioDashboard;
  }
}
