// fast-check generators for the parity tests: cent-priced bar series with flat runs, exact ties, gaps
// and stress (prices that multiply, so shorts get called or go bankrupt), and random portfolio specs
// covering every strategy, sizer, limit, execution and margin option.
import fc from 'fast-check';
import type { AlignedBars } from '../../src/data/bars.js';
import type { LimitSpec, PortfolioSpec, SizerSpec, StrategySpec } from '../../src/engine/spec.js';

/** One symbol's closes as a walk in whole cents, with many zero steps (flat windows, exact ties). */
const centWalk = (length: number) =>
  fc.record({
    start: fc.integer({ min: 50, max: 20_000 }),
    moves: fc.array(fc.constantFrom(-25, -3, -2, -1, 0, 0, 0, 0, 1, 2, 3, 25), { minLength: length, maxLength: length }),
    gaps: fc.array(fc.constantFrom(false, false, false, false, false, false, true), { minLength: length, maxLength: length }),
    wicks: fc.array(fc.tuple(fc.integer({ min: -2, max: 2 }), fc.nat(3), fc.nat(3)), { minLength: length, maxLength: length }),
    signal: fc.array(fc.constantFrom(-1, 0, 1, 0.5, NaN), { minLength: length, maxLength: length }),
    // Under stress a step may multiply the price (a squeeze, or a crash), on top of the cent move.
    stress: fc.boolean(),
    factors: fc.array(fc.constantFrom(1, 1, 1, 1, 1, 1.3, 1.6, 2, 3, 0.7, 0.5), { minLength: length, maxLength: length }),
  });

export const alignedBarsArb = (opts: { maxSymbols?: number; maxSteps?: number } = {}) =>
  fc
    .record({ symbols: fc.integer({ min: 1, max: opts.maxSymbols ?? 3 }), steps: fc.integer({ min: 1, max: opts.maxSteps ?? 250 }) })
    .chain(({ symbols, steps }) => fc.tuple(fc.constant(steps), fc.array(centWalk(steps), { minLength: symbols, maxLength: symbols })))
    .map(([steps, walks]) => toAligned(steps, walks));

type Walk = { start: number; moves: number[]; gaps: boolean[]; wicks: Array<[number, number, number]>; signal: number[]; stress: boolean; factors: number[] };

function toAligned(steps: number, walks: Walk[]): AlignedBars {
  const symbols = walks.map((_, i) => `S${i}`);
  const nan = () => new Float64Array(steps).fill(NaN);
  const bars: AlignedBars = {
    timestamps: Float64Array.from({ length: steps }, (_, i) => 1_704_205_800_000 + i * 60_000),
    symbols, open: walks.map(nan), high: walks.map(nan), low: walks.map(nan), close: walks.map(nan),
    volume: walks.map(nan), columns: { signal: walks.map(nan) },
  };
  walks.forEach((w, s) => {
    let cents = w.start;
    for (let i = 0; i < steps; i++) {
      const prev = cents;
      cents = Math.max(1, cents + w.moves[i]);
      if (w.stress) cents = Math.min(10_000_000, Math.max(1, Math.round(cents * w.factors[i])));
      // The first step always has a bar for symbol 0 so the timeline starts with a bar.
      if (w.gaps[i] && !(s === 0)) continue;
      const [openMove, up, down] = w.wicks[i];
      const open = Math.max(1, prev + openMove);
      bars.open[s][i] = open / 100;
      bars.close[s][i] = cents / 100;
      bars.high[s][i] = (Math.max(open, cents) + up) / 100;
      bars.low[s][i] = Math.max(1, Math.min(open, cents) - down) / 100;
      bars.volume[s][i] = 100;
      bars.columns.signal[s][i] = w.signal[i];
    }
  });
  return bars;
}

