// ReportData: what the dashboards and reports show, as one plain typed object built from a run and its
// analysis (every time series on the run's one timeline), and its compaction for embedding in a page.
import type { Analysis } from '../analytics/analyze.js';
import { analyze } from '../analytics/analyze.js';
import type { CorrelationMatrix } from '../analytics/correlation.js';
import { moments } from '../analytics/correlation.js';
import { decimateMinMax } from '../analytics/decimate.js';
import type { Drawdown } from '../analytics/drawdowns.js';
import type { Frontier } from '../analytics/frontier.js';
import type { PortfolioMetrics } from '../analytics/metrics.js';
import type { RiskContribution } from '../analytics/risk.js';
import { tradesOf, type Trade } from '../analytics/trades.js';
import type { RunConfig } from '../config/schema.js';
import { alignBars } from '../data/align.js';
import type { AlignedBars, Bars } from '../data/bars.js';
import type { FolioEvent } from '../events/event.js';
import type { RunResult } from '../workflow/run.js';
import { aggregateOhlc, type Ohlc } from './ohlc.js';

/** Fills column by column, with each fill's timestamp (series may be decimated; steps would not say when). */
export interface ReportFills {
  /** Step of the run (bar index) of each fill. */
  step: Float64Array;
  time: Float64Array;
  /** Index into the portfolio's `symbols`. */
  symbol: Float64Array;
  quantity: Float64Array;
  price: Float64Array;
  commission: Float64Array;
  realized: Float64Array;
}

/** One portfolio as the components show it. Series are on `ReportData.timeline`. */
export interface ReportPortfolio {
  id: string;
  namespace: string;
  /** Strategy type (from the config, when given). */
  strategy?: string;
  /** The portfolio's trading-system config, as plain JSON (when given). */
  spec?: unknown;
  initialCapital: number;
  finalEquity: number;
  symbols: string[];
  halted: boolean;
  equity: Float64Array;
  /** Gross exposure Σ |position|·mark. */
  gross: Float64Array;
  /** Flow-adjusted equity / running peak − 1 (≤ 0). */
  underwater: Float64Array;
  /** Deepest drawdown episodes (steps index the run, timestamps say when). */
  drawdowns: Drawdown[];
  metrics: PortfolioMetrics;
  /** Round trips; empty when `tradesFromFills` (then `withTrades` rebuilds them from the fills). */
  trades: Trade[];
  /** Set when the trades were left out to be rebuilt from the fills (what an embedded report does: they are a function of the fills). */
  tradesFromFills?: boolean;
  fills: ReportFills;
  /** Events of the portfolio's namespace (with tracing 'trades' or 'full'; capped by `maxEvents`). */
  events: FolioEvent[];
  /** Events the run had before the cap (0 when none were asked for). */
  eventCount: number;
}

/** Daily (or other period) returns of every portfolio, as analyze() cut them. */
export interface ReportReturns {
  frequency: string;
  timestamps: Float64Array;
  labels?: string[];
  byPortfolio: Record<string, Float64Array>;
}

/** Price bars of the traded symbols for candles (possibly aggregated into buckets of `barsPerCandle`). */
export interface ReportPrices {
  /** Bars per candle: 1 means the run's own bars. */
  barsPerCandle: number;
  bySymbol: Record<string, Ohlc>;
}

