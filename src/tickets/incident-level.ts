// An incident's level follows its head count (000 §5.3.1: 3 residents → hot, 10 → major): raising it raises every
// member ticket and tells the level's people once. Also run by the scheduler as a safety net (see reconcile below).
import type { Clock } from '../lib/clock.js';
import type { Organisation, ProjectConfig } from '../organisation/index.js';
import type { Logger } from '../lib/logger.js';
import type { RuleEngine, RulePack } from '../rules/index.js';
import type { TicketCtx } from './context.js';
import { collectiveLevel } from './incident.js';
import { notifyStaff } from './notify.js';
import { AS_SURE_ROUTINE, routeStored } from './regrade.js';
import type { TicketStore } from './ports.js';

export async function raiseIncident(
  c: Pick<TicketCtx, 'tx' | 'now'> & { deps: Pick<TicketCtx['deps'], 'logger' | 'rules' | 'staffChannelEnabled'> },
  project: ProjectConfig,
  pack: RulePack,
  incidentId: number,
  level: string,
  residents: number,
): Promise<void> {
  const rules = c.deps.rules();
  await c.tx.updateIncident(incidentId, { level, updatedAt: c.now });
  const members = await c.tx.ticketsOfIncident(incidentId);
  const reason = `集体投诉：${residents} 位业主反映同一问题（000 §5.3.1）`;
  const raised = members.filter((m) => rules.higher(pack.pack, level, m.level));
  await c.tx.updateTickets(
    raised.map((t) => t.id),
    { level, updatedAt: c.now },
  );
  for (const t of raised)
    await c.tx.addEvent({
      ticketId: t.id,
      at: c.now,
      type: 'graded',
      actor: 'rules',
      data: { level, reasons: [reason], residents },
    });
  // One set of notices for the incident, sent with its first ticket. Judged as a sure, non-urgent report so that
  // only the level's own rules fire (the emergency call-out already went with the ticket itself).
  const first = members[0];
  if (!first) return;
  const facts = { project: project.code, incidentResidents: residents };
  const routing = await routeStored(rules, { ...first, rulePack: pack.pack }, level, facts, AS_SURE_ROUTINE);
  await notifyStaff(c, project, { ...first, level }, routing.notices, [reason], `incident:${incidentId}:${level}`);
}

export interface ReconcileDeps {
  store: TicketStore;
  clock: Clock;
  logger: Logger;
  organisation: Organisation;
  rules: () => RuleEngine;
  staffChannelEnabled: boolean;
}

/**
 * Two reports joining one incident in concurrent transactions each judge its level on the count before the other's
 * join: the count ends right, the raise can be missed. Every scan looks at the open incidents whose count reached a
 * threshold and raises those still below it, each in a transaction of its own: one whose raise throws is logged and
 * left to the next scan (which judges its level afresh from the head count), and the others are still raised.
 * Returns how many it raised.
 */
export async function reconcileIncidentLevels(deps: ReconcileDeps): Promise<number> {
  const rules = deps.rules();
  const packs = deps.organisation.projects.map((p) => ({ project: p, pack: rules.pack(p.rulePack) }));
  const threshold = Math.min(...packs.map((p) => p.pack.collective.hotResidents));
  if (!Number.isFinite(threshold)) return 0;
  const behind = (incident: { projectCode: string; residents: number; level: string }) => {
    const owner = packs.find((p) => p.project.code === incident.projectCode);
    if (!owner) return undefined;
    const level = collectiveLevel(incident.residents, owner.pack.collective);
    return level && rules.higher(owner.pack.pack, level, incident.level) ? { ...owner, level } : undefined;
  };
  // Usually nothing is behind, and this one read is all the scan costs.
  const candidates = await deps.store.transaction(async (tx) =>
    (await tx.openIncidentsFrom(threshold)).filter((i) => behind(i)).map((i) => i.id),
  );
  let raised = 0;
  for (const id of candidates) {
    try {
      const done = await deps.store.transaction(async (tx) => {
        // Locked again (the store locks the open incidents it reads) and judged afresh: a report may have raised it
        // since the first read. Raises by the scan are rare, so reading the open incidents again costs little.
        const incident = (await tx.openIncidentsFrom(threshold)).find((i) => i.id === id);
        const raise = incident && behind(incident);
        if (!incident || !raise) return undefined;
        const now = deps.clock.now();
        await raiseIncident({ deps, tx, now }, raise.project, raise.pack, id, raise.level, incident.residents);
        return { residents: incident.residents, level: raise.level };
      });
      if (!done) continue;
      deps.logger.warn(
        { incidentId: id, ...done },
        'incident raised by the scan: its head count had passed a threshold',
      );
      raised++;
    } catch (err) {
      deps.logger.error(
        { incidentId: id, err: err instanceof Error ? err.message : String(err) },
        'incident level not reconciled; the other incidents go on and this one is tried again next scan',
      );
    }
  }
  return raised;
}
