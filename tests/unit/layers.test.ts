// Layers point one way (DESIGN.md §1, STYLE.md 1): this test reads every import and fails on an
// upward or platform-specific one, so the rule holds without anyone remembering it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? files(path) : /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(path: string): string[] {
  const text = readFileSync(join(root, path), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
}

const src = files('src');
const inCli = (f: string) => f.startsWith('src/cli/');

describe('layering', () => {
  it('finds the source files it checks', () => {
    expect(src.length).toBeGreaterThan(10);
    expect(src).toContain('src/engine/portfolio.ts');
  });

  it('assembly/ imports only itself', () => {
    for (const f of files('assembly')) for (const spec of importsOf(f)) expect(spec, `${f} imports ${spec}`).toMatch(/^\.\//);
  });

  it('src/ never imports web/, workers/, comlink, lit or idb (but for the IndexedDB backend of the cache), and nothing outside src/cli imports node: or src/cli', () => {
    for (const f of src) {
      for (const spec of importsOf(f)) {
        const where = `${f} imports ${spec}`;
        expect(spec, where).not.toMatch(/(^|\/)(web|workers)\//);
        expect(spec, where).not.toMatch(/^(comlink|lit)(\/|$)/);
        // The run cache's IndexedDB backend is the one storage adapter (DESIGN.md §1), loaded only where IndexedDB exists.
        if (f !== 'src/cache/idb.ts') expect(spec, where).not.toMatch(/^idb(\/|$)/);
        if (!inCli(f)) {
          expect(spec, where).not.toMatch(/^node:|^(fs|path|os|child_process|worker_threads)$/);
          expect(spec, where).not.toMatch(/\/cli\//);
        }
      }
    }
  });

  it('src/ imports assembly/ only for the ABI constants', () => {
    for (const f of src) {
      for (const spec of importsOf(f).filter((s) => s.includes('assembly/'))) expect(`${f} → ${spec}`).toMatch(/assembly\/abi\.js$/);
    }
  });

  it('no eval or new Function anywhere in src/ (configs and data are untrusted)', () => {
    for (const f of src) {
      const text = readFileSync(join(root, f), 'utf8');
      expect(text, relative(root, f)).not.toMatch(/\beval\s*\(|new\s+Function\s*\(/);
    }
  });
});
