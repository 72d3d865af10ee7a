// The exchange calendar: civil-date arithmetic, time-zone offsets (US rules written once, UTC, fixed
// offsets, IANA names through Intl), wall-clock ↔ epoch conversion and the day/week/month/quarter keys.

/** Milliseconds in a civil day (UTC has no leap seconds in epoch time). */
export const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;

/** The zone every calendar function uses when none is given. */
export const DEFAULT_TIME_ZONE = 'America/New_York';

// ---------------------------------------------------------------------------------------------
// Civil dates: proleptic Gregorian, day numbers counted from 1970-01-01 (H. Hinnant's algorithms).

/** Days since 1970-01-01 of a civil date (month 1–12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Civil date of a day number, packed as `year * 10000 + month * 100 + day`. */
export function civilFromDays(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 10_000 + month * 100 + day;
}

/** Gregorian leap years: every 4th, except centuries not divisible by 400 (1900 is not, 2000 is). */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** `YYYY-MM-DD` of a day number. */
export function isoDate(day: number): string {
  const ymd = civilFromDays(day);
  const year = Math.floor(ymd / 10_000);
  const yearText = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : String(year);
  return `${yearText}-${String(Math.floor(ymd / 100) % 100).padStart(2, '0')}-${String(ymd % 100).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Period keys of a local day number.

export type CalendarPeriod = 'daily' | 'weekly' | 'monthly' | 'quarterly';

/**
 * The key of the period a local day falls in: the day number ('daily'), ISO week number since the
 * week of 1970-01-01 ('weekly', weeks start on Monday), year·12 + month index ('monthly'),
 * year·4 + quarter index ('quarterly'). Consecutive periods have consecutive keys.
 */
export function periodKeyOfDay(day: number, period: CalendarPeriod): number {
  switch (period) {
    case 'daily':
      return day;
    case 'weekly':
      return Math.floor((day + 3) / 7); // day 0 was a Thursday: Monday-based weeks shift by 3
    case 'monthly': {
      const ymd = civilFromDays(day);
      return Math.floor(ymd / 10_000) * 12 + (Math.floor(ymd / 100) % 100) - 1;
    }
    case 'quarterly': {
      const ymd = civilFromDays(day);
      return Math.floor(ymd / 10_000) * 4 + Math.floor(((Math.floor(ymd / 100) % 100) - 1) / 3);
    }
  }
}

/** Label of a period key: `YYYY-MM-DD`, `YYYY-Www` (ISO week-year), `YYYY-MM` or `YYYY-Qn`. */
export function periodKeyLabel(key: number, period: CalendarPeriod): string {
  switch (period) {
    case 'daily':
      return isoDate(key);
    case 'weekly': {
      const thursday = key * 7; // the week's Monday is key·7 − 3; its Thursday decides the ISO year
      const year = Math.floor(civilFromDays(thursday) / 10_000);
      const week = Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
      return `${year}-W${String(week).padStart(2, '0')}`;
    }
    case 'monthly': {
      const year = Math.floor(key / 12);
      return `${year}-${String(key - year * 12 + 1).padStart(2, '0')}`;
    }
    case 'quarterly': {
      const year = Math.floor(key / 4);
      return `${year}-Q${key - year * 4 + 1}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Offset sources: ms to add to a UTC instant to get the zone's wall-clock time.

/** A function from a UTC instant (ms) to the zone's offset (ms to add to get local wall-clock time). */
export type ZoneOffset = (t: number) => number;

/** Day number of the n-th (1-based) Sunday of a month (1–12), or of its last Sunday when n is 0. */
function sundayOf(year: number, month: number, n: number): number {
  if (n === 0) {
    const last = daysFromCivil(year, month, daysInMonth(year, month));
    return last - weekdayOfDay(last);
  }
  const first = daysFromCivil(year, month, 1);
  return first + ((7 - weekdayOfDay(first)) % 7) + 7 * (n - 1);
}

/**
 * US Eastern daylight time of a year as UTC instants [start, end), by the federal rules (Uniform Time
 * Act): since 2007 the second Sunday of March to the first Sunday of November; 1987–2006 the first
 * Sunday of April to the last Sunday of October; 1967–1986 the last Sunday of April to the last Sunday
 * of October, except the energy-crisis years 1974 (January 6) and 1975 (February 23). Switches happen
 * at 02:00 local: 07:00 UTC in spring (EST), 06:00 UTC in autumn (EDT). Null before 1967 (the zone then
 * followed local rules; see `newYorkOffset`).
 */
export function usEasternDaylightTime(year: number): [number, number] | null {
  if (year < 1967) return null;
  let start: number;
  let end: number;
  if (year >= 2007) {
    start = sundayOf(year, 3, 2);
    end = sundayOf(year, 11, 1);
  } else {
    start = year === 1974 ? daysFromCivil(1974, 1, 6) : year === 1975 ? daysFromCivil(1975, 2, 23) : sundayOf(year, 4, year >= 1987 ? 1 : 0);
    end = sundayOf(year, 10, 0);
  }
  return [start * MS_PER_DAY + 7 * MS_PER_HOUR, end * MS_PER_DAY + 6 * MS_PER_HOUR];
}

const FIXED_OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;
const UTC_NAMES = new Set(['UTC', 'GMT', 'Z', 'Etc/UTC', 'Etc/GMT', 'Etc/Universal', 'Etc/Zulu', 'Universal', 'Zulu']);

function intlFormat(timeZone: string): Intl.DateTimeFormat | null {
  if (typeof Intl === 'undefined' || typeof Intl.DateTimeFormat !== 'function') return null;
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      era: 'short',
    });
  } catch {
    throw new RangeError(`timeZone: expected an IANA zone name, 'UTC' or an offset like '+05:30', got "${String(timeZone).slice(0, 100)}"`);
  }
}

