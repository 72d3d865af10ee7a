// The package as a stranger gets it: `npm pack`, the tarball installed into an empty project, then used
// from plain Node, the CLI, a Vite app in Chromium (page and package on two origins) and TypeScript
// with strict settings. Nothing here may reach the source tree or tsx.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { runBacktest } from '../../src/workflow/run.js';
// @ts-expect-error plain JS shared with the consumer project
import { digestOf } from './consumer/digest.mjs';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;
const consumerFiles = new URL('./consumer/', import.meta.url).pathname;
const seedYaml = readFileSync(join(consumerFiles, 'seed-generated.yaml'), 'utf8');

let project: string;
let tarball: string;
let sourceDigest: Record<string, string>;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'foliolab-consumer-'));
  // dist/ is fresh: npm test builds before it runs (pretest), so pack without building again.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: repo });
  tarball = join(project, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
  cpSync(consumerFiles, project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project });
  sourceDigest = await digestOf(await runBacktest(loadConfig(seedYaml), { executor: 'inline' }));
}, 240_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships dist/ and docs, not the sources, tests or tsx', async () => {
    const listed = await run('tar', ['-tzf', tarball]);
    const files = listed.stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/foliolab.wasm');
    expect(files).toContain('dist/portfolio-worker.js');
    expect(files).toContain('dist/node-worker.js');
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('dist/elements.js');
    expect(files).toContain('dist/report.js');
    expect(files).toContain('dist/foliolab-widget.js');
    expect(files).toContain('dist/foliolab-widget-worker.js');
    expect(files).toContain('dist/types/src/index.d.ts');
    expect(files.filter((f) => /^(src|tests|bench|assembly|workers|\.ci)\//.test(f))).toEqual([]);
    // Source maps ship with their sources inlined (stack traces a user can read; Vite dev reads them).
    for (const f of files.filter((n) => /^dist\/[^/]+\.js$/.test(n))) expect(files, f).toContain(`${f}.map`);
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/foliolab/package.json'), 'utf8'));
    expect(Object.keys(installed.dependencies)).not.toContain('tsx');
    for (const f of readdirSync(join(project, 'node_modules/foliolab/dist')).filter((n) => n.endsWith('.js'))) {
      expect(readFileSync(join(project, 'node_modules/foliolab/dist', f), 'utf8'), f).not.toMatch(/["']tsx(\/|["'])/);
    }
  });

  it('imports in plain Node and gives the source tree’s results bit for bit, inline and in workers', async () => {
    const { stdout } = await run('node', ['run-node.mjs', 'seed-generated.yaml'], { cwd: project, timeout: 120_000 });
    const out = JSON.parse(stdout);
    expect(Object.keys(sourceDigest)).toEqual(['momentum_portfolio', 'mean_reversion_portfolio']);
    expect(out.inline).toEqual(sourceDigest);
    expect(out.workers).toEqual(sourceDigest);
    expect(out.core).toEqual(sourceDigest);
    expect(out.executors).toEqual(['inline', 'workers']);
    expect(out.warnings).toEqual([]);
    expect(out.edgeHandler).toBe('function');
    // foliolab/core alone has no pool: 'workers' says what to import instead.
    const core = await run('node', ['--input-type=module', '-e', `
      import { loadConfig, runBacktest } from 'foliolab/core';
      import { readFileSync } from 'node:fs';
      await runBacktest(loadConfig(readFileSync('seed-generated.yaml', 'utf8')), { executor: 'workers' })
        .then(() => console.log('ran'), (e) => console.log(e.message));`], { cwd: project });
    expect(core.stdout).toMatch(/needs the worker pool: import 'foliolab'/);
  });

  it('runs the CLI through npx, with the documented exit codes', async () => {
    const cli = (args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('npx', ['--no-install', 'foliolab', ...args], { cwd: project });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const ok = await cli(['run', 'seed-generated.yaml', '--out', 'out']);
    expect(ok.stderr + ok.stdout).not.toMatch(/tsx|ERR_/);
    expect(ok.code).toBe(0);
    expect(existsSync(join(project, 'out/summary.json'))).toBe(true);
    const summary = JSON.parse(readFileSync(join(project, 'out/summary.json'), 'utf8'));
    expect(JSON.stringify(summary)).toContain('momentum_portfolio');
    writeFileSync(join(project, 'bad.yaml'), seedYaml.replace('size: 1000', 'size: "abc"'));
    const bad = await cli(['run', 'bad.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/trading_systems\[0\]\.risk\.position_sizers\[0\]\.size/);
    const invalid = await cli(['validate', 'bad.yaml']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/position_sizers\[0\]\.size/);
    expect((await cli(['validate', 'seed-generated.yaml'])).code).toBe(0);
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toContain(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/validate/);
  });

  it('serves examples/edge-worker from the installed package in workerd, bundled as wrangler does', async () => {
    const { build } = await import('esbuild');
    const { Miniflare } = await import('miniflare');
    cpSync(join(repo, 'examples/edge-worker/src'), join(project, 'edge-worker/src'), { recursive: true });
    // wrangler: esbuild with the workerd condition, every .wasm left as a CompiledWasm module import.
    const bundle = await build({
      entryPoints: [join(project, 'edge-worker/src/index.js')], bundle: true, write: false, format: 'esm', platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], target: 'es2022', logLevel: 'silent',
      plugins: [{ name: 'wasm-modules', setup: (b) => b.onResolve({ filter: /\.wasm$/ }, () => ({ path: './foliolab.wasm', external: true })) }],
    });
    const code = bundle.outputFiles[0]!.text;
    expect(code).toContain('node_modules/foliolab/dist/edge.workerd.js'); // the workerd condition chose it
    const mf = new Miniflare({
      modules: [
        { type: 'ESModule', path: 'worker.js', contents: code },
        { type: 'CompiledWasm', path: 'foliolab.wasm', contents: readFileSync(join(project, 'node_modules/foliolab/dist/foliolab.wasm')) },
      ],
      compatibilityDate: '2026-04-01',
    });
    try {
      await mf.ready;
      const post = (body: string, type: string) => mf.dispatchFetch('http://edge.local/', { method: 'POST', body, headers: { 'content-type': type } });
      const ok = await post(seedYaml, 'application/yaml');
      expect(ok.status).toBe(200);
      const answer = (await ok.json()) as { portfolios: Array<{ portfolioId: string; finalEquity: number; fillCount: number; metrics: { trades: number; maxDrawdown: number } }> };
      const node = await runBacktest(loadConfig(seedYaml), { executor: 'inline' });
      expect(answer.portfolios.map((p) => p.portfolioId)).toEqual(['momentum_portfolio', 'mean_reversion_portfolio']);
      for (const p of answer.portfolios) {
        const n = node.portfolios[p.portfolioId]!;
        if (n.status !== 'ok') throw new Error(n.error);
        expect(p.finalEquity).toBe(n.finalEquity);
        expect(p.fillCount).toBe(n.fillCount);
        expect(p.metrics.trades).toBe(n.metrics.trades);
        expect(p.metrics.maxDrawdown).toBe(n.metrics.maxDrawdown);
      }
      expect((await post(seedYaml.replace('size: 1000', 'size: "abc"'), 'application/yaml')).status).toBe(400);
      expect((await post(seedYaml.replace('bars: 20000', 'bars: 5000000'), 'application/yaml')).status).toBe(422);
      expect((await post('x'.repeat(9 * 1024 * 1024), 'application/yaml')).status).toBe(413);
      expect((await post(seedYaml, 'image/png')).status).toBe(415);
      expect((await mf.dispatchFetch('http://edge.local/', { method: 'DELETE' })).status).toBe(405);
    } finally {
      await mf.dispose();
    }
  });

  it('type-checks in a consumer project with strict and noUncheckedIndexedAccess', async () => {
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: false, skipLibCheck: false, noEmit: true, lib: ['ES2022', 'DOM'], types: [],
      },
      files: ['types.ts'],
    }));
    const tsc = join(repo, 'node_modules/typescript/bin/tsc');
    const result = await run('node', [tsc, '-p', 'tsconfig.json'], { cwd: project }).catch((e) => e);
    expect(`${result.stdout ?? ''}${result.stderr ?? ''}`).toBe('');
  });

  it('bundles with Vite (no configuration) and runs in Chromium inline and in workers, its files from another origin', async () => {
    const { build } = await import('vite');
    const assets = await serve(() => null, { cors: true });
    const base = `http://127.0.0.1:${port(assets.server)}/`;
    const outDir = join(project, 'app-dist');
    await build({ root: join(project, 'app'), base, logLevel: 'silent', configFile: false, build: { outDir, emptyOutDir: true } });
    assets.root = outDir;
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(html).toContain(base); // the page's scripts come from the other origin
    const page = await serve(() => html, { cors: false });
    try {
      await expectAppRuns(`http://localhost:${port(page.server)}/`);
    } finally {
      page.server.close();
      assets.server.close();
    }
  });

  it('runs under the Vite dev server (dependency pre-bundling on, no optimizeDeps line)', async () => {
    const { createServer: createViteServer } = await import('vite');
    const server = await createViteServer({
      root: join(project, 'app'), configFile: false, logLevel: 'silent', server: { port: 0, host: '127.0.0.1', fs: { allow: [project] } },
    });
    await server.listen();
    try {
      const { port: devPort } = server.httpServer!.address() as { port: number };
      await expectAppRuns(`http://127.0.0.1:${devPort}/`);
    } finally {
      await server.close();
    }
  });
});

