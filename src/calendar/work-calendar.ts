// The mainland-China working calendar in Asia/Shanghai: public holidays, make-up working days (调休), a project's
// closed days and working hours with a lunch break. Pure: the data comes in, dates go out.

/** One year of the State Council's notice: days off that would be working days, and weekend days that are worked. */
export interface YearCalendar {
  holidays: string[];
  workdays: string[];
  /**
   * Not the notice but the statutory holidays computed from the law while the notice is not out: its days off
   * count, but the year is still reported as having no official calendar (its 调休 are unknown).
   */
  provisional?: boolean;
}

export interface CalendarData {
  /**
   * Calendars by year, official or provisional. A year missing here falls back to Monday–Friday; one missing or
   * provisional is reported by `unknownYears`, for a warning.
   */
  years: Record<number, YearCalendar>;
  /** Extra days the project is closed (YYYY-MM-DD). */
  closedDays?: string[];
  /** Working periods of a day, e.g. [["08:30","12:00"],["13:30","17:30"]]. */
  workingHours: [string, string][];
}

const SHANGHAI_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** YYYY-MM-DD of the Shanghai calendar day that contains `at`. */
export const shanghaiDate = (at: Date) => new Date(at.getTime() + SHANGHAI_MS).toISOString().slice(0, 10);