/** The offset at one instant through Intl (slow: a formatToParts call). */
function intlOffsetAt(format: Intl.DateTimeFormat): ZoneOffset {
  return (t: number) => {
    let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, bc = false;
    for (const p of format.formatToParts(t)) {
      switch (p.type) {
        case 'year': year = Number(p.value); break;
        case 'month': month = Number(p.value); break;
        case 'day': day = Number(p.value); break;
        case 'hour': hour = Number(p.value) % 24; break;
        case 'minute': minute = Number(p.value); break;
        case 'second': second = Number(p.value); break;
        case 'era': bc = p.value.startsWith('B'); break;
      }
    }
    if (bc) year = 1 - year;
    const wall = daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000;
    return wall - Math.floor(t / 1000) * 1000;
  };
}

/**
 * New York: the federal rules from 1967 (no Intl needed, and fast); before 1967, Intl's tz database
 * when the runtime has one, else standard time.
 */
function newYorkOffset(): ZoneOffset {
  const format = (() => {
    try {
      return intlFormat(DEFAULT_TIME_ZONE);
    } catch {
      return null;
    }
  })();
  const early = format ? intlOffsetAt(format) : () => -5 * MS_PER_HOUR;
  const EARLIEST_RULE = Date.UTC(1967, 0, 1, 5);
  let from = Infinity;
  let to = -Infinity;
  let start = 0;
  let end = 0;
  return (t: number) => {
    if (t < EARLIEST_RULE) return early(t);
    if (!(t >= from && t < to)) {
      const year = Math.floor(civilFromDays(Math.floor(t / MS_PER_DAY)) / 10_000);
      from = daysFromCivil(year, 1, 1) * MS_PER_DAY;
      to = daysFromCivil(year + 1, 1, 1) * MS_PER_DAY;
      [start, end] = usEasternDaylightTime(year)!;
    }
    return t >= start && t < end ? -4 * MS_PER_HOUR : -5 * MS_PER_HOUR;
  };
}

