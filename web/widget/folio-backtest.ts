// <folio-backtest>: a live, re-runnable backtest for documentation pages. Config inline (a child
// <script type="text/yaml"> or application/json) or from `config-url`; a form of the strategy parameters;
// Run, progress, Cancel and a "from cache" badge; results as <folio-dashboard> when that element is defined,
// else a compact summary. Nothing heavy loads until the element nears the viewport or Run is pressed.
import { css, html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import { decimateMinMax } from '../../src/analytics/decimate.js';
import type { RunProgress, RunResult } from '../../src/workflow/run.js';
import type { PreparedConfig } from './engine.js';
import type { Knobs, ParamField } from './params.js';
import { widgetRuntime } from './runtime.js';

type Phase = 'poster' | 'loading' | 'ready' | 'running' | 'done' | 'cancelled' | 'error';

/** detail of `folio-run-end`. */
export interface RunEndDetail {
  status: 'done' | 'cancelled';
  result?: RunResult;
  fromCache: boolean;
  /** Milliseconds from Run to result (cache lookup included). */
  ms: number;
  key?: string;
}

const CONFIG_TYPES = ['text/yaml', 'application/yaml', 'text/x-yaml', 'application/json'];
/** How far outside the viewport loading starts (the engine is a few hundred kB; starting early hides it). */
const NEAR_VIEWPORT = '300px';
/** At most this many `folio-progress` events per second (progress arrives per slice and per portfolio). */
const PROGRESS_INTERVAL_MS = 50;
const SPARK_WIDTH = 240;


function percent(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : '–';
}

function fixed(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
}

export class FolioBacktest extends LitElement {
  static override properties = {
    configUrl: { type: String, attribute: 'config-url' },
    view: { type: String, reflect: true },
    colorTheme: { type: String, attribute: 'color-theme', reflect: true },
    loading: { type: String },
    autorun: { type: Boolean },
    cache: { type: String },
    noCache: { type: Boolean, attribute: 'no-cache' },
    label: { type: String },
    bars: { type: Number },
    seed: { type: Number },
    interval: { type: String },
    symbols: { type: String },
    initialCapital: { type: Number, attribute: 'initial-capital' },
    phase: { state: true },
    fields: { state: true },
    values: { state: true },
    progress: { state: true },
    error: { state: true },
    result: { state: true },
    fromCache: { state: true },
    elapsedMs: { state: true },
  };

  /** URL of a YAML or JSON config (relative CSV paths in it resolve against it). */
  configUrl?: string;
  /** 'dashboard' (default when <folio-dashboard> is defined) or 'summary'. */
  view?: 'dashboard' | 'summary';
  colorTheme?: 'light' | 'dark' | 'auto';
  /** 'lazy' (default): load when near the viewport; 'eager': at once. */
  loading: 'lazy' | 'eager' = 'lazy';
  /** Run as soon as the config is loaded (a cached result shows without running either way). */
  autorun = false;
  /** Cache namespace (IndexedDB database `foliolab-cache:<cache>`). */
  cache = 'widget';
  noCache = false;
  label?: string;
  bars?: number;
  seed?: number;
  interval?: string;
  /** Comma-separated symbols for generated data. */
  symbols?: string;
  initialCapital?: number;
  /** Config text set from script (instead of a child script or `config-url`). */
  config?: string;

  private phase: Phase = 'poster';
  private fields: ParamField[] = [];
  private values: Record<string, number> = {};
  private progress = 0;
  private error = '';
  private result?: RunResult;
  private fromCache = false;
  private elapsedMs = 0;
  private prepared?: PreparedConfig;
  private controller?: AbortController;
  private observer?: IntersectionObserver;
  private lastProgressEvent = 0;
  private started?: Promise<void>;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.loading === 'eager' || typeof IntersectionObserver !== 'function') {
      void this.start();
      return;
    }
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void this.start();
    }, { rootMargin: NEAR_VIEWPORT });
    this.observer.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.controller?.abort();
  }

  protected override updated(changed: PropertyValues): void {
    // A new config-url after the first render reloads the config and the form (knobs apply at the next Run).
    if (this.started && changed.has('configUrl') && changed.get('configUrl') !== undefined) {
      this.started = undefined;
      this.values = {};
      void this.start();
    }
  }

  /** Loads the engine and the config, shows the form and any cached result; runs when `autorun`. Idempotent. */
  start(): Promise<void> {
    this.observer?.disconnect();
    this.started ??= this.load();
    return this.started;
  }

  private knobs(): Knobs {
    return {
      bars: this.bars, seed: this.seed, interval: this.interval, initialCapital: this.initialCapital,
      symbols: this.symbols?.split(',').map((s) => s.trim()).filter(Boolean),
    };
  }

  private async configText(): Promise<{ text: string; fileName: string }> {
    if (this.configUrl) {
      const response = await fetch(new URL(this.configUrl, document.baseURI));
      if (!response.ok) throw new Error(`config ${this.configUrl}: HTTP ${response.status}`);
      return { text: await response.text(), fileName: this.configUrl.split('/').pop() || this.configUrl };
    }
    if (this.config !== undefined) return { text: this.config, fileName: 'config' };
    const script = [...this.querySelectorAll('script')].find((s) => CONFIG_TYPES.includes(s.type.toLowerCase()));
    if (!script) throw new Error('no config: add a child <script type="text/yaml"> (or application/json), or a config-url attribute');
    return { text: script.textContent ?? '', fileName: script.type.endsWith('json') ? 'config.json' : 'config.yaml' };
  }

  private get baseUrl(): string {
    return this.configUrl ? new URL(this.configUrl, document.baseURI).href : document.baseURI;
  }

  private async load(): Promise<void> {
    this.phase = 'loading';
    try {
      const [{ text, fileName }, runtime] = await Promise.all([this.configText(), widgetRuntime()]);
      this.prepared = runtime.prepare(text, fileName, this.knobs(), this.values);
      this.fields = this.prepared.fields;
      this.phase = 'ready';
      idle(() => void runtime.warm().catch(() => {}));
      if (!this.noCache) {
        const hit = await runtime.peek(this.prepared, this.cache).catch(() => undefined);
        if (hit && this.phase === 'ready') {
          this.show(hit.result, true, 0);
          return;
        }
      }
      if (this.autorun) void this.run(); // not awaited: run() waits for this load to finish
    } catch (e) {
      this.started = undefined; // the next Run tries again (a network error may pass)
      this.fail(e);
    }
  }

  /** Runs the backtest with the form's current values (or opens it from the cache). */
  async run(): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const t0 = performance.now();
    try {
      await this.start();
      if (!this.prepared) return; // the config did not load: the error is shown
      const runtime = await widgetRuntime();
      const { text, fileName } = this.prepared!;
      this.prepared = runtime.prepare(text, fileName, this.knobs(), this.values);
      this.phase = 'running';
      this.progress = 0;
      this.error = '';
      this.fromCache = false;
      this.emit('folio-run-start', { config: this.prepared.config });
      const totals = new Map<string, RunProgress>();
      const outcome = await runtime.run(this.prepared, {
        baseUrl: this.baseUrl, signal: controller.signal, cache: this.noCache ? null : this.cache, label: this.label,
        onProgress: (p) => this.onProgress(totals, p),
      });
      if (controller !== this.controller) return; // a newer run has started: its result wins
      const ms = performance.now() - t0;
      this.show(outcome.result, outcome.fromCache, ms);
      this.emit('folio-run-end', { status: 'done', result: outcome.result, fromCache: outcome.fromCache, ms, key: outcome.key } satisfies RunEndDetail);
    } catch (e) {
      if (controller !== this.controller) return;
      if ((e as Error)?.name === 'AbortError') {
        this.phase = 'cancelled';
        this.emit('folio-run-end', { status: 'cancelled', fromCache: false, ms: performance.now() - t0 } satisfies RunEndDetail);
      } else {
        this.fail(e);
      }
    }
  }

  /** Stops the run in progress; it stores nothing. */
  cancel(): void {
    this.controller?.abort();
  }

  private onProgress(totals: Map<string, RunProgress>, p: RunProgress): void {
    totals.set(p.portfolioId, p);
    let done = 0;
    let all = 0;
    for (const t of totals.values()) {
      done += t.stepsDone;
      all += t.steps;
    }
    const systems = this.prepared?.config.tradingSystems.length ?? 1;
    // Portfolios not yet heard from count as not started, at the size of those that have.
    this.progress = all ? done / ((all / totals.size) * Math.max(systems, totals.size)) : 0;
    const now = performance.now();
    if (now - this.lastProgressEvent >= PROGRESS_INTERVAL_MS || this.progress >= 1) {
      this.lastProgressEvent = now;
      this.emit('folio-progress', { fraction: this.progress, ...p });
    }
  }

  private show(result: RunResult, fromCache: boolean, ms: number): void {
    this.result = result;
    this.fromCache = fromCache;
    this.elapsedMs = ms;
    this.progress = 1;
    this.phase = 'done';
  }

  private fail(e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    this.error = error.message;
    this.phase = 'error';
    this.emit('folio-error', { error, message: error.message });
  }

  private emit(type: string, detail: object): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private onInput(field: ParamField, event: Event): void {
    const input = event.target as HTMLInputElement;
    if (input.value === '' || !Number.isFinite(input.valueAsNumber)) return;
    this.values = { ...this.values, [field.id]: input.valueAsNumber };
  }

  private onSubmit(event: Event): void {
    event.preventDefault();
    void this.run();
  }

  protected override render() {
    const running = this.phase === 'running';
    const title = this.label ?? this.prepared?.config.workflow.name ?? 'Backtest';
    return html`
      <div part="panel" class="panel">
        <header part="header">
          <span part="title" class="title">${title}</span>
          ${this.fromCache && this.phase === 'done' ? html`<span part="cache-badge" class="badge">from cache</span>` : nothing}
        </header>
        ${this.phase === 'poster' || this.phase === 'loading' ? html`<div part="poster" class="poster" aria-busy="true"><div class="skeleton"></div><div class="skeleton short"></div></div>` : nothing}
        <form part="form" @submit=${this.onSubmit}>
          ${this.renderFields()}
          <div part="controls" class="controls">
            <button part="run" type="submit" ?disabled=${running || this.phase === 'loading'}>Run</button>
            <button part="cancel" type="button" ?disabled=${!running} @click=${() => this.cancel()}>Cancel</button>
            <progress part="progress" max="1" .value=${this.progress} aria-label="progress"></progress>
            <span part="status" class="status" role="status">${this.statusText()}</span>
          </div>
        </form>
        ${this.phase === 'error' ? html`<pre part="error" class="error" role="alert">${this.error}</pre>` : nothing}
        ${this.result && this.phase !== 'error' ? this.renderResult(this.result) : nothing}
      </div>`;
  }

  private statusText(): string {
    switch (this.phase) {
      case 'poster': return 'Press Run to load the backtest';
      case 'loading': return 'Loading…';
      case 'ready': return '';
      case 'running': return `${Math.round(this.progress * 100)} %`;
      case 'done': return this.fromCache ? `opened from cache in ${this.elapsedMs.toFixed(0)} ms` : `ran in ${this.elapsedMs.toFixed(0)} ms`;
      case 'cancelled': return 'Cancelled';
      case 'error': return 'Error';
    }
  }

  private renderFields() {
    const bySystem = new Map<number, ParamField[]>();
    for (const f of this.fields) bySystem.set(f.system, [...(bySystem.get(f.system) ?? []), f]);
    return [...bySystem.values()].map((fields) => html`
      <fieldset part="params">
        <legend>${fields[0].portfolioId} · ${fields[0].strategy}</legend>
        ${fields.map((f) => html`
          <label part="param">
            <span>${f.name}</span>
            <input part="param-input" type="number" name=${f.id} .value=${String(this.values[f.id] ?? f.value)}
              min=${f.min ?? nothing} max=${f.max ?? nothing} step=${f.integer ? '1' : 'any'} required
              @change=${(e: Event) => this.onInput(f, e)}>
          </label>`)}
      </fieldset>`);
  }

  private renderResult(result: RunResult) {
    const dashboard = this.view !== 'summary' && customElements.get('folio-dashboard');
    if (dashboard) return html`<div part="dashboard" class="dashboard">${this.dashboardElement(result)}</div>`;
    return this.renderSummary(result);
  }

  private dashboardCache?: { result: RunResult; element: HTMLElement };

  /** The host's <folio-dashboard>, given the result and its analysis as properties (created once per result). */
  private dashboardElement(result: RunResult): HTMLElement {
    if (this.dashboardCache?.result === result) return this.dashboardCache.element;
    const element = document.createElement('folio-dashboard') as HTMLElement & { result?: RunResult; analysis?: unknown };
    element.result = result;
    void widgetRuntime().then((runtime) => {
      if (element.result === result) element.analysis = runtime.analyze(result);
    });
    this.dashboardCache = { result, element };
    return element;
  }

  private renderSummary(result: RunResult) {
    return html`
      <table part="summary" class="summary">
        <thead><tr><th>portfolio</th><th>final equity</th><th>return</th><th>Sharpe</th><th>max drawdown</th><th>trades</th><th>equity</th></tr></thead>
        <tbody>
          ${Object.values(result.portfolios).map((p) => p.status === 'ok'
            ? html`<tr>
                <td>${p.portfolioId}</td><td class="num">${fixed(p.finalEquity)}</td><td class="num">${percent(p.metrics.totalReturn)}</td>
                <td class="num">${fixed(p.metrics.sharpe)}</td><td class="num">${percent(-p.metrics.maxDrawdown)}</td><td class="num">${p.metrics.trades}</td>
                <td>${this.sparkline(p.timestamps, p.equity)}</td></tr>`
            : html`<tr class="failed"><td>${p.portfolioId}</td><td colspan="6">failed: ${p.error}</td></tr>`)}
        </tbody>
      </table>`;
  }

  private sparkline(x: Float64Array, y: Float64Array) {
    if (y.length < 2) return nothing;
    const d = decimateMinMax(x, y, SPARK_WIDTH);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of d.y) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const x0 = d.x[0];
    const span = d.x[d.x.length - 1] - x0 || 1;
    const points = Array.from(d.x, (t, i) => `${(((t - x0) / span) * SPARK_WIDTH).toFixed(1)},${(30 - ((d.y[i] - lo) / (hi - lo || 1)) * 28 - 1).toFixed(1)}`).join(' ');
    return html`<svg part="sparkline" viewBox="0 0 ${SPARK_WIDTH} 30" width="120" height="15" aria-hidden="true">${svg`<polyline points=${points} fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke"></polyline>`}</svg>`;
  }

  static override styles = css`
    :host {
      display: block;
      --_bg: var(--folio-bg, #ffffff);
      --_fg: var(--folio-fg, #1b1f24);
      --_muted: var(--folio-muted, #5b6470);
      --_accent: var(--folio-accent, #2563eb);
      --_border: var(--folio-border, #d6dae0);
      --_error: var(--folio-error, #b42318);
      font: var(--folio-font, 14px/1.4 system-ui, sans-serif);
      color: var(--_fg);
    }
    :host([color-theme='dark']) {
      --_bg: var(--folio-bg, #14171c);
      --_fg: var(--folio-fg, #e6e9ee);
      --_muted: var(--folio-muted, #9aa3ae);
      --_accent: var(--folio-accent, #60a5fa);
      --_border: var(--folio-border, #2c323b);
      --_error: var(--folio-error, #f97066);
    }
    @media (prefers-color-scheme: dark) {
      :host([color-theme='auto']) {
        --_bg: var(--folio-bg, #14171c);
        --_fg: var(--folio-fg, #e6e9ee);
        --_muted: var(--folio-muted, #9aa3ae);
        --_accent: var(--folio-accent, #60a5fa);
        --_border: var(--folio-border, #2c323b);
      }
    }
    .panel { background: var(--_bg); border: 1px solid var(--_border); border-radius: var(--folio-radius, 8px); padding: 12px; color: var(--_fg); }
    header { display: flex; align-items: center; gap: 8px; margin-bottom: 8px; }
    .title { font-weight: 600; }
    .badge { font-size: 12px; padding: 1px 6px; border-radius: 999px; background: var(--_accent); color: var(--_bg); }
    fieldset { border: 1px solid var(--_border); border-radius: 6px; margin: 0 0 8px; padding: 6px 8px; display: flex; flex-wrap: wrap; gap: 8px 16px; }
    legend { color: var(--_muted); padding: 0 4px; }
    label { display: inline-flex; flex-direction: column; font-size: 12px; color: var(--_muted); }
    input { width: 8em; font: inherit; color: var(--_fg); background: var(--_bg); border: 1px solid var(--_border); border-radius: 4px; padding: 2px 4px; }
    .controls { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
    button { font: inherit; padding: 4px 12px; border-radius: 4px; border: 1px solid var(--_border); background: var(--_bg); color: var(--_fg); cursor: pointer; }
    button[part='run'] { background: var(--_accent); color: var(--_bg); border-color: var(--_accent); }
    button:disabled { opacity: 0.5; cursor: default; }
    progress { flex: 1; min-width: 80px; accent-color: var(--_accent); }
    .status { color: var(--_muted); font-size: 12px; min-width: 10em; }
    .error { color: var(--_error); white-space: pre-wrap; margin: 8px 0 0; font: 12px/1.4 ui-monospace, monospace; }
    .poster { display: grid; gap: 6px; margin-bottom: 8px; }
    .skeleton { height: 48px; border-radius: 6px; background: linear-gradient(90deg, var(--_border), transparent, var(--_border)); background-size: 200% 100%; animation: shimmer 1.4s infinite linear; }
    .skeleton.short { height: 16px; width: 60%; }
    @keyframes shimmer { to { background-position: -200% 0; } }
    @media (prefers-reduced-motion: reduce) { .skeleton { animation: none; } }
    .summary { border-collapse: collapse; margin-top: 8px; width: 100%; font-size: 13px; }
    .summary th, .summary td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--_border); }
    .summary .num { text-align: right; font-variant-numeric: tabular-nums; }
    .summary th { color: var(--_muted); font-weight: 500; }
    .summary svg { color: var(--_accent); }
  `;
}

/** Runs `task` when the page is idle (soon, where requestIdleCallback is missing). */
function idle(task: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(task, { timeout: 2000 });
  else setTimeout(task, 200);
}


declare global {
  interface HTMLElementTagNameMap {
    'folio-backtest': FolioBacktest;
  }
}
