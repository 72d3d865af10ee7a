// PNG export of an SVG chart: a copy with every colour resolved (the --folio-* variables live in the
// page, not in the file), drawn on a canvas through an <img> of its data: URL (no network, works from file://).
import { download, fileSafe } from '../format.js';

const PAINT = ['fill', 'stroke', 'color', 'font-size', 'font-family', 'font-weight', 'opacity', 'stroke-dasharray', 'text-anchor', 'dominant-baseline'] as const;

/** Saves `svg` as `<name>.png` on the given background, at the device's pixel ratio. */
export async function exportSvgPng(svg: SVGSVGElement, name: string, background: string): Promise<void> {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const from = [svg, ...svg.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  from.forEach((el, i) => {
    const style = getComputedStyle(el);
    (to[i] as SVGElement).setAttribute('style', PAINT.map((p) => `${p}:${style.getPropertyValue(p)}`).join(';'));
  });
  const { width, height } = svg.getBoundingClientRect();
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(copy))}`;
  await img.decode();
  const scale = devicePixelRatio;
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  canvas.toBlob((blob) => blob && download(`${fileSafe(name)}.png`, blob));
}
