// What the KPIs read: one row of facts per ticket filed in the month, the month's collective-complaint incidents and
// the same-problem filings around the month. Plain data, loaded by the database layer (db/kpi-queries.ts) in a few
// queries and never holding a resident's sealed name, phone or location: the figures do not need them.
import type { Rating, TicketStatus } from '../tickets/index.js';

/** One group of a ticket's deadlines, folded: its tightest promise and the first time staff kept it. */
export interface DeadlineFacts {
  /** The earliest due_at of the group's deadlines. */
  dueAt: Date;
  /** The earliest met_at of the group (when staff first acted on it); null while none is met. */
  metAt: Date | null;
}

/** What one ticket contributes to the month's figures. */
export interface TicketFacts {
  id: number;
  no: string;
  projectCode: string;
  kind: string;
  category: string;
  trade: string | null;
  level: string;
  status: TicketStatus;
  /** The handler it is assigned to now; null while nobody is. */
  handler: string | null;
  /** Who filed it: channel and platform user id (`mp:o-123`); null once anonymised, when nobody can be matched. */
  resident: string | null;
  createdAt: Date;
  /** When the work was last reported done; null while not done (again, after a reopen). */
  completedAt: Date | null;
  rating: Rating | null;
  /** The ticket was reopened at least once (a `reopened` timeline event: the resident was not satisfied). */
  reopened: boolean;
  /** The response group: deadlines `response` and `lead_report`, kept by the first act (accept, arrive, …). */
  response: DeadlineFacts | null;
  /**
   * The resolution group: every deadline that is not a response, the callback or an approval (`resolution`,
   * `quality_report`, `upgrade_hot`, …), kept when the work is done.
   */
  resolution: DeadlineFacts | null;
  /** The collective-complaint incident it was merged into. */
  incidentId: number | null;
}

/** A collective-complaint incident opened in the month. */
export interface IncidentFacts {
  id: number;
  projectCode: string;
  category: string;
  trade: string | null;
  level: string;
  /** Distinct residents who reported it (its head count). */
  residents: number;
  status: string;
  createdAt: Date;
}

/**
 * A report by a known resident, for the same-problem checks (repeat complaints, first-time fix): the month's own
 * tickets count by themselves; these are the reports before and after the month. Withdrawn (cancelled) and
 * anonymised reports are left out by the loader.
 */
export interface ProblemFiling {
  id: number;
  resident: string;
  kind: string;
  category: string;
  trade: string | null;
  createdAt: Date;
}

/** Everything one month's figures are computed from. */
export interface MonthFacts {
  /** 'YYYY-MM', a calendar month in Asia/Shanghai. */
  month: string;
  /** The month's first instant (00:00 Shanghai on the 1st) and the next month's (exclusive). */
  from: Date;
  to: Date;
  /** The tickets filed in the month (created_at in [from, to)), whatever their state now. */
  tickets: TicketFacts[];
  /** The incidents opened in the month. */
  incidents: IncidentFacts[];
  /**
   * Reports by the month's residents outside the month: from REPEAT_WINDOW_DAYS before it (repeats of the month's
   * tickets) to REPEAT_WINDOW_DAYS after the month's last completion (the first-time fix held).
   */
  history: ProblemFiling[];
}

/** Same resident, same problem within this many days: a repeat (000 §6 "同一业主同一问题重复投诉"). */
export const REPEAT_WINDOW_DAYS = 30;

/** The kinds that are a problem to fix; an inquiry, a suggestion or praise never repeats and never breaks a fix. */
export const PROBLEM_KINDS: readonly string[] = ['repair', 'complaint'];

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export const isMonth = (s: string) => MONTH.test(s);

/** The month's first instant and the next month's, in Asia/Shanghai (no daylight saving time in China). */
export function monthRange(month: string): { from: Date; to: Date } {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`月份格式应为 YYYY-MM：${month}`);
  const year = Number(m[1]);
  const next = Number(m[2]) === 12 ? `${year + 1}-01` : `${year}-${String(Number(m[2]) + 1).padStart(2, '0')}`;
  return { from: new Date(`${month}-01T00:00:00+08:00`), to: new Date(`${next}-01T00:00:00+08:00`) };
}
