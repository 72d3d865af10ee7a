// The script inlined in every self-contained report: reads the page's embedded data and shows it in a
// <folio-dashboard> or <folio-portfolio-report> (built by `npm run build:report` into one file).
import { decodeData } from '../src/report/codec.js';
import type { ReportEnvelope } from '../src/report/index.js';
import './elements/dashboard.js';
import './elements/portfolio-report.js';

function show(): void {
  const source = document.getElementById('folio-report-data');
  if (!source?.textContent) throw new Error('foliolab report: the page has no #folio-report-data element');
  const envelope = decodeData<ReportEnvelope>(source.textContent);
  const element = envelope.kind === 'portfolio' ? document.createElement('folio-portfolio-report') : document.createElement('folio-dashboard');
  if (envelope.kind === 'portfolio' && envelope.portfolioId !== undefined) element.setAttribute('portfolio-id', envelope.portfolioId);
  element.setAttribute('color-theme', envelope.colorTheme);
  element.data = envelope.data;
  document.body.append(element);
}

try {
  show();
} catch (e) {
  // A page that cannot show its data says why instead of staying blank.
  const p = document.createElement('pre');
  p.textContent = `This foliolab report could not be shown: ${(e as Error).message}`;
  document.body.append(p);
  throw e;
}
