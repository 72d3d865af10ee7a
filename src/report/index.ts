// renderReport: a run as one self-contained HTML page (the web components' bundle inlined, the data
// embedded compactly), and reportFiles: the pages a config's `reporting` block asks for. Pure strings:
// runs in Node, workers, workerd and browsers alike.
import { REPORT_BUNDLE } from '../../build/report-bundle.js';
import type { Analysis } from '../analytics/analyze.js';
import { analyze } from '../analytics/analyze.js';
import type { RunConfig } from '../config/schema.js';
import type { AlignedBars, Bars } from '../data/bars.js';
import type { RunResult } from '../workflow/run.js';
import { encodeData } from './codec.js';
import { compactReportData, reportData, type ReportData } from './model.js';

export { decodeData, encodeData } from './codec.js';
export { compactReportData, keptIndices, reportData, withTrades } from './model.js';
export type { CompactOptions, ReportData, ReportDataOptions, ReportFills, ReportPortfolio, ReportPrices, ReportReturns } from './model.js';
export { aggregateOhlc, type Ohlc } from './ohlc.js';

export type ColorTheme = 'auto' | 'light' | 'dark';

export interface ReportOptions {
  /** 'dashboard' (every portfolio, the default) or 'portfolio' (one portfolio: give `portfolioId`). */
  kind?: 'dashboard' | 'portfolio';
  portfolioId?: string;
  /** The run's analysis; default `analyze(result)` (pass it when you have it: it is the costly part). */
  analysis?: Analysis;
  /** The bars the run used (aligned or not): price candles with fills, and the buy-and-hold benchmark. */
  bars?: Bars | AlignedBars;
  /** The config the run used: shown as the run's parameters. */
  config?: RunConfig;
  /** Page title; default the run's name (and the portfolio's id). */
  title?: string;
  /** Default 'auto' (follows the reader's prefers-color-scheme). */
  colorTheme?: ColorTheme;
  /**
   * Points per curve in the page (every curve keeps its minima and maxima). Default: a dashboard keeps as
   * many as fit in 2 MB of curves (every bar when they do, so zooming shows full resolution), a portfolio page 2 000.
   */
  maxPoints?: number;
  /** Candles per symbol before bars are merged into candles of several bars. Default 25 000. */
  maxCandles?: number;
  /** Events embedded per portfolio (portfolio reports only; a dashboard embeds none). Default 2 000. */
  maxEvents?: number;
  /** Shown in the header; default the time of the call (pass a fixed value for reproducible files). */
  generatedAt?: string;
}

/** What the page's script reads from its data element. */
export interface ReportEnvelope {
  kind: 'dashboard' | 'portfolio';
  portfolioId?: string;
  colorTheme: ColorTheme;
  data: ReportData;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `</script` and `<!--` cannot appear in an inline script: both are harmless to escape in JavaScript. */
const inlineScript = (js: string) => js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

/**
 * A self-contained HTML report: opens from disk with no server and no network (a Content-Security-Policy
 * forbids every fetch). Its size is the bundle (~60 KB gzip) plus ~16 bytes per embedded point.
 * @example
 *   const result = await runBacktest(config, { bars });
 *   await writeFile('dashboard.html', renderReport(result, { config, bars }));
 *   await writeFile('momentum.html', renderReport(result, { kind: 'portfolio', portfolioId: 'momentum', config, bars }));
 */
export function renderReport(result: RunResult, options: ReportOptions = {}): string {
  const kind = options.kind ?? 'dashboard';
  const analysis = options.analysis ?? analyze(result);
  if (kind === 'portfolio') {
    const p = options.portfolioId === undefined ? undefined : result.portfolios[options.portfolioId];
    if (!p) throw new RangeError(`renderReport: kind 'portfolio' needs portfolioId, one of ${Object.keys(result.portfolios).join(', ').slice(0, 100)}; got ${String(options.portfolioId).slice(0, 100)}`);
    if (p.status !== 'ok') throw new RangeError(`renderReport: portfolio "${options.portfolioId!.slice(0, 100)}" failed: ${p.error.slice(0, 100)}`);
  }
  const full = reportData(result, {
    analysis, bars: options.bars, config: options.config, generatedAt: options.generatedAt ?? new Date().toISOString(),
    maxEvents: kind === 'portfolio' ? options.maxEvents ?? 2_000 : 0,
  });
  const data = compactReportData(full, { maxPoints: options.maxPoints, curveBytes: kind === 'dashboard' ? 2_000_000 : undefined, maxCandles: options.maxCandles ?? 25_000,
    detailsFor: kind === 'portfolio' ? [options.portfolioId!] : [], tradesFromFills: true });
  return reportHtml({ kind, portfolioId: options.portfolioId, colorTheme: options.colorTheme ?? 'auto', data }, options.title);
}

/** The page around an envelope (for data you built or compacted yourself). */
export function reportHtml(envelope: ReportEnvelope, title?: string): string {
  const heading = title ?? (envelope.kind === 'portfolio' ? `${envelope.portfolioId} — ${envelope.data.name}` : envelope.data.name);
  const dark = envelope.colorTheme === 'dark';
  const bg = dark ? '#0f1216' : '#f6f7f9';
  const autoDark = envelope.colorTheme === 'auto' ? '@media (prefers-color-scheme: dark){body{background:#0f1216}}' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:">
<meta name="generator" content="foliolab">
<title>${escapeHtml(heading)}</title>
<style>body{margin:0;background:${bg}}${autoDark}</style>
</head>
<body>
<script type="application/json" id="folio-report-data">${encodeData(envelope)}</script>
<script type="module">${inlineScript(REPORT_BUNDLE)}</script>
</body>
</html>
`;
}

/** A file name for a portfolio id (ids are untrusted: no separators, never "." or ".."). */
export function reportFileName(portfolioId: string): string {
  const name = portfolioId.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${/^\.+$/.test(name) ? `_${name}` : name}.html`;
}

/**
 * The pages the config's `reporting` block asks for: `dashboard.html` (combined_dashboard) and one
 * `<portfolio>.html` per portfolio that ran (individual_reports). The analysis is computed once.
 * @example
 *   for (const { file, html } of reportFiles(result, { config, bars })) await writeFile(join(out, file), html);
 */
export function reportFiles(result: RunResult, options: Omit<ReportOptions, 'kind' | 'portfolioId' | 'title'> & { config: RunConfig }): Array<{ file: string; html: string }> {
  const analysis = options.analysis ?? analyze(result);
  const shared = { ...options, analysis, generatedAt: options.generatedAt ?? new Date().toISOString() };
  const out: Array<{ file: string; html: string }> = [];
  if (options.config.reporting.combinedDashboard) out.push({ file: 'dashboard.html', html: renderReport(result, shared) });
  if (options.config.reporting.individualReports) {
    for (const p of Object.values(result.portfolios)) {
      if (p.status !== 'ok') continue;
      const file = reportFileName(p.portfolioId);
      out.push({ file: file === 'dashboard.html' ? `portfolio-${file}` : file, html: renderReport(result, { ...shared, kind: 'portfolio', portfolioId: p.portfolioId }) });
    }
  }
  return out;
}
