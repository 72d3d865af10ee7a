// Compiled with strict and noUncheckedIndexedAccess against the installed declarations.
import { loadConfig, runBacktest, createWorkerPool, type RunResult, type PortfolioResult } from 'foliolab';
import { parseCsv, analyze } from 'foliolab/core';
import { createBacktestHandler } from 'foliolab/edge';
import { FolioDashboard, FolioBacktest } from 'foliolab/elements';
import { renderReport } from 'foliolab/report';

export async function check(yaml: string, csv: string): Promise<number> {
  const config = loadConfig(yaml);
  const pool = createWorkerPool({ size: 1 });
  const result: RunResult = await runBacktest(config, { bars: parseCsv(csv, { symbol: 'SPY' }), executor: pool });
  await pool.dispose();
  const first: PortfolioResult | undefined = Object.values(result.portfolios)[0];
  const analysis = analyze(result);
  void analysis;
  void createBacktestHandler;
  const dashboard: FolioDashboard | undefined = undefined;
  void dashboard;
  void FolioBacktest;
  void renderReport;
  return first?.status === 'ok' ? first.finalEquity : Number.NaN;
}