const allowShort = fc.boolean();
export const strategyArb: fc.Arbitrary<StrategySpec> = fc.oneof(
  fc.record({ type: fc.constant('momentum' as const), lookbackPeriod: fc.integer({ min: 1, max: 30 }),
    momentumThreshold: fc.constantFrom(0, 0.0002, 0.001, 0.01, 0.05), allowShort }),
  fc.record({ type: fc.constant('mean_reversion' as const), lookbackPeriod: fc.integer({ min: 2, max: 30 }),
    entryThreshold: fc.constantFrom(0.5, 1, 1.5, 2), exitThreshold: fc.constantFrom(0, 0, 0.25, 0.5), allowShort }),
  fc.integer({ min: 1, max: 10 }).chain((fast) => fc.record({ type: fc.constant('sma_crossover' as const),
    fastPeriod: fc.constant(fast), slowPeriod: fc.integer({ min: fast + 1, max: 40 }), allowShort })),
  fc.record({ type: fc.constant('breakout' as const), lookbackPeriod: fc.integer({ min: 1, max: 30 }), allowShort }),
  fc.record({ type: fc.constant('rsi' as const), period: fc.integer({ min: 1, max: 20 }),
    oversold: fc.constantFrom(20, 30, 50), overbought: fc.constantFrom(50, 70, 80), allowShort }),
  fc.constant({ type: 'buy_and_hold' as const }),
  fc.record({ type: fc.constant('signals' as const), column: fc.constant('signal'), allowShort }),
);

const sizerArb: fc.Arbitrary<SizerSpec> = fc.oneof(
  fc.record({ type: fc.constant('fixed' as const), size: fc.constantFrom(1, 10, 100, 1000) }),
  fc.record({ type: fc.constant('percentage' as const), size: fc.constantFrom(0.02, 0.1, 0.5, 1, 2) }),
  fc.record({ type: fc.constant('fixed_value' as const), value: fc.constantFrom(500, 5000, 50_000) }),
);

const limitArb: fc.Arbitrary<LimitSpec> = fc.oneof(
  fc.record({ type: fc.constant('max_position_value' as const), value: fc.constantFrom(1000, 5000, 20_000) }),
  fc.record({ type: fc.constant('max_position_size' as const), size: fc.constantFrom(5, 50, 500) }),
  fc.record({ type: fc.constant('max_gross_exposure' as const), value: fc.constantFrom(0.5, 1, 2) }),
  fc.record({ type: fc.constant('max_drawdown' as const), value: fc.constantFrom(0.001, 0.01, 0.05, 0.2) }),
);

export const specArb: fc.Arbitrary<PortfolioSpec> = fc.record({
  portfolioId: fc.constant('p'),
  namespace: fc.constant('p'),
  initialCapital: fc.constantFrom(100, 1000, 10_000, 100_000),
  strategy: strategyArb,
  sizers: fc.array(sizerArb, { minLength: 1, maxLength: 2 }),
  limits: fc.array(limitArb, { maxLength: 3 }),
  execution: fc.record({
    fill: fc.constantFrom('next_open' as const, 'close' as const),
    slippageBps: fc.constantFrom(0, 1, 5, 25),
    commission: fc.oneof(
      fc.constant({ perShare: 0, percent: 0, minimum: 0 }),
      fc.record({ perShare: fc.constantFrom(0.005, 0.01), percent: fc.constant(0), minimum: fc.constantFrom(0, 1) }),
      fc.record({ perShare: fc.constant(0), percent: fc.constantFrom(0.05, 0.1), minimum: fc.constantFrom(0, 1, 5) }),
    ),
    allowMargin: fc.boolean(),
    margin: fc.oneof(
      fc.constant({ initial: 0.5, maintenance: 0.3 }),
      fc.tuple(fc.constantFrom(0.25, 0.5, 1), fc.constantFrom(0, 0.5, 0.6, 1))
        .map(([initial, share]) => ({ initial, maintenance: initial * share })),
    ),
  }),
});

/** A portfolio over a random non-empty subset of the data's symbols, in random order. */
export const barsAndSpecArb = alignedBarsArb().chain((bars) =>
  fc.tuple(
    fc.constant(bars),
    specArb,
    fc.oneof(fc.constant(undefined), fc.shuffledSubarray(bars.symbols, { minLength: 1 })),
  ).map(([b, spec, symbols]) => [b, symbols ? { ...spec, symbols } : spec] as const),
);

