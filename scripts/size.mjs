// `npm run size`: what each entry costs a browser app, as gzip bytes of the entry bundled with its
// dependencies and minified (what a bundler ships), plus the .wasm. Exits 1 when a budget is exceeded.
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
/** Entries of dist/ and their gzip budgets in KB (undefined: reported only). */
const entries = [
  { name: 'foliolab/core', file: 'dist/core.js', budget: 60 },
  { name: 'foliolab', file: 'dist/index.js' },
  { name: 'foliolab (browser worker)', file: 'dist/portfolio-worker.js' },
  { name: 'foliolab/edge', file: 'dist/edge.js' },
  { name: 'foliolab/elements (first view: every element, Lit, uPlot)', file: 'dist/elements.js', budget: 120, firstView: true },
  { name: 'foliolab-widget.js (before Run)', file: 'dist/foliolab-widget.js', budget: 120, firstView: true },
];

const kb = (n) => (n / 1024).toFixed(1);
let over = 0;
const rows = [];
for (const entry of entries) {
  const result = await build({
    entryPoints: [new URL(entry.file, root).pathname], bundle: true, minify: true, format: 'esm', platform: 'browser',
    target: 'es2022', write: false, external: ['node:*', '*.wasm'], logLevel: 'error', metafile: true,
    // A first view loads no lazy chunk: dynamic imports stay out of its count.
    ...(entry.firstView ? { splitting: true, outdir: '/tmp/foliolab-size' } : {}),
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.js') && (!entry.firstView || !/chunk-/.test(f.path.split('/').pop())))?.contents ?? result.outputFiles[0].contents;
  const gzip = gzipSync(code, { level: 9 }).length;
  // The biggest inputs, so a budget overrun says where the bytes are.
  const inputs = Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs)
    .map(([path, { bytesInOutput }]) => [path.replace(/^.*node_modules\//, '').replace(/^dist\//, 'dist/'), bytesInOutput])
    .reduce((acc, [path, bytes]) => {
      const key = path.startsWith('dist/') ? 'foliolab' : path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');
      acc[key] = (acc[key] ?? 0) + bytes;
      return acc;
    }, {});
  const top = Object.entries(inputs).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${kb(v)}`).join(', ');
  const ok = entry.budget === undefined || gzip <= entry.budget * 1024;
  if (!ok) over++;
  rows.push({ entry: entry.name, minified_kb: kb(code.length), gzip_kb: kb(gzip), budget_kb: entry.budget ?? '', ok: ok ? 'yes' : 'OVER', largest_minified_kb: top });
}
const wasm = await readFile(new URL('dist/foliolab.wasm', root));
rows.push({ entry: 'foliolab.wasm', minified_kb: kb(wasm.length), gzip_kb: kb(gzipSync(wasm, { level: 9 }).length), budget_kb: '', ok: 'yes', largest_minified_kb: '' });
if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
else console.table(rows);
process.exitCode = over ? 1 : 0;
