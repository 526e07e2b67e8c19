// When the periodic reports are due, in Beijing time: the monthly report for the month just ended on the given day
// and time of the next month (the 1st at 09:00 by default; policy 004 §八.2 wants it with management by the 5th), the
// weekly digest for last week (Monday to Sunday) on Monday. Pure: the job asks which periods are due and not yet sent.
const SHANGHAI_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

export interface ReportSchedule {
  /** Day of the month (1–28) and HH:MM the monthly report leaves. */
  monthly: { day: number; time: string };
  /** HH:MM on Mondays the weekly digest leaves; undefined: no weekly digest. */
  weekly?: { time: string };
}

export type ReportKind = 'monthly' | 'weekly';

export interface DueReport {
  kind: ReportKind;
  /** `2026-11` for a month, `2026-11-16` (its Monday) for a week. */
  period: string;
  /** The period's first instant and the instant after its end. */
  from: Date;
  to: Date;
  dueAt: Date;
}

const at = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`);
const beijingDay = (d: Date) => new Date(d.getTime() + SHANGHAI_MS).toISOString().slice(0, 10);
const pad = (n: number) => String(n).padStart(2, '0');

/** The month before `yyyy-mm`. */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`;
}

/** The instants a Beijing calendar month starts and ends. */
export function monthSpan(month: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${pad(m + 1)}`;
  return { from: at(`${month}-01`, '00:00'), to: at(`${next}-01`, '00:00') };
}

/**
 * The latest period of each kind whose report is due at `now`: the job sends it unless it was sent already, so a run
 * missed while every instance was down is caught up at the next start (late, but it goes).
 */
export function dueReports(now: Date, s: ReportSchedule): DueReport[] {
  const today = beijingDay(now);
  const thisMonth = today.slice(0, 7);
  const due: DueReport[] = [];
  // The report for last month leaves on this month's day; before that moment, the one before is the latest due.
  const monthlyAt = at(`${thisMonth}-${pad(s.monthly.day)}`, s.monthly.time);
  const reportMonth = now >= monthlyAt ? previousMonth(thisMonth) : previousMonth(previousMonth(thisMonth));
  const reportDueAt =
    now >= monthlyAt ? monthlyAt : at(`${previousMonth(thisMonth)}-${pad(s.monthly.day)}`, s.monthly.time);
  due.push({ kind: 'monthly', period: reportMonth, ...monthSpan(reportMonth), dueAt: reportDueAt });
  if (s.weekly) {
    // Monday of this week (Beijing), then the week before it.
    const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
    const monday = at(beijingDay(new Date(at(today, '00:00').getTime() - weekday * DAY_MS)), '00:00');
    const thisWeekAt = at(beijingDay(monday), s.weekly.time);
    const weekStart = new Date(monday.getTime() - (now >= thisWeekAt ? 7 : 14) * DAY_MS);
    const dueAt = now >= thisWeekAt ? thisWeekAt : new Date(thisWeekAt.getTime() - 7 * DAY_MS);
    due.push({
      kind: 'weekly',
      period: beijingDay(weekStart),
      from: weekStart,
      to: new Date(weekStart.getTime() + 7 * DAY_MS),
      dueAt,
    });
  }
  return due;
}
