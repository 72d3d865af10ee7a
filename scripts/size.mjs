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
  // A first view is the entry and the chunks it imports statically (its dynamic imports load later).
  const outputs = result.metafile.outputs;
  const entryOut = Object.keys(outputs).find((o) => outputs[o].entryPoint);
  const firstView = new Set();
  const visit = (o) => {
    if (firstView.has(o)) return;
    firstView.add(o);
    for (const i of outputs[o].imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
  };
  visit(entryOut);
  const files = entry.firstView
    ? result.outputFiles.filter((f) => [...firstView].some((o) => f.path.endsWith(o.replace(/^.*?\/tmp\/foliolab-size\//, '/'))))
    : [result.outputFiles[0]];
  const code = Buffer.concat(files.filter((f) => !entry.firstView || f.path.endsWith('.js')).map((f) => Buffer.from(f.contents)));
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
