// ConfigError and describeValue corners the config suite did not reach (found by mutation testing):
// text that is not a string, more issues than are shown, and how values are described in messages.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { CONFIG_BOUNDS, describeValue } from '../../src/config/schema.js';

describe('ConfigError', () => {
  it('refuses config text that is not a string, naming what it got', () => {
    expect(() => loadConfig(42 as unknown as string, { fileName: 'c.yaml' })).toThrow(new ConfigError([{ path: '', message: 'expected config text (a string), got 42' }], 'c.yaml'));
    expect(() => loadConfig(undefined as unknown as string)).toThrow('expected config text (a string), got nothing');
  });

  it(`shows at most ${CONFIG_BOUNDS.maxIssuesShown} issues and counts the rest`, () => {
    const n = CONFIG_BOUNDS.maxIssuesShown;
    const issues = Array.from({ length: n + 3 }, (_, i) => ({ path: `k${i}`, message: 'bad', line: i + 1 }));
    const lines = new ConfigError(issues, 'c.yaml').message.split('\n');
    expect(lines).toHaveLength(n + 1);
    expect(lines[0]).toBe('c.yaml:1 k0: bad');
    expect(lines[n]).toBe('... and 3 more issues');
    expect(new ConfigError(issues.slice(0, n)).message.split('\n')).toHaveLength(n);
    // Without a file name, the line (and column) come first in words.
    expect(new ConfigError([{ path: 'a.b', message: 'bad', line: 4, column: 2 }]).message).toBe('line 4, column 2 a.b: bad');
    expect(new ConfigError([{ path: '', message: 'bad' }]).message).toBe('bad');
  });
});

describe('describeValue', () => {
  it('describes each kind of value, truncating long text to 60 characters', () => {
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue(null)).toBe('null');
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue('x'.repeat(60))).toBe(`"${'x'.repeat(60)}"`);
    expect(describeValue('x'.repeat(61))).toBe(`"${'x'.repeat(57)}..."`);
    expect(describeValue(false)).toBe('false');
    expect(describeValue([])).toBe('an empty list');
    expect(describeValue([1, 2])).toBe('a list of 2');
    expect(describeValue({})).toBe('an empty mapping');
    expect(describeValue({ a: 1 })).toBe('a mapping');
    expect(describeValue(() => 1)).toBe('function');
  });
});
