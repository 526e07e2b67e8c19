// Closing a collective-complaint incident resolves every linked ticket and tells every reporter.
import { ticketSay } from '../dialogue/index.js';
import { actorLabel, type Actor } from './actor.js';
import { mayResolveIncident } from './authorise.js';
import type { TicketCtx } from './context.js';
import type { Incident } from './incident.js';
import { notify } from './notify.js';

export type ResolveOutcome =
  | { ok: true; incident: Incident; told: number; notPushable: string[] }
  | { ok: false; reason: 'not_found' | 'already_resolved' | 'not_allowed' };

export async function resolveIncident(
  c: TicketCtx,
  actor: Actor,
  id: number,
  resolution: string,
): Promise<ResolveOutcome> {
  const incident = await c.tx.findIncident(id);
  if (!incident) return { ok: false, reason: 'not_found' };
  if (!mayResolveIncident(actor, incident.projectCode)) return { ok: false, reason: 'not_allowed' };
  if (incident.status === 'resolved') return { ok: false, reason: 'already_resolved' };
  const { now } = c;
  const by = actorLabel(actor);
  await c.tx.updateIncident(id, { status: 'resolved', resolution, resolvedAt: now, updatedAt: now });
  const notPushable: string[] = [];
  let told = 0;
  for (const t of await c.tx.ticketsOfIncident(id)) {
    if (t.status === 'cancelled') continue;
    if (t.status !== 'resolved' && t.status !== 'closed') {
      await c.tx.updateTicket(t.id, { status: 'resolved', completedAt: now, updatedAt: now });
      await c.tx.meetDeadlines(t.id, 'response', now);
      await c.tx.meetDeadlines(t.id, 'resolution', now);
    }
    await c.tx.addEvent({ ticketId: t.id, at: now, type: 'resolved', actor: by, data: { incidentId: id, resolution } });
    // The web chat cannot push: its residents see the new status when they next ask "我的工单".
    const text = ticketSay.incidentResolved(t.no, resolution);
    const sent = await notify(c, { kind: 'resident', ticket: t }, { text }, { key: `incident:${id}:resolved:${t.no}` });
    if (sent === 'queued') told++;
    else notPushable.push(t.no);
  }
  c.deps.logger.info({ incidentId: id, told, notPushable, by }, 'incident resolved');
  return { ok: true, incident: { ...incident, status: 'resolved', resolution, resolvedAt: now }, told, notPushable };
}
