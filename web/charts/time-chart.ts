// <folio-time-chart>: a uPlot time-series pane (lines, areas, or candles with fill markers and trade
// segments) that redraws only what the pixel width can show (min/max decimation of the visible range),
// shares its crosshair and x range with every chart of the same sync-key, zooms by wheel, drag and
// keyboard, and exports PNG and CSV of what it shows.
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css?inline';
import { keptIndices, stepIndex } from '../../src/report/model.js';
import { aggregateOhlc, type Ohlc } from '../../src/report/ohlc.js';
import { download, emit, fileSafe, formatTime, formatValue, toCsv, type ValueFormat } from '../format.js';
import { base, cssVar, seriesColor } from '../theme.js';
import { defineElement } from '../define.js';

/** One line (or area) of the chart, on the chart's x. */
export interface ChartSeries {
  label: string;
  values: Float64Array;
  /** CSS colour; default the palette's colour for the series' position. */
  color?: string;
  width?: number;
  dash?: number[];
  /** Shade between the line and zero. */
  fill?: boolean;
  /** Drawn (and exported) as values × scale: a growth curve from equity without a copy of a 1M-bar array. */
  scale?: number;
  /** Legend value format; default the chart's `format`. */
  format?: ValueFormat;
}

/** Fills drawn on candles: ▲ buys, ▼ sells, at their price. */
export interface ChartMarkers {
  time: Float64Array;
  price: Float64Array;
  quantity: Float64Array;
}

/** Round trips drawn on candles: entry to exit, green when net P&L > 0. */
export interface ChartSegment {
  entryTime?: number;
  exitTime?: number;
  entryPrice: number;
  exitPrice: number;
  netPnl: number;
}

/** The x range shown (ms timestamps). */
export interface ChartRange {
  min: number;
  max: number;
}

const groups = new Map<string, Set<FolioTimeChart>>();

/** First index with x[i] ≥ v. */
function lowerBound(x: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function gather(values: Float64Array, at: Float64Array, scale = 1): Float64Array {
  const out = new Float64Array(at.length);
  for (let k = 0; k < at.length; k++) out[k] = values[at[k]] * scale;
  return out;
}

/** uPlot reads null as a gap; a NaN would poison its y range (then nothing is drawn). */
function gapsAsNull(values: Float64Array): Float64Array | Array<number | null> {
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== values[i]) return Array.from(values, (v) => (v === v ? v : null));
  }
  return values;
}

/** #rrggbb with an alpha, for area fills (other colour syntaxes are left without fill). */
function withAlpha(color: string, a: number): string | undefined {
  const m = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return undefined;
  const v = parseInt(m[1], 16);
  return `rgba(${v >> 16},${(v >> 8) & 255},${v & 255},${a})`;
}

/** Axis labels with as many decimals as the tick step needs ("50,012", "50,014", … not "50.0k" × 5). */
function axisValues(splits: number[], format: ValueFormat): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : Math.abs(splits[0] ?? 1);
  const decimals = (unitStep: number) => Math.max(0, Math.min(6, -Math.floor(Math.log10(unitStep || 1) + 1e-9)));
  if (format === 'pct' || format === 'growth') {
    const d = decimals(step * 100);
    return splits.map((v) => `${((format === 'growth' ? v - 1 : v) * 100).toFixed(d)}%`);
  }
  if (format === 'money' || format === 'number') {
    const big = Math.max(...splits.map(Math.abs));
    if (big >= 1e6 && step >= 1e5) return splits.map((v) => `${(v / 1e6).toFixed(decimals(step / 1e6))}M`);
    if (big >= 1e4 && step >= 1e3) return splits.map((v) => `${(v / 1e3).toFixed(decimals(step / 1e3))}k`);
    const d = decimals(step);
    return splits.map((v) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
  }
  return splits.map((v) => formatValue(v, format));
}

