// The scheduled monthly report: every few minutes (under the job lease) it asks which month is due; a month not yet
// sent is claimed in report_run, built, and its messages written to the outbox in one transaction — so it goes once
// across instances, and a month missed while every instance was down goes at the next start (marked 补发).
import type { ReportRuns } from '../db/report-runs.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { TicketStore } from '../tickets/index.js';
import { monthReport, type ReportDeps, reportOutbox, reportTargets } from './monthly-report.js';
import { dueReports, type ReportSchedule } from './schedule.js';

export interface ReportJobDeps {
  report: ReportDeps;
  runs: ReportRuns;
  store: TicketStore;
  schedule: ReportSchedule;
  clock: Clock;
  logger: Logger;
}

/** Sent this long after its time, a report says it is late. */
const LATE_MS = 3600_000;

/** Returns how many messages it queued (0: nothing due, or already sent). */
export async function sendDueReports(d: ReportJobDeps): Promise<number> {
  const now = d.clock.now();
  let queued = 0;
  for (const due of dueReports(now, d.schedule)) {
    if (due.kind !== 'monthly' || due.dueAt > now) continue;
    if (!(await d.runs.claim(due.kind, due.period, now))) continue;
    const report = await monthReport(d.report, due.period, now);
    // A month with no ticket at all (a new installation catching up on the month before it) is recorded, not sent.
    if (report.current.all.filed.count === 0) {
      await d.runs.enqueued(due.kind, due.period, 0, now);
      continue;
    }
    const items = reportOutbox(
      due.kind,
      due.period,
      reportTargets(d.report, report, { late: now.getTime() - due.dueAt.getTime() > LATE_MS }),
    );
    await d.store.transaction(async (tx) => {
      for (const item of items) await tx.enqueue(item, now);
    });
    await d.runs.enqueued(due.kind, due.period, items.length, now);
    d.logger.info({ report: due.kind, period: due.period, messages: items.length }, 'report queued');
    queued += items.length;
  }
  return queued;
}
