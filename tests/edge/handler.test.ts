// createBacktestHandler called directly in Node (the same code workerd runs): multipart, limits set by
// the caller, lying content-length, the wrong-symbol rule, CORS by origin list, query validation.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { toCsv } from '../../src/data/csv.js';
import { generateBars } from '../../src/data/generate.js';
import { createBacktestHandler } from '../../src/edge/index.js';
import { runBacktest, type PortfolioOk } from '../../src/workflow/run.js';
import { kernelModule } from '../helpers/kernel.js';

const kernel = await kernelModule();
const config = `workflow: { type: multi_portfolio_backtest, name: Multipart }
data: { source: csv, symbols: [SPY, QQQ] }
trading_systems:
  - portfolio_id: both
    initial_capital: 100000
    strategy: { type: momentum, parameters: { lookback_period: 10, momentum_threshold: 0.0001 } }
    risk: { position_sizers: [{ type: fixed, size: 20 }] }
`;
const bars = generateBars({ symbols: ['SPY', 'QQQ'], bars: 2_000, interval: '1m', seed: 21 });
const csvOf = (symbol: string) => toCsv({ symbols: [symbol], series: { [symbol]: bars.series[symbol]! } }, { symbolColumn: false });

async function error(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

describe('createBacktestHandler', () => {
  it('reads multipart: a config part and one file part per symbol', async () => {
    const handler = createBacktestHandler({ kernel });
    const form = new FormData();
    form.append('config', new Blob([config]), 'run.yaml');
    form.append('SPY', new Blob([csvOf('SPY')]), 'spy.csv');
    form.append('QQQ', new Blob([csvOf('QQQ')]), 'qqq.csv');
    const res = await handler.fetch(new Request('http://h/?points=16', { method: 'POST', body: form }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { curvePoints: number; portfolios: Array<{ finalEquity: number; fillCount: number; curves: { equity: { values: number[] } } }> };
    const node = (await runBacktest(loadConfig(config, { dataFiles: 'optional' }), { bars, kernel, executor: 'inline' })).portfolios.both as PortfolioOk;
    expect(node.fillCount).toBeGreaterThan(20);
    expect(body.portfolios[0]!.finalEquity).toBe(node.finalEquity);
    expect(body.portfolios[0]!.fillCount).toBe(node.fillCount);
    expect(body.curvePoints).toBe(16);
    expect(body.portfolios[0]!.curves.equity.values.length).toBeLessThanOrEqual(16);
    // A config error in the config part carries the part's file name and the line.
    const bad = new FormData();
    bad.append('config', new Blob([config.replace('size: 20', 'size: zero')]), 'run.yaml');
    const refused = await handler.fetch(new Request('http://h/', { method: 'POST', body: bad }));
    expect(refused.status).toBe(400);
    expect(await error(refused)).toMatch(/^run\.yaml:7 trading_systems\[0\]\.risk\.position_sizers\[0\]\.size: expected a number > 0.*got "zero"$/);
    const twice = new FormData();
    twice.append('config', new Blob([config]), 'run.yaml');
    for (const name of ['SPY', 'SPY', 'QQQ']) twice.append(name, new Blob([csvOf(name)]), `${name}.csv`);
    const duplicated = await handler.fetch(new Request('http://h/', { method: 'POST', body: twice }));
    expect(duplicated.status).toBe(400);
    expect(await error(duplicated)).toBe('SPY.csv (part "SPY"): symbol "SPY" is sent more than once');
    const noConfig = new FormData();
    noConfig.append('SPY', new Blob([csvOf('SPY')]), 'spy.csv');
    const missing = await handler.fetch(new Request('http://h/', { method: 'POST', body: noConfig }));
    expect(missing.status).toBe(400);
    expect(await error(missing)).toMatch(/no part named "config"/);
  });

  it('refuses a CSV part whose symbol column holds another symbol', async () => {
    const handler = createBacktestHandler({ kernel });
    const qqqWithColumn = toCsv({ symbols: ['QQQ'], series: { QQQ: bars.series.QQQ! } }); // symbol column says QQQ
    const res = await handler.fetch(new Request('http://h/', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config, csv: { SPY: qqqWithColumn, QQQ: csvOf('QQQ') } }),
    }));
    expect(res.status).toBe(400);
    expect(await error(res)).toBe('csv.SPY: given for SPY, but its symbol column holds "QQQ"');
    const extra = await handler.fetch(new Request('http://h/', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config, csv: { SPY: csvOf('SPY'), QQQ: csvOf('QQQ'), IWM: csvOf('SPY') } }),
    }));
    expect(extra.status).toBe(400);
    expect(await error(extra)).toBe('csv.IWM: symbol "IWM" is not in data.symbols (SPY, QQQ)');
  });

  it('counts the body while reading, whatever content-length says', async () => {
    const handler = createBacktestHandler({ kernel, limits: { maxBodyBytes: 1_000 } });
    const body = new TextEncoder().encode('#'.repeat(1_001));
    const lying = new Request('http://h/', { method: 'POST', body, headers: { 'content-type': 'application/yaml', 'content-length': '10' } });
    const res = await handler.fetch(lying);
    expect(res.status).toBe(413);
    expect(await error(res)).toBe('body of more than 1000 bytes exceeds limits.maxBodyBytes = 1000');
    // Exactly at the limit is read (and then fails as a config, not as a size).
    const atLimit = await handler.fetch(new Request('http://h/', { method: 'POST', body: body.slice(1), headers: { 'content-type': 'application/yaml' } }));
    expect(atLimit.status).toBe(400);
  });

  it('counts CSV lines against maxBarPortfolios before parsing', async () => {
    // 2 000 bars + 1 header line per symbol, plus one bad line in QQQ; one portfolio trades both: 2 001 + 2 002 = 4 003.
    const handler = createBacktestHandler({ kernel, limits: { maxBarPortfolios: 4_001 } });
    const res = await handler.fetch(new Request('http://h/', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config, csv: { SPY: csvOf('SPY'), QQQ: csvOf('QQQ').replace('\n', '\nnot-a-row\n') } }),
    }));
    expect(res.status).toBe(422); // not 400: the bad row is never reached
    expect(await error(res)).toBe('the run needs 4003 bar-portfolios (bars of each portfolio\'s symbols, summed over 1 portfolios), over limits.maxBarPortfolios = 4001');
  });

  it('answers CORS only for listed origins, and checks the query', async () => {
    const handler = createBacktestHandler({ kernel, cors: ['https://docs.example'] });
    const allowed = await handler.fetch(new Request('http://h/', { method: 'OPTIONS', headers: { origin: 'https://docs.example' } }));
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://docs.example');
    expect(allowed.headers.get('vary')).toBe('Origin');
    const other = await handler.fetch(new Request('http://h/', { method: 'GET', headers: { origin: 'https://evil.example' } }));
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const points = await handler.fetch(new Request('http://h/?points=3', { method: 'POST', body: config, headers: { 'content-type': 'application/yaml' } }));
    expect(points.status).toBe(400);
    expect(await error(points)).toBe('points: expected an integer from 4 to 10000 (limits.maxPoints), got "3"');
    const none = await handler.fetch(new Request('http://h/', { method: 'POST', body: config }));
    expect(none.status).toBe(415); // a string body defaults to text/plain
  });

  it('refuses generated data sent with CSV, and CSV data sent without it', async () => {
    const handler = createBacktestHandler({ kernel });
    const generated = config.replace('{ source: csv, symbols: [SPY, QQQ] }', '{ source: generated, symbols: [SPY], bars: 100 }');
    const both = await handler.fetch(new Request('http://h/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: generated, csv: { SPY: csvOf('SPY') } }) }));
    expect(both.status).toBe(400);
    expect(await error(both)).toMatch(/^data\.source is "generated", but the request also sends CSV \(csv\.SPY\)/);
    const without = await handler.fetch(new Request('http://h/', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: config }));
    expect(without.status).toBe(400);
    expect(await error(without)).toMatch(/^data\.source is "csv": send the bars as CSV text per symbol/);
  });

  it('reports a failing portfolio inside a 200, and cuts fills at maxFills', async () => {
    const handler = createBacktestHandler({ kernel, limits: { maxFills: 5 } });
    const generated = `${config.replace('{ source: csv, symbols: [SPY, QQQ] }', '{ source: generated, symbols: [SPY], bars: 3000, interval: 1m, seed: 2 }')}
  - portfolio_id: needs_column
    initial_capital: 1000
    strategy: { type: signals, parameters: { column: target } }
    risk: { position_sizers: [{ type: fixed, size: 1 }] }
`;
    const res = await handler.fetch(new Request('http://h/?fills=true', { method: 'POST', body: generated, headers: { 'content-type': 'application/yaml' } }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { portfolios: Array<{ portfolioId: string; status: string; error?: string; fillCount?: number; fills?: Array<{ barIndex: number }>; fillsTruncated?: boolean }> };
    const [ok, failed] = body.portfolios;
    expect(failed).toEqual({ status: 'failed', portfolioId: 'needs_column', namespace: 'needs_column', error: 'portfolio "needs_column": the data has no "target" column for its signals strategy' });
    expect(ok!.fillCount).toBeGreaterThan(5);
    expect(ok!.fills!.length).toBe(5);
    expect(ok!.fillsTruncated).toBe(true);
    const node = (await runBacktest(loadConfig(generated), { kernel, executor: 'inline' })).portfolios.both as PortfolioOk;
    expect(ok!.fills!.map((f) => f.barIndex)).toEqual(Array.from(node.fills.column('step').subarray(0, 5)));
  });
});
