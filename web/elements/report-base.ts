// What the dashboard and the portfolio report share: their inputs (a prepared ReportData, or a run with
// its analysis, bars and config), the color-theme attribute, and the re-read of colours on theme change.
import { LitElement, html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Analysis } from '../../src/analytics/analyze.js';
import type { RunConfig } from '../../src/config/schema.js';
import type { AlignedBars, Bars } from '../../src/data/bars.js';
import { reportData, withTrades, type ReportData } from '../../src/report/model.js';
import type { RunResult } from '../../src/workflow/run.js';
import { formatTime, formatValue, type ValueFormat } from '../format.js';
import type { ColorTheme } from '../theme.js';

/** "momentum(lookbackPeriod 20, momentumThreshold 0.0002) · fixed(size 1000) · max_position_value(value 5000)" from a trading-system spec. */
export function specSummary(spec: unknown): string {
  if (!spec || typeof spec !== 'object') return '—';
  const s = spec as { strategy?: Record<string, unknown>; sizers?: Array<Record<string, unknown>>; limits?: Array<Record<string, unknown>>; execution?: Record<string, unknown> };
  const call = (o: Record<string, unknown> | undefined) => {
    if (!o) return '';
    const { type, ...rest } = o;
    const args = Object.entries(rest).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k} ${String(v)}`).join(', ');
    return `${String(type)}(${args})`;
  };
  return [call(s.strategy), ...(s.sizers ?? []).map(call), ...(s.limits ?? []).map(call)].filter(Boolean).join(' · ');
}


export class FolioReportBase extends LitElement {
  /** "auto" (default) follows prefers-color-scheme; "light" or "dark" force one. */
  @property({ reflect: true, attribute: 'color-theme' }) colorTheme: ColorTheme = 'auto';
  /** A prepared view of a run (reportData(), or what a report page embeds). Takes precedence over `result`. */
  @property({ attribute: false }) data?: ReportData;
  /** A run from runBacktest (used when `data` is not set). */
  @property({ attribute: false }) result?: RunResult;
  /** The run's analysis; computed with analyze() when absent. */
  @property({ attribute: false }) analysis?: Analysis;
  /** The bars the run used (candles, benchmark). */
  @property({ attribute: false }) bars?: Bars | AlignedBars;
  /** The config the run used (parameters). */
  @property({ attribute: false }) config?: RunConfig;

  /** Undefined: the benchmark is shown unless its swings dwarf every portfolio's (then it is one click away). */
  @state() showBenchmark?: boolean;

  /** Bumped when the colours change, passed to the canvas charts (they re-read --folio-*). */
  @state() protected themeVersion = 0;
  protected view?: ReportData;
  private media?: MediaQueryList;
  private readonly onMedia = () => {
    if (this.colorTheme === 'auto') this.themeVersion++;
  };

  /** Events kept per portfolio when building the view from `result`. */
  protected maxEvents = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.media = matchMedia('(prefers-color-scheme: dark)');
    this.media.addEventListener('change', this.onMedia);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.media?.removeEventListener('change', this.onMedia);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('data') || changed.has('result') || changed.has('analysis') || changed.has('bars') || changed.has('config')) {
      this.view = this.data ? withTrades(this.data) : (this.result ? reportData(this.result, { analysis: this.analysis, bars: this.bars, config: this.config, maxEvents: this.maxEvents }) : undefined);
    }
    if (changed.has('colorTheme') && changed.get('colorTheme') !== undefined) this.themeVersion++;
  }

  private memos = new Map<string, { deps: unknown[]; value: unknown }>();

  /**
   * The value `make` returned for the same deps last time: series arrays built in render stay the same
   * objects, so the charts do not rebuild on renders that changed nothing of theirs.
   */
  protected memo<T>(key: string, deps: unknown[], make: () => T): T {
    const hit = this.memos.get(key);
    if (hit && hit.deps.length === deps.length && hit.deps.every((d, i) => d === deps[i])) return hit.value as T;
    const value = make();
    this.memos.set(key, { deps, value });
    return value;
  }

  /** Whether the benchmark is drawn: the user's choice, else only when its range is within 5× the widest portfolio's. */
  benchmarkShown(d: ReportData, portfolios = d.portfolios): boolean {
    if (this.showBenchmark !== undefined || !d.benchmark) return Boolean(this.showBenchmark && d.benchmark);
    return this.memo(`benchmark:${portfolios.map((p) => p.id).join('\u0000')}`, [d], () => this.benchmarkFits(d, portfolios));
  }

  private benchmarkFits(d: ReportData, portfolios: ReportData['portfolios']): boolean {
    if (!d.benchmark) return false;
    const range = (v: Float64Array, capital: number) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < v.length; i++) {
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
      }
      return (hi - lo) / capital;
    };
    const widest = Math.max(...portfolios.map((p) => range(p.equity, p.initialCapital)), portfolios.length > 1 ? range(d.combined.equity, d.combined.initialCapital) : 0);
    return range(d.benchmark.equity, d.combined.initialCapital) <= 5 * widest;
  }

  protected kpi(label: string, value: unknown, format: ValueFormat, tone = false) {
    const v = typeof value === 'number' ? value : NaN;
    return html`<div class="kpi" part="kpi"><div class="kpi-label">${label}</div>
      <div class="kpi-value num ${tone && v > 0 ? 'pos' : tone && v < 0 ? 'neg' : ''}">${formatValue(value, format)}</div></div>`;
  }

  protected period(d: ReportData): string {
    const t = d.timeline;
    return t.length ? `${formatTime(t[0], d.timeZone, false)} → ${formatTime(t[t.length - 1], d.timeZone, false)}` : '';
  }
}