export interface ReportData {
  /** Format of this object; a page refuses a newer one. */
  version: 1;
  name: string;
  generatedAt?: string;
  /** Zone whose calendar cut days and months. */
  timeZone: string;
  symbols: string[];
  /** Bars in the run (before any compaction). */
  bars: number;
  /** The time axis every series below is sampled on. */
  timeline: Float64Array;
  /** Set when the timeline holds a subset of the run's steps (min/max decimation of every series). */
  decimatedFrom?: number;
  portfolios: ReportPortfolio[];
  /** Portfolios that failed: id → error. */
  failed: Record<string, string>;
  combined: { initialCapital: number; equity: Float64Array; underwater: Float64Array; drawdowns: Drawdown[] };
  /** Buy-and-hold of one traded symbol, scaled to the combined initial capital. */
  benchmark?: { symbol: string; equity: Float64Array };
  /** Each portfolio's weight in the book (equity / Σ equity) when capital was rebalanced. */
  allocation?: Record<string, Float64Array>;
  /** Scheduled rebalances that moved capital. */
  rebalances: number;
  returns: ReportReturns;
  correlation: CorrelationMatrix;
  attribution: { ids: string[]; initialCapital: number; combinedReturn: number; pnl: Record<string, number>; netFlows: Record<string, number>;
    contributions: Record<string, number>; cumulative: Record<string, Float64Array>;
    /** Σ of the cumulative contributions: the combined return to date. */
    combined: Float64Array };
  riskContribution: RiskContribution;
  frontier: Frontier;
  /** Each portfolio alone, on the frontier's axes (same μ, Σ, periods and annualization). */
  frontierPortfolios: Array<{ id: string; expectedReturn: number; volatility: number }>;
  prices?: ReportPrices;
  /** The run's config as plain JSON (when given). */
  config?: unknown;
  warnings: string[];
}

export interface ReportDataOptions {
  /** The run's analysis; default `analyze(result)`. */
  analysis?: Analysis;
  /** The bars the run used (as given to runBacktest, aligned or not): candles and the buy-and-hold benchmark. */
  bars?: Bars | AlignedBars;
  /** The config the run used: the parameters section and each portfolio's strategy. */
  config?: RunConfig;
  /** Symbol of the benchmark; default the first symbol of the bars. `false` for none. */
  benchmark?: string | false;
  /** Events kept per portfolio. Default 20 000. */
  maxEvents?: number;
  generatedAt?: string;
}

function plainJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * The view model of a run for `<folio-dashboard>`, `<folio-portfolio-report>` and `renderReport`.
 * @example
 *   const data = reportData(await runBacktest(config, { bars }), { config, bars });
 *   document.querySelector('folio-dashboard').data = data;
 */
