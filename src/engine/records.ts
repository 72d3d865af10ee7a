// Kernel event records decoded into objects with named fields (and the names of their codes), and
// fills: the one fill column list, the kernel's fill table, and a result's iterable fills. The
// reference model builds the same record shapes, so runs can be compared record for record.
import * as abi from '../../assembly/abi.js';

export type RecordKind = 'signal' | 'order' | 'fill' | 'risk' | 'cancel';

/** Reasons of portfolio-wide risk records (symbol −1). */
export type AccountRiskReason = 'max_drawdown' | 'margin_call' | 'bankrupt';
/** Reasons of risk records about one symbol's target or order. */
export type SymbolRiskReason =
  | 'max_position_value'
  | 'max_position_size'
  | 'max_gross_exposure'
  | 'margin_limit'
  | 'halted'
  | 'order_reduced'
  | 'order_rejected';
export type ReasonName = 'signal' | 'end_of_data' | AccountRiskReason | SymbolRiskReason;

interface RecordBase {
  seq: number;
  /** seq of the causing record; -1 when the cause is the bar itself (signals, checks at the mark). */
  cause: number;
  step: number;
  /** Index into the portfolio's symbols; -1 for portfolio-wide records. */
  symbol: number;
}

export interface SignalRecord extends RecordBase {
  kind: 'signal';
  reason: 'signal';
  direction: number;
  previous: number;
  /** The indicator values that decided it (which ones: INDICATOR_NAMES in src/events). */
  indicator1: number;
  indicator2: number;
}

export interface OrderRecord extends RecordBase {
  kind: 'order';
  /** signal, or what forced the order: max_drawdown, bankrupt, margin_call. */
  reason: ReasonName;
  quantity: number;
  target: number;
  referencePrice: number;
}

export interface FillRecord extends RecordBase {
  kind: 'fill';
  reason: 'signal';
  quantity: number;
  price: number;
  commission: number;
  realized: number;
}

/** A limit or rule that cut a target or an order: the size before and after, and the limit's value. */
export interface SymbolRiskRecord extends RecordBase {
  kind: 'risk';
  reason: SymbolRiskReason;
  before: number;
  after: number;
  /** The limit's value (margin_limit: initial; halted: the halting limit); order_reduced/rejected: the cash. */
  limit: number;
}

/** A check at the mark that fired. */
export interface AccountRiskRecord extends RecordBase {
  kind: 'risk';
  reason: AccountRiskReason;
  equity: number;
  /** max_drawdown: the peak; margin_call: the maintenance requirement; bankrupt: 0. */
  bound: number;
  /** max_drawdown: the fraction; margin_call: maintenance; bankrupt: 0. */
  limit: number;
}

export interface CancelRecord extends RecordBase {
  kind: 'cancel';
  reason: ReasonName;
  quantity: number;
}

/** One record as the kernel wrote it, its payload slots (assembly/abi.ts) decoded into named fields. */
export type TraceRecord = SignalRecord | OrderRecord | FillRecord | SymbolRiskRecord | AccountRiskRecord | CancelRecord;

export const KIND_NAMES: Record<number, RecordKind> = {
  [abi.KIND_SIGNAL]: 'signal',
  [abi.KIND_ORDER]: 'order',
  [abi.KIND_FILL]: 'fill',
  [abi.KIND_RISK]: 'risk',
  [abi.KIND_CANCEL]: 'cancel',
};

export const REASON_NAMES: Record<number, ReasonName> = {
  [abi.REASON_SIGNAL]: 'signal',
  [abi.REASON_MAX_POSITION_VALUE]: 'max_position_value',
  [abi.REASON_MAX_POSITION_SIZE]: 'max_position_size',
  [abi.REASON_MAX_GROSS_EXPOSURE]: 'max_gross_exposure',
  [abi.REASON_MAX_DRAWDOWN]: 'max_drawdown',
  [abi.REASON_HALTED]: 'halted',
  [abi.REASON_ORDER_REDUCED]: 'order_reduced',
  [abi.REASON_ORDER_REJECTED]: 'order_rejected',
  [abi.REASON_END_OF_DATA]: 'end_of_data',
  [abi.REASON_MARGIN_LIMIT]: 'margin_limit',
  [abi.REASON_MARGIN_CALL]: 'margin_call',
  [abi.REASON_BANKRUPT]: 'bankrupt',
};

/**
 * A record from its packed form: kind, header and the four payload slots A–D (the one place that knows
 * what each slot means per kind). The reference model builds its records through this too.
 */
