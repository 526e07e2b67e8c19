// A new ticket's deadlines: the promised response, and the pack's own (report, resolution, automatic upgrades). Pure.
import type { WorkCalendar } from '../calendar/work-calendar.js';
import type { DeadlineRuleDef } from '../rules/pack-schema.js';
import type { NewDeadline } from './deadline.js';
import type { Ticket } from './ticket.js';

const RESPONSE_WARN_MINUTES = 15;

export function dueAtOf(rule: Pick<DeadlineRuleDef, 'clock' | 'amount'>, from: Date, cal: WorkCalendar): Date {
  switch (rule.clock) {
    case 'minutes':
      return new Date(from.getTime() + rule.amount * 60_000);
    case 'working_minutes':
      return cal.addWorkingMinutes(from, rule.amount);
    case 'workdays':
      return cal.addWorkdays(from, rule.amount);
  }
}

export function planDeadlines(t: Ticket, rules: DeadlineRuleDef[], cal: WorkCalendar, now: Date): NewDeadline[] {
  const row = (
    kind: string,
    label: string,
    dueAt: Date,
    warnBefore: number,
    urgent: boolean,
    notify: string[],
    upgradeTo: string | null,
  ): NewDeadline => {
    const warnAt =
      warnBefore > 0 && dueAt.getTime() - warnBefore * 60_000 > now.getTime()
        ? new Date(dueAt.getTime() - warnBefore * 60_000)
        : null;
    return {
      ticketId: t.id,
      kind,
      label,
      dueAt,
      warnAt,
      nextCheckAt: warnAt ?? dueAt,
      stage: 'pending',
      escalationStep: 0,
      urgent,
      notify,
      upgradeTo,
      metAt: null,
      createdAt: now,
    };
  };
  const response = row(
    'response',
    '响应',
    t.responseDueAt,
    Math.min(RESPONSE_WARN_MINUTES, (t.responseDueAt.getTime() - now.getTime()) / 120_000),
    t.urgency === 'emergency',
    ['handler'],
    null,
  );
  const seen = new Set<string>(['response']);
  const own = rules
    .filter((r) => {
      if (seen.has(r.kind)) return false;
      seen.add(r.kind);
      return true;
    })
    .map((r) =>
      row(r.kind, r.label, dueAtOf(r, now, cal), r.warnBeforeMinutes, r.urgent, r.notify, r.upgradeTo ?? null),
    );
  return [response, ...own];
}
