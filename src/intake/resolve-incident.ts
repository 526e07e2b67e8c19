// Closing a collective-complaint incident resolves every linked ticket and tells every reporter.
import { ticketSay } from '../dialogue/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Incident } from '../tickets/index.js';
import type { IntakeStore } from './ports.js';

export interface ResolveDeps {
  store: IntakeStore;
  clock: Clock;
  logger: Logger;
}

export type ResolveOutcome =
  | { ok: true; incident: Incident; told: number; notPushable: string[] }
  | { ok: false; reason: 'not_found' | 'already_resolved' };

export async function resolveIncident(
  deps: ResolveDeps,
  id: number,
  resolution: string,
  actor: string,
): Promise<ResolveOutcome> {
  return deps.store.transaction(async (tx) => {
    const incident = await tx.findIncident(id);
    if (!incident) return { ok: false, reason: 'not_found' };
    if (incident.status === 'resolved') return { ok: false, reason: 'already_resolved' };
    const now = deps.clock.now();
    await tx.updateIncident(id, { status: 'resolved', resolution, resolvedAt: now, updatedAt: now });
    const notPushable: string[] = [];
    let told = 0;
    for (const t of await tx.ticketsOfIncident(id)) {
      if (t.status === 'cancelled') continue;
      if (t.status !== 'resolved' && t.status !== 'closed')
        await tx.updateTicket(t.id, { status: 'resolved', updatedAt: now });
      await tx.addEvent({ ticketId: t.id, at: now, type: 'resolved', actor, data: { incidentId: id, resolution } });
      // The web chat cannot push: its residents see the new status when they next ask "我的工单".
      const channel = t.channel === 'mp' ? 'mp' : t.channel === 'wecom' ? 'wecom_app' : undefined;
      if (!channel) {
        notPushable.push(t.no);
        continue;
      }
      await tx.enqueue(
        {
          dedupeKey: `incident:${id}:resolved:${t.no}`,
          channel,
          recipient: t.userId,
          payload: { text: ticketSay.incidentResolved(t.no, resolution) },
        },
        now,
      );
      told++;
    }
    deps.logger.info({ incidentId: id, told, notPushable }, 'incident resolved');
    return { ok: true, incident: { ...incident, status: 'resolved', resolution, resolvedAt: now }, told, notPushable };
  });
}