export function reportData(result: RunResult, options: ReportDataOptions = {}): ReportData {
  const analysis = options.analysis ?? analyze(result);
  const given = options.bars;
  const bars = given && !(given as AlignedBars).timestamps ? alignBars(given as Bars, result.symbols) : (given as AlignedBars | undefined);
  if (bars && bars.timestamps.length !== result.timestamps.length) {
    throw new RangeError(`reportData: the bars have ${bars.timestamps.length} steps, the run ${result.timestamps.length}; pass the bars the run used`);
  }
  const timeline = result.timestamps;
  const n = timeline.length;
  const specs = new Map((options.config?.tradingSystems ?? []).map((s) => [s.portfolioId, s]));
  const maxEvents = options.maxEvents ?? 20_000;
  const portfolios: ReportPortfolio[] = [];
  for (const p of Object.values(result.portfolios)) {
    if (p.status !== 'ok') continue;
    if (p.equity.length !== n) {
      throw new RangeError(`reportData: portfolio "${p.portfolioId.slice(0, 100)}" kept ${p.equity.length} of ${n} steps; reports need every bar (keep.equity 'bar')`);
    }
    const fills = p.fills;
    const steps = fills.column('step');
    const dd = analysis.drawdowns.portfolios[p.portfolioId];
    const events = maxEvents > 0 ? p.events : [];
    portfolios.push({
      id: p.portfolioId, namespace: p.namespace, strategy: specs.get(p.portfolioId)?.strategy.type, spec: plainJson(specs.get(p.portfolioId)),
      initialCapital: p.initialCapital, finalEquity: p.finalEquity, symbols: p.symbols, halted: p.halted,
      equity: p.equity, gross: p.gross, underwater: dd.underwater, drawdowns: dd.top, metrics: p.metrics, trades: p.trades,
      fills: {
        step: steps.slice(), time: gather(timeline, steps), symbol: fills.column('symbol').slice(), quantity: fills.column('quantity').slice(),
        price: fills.column('price').slice(), commission: fills.column('commission').slice(), realized: fills.column('realized').slice(),
      },
      events: events.length > maxEvents ? events.slice(0, maxEvents) : events, eventCount: events.length,
    });
  }
  const initialCapital = portfolios.reduce((a, p) => a + p.initialCapital, 0);
  const equity = new Float64Array(n);
  for (const p of portfolios) for (let t = 0; t < n; t++) equity[t] += p.equity[t];
  const rebalances = result.rebalances.filter((d) => d.transfers.length).length;
  let allocation: Record<string, Float64Array> | undefined;
  if (rebalances) {
    allocation = {};
    for (const p of portfolios) {
      const w = new Float64Array(n);
      for (let t = 0; t < n; t++) w[t] = p.equity[t] / equity[t];
      allocation[p.id] = w;
    }
  }
  const benchmarkSymbol = options.benchmark === false ? undefined : options.benchmark ?? bars?.symbols[0];
  let benchmark: ReportData['benchmark'];
  if (benchmarkSymbol && bars) {
    const k = bars.symbols.indexOf(benchmarkSymbol);
    if (k < 0) throw new RangeError(`reportData: benchmark symbol "${benchmarkSymbol.slice(0, 100)}" is not in the bars (${bars.symbols.join(', ').slice(0, 100)})`);
    benchmark = { symbol: benchmarkSymbol, equity: buyAndHold(bars.close[k], initialCapital) };
  }
  const ids = portfolios.map((p) => p.id);
  const returns = analysis.returns;
  const m = moments(ids.map((id) => returns.returns[id]));
  const f = analysis.frontier;
  const scale = f.annualized && f.periodsPerYear ? f.periodsPerYear : 1;
  const frontierPortfolios = ids.map((id, i) => ({ id, expectedReturn: m.mean[i] * scale, volatility: Math.sqrt(m.covariance[i][i] * scale) }));
  const prices: ReportPrices | undefined = bars
    ? { barsPerCandle: 1, bySymbol: Object.fromEntries(bars.symbols.map((s, k) => [s, {
      time: bars!.timestamps, open: bars!.open[k], high: bars!.high[k], low: bars!.low[k], close: bars!.close[k] }])) }
    : undefined;
  const a = analysis.attribution;
  return {
    version: 1, name: result.name, generatedAt: options.generatedAt, timeZone: returns.timeZone, symbols: result.symbols, bars: n, timeline,
    portfolios, failed: analysis.failed,
    combined: { initialCapital, equity, underwater: analysis.drawdowns.combined.underwater, drawdowns: analysis.drawdowns.combined.top },
    benchmark, allocation, rebalances,
    returns: { frequency: returns.frequency, timestamps: returns.timestamps, labels: returns.labels, byPortfolio: returns.returns },
    correlation: analysis.correlation,
    attribution: { ids: a.ids, initialCapital: a.initialCapital, combinedReturn: a.combinedReturn, pnl: a.pnl, netFlows: a.netFlows,
      contributions: a.contributions, cumulative: a.series.cumulative, combined: a.series.combined },
    riskContribution: analysis.riskContribution, frontier: analysis.frontier, frontierPortfolios, prices,
    config: plainJson(options.config), warnings: result.warnings,
  };
}

/** capital · close_t / first finite close (carried forward over gaps; NaN before the first close). */
function buyAndHold(close: Float64Array, capital: number): Float64Array {
  const out = new Float64Array(close.length).fill(NaN);
  let base = NaN;
  let last = NaN;
  for (let t = 0; t < close.length; t++) {
    if (Number.isFinite(close[t])) last = close[t];
    if (!Number.isFinite(base) && Number.isFinite(last)) base = last;
    if (Number.isFinite(base)) out[t] = (capital * last) / base;
  }
  return out;
}

