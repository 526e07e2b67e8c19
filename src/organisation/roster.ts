// Who is on shift: a department's roster with weekly shifts in Asia/Shanghai ("1-5 08:30-17:30", "1-7 17:30-08:30").
export interface RosterEntry {
  user: string;
  name?: string;
  department: string;
  shifts: string[];
}

const SHIFT = /^([1-7])(?:-([1-7]))? ([0-2]\d):([0-5]\d)-([0-2]\d):([0-5]\d)$/;

export function isValidShift(s: string): boolean {
  return SHIFT.test(s);
}

/** Is `at` inside the shift? A shift that ends before it starts runs overnight into the next day. */
export function inShift(shift: string, at: Date): boolean {
  const m = SHIFT.exec(shift);
  if (!m) return false;
  const local = new Date(at.getTime() + 8 * 3600_000);
  const weekday = local.getUTCDay() || 7;
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const from = Number(m[1]);
  const to = Number(m[2] ?? m[1]);
  const start = Number(m[3]) * 60 + Number(m[4]);
  const end = Number(m[5]) * 60 + Number(m[6]);
  const onDay = (d: number) => d >= from && d <= to;
  if (start < end) return onDay(weekday) && minute >= start && minute < end;
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  return (onDay(weekday) && minute >= start) || (onDay(yesterday) && minute < end);
}

/** Everyone of the department on shift at `at`, in roster order. */
export function onShift(roster: RosterEntry[], department: string, at: Date): RosterEntry[] {
  return roster.filter((r) => r.department === department && r.shifts.some((s) => inShift(s, at)));
}
