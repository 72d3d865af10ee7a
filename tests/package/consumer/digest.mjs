// A digest of a run's results computed the same way in Node and in a browser (plain JS, no foliolab
// import), so the installed package's results can be compared with the source tree's bit for bit.
export async function digestOf(result) {
  const out = {};
  for (const [id, p] of Object.entries(result.portfolios)) {
    if (p.status !== 'ok') {
      out[id] = `failed: ${p.error}`;
      continue;
    }
    const column = (f) => p.fills.columns?.[f] ?? p.fills.column(f);
    const parts = [p.equity, p.cash, p.gross, ...['step', 'quantity', 'price', 'commission', 'realized'].map(column)];
    const bytes = new Uint8Array(parts.reduce((n, a) => n + a.byteLength, 0));
    let at = 0;
    for (const a of parts) {
      bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      at += a.byteLength;
    }
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    out[id] = `${p.fills.length} fills, ${p.equity.length} steps, ${Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }
  return out;
}
