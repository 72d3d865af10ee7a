// The components' look: the documented --folio-* custom properties (light and dark palettes, set on the
// top-level elements and inherited by the charts inside), shared panel styles, and series colours.
import { css, type CSSResult } from 'lit';

/** color-theme="auto" (default) follows prefers-color-scheme; "light"/"dark" force one. */
export type ColorTheme = 'auto' | 'light' | 'dark';

const light = css`
  --folio-bg: #f6f7f9;
  --folio-surface: #ffffff;
  --folio-fg: #1b1f24;
  --folio-muted: #5d6672;
  --folio-border: #dde1e6;
  --folio-grid: rgba(27, 31, 36, 0.08);
  --folio-accent: #2563eb;
  --folio-positive: #15803d;
  --folio-negative: #c2410c;
  --folio-heat-negative: #2166ac;
  --folio-heat-zero: #f4f4f4;
  --folio-heat-positive: #b2182b;
  --folio-row-hover: #f0f4fa;
`;

const dark = css`
  --folio-bg: #0f1216;
  --folio-surface: #171b21;
  --folio-fg: #e6e9ee;
  --folio-muted: #9aa4b1;
  --folio-border: #2a3039;
  --folio-grid: rgba(230, 233, 238, 0.09);
  --folio-accent: #60a5fa;
  --folio-positive: #4ade80;
  --folio-negative: #fb923c;
  --folio-heat-negative: #4393c3;
  --folio-heat-zero: #22272e;
  --folio-heat-positive: #d6604d;
  --folio-row-hover: #1f252d;
`;

/**
 * Palette on the host of a top-level element (dashboard, portfolio report, event trace). Styles of
 * the page beat :host rules, so `folio-dashboard { --folio-accent: teal }` overrides either theme.
 */
export const palette: CSSResult = css`
  :host { ${light} color-scheme: light; }
  :host([color-theme='dark']) { ${dark} color-scheme: dark; }
  @media (prefers-color-scheme: dark) {
    :host(:not([color-theme='light']):not([color-theme='dark'])) { ${dark} color-scheme: dark; }
  }
`;

/** Shared panel, heading, button and table styles (every element). */
export const base: CSSResult = css`
  :host {
    font-family: var(--folio-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: 13px;
    color: var(--folio-fg, #1b1f24);
    box-sizing: border-box;
  }
  *, *::before, *::after { box-sizing: inherit; }
  .panel {
    background: var(--folio-surface, #fff);
    border: 1px solid var(--folio-border, #dde1e6);
    border-radius: var(--folio-radius, 8px);
    padding: 12px 14px;
    min-width: 0;
  }
  h2, h3 { margin: 0 0 8px; font-weight: 600; }
  h2 { font-size: 15px; }
  h3 { font-size: 13px; color: var(--folio-muted, #5d6672); text-transform: uppercase; letter-spacing: 0.04em; }
  .num { font-variant-numeric: tabular-nums; text-align: right; font-family: var(--folio-mono, ui-monospace, 'SF Mono', Menlo, Consolas, monospace); font-size: 12px; }
  .pos { color: var(--folio-positive, #15803d); }
  .neg { color: var(--folio-negative, #c2410c); }
  .muted { color: var(--folio-muted, #5d6672); }
  button, select, input {
    font: inherit; color: inherit; background: var(--folio-surface, #fff);
    border: 1px solid var(--folio-border, #dde1e6); border-radius: 5px; padding: 2px 8px;
  }
  button { cursor: pointer; }
  button:hover { border-color: var(--folio-accent, #2563eb); }
  button[aria-pressed='true'] { background: var(--folio-accent, #2563eb); color: #fff; border-color: var(--folio-accent, #2563eb); }
  :focus-visible { outline: 2px solid var(--folio-accent, #2563eb); outline-offset: 1px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { padding: 4px 8px; border-bottom: 1px solid var(--folio-border, #dde1e6); white-space: nowrap; }
  th { font-weight: 600; text-align: left; color: var(--folio-muted, #5d6672); font-size: 12px; }
  th.num { text-align: right; }
  tbody tr:hover { background: var(--folio-row-hover, #f0f4fa); }
  .scroll { overflow-x: auto; }
  pre { margin: 0; font-family: var(--folio-mono, ui-monospace, Menlo, monospace); font-size: 12px; white-space: pre-wrap; word-break: break-word; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
`;

/**
 * Series colours (Okabe–Ito first: distinguishable with the common colour-vision deficiencies), read
 * from --folio-series-1 … --folio-series-10 when set.
 */
/** What every SVG chart shares: its title bar with the export buttons, a fluid svg, text colours. */
export const svgChart: CSSResult = css`
  :host { display: block; }
  .bar { display: flex; align-items: center; gap: 6px; margin-bottom: 4px; }
  .bar h3 { margin: 0; flex: 1; }
  .bar button { font-size: 11px; padding: 1px 7px; }
  svg { width: 100%; height: auto; display: block; }
  text { fill: var(--folio-fg, #1b1f24); font-size: 11px; }
`;

export const SERIES_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#7c6fb0', '#8c564b', '#17becf', '#bcbd22'];

/** The colour of series i (cycling), as the host's computed style resolves it. */
export function seriesColor(host: Element, i: number): string {
  const custom = getComputedStyle(host).getPropertyValue(`--folio-series-${(i % 10) + 1}`).trim();
  return custom || SERIES_COLORS[i % SERIES_COLORS.length];
}

/** A custom property's resolved value on `host`, or `fallback`. */
export function cssVar(host: Element, name: string, fallback: string): string {
  return getComputedStyle(host).getPropertyValue(name).trim() || fallback;
}

/** Page layout of the dashboard and the portfolio report: header, KPI strip, responsive grid of panels. */
export const reportLayout: CSSResult = css`
  :host { display: block; background: var(--folio-bg); padding: 16px; container-type: inline-size; }
  header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 16px; margin-bottom: 12px; }
  header h1 { font-size: 20px; margin: 0; font-weight: 650; overflow-wrap: anywhere; }
  header .meta { color: var(--folio-muted); font-size: 12px; }
  .kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin-bottom: 12px; }
  .kpi { background: var(--folio-surface); border: 1px solid var(--folio-border); border-radius: var(--folio-radius, 8px); padding: 8px 12px; }
  .kpi-label { font-size: 11px; color: var(--folio-muted); text-transform: uppercase; letter-spacing: 0.04em; overflow-wrap: anywhere; }
  .kpi-value { font-size: 18px; text-align: left; font-weight: 600; margin-top: 2px; }
  .grid { display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr); margin-bottom: 12px; }
  @container (min-width: 900px) {
    .grid.two { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
  }
  @container (min-width: 1300px) {
    .grid.three { grid-template-columns: repeat(3, minmax(0, 1fr)); }
  }
  @container (min-width: 900px) and (max-width: 1299px) {
    .grid.three { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
  }
  .stack > * + * { margin-top: 10px; }
  .toggles { display: flex; gap: 6px; align-items: center; margin-bottom: 6px; flex-wrap: wrap; }
  .toggles .label { color: var(--folio-muted); font-size: 12px; margin-right: 4px; }
  .banner { border: 1px solid var(--folio-negative); color: var(--folio-negative); border-radius: 6px; padding: 6px 10px; margin-bottom: 10px; }
  .note { color: var(--folio-muted); font-size: 11.5px; margin: 6px 0 0; }
  details summary { cursor: pointer; font-weight: 600; }
  footer { color: var(--folio-muted); font-size: 11px; margin-top: 8px; }
`;
