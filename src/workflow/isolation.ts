// IsolationValidator: checks a finished multi-portfolio run for leaks between portfolios — every event
// carries its own system's ids, namespaces are unique, and each system's results are bit-identical to
// the same system run alone.
import type { AlignedBars } from '../data/bars.js';
import type { PortfolioSpec } from '../engine/spec.js';
import type { PortfolioOk, RunResult } from './run.js';
import { runTradingSystem, type SystemOutcome } from './system.js';

export interface IsolationReport {
  ok: boolean;
  violations: string[];
  /** Systems compared against a run alone. */
  comparedAlone: string[];
}

function sameSeries(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

export class IsolationValidator {
  /** Ownership checks only: events and namespaces. */
  checkEvents(result: RunResult): string[] {
    const violations: string[] = [];
    const owners = new Map<string, string>();
    for (const p of Object.values(result.portfolios)) {
      const owner = owners.get(p.namespace);
      if (owner !== undefined) violations.push(`namespace "${p.namespace}" is used by "${owner}" and "${p.portfolioId}"`);
      owners.set(p.namespace, p.portfolioId);
      if (p.status !== 'ok') continue;
      for (const e of p.events) {
        if (e.portfolioId !== p.portfolioId || e.namespace !== p.namespace) {
          violations.push(`${p.portfolioId}: event ${e.id} claims portfolio "${e.portfolioId}" in namespace "${e.namespace}"`);
        }
        if (e.causationId && !e.causationId.startsWith(`${p.namespace}#`) && !e.causationId.startsWith(`${p.namespace}@`)) {
          violations.push(`${p.portfolioId}: event ${e.id} is caused by ${e.causationId}, outside its namespace`);
        }
      }
    }
    return violations;
  }

  /**
   * Full check: ownership, then each listed system run alone on a fresh instance in this thread must give
   * bit-identical equity, cash, gross, fills and records.
   */
  async validate(result: RunResult, run: { module: WebAssembly.Module; bars: AlignedBars; systems: PortfolioSpec[] },
    options: { tracing?: 'off' | 'trades' | 'full'; only?: string[] } = {}): Promise<IsolationReport> {
    const violations = this.checkEvents(result);
    const comparedAlone: string[] = [];
    for (const spec of run.systems) {
      if (options.only && !options.only.includes(spec.portfolioId)) continue;
      const together = result.portfolios[spec.portfolioId];
      if (!together) {
        violations.push(`${spec.portfolioId}: missing from the run`);
        continue;
      }
      let alone: SystemOutcome;
      try {
        alone = await runTradingSystem(run.module, spec, run.bars, { tracing: options.tracing ?? 'full' });
      } catch (e) {
        if (together.status === 'ok') violations.push(`${spec.portfolioId}: fails alone (${(e as Error).message}) but ran together`);
        continue;
      }
      comparedAlone.push(spec.portfolioId);
      if (together.status !== 'ok') {
        violations.push(`${spec.portfolioId}: runs alone but failed together (${together.error})`);
        continue;
      }
      violations.push(...differences(spec.portfolioId, together, alone, options.tracing !== undefined));
    }
    return { ok: violations.length === 0, violations, comparedAlone };
  }
}

function differences(id: string, together: PortfolioOk, alone: SystemOutcome, compareRecords: boolean): string[] {
  const out: string[] = [];
  const fullSeries = together.sampledAt === undefined;
  if (fullSeries) {
    if (!sameSeries(together.equity, alone.equity)) out.push(`${id}: equity differs from its run alone`);
    if (!sameSeries(together.cash, alone.cash)) out.push(`${id}: cash differs from its run alone`);
    if (!sameSeries(together.gross, alone.gross)) out.push(`${id}: gross exposure differs from its run alone`);
  } else if (!Object.is(together.finalEquity, alone.finalEquity)) out.push(`${id}: final equity differs from its run alone`);
  if (together.fillCount !== alone.fillCount) out.push(`${id}: ${together.fillCount} fills together, ${alone.fillCount} alone`);
  else if (alone.fills && together.fills.length) {
    for (const field of ['step', 'quantity', 'price', 'commission', 'realized'] as const) {
      if (!sameSeries(together.fills.column(field), alone.fills[field])) out.push(`${id}: fill ${field}s differ from its run alone`);
    }
  }
  if (compareRecords && !sameSeries(together.recordData, alone.recordData)) out.push(`${id}: records differ from its run alone`);
  return out;
}
