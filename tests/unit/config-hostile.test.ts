// The hostile config corpus (tests/fixtures/hostile, big inputs generated here): deep nesting, megabyte
// values, ids in any script and unsafe ids, documented defaults (generated bars, momentum_threshold),
// data.timezone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { tooDeep } from '../../src/config/load.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/hostile/${name}`, import.meta.url), 'utf8');
const TAIL = `initial_capital: 1000
strategy: { type: buy_and_hold }
risk: { position_sizers: [{ type: fixed, size: 1 }] }
`;

function configError(text: string): ConfigError {
  try {
    loadConfig(text, { fileName: 'hostile.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('hostile configs', () => {
  it.each([
    ['flow lists nested 10 000 deep', `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, 1, 67], // the 64th '[' after 'a: '
    ['flow mappings nested 10 000 deep', `a: ${'{b: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`, 1, 256], // the 64th '{', 4 + 63·4
    ['block lists nested 5 000 deep', `a:\n${Array.from({ length: 5_000 }, (_, k) => `${' '.repeat(k)}- `).join('\n')}x\n`, 65, 66], // 63 spaces and '- ' on line 65
    ['block mappings nested 3 000 deep', Array.from({ length: 3_000 }, (_, k) => `${' '.repeat(k)}k${k}:`).join('\n') + ' 1\n', 65, 65],
  ])('%s: a located error, not a stack overflow', (_, text, line, column) => {
    const error = configError(text);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].message).toBe('nested more than 64 levels deep; expected a config (which nests about 6 deep)');
    expect(error.issues[0].line).toBe(line);
    expect(error.issues[0].column).toBe(column);
  });

  it('lets real configs through the depth check (the seed example, quoted brackets, comments)', () => {
    const seed = readFileSync(new URL('../fixtures/seed-config.yaml', import.meta.url), 'utf8');
    expect(tooDeep(seed, 64)).toBeUndefined();
    expect(tooDeep(`name: "${'['.repeat(100)}" # ${'{'.repeat(100)}\nother: '${'['.repeat(100)}'\n`, 64)).toBeUndefined();
    expect(tooDeep(`a: ${'['.repeat(64)}${']'.repeat(64)}`, 64)).toEqual({ line: 1, column: 67 });
    expect(tooDeep(`a: ${'['.repeat(63)}${']'.repeat(63)}`, 64)).toBeUndefined();
  });

  // 5 MB for the plain value; 1 MB elsewhere (the same clipping, a fifth of the parse time).
  const big = (c: string, mb = 1) => c.repeat(mb * 1_000_000);
  it.each([
    ['5 MB value', `workflow: { name: "${big('x', 5)}" }\ndata: { source: generated, symbols: [X] }\n${TAIL}`],
    ['strategy type', `data: { source: generated, symbols: [X] }\ninitial_capital: 1000\nstrategy: { type: "${big('m')}" }\nrisk: { position_sizers: [{ type: fixed, size: 1 }] }\n`],
    ['symbol', `data: { source: generated, symbols: ["${big('S')}"] }\n${TAIL}`],
    ['time zone', `data: { source: generated, symbols: [X], timezone: "${big('Z')}" }\n${TAIL}`],
    ['number', `data: { source: generated, symbols: [X], bars: ${big('9')} }\n${TAIL}`],
    ['quoted key', `data: { source: generated, symbols: [X], "${big('k')}": 1 }\n${TAIL}`],
    ['target weight key', `data: { source: generated, symbols: [X] }\n${TAIL}rebalance: { schedule: daily, target_weights: { "${big('p')}": 1 } }\n`],
  ])('a huge %s: the message quotes at most ~100 characters of it', (_, text) => {
    const error = configError(text);
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) expect(`${issue.path}: ${issue.message}`.length, issue.message.slice(0, 300)).toBeLessThan(400);
    expect(error.message.length).toBeLessThan(1000);
  });

  it('accepts portfolio ids in any script (動量_1, Momentum-€)', () => {
    const config = loadConfig(fixture('ids-any-script.yaml'));
    expect(config.tradingSystems.map((s) => [s.portfolioId, s.namespace])).toEqual([['動量_1', '動量_1'], ['Momentum-€', 'Momentum-€']]);
  });

  it('refuses ids with characters unsafe in a file name or in HTML, naming each one', () => {
    const error = configError(fixture('ids-unsafe.yaml'));
    const rule = 'expected an id of 1 to 64 letters or digits (any script), marks, "_", ".", "-" or currency signs, starting with a letter or digit; '
      + 'no spaces or characters unsafe in file names or HTML (/ \\ : * ? " < > | & \' # %)';
    expect(error.issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      `4 trading_systems[0].portfolio_id: ${rule}, got "<script>alert(1)</script>"`,
      `8 trading_systems[1].portfolio_id: ${rule}, got "../../etc/passwd"`,
      `12 trading_systems[2].portfolio_id: ${rule}, got "a b"`,
      `13 trading_systems[2].namespace: ${rule}, got "x&y"`,
    ]);
    expect(configError(`portfolio_id: ${'長'.repeat(65)}\ndata: { source: generated, symbols: [X] }\n${TAIL}`).issues[0].path).toBe('portfolio_id');
    expect(loadConfig(`portfolio_id: ${'長'.repeat(64)}\ndata: { source: generated, symbols: [X] }\n${TAIL}`).tradingSystems[0].portfolioId).toHaveLength(64);
  });

  it('data.timezone: New York by default, any zone the calendar knows, a clear error otherwise', () => {
    expect(loadConfig(`data: { source: generated, symbols: [X] }\n${TAIL}`).data.timeZone).toBe('America/New_York');
    expect(loadConfig(`data: { source: csv, file_path: a.csv, symbols: [X], timezone: Europe/London }\n${TAIL}`).data.timeZone).toBe('Europe/London');
    expect(loadConfig(`data: { source: generated, symbols: [X], timezone: "+05:30" }\n${TAIL}`).data.timeZone).toBe('+05:30');
    const error = configError(`data: { source: generated, symbols: [X], timezone: Mars/Olympus }\n${TAIL}`);
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'data.timezone: expected a time zone: an IANA name such as "America/New_York", "UTC" or an offset such as "+05:30", got "Mars/Olympus"',
    ]);
  });

  it('data.start is validated in the calendar: 1900-02-29 refused, 2000-02-29 accepted', () => {
    const start = (s: string) => `data: { source: generated, symbols: [X], start: "${s}" }\n${TAIL}`;
    expect(configError(start('1900-02-29')).issues[0].path).toBe('data.start');
    expect((loadConfig(start('2000-02-29')).data as { start: string }).start).toBe('2000-02-29');
  });
});