export class FolioTimeChart extends LitElement {
  static override styles = [unsafeCSS(uPlotCss), base, css`
    :host { display: block; position: relative; }
    .bar { display: flex; align-items: center; gap: 6px; margin-bottom: 4px; flex-wrap: wrap; }
    .bar h3 { margin: 0; flex: 1; }
    .bar button { font-size: 11px; padding: 1px 7px; }
    .plot { width: 100%; min-height: 40px; outline: none; }
    .plot:focus-visible { outline: 2px solid var(--folio-accent, #2563eb); border-radius: 4px; }
    .uplot { font-family: inherit; }
    .u-legend { font-size: 11px; color: var(--folio-fg, #1b1f24); text-align: left; padding-top: 2px; }
    .u-legend .u-marker { width: 10px; height: 10px; }
    .u-legend th { font-weight: 500; color: inherit; }
    .u-legend td, .u-legend th { border: 0; padding: 1px 4px; }
    .u-legend .u-value { font-family: var(--folio-mono, ui-monospace, Menlo, monospace); }
    .u-select { background: color-mix(in srgb, var(--folio-accent, #2563eb) 15%, transparent); }
    .u-cursor-x, .u-cursor-y { border-color: var(--folio-muted, #5d6672) !important; }
    tr:hover { background: none; }
    .empty { padding: 24px; text-align: center; }
  `];

  /** Timestamps (ms) of every series' values, increasing. Ignored when `candles` is set. */
  @property({ attribute: false }) x: Float64Array = new Float64Array(0);
  @property({ attribute: false }) series: ChartSeries[] = [];
  /** Candles instead of lines (their own time axis). */
  @property({ attribute: false }) candles?: Ohlc;
  @property({ attribute: false }) markers?: ChartMarkers;
  @property({ attribute: false }) segments?: ChartSegment[];
  /** A shaded x interval (the selected trade). */
  @property({ attribute: false }) highlight?: ChartRange;
  /** Axis and legend format. */
  @property() format: ValueFormat = 'money';
  @property({ type: Boolean, attribute: 'log-scale' }) logScale = false;
  /** Charts with the same key share crosshair and x range. */
  @property({ attribute: 'sync-key' }) syncKey = '';
  @property({ attribute: 'chart-title' }) chartTitle = '';
  @property({ type: Number }) height = 240;
  /** Zone of the time axis and tooltips (the exchange's). */
  @property({ attribute: 'time-zone' }) timeZone = 'UTC';
  /** Bump to re-read the --folio-* colours (the parent does on a theme change). */
  @property({ type: Number }) theme = 0;

  @query('.plot') private plotEl!: HTMLDivElement;
  private plot?: uPlot;
  private resize?: ResizeObserver;
  private full: { x: Float64Array; index: Float64Array; values: Float64Array[] } = { x: new Float64Array(0), index: new Float64Array(0), values: [] };
  private shown?: ChartRange;
  private scales: number[] = [];
  private drawn?: Ohlc;
  private refineFrame = 0;
  private quiet = false;
  private lastWidth = 0;
  /** True when the range holds too many fills to draw (the toolbar says to zoom in). */
  @state() denseMarkers = false;

  /** The x range shown. */
  get range(): ChartRange | undefined {
    return this.plot ? { min: this.plot.scales.x.min!, max: this.plot.scales.x.max! } : undefined;
  }

  /** Points drawn per series at the moment (after decimation); candles drawn for a candle chart. */
  get pointsDrawn(): number {
    return this.plot ? this.plot.data[0].length : 0;
  }

  /** The uPlot instance (for measurements and tests). */
  get uplot(): uPlot | undefined {
    return this.plot;
  }

  /** Shows [min, max] (clamped to the data); the other charts of the sync group follow. */
  setRange(min: number, max: number): void {
    const x = this.full.x;
    if (!this.plot || !x.length) return;
    const lo = x[0];
    const hi = x[x.length - 1];
    let span = Math.max(max - min, 0);
    if (span > hi - lo) span = hi - lo;
    let a = Math.max(lo, Math.min(min, hi - span));
    let b = a + span;
    if (b <= a) {
      a = lo;
      b = hi;
    }
    this.plot.setScale('x', { min: a, max: b });
  }

