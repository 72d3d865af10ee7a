// createBacktestHandler: a standard fetch(Request) handler that runs a foliolab config (the CLI's YAML
// or JSON, with generated data or CSV text per symbol) inline and answers a JSON summary. Every limit
// is checked before any work. Runtime-agnostic: workerd, Deno, Bun, Node (no Worker, no fs).
import type { NamedFill } from '../engine/records.js';
import { analyze, type Analysis } from '../analytics/analyze.js';
import { ConfigError, loadConfig } from '../config/index.js';
import type { RunConfig } from '../config/schema.js';
import type { Bars } from '../data/bars.js';
import { CsvError, parseCsv } from '../data/csv.js';
import { runBacktest } from '../workflow/run.js';
import { addSeries, checkConfigSymbols, InputError, seriesOfFile, shown } from './inputs.js';
import { summarizeRun, type PortfolioSummary, type RunSummary } from './summary.js';

/**
 * What one request may ask for. The defaults fit a Workers isolate (128 MB): a bar-portfolio costs about
 * 1.7 µs of CPU and, with the bars, its series and their analysis, about 120 bytes at the peak (Node,
 * 500 000 generated bars, one portfolio: 0.85 s, 60 MB).
 */
export interface EdgeLimits {
  /** Bytes of request body, counted while reading (a missing or wrong content-length does not help). */
  maxBodyBytes: number;
  /** Σ over portfolios of the bars (rows per symbol) each one trades: the CPU a request costs. */
  maxBarPortfolios: number;
  /** Largest `points` a request may ask for, per curve. */
  maxPoints: number;
  /** Fills returned per portfolio with `fills=true`; beyond, the list is cut and `fillsTruncated` set. */
  maxFills: number;
}

export const DEFAULT_EDGE_LIMITS: EdgeLimits = {
  maxBodyBytes: 8 * 1024 * 1024,
  maxBarPortfolios: 500_000,
  maxPoints: 10_000,
  maxFills: 100_000,
};

/** Points per curve when the request does not say. */
export const DEFAULT_EDGE_POINTS = 500;

export interface BacktestHandlerOptions {
  /** The compiled kernel: in workerd the imported `.wasm` (CompiledWasm). Default: the package's own (Node, browsers). */
  kernel?: WebAssembly.Module;
  limits?: Partial<EdgeLimits>;
  /**
   * Origins allowed to call from a browser: '*' (default: the handler holds no credentials, so any page
   * may use it as any other client can), a list of exact origins (echoed back, with `Vary: Origin`), or
   * false (no CORS headers at all).
   */
  cors?: '*' | readonly string[] | false;
}

/** The JSON a successful POST answers. */
export interface BacktestResponse extends Omit<RunSummary, 'portfolios'> {
  portfolios: Array<PortfolioSummary & { fills?: NamedFillJSON[]; fillsTruncated?: boolean }>;
}

/** A fill in the answer: the result's named fill as it is (all its fields are JSON already). */
export type NamedFillJSON = NamedFill;

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
const ACCEPTED_TYPES = ['application/json', ...YAML_TYPES, 'multipart/form-data'];
const ALLOW = 'GET, HEAD, POST, OPTIONS';

/** A refusal with its HTTP status; the message names the limit, part or value. */
class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}, readonly detail: Record<string, unknown> = {}) {
    super(message);
  }
}