/** Every series of the timeline (name → values), for decimation and checks. */
export function timelineSeries(data: ReportData): Array<[string, Float64Array]> {
  const out: Array<[string, Float64Array]> = [['combined.equity', data.combined.equity], ['combined.underwater', data.combined.underwater]];
  for (const p of data.portfolios) out.push([`${p.id}.equity`, p.equity], [`${p.id}.underwater`, p.underwater], [`${p.id}.gross`, p.gross]);
  if (data.benchmark) out.push(['benchmark', data.benchmark.equity]);
  for (const [id, s] of Object.entries(data.attribution.cumulative)) out.push([`${id}.contribution`, s]);
  out.push(['combined.contribution', data.attribution.combined]);
  for (const [id, s] of Object.entries(data.allocation ?? {})) out.push([`${id}.allocation`, s]);
  return out;
}

const indexCache = new WeakMap<Float64Array, Float64Array>();

/** 0, 1, … n−1 as a Float64Array (the x decimateMinMax returns as the kept indices). */
export function stepIndex(n: number, key?: Float64Array): Float64Array {
  const cached = key && indexCache.get(key);
  if (cached && cached.length === n) return cached;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  if (key) indexCache.set(key, out);
  return out;
}

/**
 * Indices of [from, to) that keep every series' first minimum and maximum per bucket (decimateMinMax on
 * each, merged): one shared axis on which no series loses an extreme.
 */
export function keptIndices(series: readonly Float64Array[], from: number, to: number, maxPoints: number, index?: Float64Array): Float64Array {
  const n = to - from;
  if (n <= maxPoints) return stepIndex(n).map((i) => i + from);
  const idx = (index ?? stepIndex(to)).subarray(from, to);
  // One series: its own kept indices (the ends included) are the answer; no merge needed.
  if (series.length === 1) return decimateMinMax(idx, series[0].subarray(from, to), maxPoints).x;
  const mark = new Uint8Array(n);
  for (const s of series) {
    const kept = decimateMinMax(idx, s.subarray(from, to), maxPoints).x;
    for (let k = 0; k < kept.length; k++) mark[kept[k] - from] = 1;
  }
  mark[0] = 1;
  mark[n - 1] = 1;
  let count = 0;
  for (let i = 0; i < n; i++) count += mark[i];
  const out = new Float64Array(count);
  for (let i = 0, k = 0; i < n; i++) if (mark[i]) out[k++] = i + from;
  return out;
}

function gather(values: Float64Array, at: Float64Array): Float64Array {
  const out = new Float64Array(at.length);
  for (let k = 0; k < at.length; k++) out[k] = values[at[k]];
  return out;
}

export interface CompactOptions {
  /** Points per series of the timeline (each series keeps its minima and maxima). Default 2 000, or what `curveBytes` allows. */
  maxPoints?: number;
  /**
   * Bytes the timeline series may take once embedded (base64 of float64: 32/3 bytes a value): the most
   * points per series, from every bar down to 2 000, that fit. Ignored when `maxPoints` is given.
   */
  curveBytes?: number;
  /** Candles per symbol: more bars are aggregated into candles of several bars. Default 50 000. */
  maxCandles?: number;
  /** Portfolios whose trades, fills, events and prices are kept (default all; [] for a dashboard). */
  detailsFor?: readonly string[];
  /** Events kept per portfolio. Default: all the data has. */
  maxEvents?: number;
  /** Leave the trades out, to be rebuilt from the fills by `withTrades` (about 300 bytes a trade saved). Default false. */
  tradesFromFills?: boolean;
}

/**
 * A copy of the data small enough to embed in a page: the timeline reduced to the steps where some
 * series has a bucket minimum or maximum, candles aggregated past `maxCandles`. Metrics and analytics
 * are those of the full run (computed before).
 */
