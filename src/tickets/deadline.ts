// A ticket's deadlines and what happens as each comes near, passes, and keeps being missed. Pure.
export type DeadlineStage = 'pending' | 'warned' | 'missed' | 'met' | 'cancelled';

export interface Deadline {
  id: number;
  ticketId: number;
  kind: string;
  label: string;
  dueAt: Date;
  warnAt: Date | null;
  nextCheckAt: Date | null;
  stage: DeadlineStage;
  /** How far up the escalation chain the missed deadline has gone (0: the handler). */
  escalationStep: number;
  /** Urgent alerts go out at any hour; the others wait for working hours. */
  urgent: boolean;
  /** Roles to tell when it comes near or is missed. */
  notify: string[];
  /** A missed upgrade deadline raises the ticket to this level (000 §5.3.1: a week → hot, a month → major). */
  upgradeTo: string | null;
  metAt: Date | null;
  createdAt: Date;
}

export type NewDeadline = Omit<Deadline, 'id'>;

/** One step of the escalation chain: after a deadline is missed by `afterMinutes`, tell `role`. */
export interface EscalationStep {
  role: string;
  afterMinutes: number;
}

export type DeadlineAction =
  | { type: 'settle'; reason: 'met' | 'cancelled' }
  | { type: 'warn'; next: Date }
  | { type: 'miss'; step: number; role: string; next: Date | null };

/**
 * What the scan does with a deadline whose check time has come. Met or closed → settle; before the due time → warn
 * once and look again at the due time; after it → tell the next role of the chain and look again when the one after
 * that is due (the chain stops at its end, or as soon as someone acts and the deadline is met).
 */
export function nextAction(
  d: Deadline,
  now: Date,
  settledBy: 'met' | 'cancelled' | undefined,
  chain: EscalationStep[],
): DeadlineAction {
  if (d.metAt) return { type: 'settle', reason: 'met' };
  if (settledBy) return { type: 'settle', reason: settledBy };
  if (now < d.dueAt) return { type: 'warn', next: d.dueAt };
  const step = d.stage === 'missed' ? d.escalationStep + 1 : 0;
  const current = chain[Math.min(step, chain.length - 1)] ?? { role: 'handler', afterMinutes: 0 };
  const following = chain[step + 1];
  const next = following ? new Date(d.dueAt.getTime() + following.afterMinutes * 60_000) : null;
  return { type: 'miss', step, role: current.role, next };
}

/**
 * Which of a ticket's deadlines an act keeps: the promised response (and the lead's report) once someone takes it
 * on, the resolution deadlines once the work is done, the callback once the resident has rated, one approval once
 * decided. The act records the moment (met_at = when staff acted, what the KPIs count); the scan then settles them.
 */
export type DeadlineGroup = 'response' | 'resolution' | 'callback' | `approval:${number}`;
