// PortfolioRebalancer: at the close of scheduled bars, moves cash between portfolios so each holds its
// target share of the combined equity. Pure planning; the workflow applies the moves in lockstep.
import type { RebalanceSchedule, RebalanceSpec } from '../config/schema.js';
import { calendarOf, type ExchangeCalendar } from '../data/calendar.js';
import type { CashMove } from './executor.js';
import type { SystemState } from './system.js';

/** One transfer of cash from a donor portfolio to a receiver at the close of a step. */
export interface RebalanceTransfer {
  step: number;
  from: string;
  to: string;
  amount: number;
}

export interface RebalanceDecision {
  step: number;
  timestamp: number;
  /** Each live portfolio's share of the combined equity before the moves. */
  weightsBefore: Record<string, number>;
  /** Target shares among the live portfolios (renormalized when some failed or halted). */
  targets: Record<string, number>;
  transfers: RebalanceTransfer[];
  /** Net cash moved per portfolio (+ in, − out). */
  moves: CashMove[];
  /** True when a donor lacked the cash to give all it should (its cash never goes below zero). */
  partial: boolean;
  /** Why nothing moved, when nothing did. */
  skipped?: 'threshold' | 'no equity';
}

/**
 * Steps at whose close the schedule rebalances: the last bar of each day/ISO week/month/quarter of the
 * exchange calendar (default New York), or every N bars (steps N−1, 2N−1, …). Never the final step
 * (nothing would follow).
 */
export function rebalanceSteps(timestamps: Float64Array, schedule: RebalanceSchedule, calendar: ExchangeCalendar = calendarOf()): number[] {
  const n = timestamps.length;
  const steps: number[] = [];
  if (typeof schedule === 'object') {
    for (let s = schedule.everyBars - 1; s < n - 1; s += schedule.everyBars) steps.push(s);
    return steps;
  }
  let key = n > 0 ? calendar.periodKey(timestamps[0], schedule) : 0;
  for (let i = 0; i < n - 1; i++) {
    const next = calendar.periodKey(timestamps[i + 1], schedule);
    if (next !== key) steps.push(i);
    key = next;
  }
  return steps;
}

export class PortfolioRebalancer {
  constructor(readonly spec: RebalanceSpec) {}

  /**
   * The moves at the close of `step`, given every live portfolio's equity and cash after that step, in
   * config order (sums and the pairing of donors with receivers follow it, so the order fixes the result).
   */
  plan(states: SystemState[], step: number, timestamp: number): RebalanceDecision {
    // A halted (drawdown or bankrupt) portfolio is out, as a failed one is: it neither gives nor receives.
    const live = states.filter((s) => this.spec.targetWeights[s.portfolioId] !== undefined && !s.halted);
    const weightSum = live.reduce((a, s) => a + this.spec.targetWeights[s.portfolioId], 0);
    const total = live.reduce((a, s) => a + s.equity, 0);
    const targets: Record<string, number> = {};
    const weightsBefore: Record<string, number> = {};
    for (const s of live) {
      targets[s.portfolioId] = this.spec.targetWeights[s.portfolioId] / weightSum;
      weightsBefore[s.portfolioId] = total > 0 ? s.equity / total : NaN;
    }
    const decision: RebalanceDecision = { step, timestamp, weightsBefore, targets, transfers: [], moves: [], partial: false };
    if (!(total > 0) || !(weightSum > 0)) return { ...decision, skipped: 'no equity' };
    const drift = Math.max(...live.map((s) => Math.abs(weightsBefore[s.portfolioId] - targets[s.portfolioId])));
    if (this.spec.threshold !== undefined && drift <= this.spec.threshold) return { ...decision, skipped: 'threshold' };

    // Donors give what they should, but never more than their cash; receivers take in config order.
    const donors = live.map((s) => ({ id: s.portfolioId, left: Math.min(s.equity - targets[s.portfolioId] * total, Math.max(s.cash, 0)), owed: s.equity - targets[s.portfolioId] * total }))
      .filter((d) => d.owed > 0);
    const receivers = live.map((s) => ({ id: s.portfolioId, left: targets[s.portfolioId] * total - s.equity })).filter((r) => r.left > 0);
    decision.partial = donors.some((d) => d.left < d.owed);
    const net = new Map<string, number>();
    let r = 0;
    for (const d of donors) {
      while (d.left > 0 && r < receivers.length) {
        const amount = Math.min(d.left, receivers[r].left);
        if (amount > 0) {
          decision.transfers.push({ step, from: d.id, to: receivers[r].id, amount });
          net.set(d.id, (net.get(d.id) ?? 0) - amount);
          net.set(receivers[r].id, (net.get(receivers[r].id) ?? 0) + amount);
        }
        d.left -= amount;
        receivers[r].left -= amount;
        if (receivers[r].left <= 0) r++;
      }
    }
    decision.moves = live.filter((s) => net.has(s.portfolioId)).map((s) => ({ portfolioId: s.portfolioId, amount: net.get(s.portfolioId)! }));
    return decision;
  }
}