  /** Back to the whole series. */
  resetZoom(): void {
    const x = this.full.x;
    if (x.length) this.setRange(x[0], x[x.length - 1]);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.syncKey) this.join();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    groups.get(this.syncKey)?.delete(this);
    this.resize?.disconnect();
    this.resize = undefined;
    cancelAnimationFrame(this.refineFrame);
    this.plot?.destroy();
    this.plot = undefined;
  }

  private join(): void {
    let g = groups.get(this.syncKey);
    if (!g) groups.set(this.syncKey, (g = new Set()));
    g.add(this);
  }

  protected override render() {
    const empty = this.candles ? this.candles.time.length === 0 : this.x.length === 0 || this.series.length === 0;
    return html`
      <div class="bar" part="toolbar">
        <h3 part="title">${this.chartTitle}</h3>
        ${this.markers && this.denseMarkers ? html`<span class="muted" part="hint">zoom in (or click a trade) to see fills</span>` : ''}
        <button @click=${() => this.resetZoom()} title="Show everything (double-click, Home)" aria-label="Reset zoom">Reset</button>
        <button @click=${() => this.exportPng()} aria-label="Export ${this.chartTitle} as PNG">PNG</button>
        <button @click=${() => this.exportCsv()} aria-label="Export ${this.chartTitle} as CSV">CSV</button>
      </div>
      ${empty ? html`<div class="empty muted">No data</div>` : ''}
      <div class="plot" part="plot" tabindex="0" role="img"
        aria-label="${this.chartTitle}: arrow keys pan, + and − zoom, Home resets" @keydown=${this.onKey}></div>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('syncKey')) {
      for (const g of groups.values()) g.delete(this);
      if (this.syncKey && this.isConnected) this.join();
    }
    const rebuild = ['x', 'series', 'candles', 'format', 'logScale', 'height', 'timeZone', 'theme', 'syncKey'].some((k) => changed.has(k as keyof FolioTimeChart));
    if (rebuild) this.build();
    else if (changed.has('markers') || changed.has('segments') || changed.has('highlight')) this.plot?.redraw(false);
    if (!this.resize) {
      this.resize = new ResizeObserver(() => {
        const w = this.plotEl?.clientWidth ?? 0;
        if (w && w !== this.lastWidth) {
          if (!this.plot) this.build();
          else {
            this.lastWidth = w;
            this.plot.setSize({ width: w, height: this.height });
            this.refine();
          }
        }
      });
      this.resize.observe(this.plotEl);
    }
  }

  private build(): void {
    const keep = this.plot && this.shown ? { ...this.shown } : undefined;
    this.plot?.destroy();
    this.plot = undefined;
    this.shown = undefined;
    const c = this.candles;
    const x = c ? c.time : this.x;
    const width = this.plotEl?.clientWidth ?? 0;
    if (!x.length || (!c && !this.series.length) || !width) return;
    this.lastWidth = width;
    const values = c ? [c.open, c.high, c.low, c.close] : this.series.map((s) => s.values);
    this.scales = c ? [1, 1, 1, 1] : this.series.map((s) => s.scale ?? 1);
    for (const [k, v] of values.entries()) {
      if (v.length !== x.length) throw new RangeError(`<folio-time-chart> "${this.chartTitle}": series ${k} has ${v.length} values for ${x.length} timestamps`);
    }
    this.full = { x, index: stepIndex(x.length, x), values };
    const muted = cssVar(this, '--folio-muted', '#5d6672');
    const grid = cssVar(this, '--folio-grid', 'rgba(0,0,0,0.08)');
    const font = `11px ${cssVar(this, '--folio-font', 'system-ui, sans-serif')}`;
    const tz = this.timeZone;
    const fmt = this.format;
    const ohlcSeries: uPlot.Series[] = ['open', 'high', 'low', 'close'].map((label) => ({
      label, stroke: 'transparent', width: 0, points: { show: false }, value: (_u: uPlot, v: number | null) => formatValue(v ?? NaN, 'number'),
    }));
    const lineSeries: uPlot.Series[] = this.series.map((s, i) => {
      const color = s.color ?? seriesColor(this, i);
      return {
        label: s.label, stroke: color, width: s.width ?? 1.5, dash: s.dash, points: { show: false }, spanGaps: true,
        fill: s.fill ? withAlpha(color, 0.18) : undefined,
        value: (_u: uPlot, v: number | null) => formatValue(v ?? NaN, s.format ?? fmt),
      };
    });
    const opts: uPlot.Options = {
      width, height: this.height, ms: 1, pxAlign: false,
      tzDate: (t) => (tz === 'UTC' ? uPlot.tzDate(new Date(t), 'Etc/UTC') : uPlot.tzDate(new Date(t), tz)),
      legend: { live: true },
      focus: { alpha: 0.35 },
      cursor: {
        sync: this.syncKey ? { key: this.syncKey, setSeries: false } : undefined,
        drag: { x: true, y: false, setScale: true },
        points: { size: 6 },
        bind: { dblclick: () => () => { this.resetZoom(); return null; } },
      },
      scales: {
        x: { time: true, auto: false, range: (_u, min, max) => [min, max] },
        y: { distr: this.logScale ? 3 : 1, auto: true },
      },
      axes: [
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font },
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font, size: 58, values: (_u, splits) => axisValues(splits, fmt) },
      ],
      series: [
        { label: 'time', value: (_u, v) => (v == null ? '—' : formatTime(v, tz)) },
        ...(c ? ohlcSeries : lineSeries),
      ],
      hooks: {
        setScale: [(u, key) => { if (key === 'x') this.onScale(u); }],
        draw: [(u) => this.drawOverlay(u)],
        ready: [(u) => u.over.addEventListener('wheel', (e) => this.onWheel(e), { passive: false })],
      },
    };
    const min = keep ? Math.max(keep.min, x[0]) : x[0];
    const max = keep ? Math.min(keep.max, x[x.length - 1]) : x[x.length - 1];
    this.plot = new uPlot(opts, this.visibleData(min, max, width), this.plotEl);
    this.quiet = true;
    this.plot.setScale('x', { min, max });
    this.quiet = false;
    this.shown = { min, max };
  }

  /** The data of [min, max]: each series reduced to its min and max per 2-pixel column, candles to ~1 per 3 px. */
  private visibleData(min: number, max: number, width: number): uPlot.AlignedData {
    const { x, index, values } = this.full;
    const from = Math.max(0, lowerBound(x, min) - 1);
    const to = Math.min(x.length, lowerBound(x, max) + 2);
    if (this.candles) {
      const bars = this.candles;
      const drawn = aggregateOhlc(bars, from, to, Math.max(1, Math.floor(width / 3)));
      this.drawn = drawn;
      return [drawn.time, drawn.open, drawn.high, drawn.low, drawn.close];
    }
    const at = keptIndices(values, from, to, Math.max(16, Math.round(width)), index);
    return [gather(x, at), ...values.map((v, k) => gapsAsNull(gather(v, at, this.scales[k])))];
  }

  private onScale(u: uPlot): void {
    if (this.quiet) return;
    const min = u.scales.x.min!;
    const max = u.scales.x.max!;
    if (this.shown && this.shown.min === min && this.shown.max === max) return;
    this.shown = { min, max };
    cancelAnimationFrame(this.refineFrame);
    this.refineFrame = requestAnimationFrame(() => this.refine());
    for (const other of groups.get(this.syncKey) ?? []) if (other !== this && this.syncKey) other.follow(min, max);
    emit(this, 'folio-range-change', { min, max });
  }

  /** A sync partner's range (no echo: equal ranges stop at onScale). */
  private follow(min: number, max: number): void {
    if (!this.plot || !this.full.x.length) return;
    const x = this.full.x;
    this.plot.setScale('x', { min: Math.max(min, x[0]), max: Math.min(max, x[x.length - 1]) });
  }

  /** Re-decimates the shown range from the full series and fits y to it. */
  private refine(): void {
    const u = this.plot;
    if (!u || !this.shown) return;
    const { min, max } = this.shown;
    this.quiet = true;
    u.batch(() => {
      u.setData(this.visibleData(min, max, this.lastWidth), false);
      u.setScale('x', { min, max });
    });
    this.quiet = false;
  }

  private onWheel(e: WheelEvent): void {
    const u = this.plot;
    if (!u || !this.shown) return;
    e.preventDefault();
    const { min, max } = this.shown;
    const span = max - min;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      const d = (e.shiftKey ? e.deltaY : e.deltaX) > 0 ? 0.1 : -0.1;
      this.setRange(min + d * span, max + d * span);
      return;
    }
    const at = u.posToVal(e.offsetX, 'x');
    const f = e.deltaY < 0 ? 0.8 : 1.25;
    this.zoomAt(at, f);
  }

  private zoomAt(at: number, factor: number): void {
    if (!this.shown) return;
    const { min, max } = this.shown;
    const x = this.full.x;
    const minSpan = x.length > 1 ? 4 * ((x[x.length - 1] - x[0]) / (x.length - 1)) : 1;
    const span = Math.max((max - min) * factor, minSpan);
    const left = (at - min) / (max - min || 1);
    this.setRange(at - left * span, at - left * span + span);
  }

  private onKey = (e: KeyboardEvent): void => {
    if (!this.shown) return;
    const { min, max } = this.shown;
    const span = max - min;
    const mid = (min + max) / 2;
    const moves: Record<string, () => void> = {
      ArrowLeft: () => this.setRange(min - span * 0.1, max - span * 0.1),
      ArrowRight: () => this.setRange(min + span * 0.1, max + span * 0.1),
      '+': () => this.zoomAt(mid, 0.8),
      '=': () => this.zoomAt(mid, 0.8),
      '-': () => this.zoomAt(mid, 1.25),
      Home: () => this.resetZoom(),
      '0': () => this.resetZoom(),
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      move();
    }
  };

  private drawOverlay(u: uPlot): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    const up = cssVar(this, '--folio-positive', '#15803d');
    const down = cssVar(this, '--folio-negative', '#c2410c');
    const X = (t: number) => u.valToPos(t, 'x', true);
    const Y = (v: number) => u.valToPos(v, 'y', true);
    if (this.highlight) {
      const a = X(this.highlight.min);
      const b = X(this.highlight.max);
      ctx.fillStyle = withAlpha(cssVar(this, '--folio-accent', '#2563eb').startsWith('#') ? cssVar(this, '--folio-accent', '#2563eb') : '#2563eb', 0.12)!;
      ctx.fillRect(Math.min(a, b), top, Math.max(Math.abs(b - a), 2), height);
    }
    const c = this.drawn;
    if (this.candles && c) {
      const n = c.time.length;
      const slot = n > 1 ? (X(c.time[n - 1]) - X(c.time[0])) / (n - 1) : width;
      const body = Math.max(1, slot * 0.7);
      for (let i = 0; i < n; i++) {
        const xc = X(c.time[i]);
        const rising = c.close[i] >= c.open[i];
        ctx.fillStyle = ctx.strokeStyle = rising ? up : down;
        ctx.fillRect(xc - 0.5, Y(c.high[i]), 1, Math.max(1, Y(c.low[i]) - Y(c.high[i])));
        const y0 = Y(Math.max(c.open[i], c.close[i]));
        const y1 = Y(Math.min(c.open[i], c.close[i]));
        ctx.fillRect(xc - body / 2, y0, body, Math.max(1, y1 - y0));
      }
    }
    const min = u.scales.x.min!;
    const max = u.scales.x.max!;
    // Fills and trades only where they can be told apart: past a few per pixel column they are noise.
    const m = this.markers;
    const markerFrom = m ? lowerBound(m.time, min) : 0;
    const markerTo = m ? lowerBound(m.time, max + 1) : 0;
    const legible = (markerTo - markerFrom) * devicePixelRatio <= width / 3;
    this.denseMarkers = !legible;
    if (this.segments && legible) {
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1.5;
      let drawn = 0;
      for (const s of this.segments) {
        if (s.entryTime === undefined || s.entryTime > max || (s.exitTime ?? Infinity) < min || !Number.isFinite(s.exitPrice)) continue;
        if (++drawn > 5000) break;
        ctx.strokeStyle = s.netPnl > 0 ? up : down;
        ctx.beginPath();
        ctx.moveTo(X(s.entryTime), Y(s.entryPrice));
        ctx.lineTo(X(s.exitTime ?? max), Y(s.exitPrice));
        ctx.stroke();
      }
      ctx.setLineDash([]);
    }
    if (m && legible) {
      const r = 4.5 * devicePixelRatio;
      for (let i = markerFrom; i < markerTo; i++) {
        const buy = m.quantity[i] > 0;
        const xc = X(m.time[i]);
        const yc = Y(m.price[i]);
        ctx.fillStyle = buy ? up : down;
        ctx.beginPath();
        if (buy) {
          ctx.moveTo(xc, yc + 2);
          ctx.lineTo(xc - r, yc + 2 + r * 1.6);
          ctx.lineTo(xc + r, yc + 2 + r * 1.6);
        } else {
          ctx.moveTo(xc, yc - 2);
          ctx.lineTo(xc - r, yc - 2 - r * 1.6);
          ctx.lineTo(xc + r, yc - 2 - r * 1.6);
        }
        ctx.fill();
      }
    }
    ctx.restore();
  }

  /** PNG of the canvas on the theme's surface colour, with the title and series names. */
  exportPng(): void {
    const u = this.plot;
    if (!u) return;
    const src = u.ctx.canvas;
    const pad = 28 * devicePixelRatio;
    const out = document.createElement('canvas');
    out.width = src.width;
    out.height = src.height + pad;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = cssVar(this, '--folio-surface', '#ffffff');
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.fillStyle = cssVar(this, '--folio-fg', '#1b1f24');
    let x = 8 * devicePixelRatio;
    ctx.fillText(this.chartTitle, x, 18 * devicePixelRatio);
    x += ctx.measureText(this.chartTitle).width + 16 * devicePixelRatio;
    if (!this.candles) {
      this.series.forEach((s, i) => {
        ctx.fillStyle = s.color ?? seriesColor(this, i);
        ctx.fillText(s.label, x, 18 * devicePixelRatio);
        x += ctx.measureText(s.label).width + 12 * devicePixelRatio;
      });
    }
    ctx.drawImage(src, 0, pad);
    out.toBlob((blob) => blob && download(`${fileSafe(this.chartTitle)}.png`, blob));
  }

  /** The shown range at full resolution (not the decimated points), as CSV. */
  csvOfRange(): string {
    const range = this.shown;
    const { x, values } = this.full;
    if (!range) return '';
    const from = lowerBound(x, range.min);
    let to = lowerBound(x, range.max);
    while (to < x.length && x[to] <= range.max) to++; // the range includes its end
    const header = ['time', ...(this.candles ? ['open', 'high', 'low', 'close'] : this.series.map((s) => s.label))];
    const rows: unknown[][] = [header];
    for (let i = from; i < to; i++) rows.push([new Date(x[i]).toISOString(), ...values.map((v, k) => v[i] * this.scales[k])]);
    return toCsv(rows);
  }

  exportCsv(): void {
    download(`${fileSafe(this.chartTitle)}.csv`, this.csvOfRange(), 'text/csv');
  }
}

defineElement('folio-time-chart', FolioTimeChart);

declare global {
  interface HTMLElementTagNameMap {
    'folio-time-chart': FolioTimeChart;
  }
}