/** Reads at most `limit` bytes of body; more is a 413 whatever content-length claimed. */
async function readBody(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(Number(declared), limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(total, limit, true);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}

function tooLarge(bytes: number, limit: number, atLeast = false): HttpError {
  return new HttpError(413, `body of ${atLeast ? 'more than ' : ''}${atLeast ? limit : bytes} bytes exceeds limits.maxBodyBytes = ${limit}`, {}, { limit: 'maxBodyBytes', value: limit });
}

/** Config text and CSV text per symbol, from any of the accepted body types. */
interface Submission {
  configText: string;
  configName: string;
  csv: Array<{ symbol: string; text: string; source: string }>;
}

const decoder = new TextDecoder('utf-8');

async function submissionOf(request: Request, mediaType: string, body: Uint8Array<ArrayBuffer>): Promise<Submission> {
  if (YAML_TYPES.includes(mediaType)) return { configText: decoder.decode(body), configName: 'config', csv: [] };
  if (mediaType === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(body));
    } catch (e) {
      throw new HttpError(400, `body is not valid JSON: ${(e as Error).message}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'body: expected a JSON object { config, csv? }');
    const { config, csv, ...rest } = value as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new HttpError(400, `body.${unknown[0]}: unknown key (expected config and csv)`);
    let configText: string;
    if (typeof config === 'string') configText = config;
    else if (config !== null && typeof config === 'object' && !Array.isArray(config)) configText = JSON.stringify(config);
    else throw new HttpError(400, 'body.config: expected the config as YAML or JSON text, or as an object');
    const parts: Submission['csv'] = [];
    if (csv !== undefined) {
      if (csv === null || typeof csv !== 'object' || Array.isArray(csv)) throw new HttpError(400, 'body.csv: expected an object { SYMBOL: "csv text" }');
      for (const [symbol, text] of Object.entries(csv as Record<string, unknown>)) {
        if (typeof text !== 'string') throw new HttpError(400, `body.csv.${symbol}: expected CSV text, got ${typeof text}`);
        parts.push({ symbol, text, source: `csv.${symbol}` });
      }
    }
    return { configText, configName: 'config', csv: parts };
  }
  // multipart/form-data: a `config` part and one part per symbol, named by the symbol.
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
  } catch (e) {
    throw new HttpError(400, `multipart body could not be read: ${(e as Error).message}`);
  }
  let configText: string | undefined;
  let configName = 'config';
  const parts: Submission['csv'] = [];
  for (const [name, value] of form.entries()) {
    const text = typeof value === 'string' ? value : await value.text();
    const fileName = typeof value === 'string' ? undefined : value.name || undefined;
    if (name === 'config') {
      if (configText !== undefined) throw new HttpError(400, 'multipart: more than one config part');
      configText = text;
      if (fileName) configName = fileName;
    } else {
      parts.push({ symbol: name, text, source: fileName ? `${fileName} (part ${shown(name)})` : `part ${shown(name)}` });
    }
  }
  if (configText === undefined) throw new HttpError(400, 'multipart: no part named "config" (send the config as a part named config, and one CSV part per symbol, named by the symbol)');
  return { configText, configName, csv: parts };
}

/** Upper bound of a CSV text's data rows, counted without parsing (its lines). */
function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.length && !text.endsWith('\n') ? n + 1 : n;
}

/** Bars per symbol the run will hold: the generator's count, or the CSV's lines. */
function barsPerSymbol(config: RunConfig, submission: Submission): Map<string, number> {
  const out = new Map<string, number>();
  if (config.data.source === 'generated') {
    if (submission.csv.length) throw new HttpError(400, `data.source is "generated", but the request also sends CSV (${submission.csv.map((p) => p.source).join(', ')}); send one or the other`);
    for (const s of config.data.symbols) out.set(s, config.data.bars);
    return out;
  }
  if (!submission.csv.length) {
    throw new HttpError(400, `data.source is "csv": send the bars as CSV text per symbol (JSON { config, csv: { ${config.data.symbols[0]}: "..." } } or multipart parts named by symbol); files named in the config are not read`);
  }
  for (const part of submission.csv) {
    if (!config.data.symbols.includes(part.symbol)) {
      throw new HttpError(400, `${part.source}: symbol ${shown(part.symbol)} is not in data.symbols (${config.data.symbols.join(', ')})`);
    }
    if (out.has(part.symbol)) throw new HttpError(400, `${part.source}: symbol ${shown(part.symbol)} is sent more than once`);
    out.set(part.symbol, lineCount(part.text));
  }
  for (const s of config.data.symbols) if (!out.has(s)) throw new HttpError(400, `data.symbols lists ${s}, but the request has no CSV for it`);
  return out;
}

/** Parses every CSV part, each checked to hold the symbol it was sent for. */
function barsOf(config: RunConfig, submission: Submission): Bars {
  const bars: Bars = { symbols: [], series: {} };
  for (const part of submission.csv) {
    const parsed = parseCsv(part.text, { symbol: part.symbol, fileName: part.source });
    addSeries(bars, seriesOfFile(parsed, part.symbol, part.source), part.source);
  }
  checkConfigSymbols(bars, config.data.symbols, 'the CSV parts');
  return bars;
}

function queryOptions(url: URL, limits: EdgeLimits): { points: number; fills: boolean } {
  const rawPoints = url.searchParams.get('points');
  const points = rawPoints === null ? DEFAULT_EDGE_POINTS : Number(rawPoints);
  if (!Number.isInteger(points) || points < 4 || points > limits.maxPoints) {
    throw new HttpError(400, `points: expected an integer from 4 to ${limits.maxPoints} (limits.maxPoints), got ${shown(rawPoints ?? '')}`);
  }
  const rawFills = url.searchParams.get('fills');
  if (rawFills !== null && !['true', 'false', '1', '0', ''].includes(rawFills)) throw new HttpError(400, `fills: expected true or false, got ${shown(rawFills)}`);
  return { points, fills: rawFills === 'true' || rawFills === '1' || rawFills === '' };
}

/**
 * A fetch handler that runs backtests. POST a config (the same YAML or JSON the CLI reads) as
 * `application/yaml` (generated data), as JSON `{ config, csv: { SPY: "<csv text>" } }`, or as
 * `multipart/form-data` (a `config` part and one CSV part per symbol, named by the symbol).
 * Query: `points` (curve points, default 500), `fills=true` (each portfolio's fills).
 * GET answers what the handler accepts and its limits; OPTIONS answers CORS preflights.
 * Statuses: 200, 204 (OPTIONS), 400 (bad config/CSV/query: the located message), 405 (+ Allow),
 * 413 (body), 415 (content type), 422 (work over limits.maxBarPortfolios), 500 (a bug).
 * @example
 *   // workerd: src/index.js
 *   import kernel from 'foliolab/foliolab.wasm';
 *   import { createBacktestHandler } from 'foliolab/edge';
 *   export default createBacktestHandler({ kernel });
 */
export function createBacktestHandler(options: BacktestHandlerOptions = {}): { fetch(request: Request): Promise<Response> } {
  const limits: EdgeLimits = { ...DEFAULT_EDGE_LIMITS, ...options.limits };
  const cors = options.cors ?? '*';

  const corsHeaders = (request: Request): Record<string, string> => {
    if (cors === false) return {};
    if (cors === '*') return { 'access-control-allow-origin': '*' };
    const origin = request.headers.get('origin');
    return origin !== null && cors.includes(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
  };
  const json = (request: Request, body: unknown, status: number, extra: Record<string, string> = {}) =>
    new Response(request.method === 'HEAD' ? null : JSON.stringify(body), {
      status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...corsHeaders(request), ...extra },
    });

  async function post(request: Request): Promise<Response> {
    const { points, fills } = queryOptions(new URL(request.url), limits);
    const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!ACCEPTED_TYPES.includes(mediaType)) {
      throw new HttpError(415, `content-type ${shown(mediaType || '(none)')} is not accepted; send ${ACCEPTED_TYPES.join(', ')}`, { 'accept-post': ACCEPTED_TYPES.join(', ') });
    }
    const body = await readBody(request, limits.maxBodyBytes);
    const submission = await submissionOf(request, mediaType, body);
    const config = loadConfig(submission.configText, { fileName: submission.configName, dataFiles: 'optional' });
    const perSymbol = barsPerSymbol(config, submission);
    let work = 0;
    for (const system of config.tradingSystems) for (const s of system.symbols ?? config.data.symbols) work += perSymbol.get(s) ?? 0;
    if (work > limits.maxBarPortfolios) {
      throw new HttpError(422, `the run needs ${work} bar-portfolios (bars of each portfolio's symbols, summed over ${config.tradingSystems.length} portfolios), over limits.maxBarPortfolios = ${limits.maxBarPortfolios}`,
        {}, { limit: 'maxBarPortfolios', value: limits.maxBarPortfolios, requested: work });
    }
    const bars = config.data.source === 'csv' ? barsOf(config, submission) : undefined;
    const result = await runBacktest(config, { bars, kernel: options.kernel, executor: 'inline', tracing: 'off', keep: { equity: 'bar', fills } });
    const anyOk = Object.values(result.portfolios).some((p) => p.status === 'ok');
    const analysis: Analysis | undefined = anyOk ? analyze(result) : undefined;
    const summary = summarizeRun(result, analysis, points);
    const response: BacktestResponse = summary;
    if (fills) {
      response.portfolios = summary.portfolios.map((s) => {
        const p = result.portfolios[s.portfolioId]!;
        if (p.status !== 'ok') return s;
        const named = p.fills.toArray();
        return { ...s, fills: named.slice(0, limits.maxFills), fillsTruncated: named.length > limits.maxFills };
      });
    }
    return json(request, response, 200);
  }

  return {
    async fetch(request: Request): Promise<Response> {
      try {
        switch (request.method) {
          case 'POST':
            return await post(request);
          case 'GET':
          case 'HEAD':
            return json(request, {
              service: 'foliolab backtest',
              post: { contentTypes: ACCEPTED_TYPES, json: '{ config: <YAML/JSON text or object>, csv?: { SYMBOL: <CSV text> } }', multipart: 'a "config" part and one CSV part per symbol, named by the symbol' },
              query: { points: `curve points, 4 to ${limits.maxPoints}, default ${DEFAULT_EDGE_POINTS}`, fills: 'true to include each portfolio\'s fills' },
              limits,
            }, 200);
          case 'OPTIONS':
            return new Response(null, {
              status: 204,
              headers: {
                allow: ALLOW, ...corsHeaders(request),
                ...(cors === false ? {} : { 'access-control-allow-methods': ALLOW, 'access-control-allow-headers': 'content-type', 'access-control-max-age': '86400' }),
              },
            });
          default:
            throw new HttpError(405, `method ${request.method} is not allowed; use ${ALLOW}`, { allow: ALLOW });
        }
      } catch (e) {
        if (e instanceof HttpError) return json(request, { error: e.message, status: e.status, ...e.detail }, e.status, e.headers);
        if (e instanceof ConfigError) return json(request, { error: e.message, status: 400, issues: e.issues }, 400);
        if (e instanceof CsvError) return json(request, { error: e.message, status: 400, file: e.fileName, line: e.line, column: e.column ?? null }, 400);
        if (e instanceof InputError) return json(request, { error: e.message, status: 400 }, 400);
        // A bug: say so without echoing internals to the client.
        console.error('foliolab edge handler:', e);
        return json(request, { error: 'internal error while running the backtest', status: 500 }, 500);
      }
    },
  };
}
