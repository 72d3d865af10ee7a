// Kernel event records decoded into plain objects, and the names of their codes.
// The reference model produces the same shapes, so runs can be compared record for record.
import * as abi from '../../assembly/abi.js';

export type RecordKind = 'signal' | 'order' | 'fill' | 'risk' | 'cancel';
export type ReasonName =
  | 'signal'
  | 'max_position_value'
  | 'max_position_size'
  | 'max_gross_exposure'
  | 'max_drawdown'
  | 'halted'
  | 'order_reduced'
  | 'order_rejected'
  | 'end_of_data';

/** One record as the kernel wrote it; the payload fields a–d mean what assembly/abi.ts says per kind. */
export interface TraceRecord {
  kind: RecordKind;
  seq: number;
  /** seq of the causing record; -1 when the cause is the bar itself (signals, drawdown checks). */
  cause: number;
  step: number;
  /** Index into the portfolio's symbols; -1 for portfolio-wide records (drawdown halt). */
  symbol: number;
  reason: ReasonName;
  a: number;
  b: number;
  c: number;
  d: number;
}

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
};

/** Decodes `count` records starting at f64 index `base` of `view`. */
export function decodeRecords(view: Float64Array, base: number, count: number, out: TraceRecord[]): void {
  for (let r = 0; r < count; r++) {
    const p = base + r * abi.REC_SLOTS;
    out.push({
      kind: KIND_NAMES[view[p + abi.REC_KIND]],
      seq: view[p + abi.REC_SEQ],
      cause: view[p + abi.REC_CAUSE],
      step: view[p + abi.REC_STEP],
      symbol: view[p + abi.REC_SYMBOL],
      reason: REASON_NAMES[view[p + abi.REC_REASON]],
      a: view[p + abi.REC_A],
      b: view[p + abi.REC_B],
      c: view[p + abi.REC_C],
      d: view[p + abi.REC_D],
    });
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

/** A fill, as results report it. */
export interface Fill {
  step: number;
  symbol: number;
  quantity: number;
  price: number;
  commission: number;
  realized: number;
  orderSeq: number;
}

/** A fill with its bar's timestamp and its symbol's name, as reports show it. */
export interface NamedFill {
  barIndex: number;
  timestamp: number;
  symbol: string;
  quantity: number;
  price: number;
  commission: number;
  realized: number;
}

/** In the order of the kernel's fill columns (abi.FILL_STEP … abi.FILL_ORDER_SEQ). */
const FILL_FIELDS = ['step', 'symbol', 'quantity', 'price', 'commission', 'realized', 'orderSeq'] as const;
type FillField = (typeof FILL_FIELDS)[number];

/**
 * Fills stored column by column (one Float64Array per field, grown by doubling), so a run with a
 * hundred thousand fills allocates a few arrays rather than a hundred thousand objects.
 */
export class FillTable {
  length = 0;
  private columns: Record<FillField, Float64Array>;

  constructor(capacity = 64) {
    this.columns = Object.fromEntries(FILL_FIELDS.map((f) => [f, new Float64Array(capacity)])) as Record<FillField, Float64Array>;
  }

  /** A table over existing columns (for example received from a worker); absent columns mean no fills. */
  static fromColumns(columns: Partial<Record<FillField, Float64Array>> | undefined): FillTable {
    const table = new FillTable(0);
    if (!columns?.step) return table;
    table.columns = Object.fromEntries(FILL_FIELDS.map((f) => [f, columns[f] ?? new Float64Array(columns.step!.length)])) as Record<FillField, Float64Array>;
    table.length = columns.step.length;
    return table;
  }

  /** The column of one field, trimmed to the fills present (a view, not a copy). */
  column(field: FillField): Float64Array {
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
    FILL_FIELDS.forEach((field, j) => {
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

  /** The fills with timestamps and symbol names (the portfolio's symbols, the run's timestamps). */
  named(symbols: string[], timestamps: Float64Array): NamedFill[] {
    const c = this.columns;
    return Array.from({ length: this.length }, (_, i) => ({
      barIndex: c.step[i], timestamp: timestamps[c.step[i]], symbol: symbols[c.symbol[i]], quantity: c.quantity[i],
      price: c.price[i], commission: c.commission[i], realized: c.realized[i],
    }));
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
    for (const f of FILL_FIELDS) {
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
  return records.filter((r) => r.kind === 'fill').map((r) => ({
    step: r.step, symbol: r.symbol, quantity: r.a, price: r.b, commission: r.c, realized: r.d, orderSeq: r.cause,
  }));
}
