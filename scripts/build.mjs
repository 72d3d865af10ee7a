// `npm run build`: the package a user installs, in dist/ — ESM per entry (esbuild), .d.ts (tsc), the
// kernel .wasm beside the code, worker entries per platform, workerd variants and the CLI.
// Why esbuild: one fast pass over every entry with shared chunks, and it leaves
// `new URL('./x', import.meta.url)` alone, so bundlers downstream (Vite, webpack) still see and copy
// the .wasm and the worker. Declarations come from tsc, the only tool that emits them faithfully.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const dist = new URL('dist/', root);
const started = performance.now();

/**
 * Paths in the sources that point into the source tree, and what they are in dist/ (flat: every entry
 * and chunk sits beside foliolab.wasm and the worker files). Each must be found, or the build fails.
 */
const rewrites = {
  'workers/spawn.ts': [["'./portfolio-worker.ts'", "'./portfolio-worker.js'"], ["'./node-worker.ts'", "'./node-worker.js'"]],
  'src/engine/default-kernel.ts': [["'../../build/foliolab.wasm'", "'./foliolab.wasm'"]],
};
/** The widget bundle starts its own self-contained worker (a page loading it has no bare-import resolution). */
const widgetRewrites = { ...rewrites, 'workers/spawn.ts': [["'./portfolio-worker.ts'", "'./foliolab-widget-worker.js'"], ["'./node-worker.ts'", "'./node-worker.js'"]] };

/** Applies `rewrites`; for workerd, the kernel comes from a module import instead (no runtime compile there). */
function sourcePaths({ workerd, paths = rewrites }) {
  return {
    name: 'foliolab-paths',
    setup(b) {
      b.onLoad({ filter: /\.(ts|mts)$/ }, async (args) => {
        const rel = args.path.slice(new URL(root).pathname.length);
        if (workerd && rel === 'src/engine/default-kernel.ts') {
          return { contents: await readFile(new URL('src/engine/default-kernel.workerd.ts', root), 'utf8'), loader: 'ts', resolveDir: new URL('src/engine/', root).pathname };
        }
        const list = paths[rel];
        if (!list) return undefined;
        let text = await readFile(args.path, 'utf8');
        for (const [from, to] of list) {
          if (!text.includes(from)) throw new Error(`build: ${rel} no longer contains ${from}; update scripts/build.mjs`);
          text = text.replaceAll(from, to);
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

/** `import css from 'x.css?inline'` (Vite's form, used by the charts): the stylesheet's text, bundled in. */
const inlineCss = {
  name: 'inline-css',
  setup(b) {
    b.onResolve({ filter: /\.css\?inline$/ }, (args) => ({
      path: createRequire(args.importer).resolve(args.path.replace(/\?inline$/, '')), namespace: 'inline-css',
    }));
    b.onLoad({ filter: /.*/, namespace: 'inline-css' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  packages: 'external', // dependencies are the installer's to resolve (and to dedupe)
  external: ['node:*', './foliolab.wasm'],
  outdir: dist.pathname,
  splitting: true,
  chunkNames: 'chunk-[hash]', // beside the entries, so './foliolab.wasm' and './*-worker.js' resolve from any chunk
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const entries = {
  index: 'workers/index.ts',
  core: 'src/index.ts',
  edge: 'src/edge/index.ts',
  'portfolio-worker': 'workers/portfolio-worker.ts',
  'node-worker': 'workers/node-worker.ts',
  cli: 'src/cli/bin.ts',
  elements: 'web/index.ts',
  report: 'src/report/index.ts',
};
const main = await build({
  ...common,
  entryPoints: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, new URL(path, root).pathname])),
  plugins: [inlineCss, sourcePaths({ workerd: false })],
});
// workerd refuses to compile WebAssembly from bytes: its entries import the .wasm as a module.
const workerd = await build({
  ...common,
  entryPoints: { 'core.workerd': new URL('src/index.ts', root).pathname, 'edge.workerd': new URL('src/edge/index.ts', root).pathname },
  chunkNames: 'chunk-workerd-[hash]',
  plugins: [sourcePaths({ workerd: true })],
});

// foliolab-widget.js: one <script type="module"> for a docs page, from any origin (a CDN): every
// dependency bundled in, the engine a chunk loaded when a widget first needs it, its worker self-contained.
const widget = await build({
  ...common,
  packages: undefined,
  platform: 'browser',
  minify: true,
  entryPoints: { 'foliolab-widget': new URL('web/widget/index.ts', root).pathname },
  chunkNames: 'widget-[hash]',
  plugins: [inlineCss, sourcePaths({ workerd: false, paths: widgetRewrites })],
});
// Its worker is one file of its own: sharing chunks with the page's bundle would load Lit into it.
const widgetWorker = await build({
  ...common,
  packages: undefined,
  platform: 'browser',
  minify: true,
  splitting: false,
  entryPoints: { 'foliolab-widget-worker': new URL('workers/portfolio-worker.ts', root).pathname },
  plugins: [sourcePaths({ workerd: false, paths: widgetRewrites })],
});

await copyFile(new URL('build/foliolab.wasm', root), new URL('foliolab.wasm', dist));

// The CLI's shebang (esbuild keeps it from the source's first line) and nothing from the dev toolchain.
for (const out of [...Object.keys(main.metafile.outputs), ...Object.keys(workerd.metafile.outputs), ...Object.keys(widget.metafile.outputs), ...Object.keys(widgetWorker.metafile.outputs)]) {
  if (!out.endsWith('.js')) continue;
  const text = await readFile(new URL(out, root), 'utf8');
  if (/from\s*["']tsx|import\(\s*["']tsx|["']\.\.?\/[^"']*\.ts["']/.test(text)) throw new Error(`build: ${out} refers to tsx or a .ts file`);
}

// Bundlers find the browser worker by this exact text; a renamed `Worker` would hide it from them.
const chunks = await Promise.all(Object.keys(main.metafile.outputs).filter((o) => o.endsWith('.js')).map((o) => readFile(new URL(o, root), 'utf8')));
if (!chunks.some((text) => text.includes('new Worker(new URL("./portfolio-worker.js", import.meta.url)'))) {
  throw new Error('build: the browser worker is no longer created as `new Worker(new URL("./portfolio-worker.js", import.meta.url))`');
}

execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
const ms = Math.round(performance.now() - started);
console.error(`build: dist/ written in ${ms} ms`);