/** The raw offset source of a zone and whether it is constant. */
function offsetSource(timeZone: string): { raw: ZoneOffset; constant: boolean } {
  if (typeof timeZone !== 'string' || timeZone === '') throw new RangeError(`timeZone: expected a zone name or offset, got ${JSON.stringify(timeZone)}`);
  if (timeZone === DEFAULT_TIME_ZONE || timeZone === 'US/Eastern') return { raw: newYorkOffset(), constant: false };
  if (UTC_NAMES.has(timeZone)) return { raw: () => 0, constant: true };
  const fixed = FIXED_OFFSET.exec(timeZone);
  if (fixed) {
    const hours = Number(fixed[2]);
    const minutes = Number(fixed[3] ?? 0);
    if (hours > 14 || minutes > 59 || hours * 60 + minutes > 14 * 60) throw new RangeError(`timeZone: offset out of range (at most ±14:00), got "${timeZone}"`);
    const offset = (fixed[1] === '-' ? -1 : 1) * (hours * MS_PER_HOUR + minutes * MS_PER_MINUTE);
    return { raw: () => offset, constant: true };
  }
  const format = intlFormat(timeZone);
  if (!format) throw new RangeError(`timeZone "${timeZone.slice(0, 100)}": this runtime has no Intl; use 'America/New_York', 'UTC' or a fixed offset like '+05:30'`);
  return { raw: intlOffsetAt(format), constant: false };
}

// ---------------------------------------------------------------------------------------------
// The calendar of one zone.

/**
 * One exchange time zone: offsets, local days, wall-clock → epoch. Offsets are looked up once per
 * UTC day (the minute of a switch found by bisection on that day only) and remembered, so a pass
 * over millions of bars calls the zone's rules (or Intl) about once per day, not per bar.
 * Not shared between threads: each holds its own caches.
 */
export class ExchangeCalendar {
  readonly timeZone: string;
  private readonly raw: ZoneOffset;
  private readonly constant: boolean;
  private readonly constantOffset: number;
  /** Per UTC day: offset before and after the switch instant (equal on days without a switch). */
  private readonly days = new Map<number, { before: number; after: number; switchAt: number }>();
  private day = NaN;
  private before = 0;
  private after = 0;
  private switchAt = 0;
  /** Wall-clock day whose every time has one offset, for `toEpoch`. */
  private wallDay = NaN;
  private wallOffset = 0;

  constructor(timeZone: string = DEFAULT_TIME_ZONE) {
    const { raw, constant } = offsetSource(timeZone);
    this.timeZone = timeZone;
    this.raw = raw;
    this.constant = constant;
    this.constantOffset = constant ? raw(0) : 0;
  }

  /** ms to add to the UTC instant `t` to get the zone's wall-clock time. */
  offsetAt(t: number): number {
    if (this.constant) return this.constantOffset;
    const d = Math.floor(t / MS_PER_DAY);
    if (d !== this.day) this.load(d);
    return t < this.switchAt ? this.before : this.after;
  }

  private load(d: number): void {
    let entry = this.days.get(d);
    if (!entry) {
      const raw = this.raw;
      const before = raw(d * MS_PER_DAY);
      const after = raw((d + 1) * MS_PER_DAY - 1000);
      let switchAt = (d + 1) * MS_PER_DAY;
      if (before !== after) {
        let lo = d * 1440; // minutes: offset(lo) = before, offset(hi) = after
        let hi = (d + 1) * 1440;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (raw(mid * MS_PER_MINUTE) === before) lo = mid;
          else hi = mid;
        }
        switchAt = hi * MS_PER_MINUTE;
      }
      entry = { before, after, switchAt };
      this.days.set(d, entry);
    }
    this.day = d;
    this.before = entry.before;
    this.after = entry.after;
    this.switchAt = entry.switchAt;
  }

  /** Local day number (days since 1970-01-01 of the wall-clock date) of the instant `t`. */
  localDay(t: number): number {
    return Math.floor((t + this.offsetAt(t)) / MS_PER_DAY);
  }

  /** The key of the period (day, ISO week, month, quarter) the instant `t` falls in. */
  periodKey(t: number, period: CalendarPeriod): number {
    return periodKeyOfDay(this.localDay(t), period);
  }

  /**
   * The instant of a wall-clock time, given as ms since 1970-01-01T00:00 of the zone's clock. A time
   * the clock skips (spring forward) is read with the offset before the switch (02:30 → 03:30 EDT);
   * a time it shows twice (fall back) is the earlier instant — Temporal's 'compatible' choice.
   */
  toEpoch(wall: number): number {
    if (this.constant) return wall - this.constantOffset;
    const w = Math.floor(wall / MS_PER_DAY);
    if (w === this.wallDay) return wall - this.wallOffset;
    // Offsets a day either side bound every offset this wall-clock day can have (zones switch at most
    // once in two days): equal, and the whole day has that one offset.
    const early = this.offsetAt(w * MS_PER_DAY - 2 * MS_PER_DAY);
    const late = this.offsetAt((w + 3) * MS_PER_DAY);
    if (early === late && this.offsetAt(w * MS_PER_DAY - early) === early && this.offsetAt((w + 1) * MS_PER_DAY - early) === early) {
      this.wallDay = w;
      this.wallOffset = early;
      return wall - early;
    }
    const before = this.offsetAt(wall - MS_PER_DAY);
    const after = this.offsetAt(wall + MS_PER_DAY);
    const first = wall - before;
    const second = wall - after;
    const firstValid = this.offsetAt(first) === before;
    const secondValid = this.offsetAt(second) === after;
    if (firstValid && secondValid) return Math.min(first, second);
    if (secondValid && !firstValid) return second;
    return first;
  }
}