/** The instant of HH:MM on a Shanghai calendar day. */
export const shanghaiTime = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`);

/** The Shanghai calendar years from the one of `from` to the one of `to`. */
function yearsBetween(from: Date, to: Date): number[] {
  const out: number[] = [];
  for (let y = Number(shanghaiDate(from).slice(0, 4)); y <= Number(shanghaiDate(to).slice(0, 4)); y++) out.push(y);
  return out;
}

/** The number of the Shanghai calendar day that contains the instant (days since 1970-01-01). */
const dayNumber = (ms: number) => Math.floor((ms + SHANGHAI_MS) / DAY_MS);

/** The instant a Shanghai calendar day (by its number) begins. */
const dayStartMs = (day: number) => day * DAY_MS - SHANGHAI_MS;

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

export class WorkCalendar {
  private readonly holidays = new Set<string>();
  private readonly workdays = new Set<string>();
  private readonly closed: Set<string>;
  private readonly known = new Set<number>();
  private readonly provisional = new Set<number>();
  private readonly periods: { from: string; to: string }[];
  /** workingMinutesBetween's memo: the calendar never changes once built, nor does a day's working time. */
  private readonly periodsByDay = new Map<number, [number, number][]>();

  constructor(data: CalendarData) {
    for (const [year, y] of Object.entries(data.years)) {
      y.holidays.forEach((d) => this.holidays.add(d));
      y.workdays.forEach((d) => this.workdays.add(d));
      (y.provisional ? this.provisional : this.known).add(Number(year));
    }
    this.closed = new Set(data.closedDays ?? []);
    this.periods = data.workingHours.map(([from, to]) => ({ from, to })).sort((a, b) => a.from.localeCompare(b.from));
    if (this.periods.length === 0) throw new Error('工作时间至少要有一段');
  }

  /** Is there an official holiday calendar (the State Council's notice) for the year? */
  knowsYear(year: number): boolean {
    return this.known.has(year);
  }

  /**
   * Does the year only have the statutory holidays computed from the law (no 调休)? Its holidays are days off; a year
   * neither official nor provisional has weekends only.
   */
  isProvisional(year: number): boolean {
    return !this.known.has(year) && this.provisional.has(year);
  }

  /** Years between the two instants (inclusive) with no official calendar loaded, provisional ones included. */
  unknownYears(from: Date, to: Date): number[] {
    return yearsBetween(from, to).filter((y) => !this.knowsYear(y));
  }

  /** Years between the two instants (inclusive) counted with the provisional statutory holidays. */
  provisionalYears(from: Date, to: Date): number[] {
    return yearsBetween(from, to).filter((y) => this.isProvisional(y));
  }

  isWorkday(day: string): boolean {
    if (this.closed.has(day)) return false;
    if (this.workdays.has(day)) return true;
    if (this.holidays.has(day)) return false;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** Closing time of the nth working day after the day of `from` (003 §2.5.1 "1–3 个工作日", 000 §5.3.2 "3 个工作日内"). */
  addWorkdays(from: Date, n: number): Date {
    let day = shanghaiDate(from);
    for (let left = n; left > 0; ) {
      day = nextDay(day);
      if (this.isWorkday(day)) left--;
    }
    return shanghaiTime(day, this.periods[this.periods.length - 1]!.to);
  }

  /** `minutes` of working time after `from`, counting only working periods of working days (lunch break excluded). */
  addWorkingMinutes(from: Date, minutes: number): Date {
    let left = minutes * 60_000;
    let cursor = from;
    for (let guard = 0; guard < 3660; guard++) {
      const day = shanghaiDate(cursor);
      if (this.isWorkday(day)) {
        for (const p of this.periods) {
          const start = Math.max(cursor.getTime(), shanghaiTime(day, p.from).getTime());
          const end = shanghaiTime(day, p.to).getTime();
          if (start >= end) continue;
          if (end - start >= left) return new Date(start + left);
          left -= end - start;
        }
      }
      cursor = shanghaiTime(nextDay(day), '00:00');
    }
    throw new Error('工作日历十年内找不到足够的工作时间');
  }

  /**
   * Working time from `from` to `to`, in minutes (fractions kept): only the working periods of working days count —
   * no nights, lunch breaks, weekends, holidays or closed days, but the 调休 Saturdays and Sundays that are worked.
   * 0 when `to` is not after `from`. The inverse of addWorkingMinutes: `workingMinutesBetween(a, addWorkingMinutes(a,
   * m))` is `m`. The KPIs' response and resolution times (003 §4.3 报事处理及时率) are measured with it.
   */
  workingMinutesBetween(from: Date, to: Date): number {
    const start = from.getTime();
    const end = to.getTime();
    if (end <= start) return 0;
    let ms = 0;
    // Day by day: a month's KPIs take it for tens of thousands of tickets, so each day's periods are worked out once.
    for (let day = dayNumber(start); dayStartMs(day) < end; day++)
      for (const [open, close] of this.workingPeriodsOf(day)) {
        const overlap = Math.min(close, end) - Math.max(open, start);
        if (overlap > 0) ms += overlap;
      }
    return ms / 60_000;
  }

  /** The working periods of a Shanghai day (by its number since 1970-01-01) as [start, end) in epoch ms. */
  private workingPeriodsOf(day: number): [number, number][] {
    let periods = this.periodsByDay.get(day);
    if (periods) return periods;
    const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    periods = this.isWorkday(date)
      ? this.periods
          .map((p): [number, number] => [shanghaiTime(date, p.from).getTime(), shanghaiTime(date, p.to).getTime()])
          // A period that ends before it starts is never working time (as in addWorkingMinutes).
          .filter(([open, close]) => close > open)
      : [];
    this.periodsByDay.set(day, periods);
    return periods;
  }

  /** Is `at` inside working hours of a working day? Non-urgent alerts wait for this. */
  isWorkingTime(at: Date): boolean {
    const day = shanghaiDate(at);
    if (!this.isWorkday(day)) return false;
    return this.periods.some((p) => at >= shanghaiTime(day, p.from) && at < shanghaiTime(day, p.to));
  }

  /** Opening time of the first working day after the day of `from` ("the next working day"). */
  nextWorkdayStart(from: Date): Date {
    return this.nextWorkingTime(shanghaiTime(nextDay(shanghaiDate(from)), '00:00'));
  }

  /** `at` itself when it is working time, else the start of the next working period. */
  nextWorkingTime(at: Date): Date {
    return this.isWorkingTime(at) ? at : this.addWorkingMinutes(at, 0);
  }
}
