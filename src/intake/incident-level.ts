// An incident's level follows its head count (000 §5.3.1: 3 residents → hot, 10 → major): raising it raises every
// member ticket and tells the level's people once. Also run by the scheduler as a safety net (see reconcile below).
import type { Clock } from '../lib/clock.js';
import type { Organisation, ProjectConfig } from '../organisation/index.js';
import type { Logger } from '../lib/logger.js';
import type { RuleEngine, RulePack } from '../rules/index.js';
import { normalizeText } from '../text/normalize.js';
import { collectiveLevel } from '../tickets/index.js';
import type { IntakeStore } from './ports.js';
import { notifyStaff, type NoticeCtx } from './staff-notices.js';

export async function raiseIncident(
  c: NoticeCtx,
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
  const cls = rules.classify(normalizeText(first.content).match, pack.pack);
  const routing = await rules.route(
    { ...cls, urgency: 'normal', confidence: 1, level },
    { project: project.code, incidentResidents: residents },
  );
  await notifyStaff(c, project, { ...first, level }, routing.notices, [reason], `incident:${incidentId}:${level}`);
}

export interface ReconcileDeps {
  store: IntakeStore;
  clock: Clock;
  logger: Logger;
  organisation: Organisation;
  rules: () => RuleEngine;
  staffChannelEnabled: boolean;
}

/**
 * Two reports joining one incident in concurrent transactions each judge its level on the count before the other's
 * join: the count ends right, the raise can be missed. Every scan looks at the open incidents whose count reached a
 * threshold and raises those still below it. Returns how many it raised.
 */
export async function reconcileIncidentLevels(deps: ReconcileDeps): Promise<number> {
  const rules = deps.rules();
  const packs = deps.organisation.projects.map((p) => ({ project: p, pack: rules.pack(p.rulePack) }));
  const threshold = Math.min(...packs.map((p) => p.pack.collective.hotResidents));
  if (!Number.isFinite(threshold)) return 0;
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    let raised = 0;
    for (const incident of await tx.openIncidentsFrom(threshold)) {
      const owner = packs.find((p) => p.project.code === incident.projectCode);
      if (!owner) continue;
      const byCount = collectiveLevel(incident.residents, owner.pack.collective);
      if (!byCount || !rules.higher(owner.pack.pack, byCount, incident.level)) continue;
      await raiseIncident({ deps, tx, now }, owner.project, owner.pack, incident.id, byCount, incident.residents);
      deps.logger.warn(
        { incidentId: incident.id, residents: incident.residents, level: byCount },
        'incident raised by the scan: its head count had passed a threshold',
      );
      raised++;
    }
    return raised;
  });
}
