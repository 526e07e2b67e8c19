// The deadline scan: what is due now gets its warning, its missed-deadline alert up the escalation chain, or its
// automatic upgrade — each exactly once (the outbox key is unique per deadline, stage and step).
import type { WorkCalendar } from '../calendar/work-calendar.js';
import { ConcurrencyError } from '../intake/ports.js';
import type { TicketStore, TicketTx } from '../tickets/ports.js';
import { peopleFor, tellManagers } from '../tickets/notify.js';
import type { Clock } from '../lib/clock.js';
import type { Organisation, ProjectConfig } from '../organisation/index.js';
import type { Logger } from '../lib/logger.js';
import type { RuleEngine } from '../rules/index.js';
import { nextAction, type Deadline, type Ticket } from '../tickets/index.js';
import { applyLevel } from '../tickets/regrade.js';
import { alertText, type AlertStage } from './alert-text.js';

export interface ScanDeps {
  store: TicketStore;
  clock: Clock;
  logger: Logger;
  organisation: Organisation;
  rules: () => RuleEngine;
  calendar: (projectCode: string) => WorkCalendar;
  staffChannelEnabled: boolean;
}

const BATCH = 200;

/** A deadline the scan could not handle is looked at again 1 min later, then 2, 4 … at most an hour later. */
export function scanRetryMs(failures: number): number {
  return Math.min(60_000 * 2 ** (failures - 1), 3_600_000);
}

/**
 * The scan's own bookkeeping on a deadline row: columns of the deadline table that the domain's Deadline does not
 * carry. The store reads every column of the row and writes whatever a patch names.
 */
interface ScanMarks {
  scanFailures?: number;
  scanError?: string | null;
}

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * One pass; returns how many deadlines it looked at. Safe to run twice: a second run finds nothing due or sends
 * nothing new. The due rows are read once, then each is handled in a transaction of its own: a row whose handling
 * throws rolls back only itself, is marked (when and why) and retried after a backoff, and the rest still go out.
 * One transaction per row rather than per ticket: a deadline's effects are its own (their outbox keys are per
 * deadline), so nothing needs a ticket's deadlines to commit together, and a bad row then cannot hold back even
 * the other deadlines of its ticket.
 */
export async function scanDeadlines(deps: ScanDeps): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.store.transaction((tx) => tx.dueDeadlines(now, BATCH));
  for (const d of due) {
    if ('unreadable' in d) await setAside(deps, d, now, d.unreadable);
    else await scanOne(deps, d, now);
  }
  return due.length;
}

async function scanOne(deps: ScanDeps, d: Deadline & ScanMarks, now: Date): Promise<void> {
  const { store, logger } = deps;
  try {
    await store.transaction(async (tx) => {
      await handle(deps, tx, d, now);
      if (d.scanFailures) {
        const cleared: Partial<Deadline> & ScanMarks = { scanFailures: 0, scanError: null };
        await tx.updateDeadline(d.id, cleared);
      }
    });
  } catch (err) {
    const where = { deadlineId: d.id, ticketId: d.ticketId, kind: d.kind, err: reasonOf(err) };
    // A lock conflict with a report filed at the same moment is nobody's fault: the next scan, 30 s on, tries again.
    if (err instanceof ConcurrencyError) {
      logger.warn(where, 'deadline scan met a concurrent transaction; the deadline is tried again next scan');
      return;
    }
    await setAside(deps, d, now, reasonOf(err));
  }
}

/** Logged, marked (how often and why) and looked at again after a backoff; the rest of the scan goes on. */
async function setAside(
  deps: ScanDeps,
  d: Pick<Deadline, 'id' | 'ticketId'> & ScanMarks & Partial<Pick<Deadline, 'kind'>>,
  now: Date,
  reason: string,
): Promise<void> {
  const failures = (d.scanFailures ?? 0) + 1;
  const retryAt = new Date(now.getTime() + scanRetryMs(failures));
  deps.logger.error(
    { deadlineId: d.id, ticketId: d.ticketId, kind: d.kind, err: reason, failures, retryAt },
    'deadline could not be handled; the rest of the scan goes on and this one is tried again later',
  );
  const marks: Partial<Deadline> & ScanMarks = {
    nextCheckAt: retryAt,
    scanFailures: failures,
    scanError: reason.slice(0, 2000),
  };
  // Should even this fail, the database itself is in trouble: the scan stops, and the job runs again next tick.
  await deps.store.transaction((tx) => tx.updateDeadline(d.id, marks));
}