export function recordOf(kind: RecordKind, seq: number, cause: number, step: number, symbol: number, reason: ReasonName,
  a: number, b: number, c: number, d: number): TraceRecord {
  const head = { seq, cause, step, symbol };
  switch (kind) {
    case 'signal':
      return { kind, reason: 'signal', ...head, direction: a, previous: b, indicator1: c, indicator2: d };
    case 'order':
      return { kind, reason, ...head, quantity: a, target: b, referencePrice: c };
    case 'fill':
      return { kind, reason: 'signal', ...head, quantity: a, price: b, commission: c, realized: d };
    case 'risk':
      return reason === 'max_drawdown' || reason === 'margin_call' || reason === 'bankrupt'
        ? { kind, reason, ...head, equity: a, bound: b, limit: c }
        : { kind, reason: reason as SymbolRiskReason, ...head, before: a, after: b, limit: c };
    case 'cancel':
      return { kind, reason, ...head, quantity: a };
  }
}

/** Decodes `count` records starting at f64 index `base` of `view`. */
export function decodeRecords(view: Float64Array, base: number, count: number, out: TraceRecord[]): void {
  for (let r = 0; r < count; r++) {
    const p = base + r * abi.REC_SLOTS;
    out.push(recordOf(KIND_NAMES[view[p + abi.REC_KIND]], view[p + abi.REC_SEQ], view[p + abi.REC_CAUSE], view[p + abi.REC_STEP],
      view[p + abi.REC_SYMBOL], REASON_NAMES[view[p + abi.REC_REASON]], view[p + abi.REC_A], view[p + abi.REC_B],
      view[p + abi.REC_C], view[p + abi.REC_D]));
  }
}

/**
 * Records kept as the kernel wrote them (REC_SLOTS f64 each, in one growable Float64Array): cheap to
 * keep and to transfer between threads; decoded into TraceRecord objects only when asked.
 */
export class RecordLog {
  private data = new Float64Array(0);
  private used = 0;
  private decoded: TraceRecord[] | undefined;

  /** Number of records. */
  get length(): number {
    return this.used / abi.REC_SLOTS;
  }

  /** Records the log holds before it must grow. */
  get capacity(): number {
    return this.data.length / abi.REC_SLOTS;
  }

  /** Makes room for at least `records` records in total, when there is less. */
  reserve(records: number): void {
    const values = records * abi.REC_SLOTS;
    if (values <= this.data.length) return;
    const next = new Float64Array(values);
    next.set(this.data.subarray(0, this.used));
    this.data = next;
  }

  append(view: Float64Array, base: number, count: number): void {
    const values = count * abi.REC_SLOTS;
    if (this.used + values > this.data.length) this.reserve(Math.max(2 * this.capacity, this.length + count, 1024 / abi.REC_SLOTS));
    this.data.set(view.subarray(base, base + values), this.used);
    this.used += values;
    this.decoded = undefined;
  }

  /** The raw records (a view; `slice()` it to keep it past further appends). */
  raw(): Float64Array {
    return this.data.subarray(0, this.used);
  }

  /** The records as objects, decoded once and kept until the next append. */
  toArray(): TraceRecord[] {
    return (this.decoded ??= decodeAll(this.raw()));
  }
}

/** Decodes raw records (REC_SLOTS f64 each). */
export function decodeAll(raw: Float64Array): TraceRecord[] {
  const out: TraceRecord[] = [];
  decodeRecords(raw, 0, raw.length / abi.REC_SLOTS, out);
  return out;
}

/** A fill as the kernel stores it: indices (step, symbol, causing order) rather than names. */
export interface Fill {
  step: number;
  symbol: number;
  quantity: number;
  price: number;
  commission: number;
  realized: number;
  orderSeq: number;
}

/** A fill as a result reports it: its bar (index and timestamp) and its symbol's name. */
export interface NamedFill {
  barIndex: number;
  timestamp: number;
  symbol: string;
  quantity: number;
  price: number;
  commission: number;
  realized: number;
}

/** The fill columns, in the order of the kernel's (abi.FILL_STEP … abi.FILL_ORDER_SEQ): the one list. */
export const FILL_COLUMNS = ['step', 'symbol', 'quantity', 'price', 'commission', 'realized', 'orderSeq'] as const;
export type FillColumn = (typeof FILL_COLUMNS)[number];
/** Fills column by column (plain typed arrays, so they cross threads by transfer). */
export type FillColumns = Record<FillColumn, Float64Array>;

/**
 * Fills stored column by column (one Float64Array per field, grown by doubling), so a run with a
 * hundred thousand fills allocates a few arrays rather than a hundred thousand objects.
 */
export class FillTable {
  length = 0;
  private columns: FillColumns;

  constructor(capacity = 64) {
    this.columns = Object.fromEntries(FILL_COLUMNS.map((f) => [f, new Float64Array(capacity)])) as Record<FillColumn, Float64Array>;
  }

