import { ApprovalEntity, DeadlineEntity } from '../schema.js';
import { rowCodec } from './fast-rows.js';
import type { Unit } from './unit.js';
import type { ApprovalRepository, DeadlineRepository } from '../../tickets/ports.js';

export function deadlineAndApprovalRows(u: Unit): DeadlineRepository & ApprovalRepository {
  const { m, link, orm, deadlines } = u;
  return {
    async insertDeadlines(rows) {
      // Write-only inside a transaction, like events: the scan reads them in transactions of its own.
      deadlines.push(...rows);
    },
    async dueDeadlines(now, limit) {
      const d = rowCodec(m, DeadlineEntity);
      const rows = (await link.run([
        `${d.select()} WHERE ${d.c.nextCheckAt} <= ? ORDER BY ${d.c.nextCheckAt}, ${d.c.id} LIMIT ?`,
        [d.param('nextCheckAt', now), limit],
      ])) as Record<string, unknown>[];
      // Each row on its own: one whose JSON is broken must not hide the others from the scan.
      return rows.map((raw) => {
        try {
          return d.hydrate(raw);
        } catch (err) {
          const unreadable = `stored row cannot be read: ${(err as Error).message}`;
          return { id: Number(raw['id']), ticketId: Number(raw['ticket_id']), unreadable };
        }
      });
    },
    async updateDeadline(id, patch) {
      const db = await orm();
      await db.update(DeadlineEntity, { id }, patch);
    },
    async advanceDeadline(d) {
      const db = await orm();
      const r = await db
        .createQueryBuilder()
        .update(DeadlineEntity)
        .set({ dueAt: d.dueAt, warnAt: d.warnAt, nextCheckAt: d.nextCheckAt, urgent: d.urgent, stage: 'pending' })
        .where(
          'ticket_id = :ticketId AND kind = :kind AND met_at IS NULL' +
            " AND stage IN ('pending', 'warned') AND due_at > :dueAt",
          { ticketId: d.ticketId, kind: d.kind, dueAt: d.dueAt },
        )
        .execute();
      return (r.affected ?? 0) > 0;
    },
    async meetDeadlines(ticketId, group, at) {
      const db = await orm();
      const q = db
        .createQueryBuilder()
        .update(DeadlineEntity)
        // Checked again at once: the next scan settles it (no warning goes out for work already done).
        .set({ metAt: at, nextCheckAt: at })
        .where("ticket_id = :ticketId AND met_at IS NULL AND stage IN ('pending', 'warned', 'missed')", { ticketId });
      if (group === 'response') q.andWhere("kind IN ('response', 'lead_report')");
      else if (group === 'callback') q.andWhere("kind = 'callback'");
      else if (group === 'resolution')
        q.andWhere("kind NOT IN ('response', 'lead_report', 'callback') AND kind NOT LIKE 'approval:%'");
      else q.andWhere('kind = :kind', { kind: group });
      await q.execute();
    },
    async insertApproval(a) {
      const db = await orm();
      const r = await db.insert(ApprovalEntity, a);
      return { ...a, id: Number(r.identifiers[0]?.id) };
    },
    async approvalsOf(ticketId) {
      const db = await orm();
      return db.find(ApprovalEntity, { where: { ticketId }, order: { id: 'ASC' } });
    },
    async findApproval(id) {
      const db = await orm();
      return (await db.findOneBy(ApprovalEntity, { id })) ?? undefined;
    },
    async updateApproval(id, patch) {
      const db = await orm();
      await db.update(ApprovalEntity, { id }, patch);
    },
  };
}