/** Opens a page in Chromium, waits for the app's output and checks it against the source tree's run. */
async function expectAppRuns(url: string): Promise<void> {
  const { chromium } = await import('playwright');
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    tab.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
    const missing: string[] = [];
    tab.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && missing.push(`${r.status()} ${r.url()}`));
    await tab.goto(url);
    await tab.waitForFunction(() => document.getElementById('out')?.textContent !== 'running', undefined, { timeout: 90_000 });
    const text = (await tab.textContent('#out'))!;
    expect(text).not.toMatch(/^error/);
    const out = JSON.parse(text);
    expect(out.inline).toEqual(sourceDigest);
    expect(out.workers).toEqual(sourceDigest);
    expect(out.executors).toEqual(['inline', 'workers']);
    expect(out.warnings).toEqual([]);
    expect(errors).toEqual([]);
    expect(missing).toEqual([]);
  } finally {
    await browser.close();
  }
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => p && existsSync(p));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json',
};

/** A static server: `page()` answers '/', other paths come from `root` (set once it exists). */
async function serve(page: () => string | null, { cors }: { cors: boolean }): Promise<{ server: Server; root?: string }> {
  const state: { server: Server; root?: string } = { server: undefined as unknown as Server };
  state.server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers: Record<string, string> = cors ? { 'access-control-allow-origin': '*' } : {};
    const html = path === '/' ? page() : null;
    if (html !== null) {
      res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(html);
      return;
    }
    const file = state.root && join(state.root, path);
    if (!file || path.includes('..') || !existsSync(file)) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  return state;
}

function port(server: Server): number {
  return (server.address() as { port: number }).port;
}
