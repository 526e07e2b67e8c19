// A stored ticket takes a new level (an approval, the incident head count, a console correction): its notices and
// deadlines follow, as if the rules had graded it so.
import { normalizeText } from '../text/normalize.js';
import type { ProjectConfig } from '../organisation/index.js';
import type { TicketCtx } from './context.js';
import { notifyStaff } from './notify.js';
import { planDeadlines } from './plan-deadlines.js';
import type { Ticket } from './ticket.js';

/** A level that now takes effect (an approval, the incident head count): its notices and deadlines follow. */
export async function applyLevel(
  c: TicketCtx,
  project: ProjectConfig,
  t: Ticket,
  level: string,
  reasons: string[],
): Promise<void> {
  const rules = c.deps.rules();
  await c.tx.updateTicket(t.id, { level, updatedAt: c.now });
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'graded', actor: 'rules', data: { level, reasons } });
  const cls = rules.classify(normalizeText(t.content).match, t.rulePack);
  const routing = await rules.route({ ...cls, urgency: 'normal', confidence: 1, level }, { project: project.code });
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
