// A stored ticket takes a new level (an approval, the incident head count, a console correction): its notices and
// deadlines follow, as if the rules had graded it so.
import { normalizeText } from '../text/normalize.js';
import type { ProjectConfig } from '../organisation/index.js';
import type { Classification, RuleEngine, Routing, TicketFacts } from '../rules/index.js';
import type { TicketCtx } from './context.js';
import { notifyStaff } from './notify.js';
import { planDeadlines } from './plan-deadlines.js';
import type { Ticket } from './ticket.js';

/**
 * How the rules route a stored ticket at a level: its text classified again, the labels given taking precedence.
 * The one place a stored ticket is re-routed (a new level, an incident's head count, a second opinion, an upgrade).
 */
export function routeStored(
  rules: RuleEngine,
  t: Pick<Ticket, 'content' | 'rulePack'>,
  level: string,
  facts: TicketFacts,
  labels: Partial<Classification> = {},
): Promise<Routing> {
  const cls = { ...rules.classify(normalizeText(t.content).match, t.rulePack), ...labels };
  return rules.route({ ...cls, level }, facts);
}

/** Judged as a sure, non-urgent report, so that only the level's own rules fire (an emergency already called out). */
export const AS_SURE_ROUTINE: Partial<Classification> = { urgency: 'normal', confidence: 1 };

export interface LevelOptions {
  /** Who the timeline names; `rules` unless a job raises it. */
  actor?: string;
  /** Tell the level's people (false: an automatic upgrade, whose alert already says so). */
  notices?: boolean;
  labels?: Partial<Classification>;
}

/**
 * A level that now takes effect (an approval, the incident head count, an upgrade): its notices and deadlines follow.
 */
export async function applyLevel(
  c: TicketCtx,
  project: ProjectConfig,
  t: Ticket,
  level: string,
  reasons: string[],
  options: LevelOptions = {},
): Promise<void> {
  const rules = c.deps.rules();
  const actor = options.actor ?? 'rules';
  await c.tx.updateTicket(t.id, { level, updatedAt: c.now });
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'graded', actor, data: { level, reasons } });
  const routing = await routeStored(rules, t, level, { project: project.code }, options.labels ?? AS_SURE_ROUTINE);
  if (options.notices !== false)
    await notifyStaff(
      c,
      project,
      { ...t, level },
      routing.notices.filter((n) => !n.approval),
      reasons,
      `ticket:${t.no}:${level}`,
    );
  await c.tx.insertDeadlines(
    planDeadlines({ ...t, level }, routing.deadlines, c.deps.calendar(project.code), c.now).filter(
      (d) => d.kind !== 'response',
    ),
  );
}