/**
 * An instant as the zone's wall clock with its offset, `2024-01-02T09:30:00-05:00` (`.sss` when not a
 * whole second): how messages show a time the user wrote without a zone.
 */
export function formatInZone(t: number, calendar: ExchangeCalendar): string {
  if (!Number.isFinite(t)) return String(t);
  const offset = calendar.offsetAt(t);
  const wall = t + offset;
  const day = Math.floor(wall / MS_PER_DAY);
  let ms = wall - day * MS_PER_DAY;
  const two = (x: number) => String(x).padStart(2, '0');
  const hours = Math.floor(ms / MS_PER_HOUR);
  ms -= hours * MS_PER_HOUR;
  const minutes = Math.floor(ms / MS_PER_MINUTE);
  ms -= minutes * MS_PER_MINUTE;
  const seconds = Math.floor(ms / 1000);
  ms -= seconds * 1000;
  const fraction = ms === 0 ? '' : `.${String(ms).padStart(3, '0')}`;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / MS_PER_MINUTE;
  const zone = offset === 0 ? 'Z' : `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
  return `${isoDate(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}${fraction}${zone}`;
}

const shared = new Map<string, ExchangeCalendar>();

/**
 * The calendar of a zone: 'America/New_York' (default; US rules built in), 'UTC', a fixed offset
 * ('+05:30', '-0400', 'UTC+01:00') or an IANA name the runtime's Intl knows. Calendars are cached
 * per zone name (their caches only grow with the days seen). Throws a RangeError for an unknown zone.
 * @example
 *   const ny = calendarOf('America/New_York');
 *   ny.toEpoch(Date.UTC(2024, 0, 2)); // Date.UTC(2024, 0, 2, 5): midnight EST
 *   ny.localDay(Date.UTC(2024, 0, 2, 3)) === daysFromCivil(2024, 1, 1); // still Jan 1 in New York
 */
export function calendarOf(timeZone: string = DEFAULT_TIME_ZONE): ExchangeCalendar {
  let calendar = shared.get(timeZone);
  if (!calendar) {
    calendar = new ExchangeCalendar(timeZone);
    if (shared.size > 64) shared.clear();
    shared.set(timeZone, calendar);
  }
  return calendar;
}

/**
 * The offset function of a time zone: ms to add to a UTC instant to get local wall-clock time.
 * @example
 *   zoneOffset('America/New_York')(Date.UTC(2024, 6, 1)) / 3_600_000; // -4 (EDT)
 *   zoneOffset('+05:30')(0) / 60_000;                                  // 330
 */
export function zoneOffset(timeZone: string): ZoneOffset {
  const calendar = calendarOf(timeZone);
  return (t: number) => calendar.offsetAt(t);
}