export function compactReportData(data: ReportData, options: CompactOptions = {}): ReportData {
  const n = data.timeline.length;
  const series = timelineSeries(data);
  const columns = series.map(([, s]) => s);
  let at: Float64Array | undefined;
  if (options.maxPoints === undefined && options.curveBytes !== undefined) {
    const bytes = (points: number) => (points * (columns.length + 1) * 32) / 3;
    for (let points = n; !at && points > 2000; points = Math.floor(points / 2)) {
      const kept = keptIndices(columns, 0, n, points);
      if (bytes(kept.length) <= options.curveBytes) at = kept;
    }
  }
  at ??= keptIndices(columns, 0, n, options.maxPoints ?? 2000);
  const g = (s: Float64Array) => (at.length === n ? s : gather(s, at));
  const mapRecord = (r: Record<string, Float64Array>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, g(v)]));
  const keepDetail = (id: string) => options.detailsFor === undefined || options.detailsFor.includes(id);
  let prices = data.prices;
  const maxCandles = options.maxCandles ?? 50_000;
  if (prices) {
    const wanted = new Set(data.portfolios.filter((p) => keepDetail(p.id)).flatMap((p) => p.symbols));
    const bySymbol: Record<string, Ohlc> = {};
    let barsPerCandle = prices.barsPerCandle;
    for (const [symbol, o] of Object.entries(prices.bySymbol)) {
      if (!wanted.has(symbol)) continue;
      const per = Math.max(1, Math.ceil(o.time.length / maxCandles));
      bySymbol[symbol] = per > 1 ? aggregateOhlc(o, 0, o.time.length, Math.ceil(o.time.length / per)) : o;
      barsPerCandle = Math.max(barsPerCandle, per * prices.barsPerCandle);
    }
    prices = Object.keys(bySymbol).length ? { barsPerCandle, bySymbol } : undefined;
  }
  const empty: ReportFills = { step: new Float64Array(0), time: new Float64Array(0), symbol: new Float64Array(0), quantity: new Float64Array(0), price: new Float64Array(0),
    commission: new Float64Array(0), realized: new Float64Array(0) };
  return {
    ...data,
    timeline: g(data.timeline),
    decimatedFrom: at.length === n ? data.decimatedFrom : data.decimatedFrom ?? n,
    portfolios: data.portfolios.map((p) => ({
      ...p, equity: g(p.equity), gross: g(p.gross), underwater: g(p.underwater),
      ...(keepDetail(p.id)
        ? { events: p.events.slice(0, options.maxEvents ?? p.events.length), ...(options.tradesFromFills && p.fills.step.length ? { trades: [], tradesFromFills: true } : {}) }
        : { trades: [], fills: empty, events: [] }),
    })),
    combined: { ...data.combined, equity: g(data.combined.equity), underwater: g(data.combined.underwater) },
    benchmark: data.benchmark && { ...data.benchmark, equity: g(data.benchmark.equity) },
    allocation: data.allocation && mapRecord(data.allocation),
    attribution: { ...data.attribution, cumulative: mapRecord(data.attribution.cumulative), combined: g(data.attribution.combined) },
    prices,
  };
}

/**
 * The data with every portfolio's trades present: those left out by `compactReportData({ tradesFromFills })`
 * are rebuilt from the fills with the same function the run used (extractTrades), so they are the same trades.
 */
export function withTrades(data: ReportData): ReportData {
  if (!data.portfolios.some((p) => p.tradesFromFills)) return data;
  const steps = data.decimatedFrom ?? data.timeline.length;
  return {
    ...data,
    portfolios: data.portfolios.map((p) => {
      if (!p.tradesFromFills) return p;
      const f = p.fills;
      const timestamps = new Float64Array(steps).fill(NaN);
      for (let i = 0; i < f.step.length; i++) timestamps[f.step[i]] = f.time[i];
      const trades = tradesOf({ length: f.step.length, step: f.step, symbol: f.symbol, quantity: f.quantity, price: f.price, commission: f.commission, realized: f.realized },
        p.symbols, { timestamps, steps });
      return { ...p, trades, tradesFromFills: false };
    }),
  };
}