// The promised response is kept once someone acts; everything else once the work is done. A cancelled ticket owes
// nothing.
async function settledBy(tx: TicketTx, d: Deadline, t: Ticket): Promise<'met' | 'cancelled' | undefined> {
  if (t.status === 'cancelled') return 'cancelled';
  if (d.kind.startsWith('approval:')) {
    const a = (await tx.approvalsOf(t.id)).find((x) => `approval:${x.id}` === d.kind);
    return a?.status !== 'pending' ? 'met' : undefined;
  }
  if (d.kind === 'callback') return t.rating ? 'met' : undefined;
  if (d.kind === 'response' || d.kind === 'lead_report') return t.status !== 'open' ? 'met' : undefined;
  return t.status === 'resolved' || t.status === 'closed' ? 'met' : undefined;
}

async function handle(deps: ScanDeps, tx: TicketTx, d: Deadline, now: Date): Promise<void> {
  const ticket = await tx.findTicketById(d.ticketId);
  const project = ticket && deps.organisation.projects.find((p) => p.code === ticket.projectCode);
  if (!ticket || !project) {
    await tx.updateDeadline(d.id, { stage: 'cancelled', nextCheckAt: null });
    return;
  }
  const action = nextAction(d, now, await settledBy(tx, d, ticket), project.escalation);
  switch (action.type) {
    case 'settle':
      await tx.updateDeadline(d.id, {
        stage: action.reason,
        nextCheckAt: null,
        metAt: action.reason === 'met' ? (d.metAt ?? now) : null,
      });
      return;
    case 'warn':
      await alert(deps, tx, project, ticket, d, 'near', 0, d.notify, now);
      await tx.updateDeadline(d.id, { stage: 'warned', nextCheckAt: action.next });
      return;
    case 'miss': {
      if (action.step === 0 && d.upgradeTo) await upgrade(deps, tx, project, ticket, d, now);
      const roles = action.step === 0 ? [...new Set([...d.notify, action.role])] : [action.role];
      await alert(deps, tx, project, ticket, d, 'missed', action.step, roles, now);
      await tx.updateDeadline(d.id, { stage: 'missed', escalationStep: action.step, nextCheckAt: action.next });
    }
  }
}

/** 000 §5.3.1: unresolved a week → hot, a month → major; the new level brings its own deadlines (quality report). */
async function upgrade(
  deps: ScanDeps,
  tx: TicketTx,
  project: ProjectConfig,
  t: Ticket,
  d: Deadline,
  now: Date,
): Promise<void> {
  if (!deps.rules().higher(t.rulePack, d.upgradeTo!, t.level)) return;
  // The upgrade's own alert tells people; the new level brings its deadlines.
  const labels = { kind: t.kind, category: t.category, urgency: t.urgency };
  await applyLevel({ deps, tx, now }, project, t, d.upgradeTo!, [d.label], {
    actor: 'scheduler',
    notices: false,
    labels,
  });
}

function recipients(project: ProjectConfig, t: Ticket, roles: string[], now: Date): string[] {
  const users = roles.flatMap((role) => {
    if (role === 'handler') return [t.handler ?? project.receptionist];
    if (role === 'supervisor')
      return project.people[`${t.department}_supervisor`] ?? project.people['supervisor'] ?? [];
    return peopleFor(project, role, t.department, now);
  });
  return [...new Set(users)];
}

async function alert(
  deps: ScanDeps,
  tx: TicketTx,
  project: ProjectConfig,
  t: Ticket,
  d: Deadline,
  stage: AlertStage,
  step: number,
  roles: string[],
  now: Date,
): Promise<void> {
  const to = recipients(project, t, roles, now);
  const text = alertText({ stage, ticket: t, deadline: d, projectName: project.name, roles, mentions: to, now });
  const key = `deadline:${d.id}:${stage}:${step}`;
  // Only urgent deadlines may ring at night; the rest wait for the project's next working period.
  const notBefore = d.urgent ? undefined : deps.calendar(project.code).nextWorkingTime(now);
  // To the managers' group (robot or app group chat), else to each person the step names.
  const delivered = await tellManagers({ deps, tx, now }, project, { group: text, app: text }, { key, notBefore }, to);
  await tx.addEvent({
    ticketId: t.id,
    at: now,
    type: 'notified',
    actor: 'scheduler',
    data: {
      deadline: d.kind,
      stage,
      step,
      to,
      ...(delivered ? {} : { undelivered: roles.join(','), reason: '没有可用的群机器人或企业微信应用' }),
    },
  });
  if (!delivered) deps.logger.warn({ ticketNo: t.no, deadline: d.kind, stage }, 'deadline alert has nowhere to go');
}