  /** A table over existing columns (for example received from a worker); absent columns mean no fills. */
  static fromColumns(columns: Partial<Record<FillColumn, Float64Array>> | undefined): FillTable {
    const table = new FillTable(0);
    if (!columns?.step) return table;
    table.columns = Object.fromEntries(FILL_COLUMNS.map((f) => [f, columns[f] ?? new Float64Array(columns.step!.length)])) as Record<FillColumn, Float64Array>;
    table.length = columns.step.length;
    return table;
  }

  /** The column of one field, trimmed to the fills present (a view, not a copy). */
  column(field: FillColumn): Float64Array {
    return this.columns[field].subarray(0, this.length);
  }

  /** Appends one fill. */
  append(step: number, symbol: number, quantity: number, price: number, commission: number, realized: number, orderSeq: number): void {
    if (this.length >= this.columns.step.length) this.grow();
    const i = this.length++;
    const c = this.columns;
    c.step[i] = step;
    c.symbol[i] = symbol;
    c.quantity[i] = quantity;
    c.price[i] = price;
    c.commission[i] = commission;
    c.realized[i] = realized;
    c.orderSeq[i] = orderSeq;
  }

  /**
   * Appends `count` fills from the kernel's fill columns: column j (abi.FILL_*) starts at f64 index
   * base + j·stride of `view`.
   */
  appendColumns(view: Float64Array, base: number, stride: number, count: number): void {
    while (this.length + count > this.columns.step.length) this.grow();
    FILL_COLUMNS.forEach((field, j) => {
      const from = base + j * stride;
      this.columns[field].set(view.subarray(from, from + count), this.length);
    });
    this.length += count;
  }

  at(i: number): Fill {
    const c = this.columns;
    return { step: c.step[i], symbol: c.symbol[i], quantity: c.quantity[i], price: c.price[i],
      commission: c.commission[i], realized: c.realized[i], orderSeq: c.orderSeq[i] };
  }

  toArray(): Fill[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }

  /** Fills the table holds before it must grow. */
  get capacity(): number {
    return this.columns.step.length;
  }

  /** Forgets the fills and keeps the storage (for a table reused across runs). */
  clear(): void {
    this.length = 0;
  }

  /** Makes room for at least `capacity` fills in total, when there is less. */
  reserve(capacity: number): void {
    if (capacity <= this.columns.step.length) return;
    for (const f of FILL_COLUMNS) {
      const next = new Float64Array(capacity);
      next.set(this.columns[f].subarray(0, this.length));
      this.columns[f] = next;
    }
  }

  private grow(): void {
    this.reserve(Math.max(64, this.columns.step.length * 2));
  }
}

/** The fill records of a record list, as fills (used by the reference model and tests). */
export function fillsOf(records: TraceRecord[]): Fill[] {
  return records.filter((r): r is FillRecord => r.kind === 'fill').map((r) => ({
    step: r.step, symbol: r.symbol, quantity: r.quantity, price: r.price, commission: r.commission, realized: r.realized, orderSeq: r.cause,
  }));
}

/**
 * A portfolio's fills as a result holds them: iterable (and `at(i)`) as NamedFill objects made on
 * demand, over the columnar storage (`columns`, for speed). Built on the thread that reads the result,
 * from columns that may have crossed a worker boundary (a structured clone keeps no prototypes).
 * @example
 *   for (const f of result.portfolios.momentum.fills) console.log(f.timestamp, f.symbol, f.quantity, f.price);
 */
export class Fills implements Iterable<NamedFill> {
  /** The columns trimmed to the fills present (views). */
  readonly columns: FillColumns;
  readonly length: number;

  constructor(readonly table: FillTable, private readonly symbols: readonly string[], private readonly timestamps: Float64Array) {
    this.length = table.length;
    this.columns = Object.fromEntries(FILL_COLUMNS.map((f) => [f, table.column(f)])) as FillColumns;
  }

  /** Fills from columns (absent: none), named with the portfolio's symbols and the run's timestamps. */
  static fromColumns(columns: Partial<FillColumns> | undefined, symbols: readonly string[], timestamps: Float64Array): Fills {
    return new Fills(FillTable.fromColumns(columns), symbols, timestamps);
  }

  /** One column (a view). */
  column(field: FillColumn): Float64Array {
    return this.columns[field];
  }

  /** Fill i (negative counts from the end, as Array.prototype.at), or undefined outside the range. */
  at(i: number): NamedFill | undefined {
    const k = i < 0 ? this.length + i : i;
    if (!(k >= 0 && k < this.length)) return undefined;
    const c = this.columns;
    const step = c.step[k];
    return { barIndex: step, timestamp: this.timestamps[step], symbol: this.symbols[c.symbol[k]], quantity: c.quantity[k],
      price: c.price[k], commission: c.commission[k], realized: c.realized[k] };
  }

  *[Symbol.iterator](): Iterator<NamedFill> {
    for (let i = 0; i < this.length; i++) yield this.at(i)!;
  }

  toArray(): NamedFill[] {
    return Array.from(this);
  }
}
