import { IncidentEntity, TicketEntity } from '../schema.js';
import { insertedId, rowCodec, type Statement } from './fast-rows.js';
import type { Unit } from './unit.js';
import type { IncidentRepository } from '../../tickets/ports.js';

export function incidentRows(u: Unit): IncidentRepository {
  const { m, link, locking, incidents, headCounts } = u;
  return {
    async insertIncident(i) {
      const incident = { ...i, id: insertedId(await link.run(rowCodec(m, IncidentEntity).insert(i))) };
      incidents.set(incident.id, incident);
      return { ...incident };
    },
    async findIncident(id) {
      const seen = incidents.get(id);
      if (seen) return { ...seen };
      const i = rowCodec(m, IncidentEntity);
      const [row] = (await link.run([`${i.select()} WHERE ${i.c.id} = ?`, [id]])) as Record<string, unknown>[];
      return row ? i.hydrate(row) : undefined;
    },
    async updateIncident(id, patch) {
      const seen = incidents.get(id);
      if (seen) incidents.set(id, { ...seen, ...patch });
      await link.later(rowCodec(m, IncidentEntity).updateByIds([id], patch));
    },
    async lockIncidentLinks(ticketIds, incidentId) {
      const ids = [...ticketIds].sort((x, y) => x - y);
      const list = ids.map(() => '?').join(', ');
      // SKIP LOCKED: a report another transaction is linking right now is left to it; waiting for it instead made
      // concurrent batches deadlock (each locks its candidates report by report).
      const skipLocked = locking ? ' FOR UPDATE SKIP LOCKED' : '';
      const t = rowCodec(m, TicketEntity);
      const inc = rowCodec(m, IncidentEntity);
      const c = t.c;
      const sql = `SELECT ${c.id} AS id, ${c.incidentId} AS i FROM ${t.table} WHERE ${c.id} IN (${list})${skipLocked}`;
      const lockIncident = `SELECT ${inc.c.id} FROM ${inc.table} WHERE ${inc.c.id} = ? FOR UPDATE`;
      const first: Statement[] = locking && incidentId !== undefined ? [[lockIncident, [incidentId]]] : [];
      const counted: Statement[] =
        incidentId === undefined
          ? []
          : [
              [
                `SELECT DISTINCT o.${c.channel} AS channel, o.${c.userId} AS u` +
                  ` FROM ${t.table} n JOIN ${t.table} o` +
                  ` ON o.${c.channel} = n.${c.channel} AND o.${c.userId} = n.${c.userId}` +
                  ` WHERE n.${c.id} IN (${list}) AND o.${c.incidentId} = ?`,
                [...ids, incidentId],
              ],
            ];
      const results = await link.runMany([...first, [sql, ids], ...counted]);
      const rows = results[first.length] as { id: number | string; i: number | string | null }[];
      const already = (counted.length ? results.at(-1) : []) as { channel: string; u: string }[];
      return {
        links: new Map(rows.map((r) => [Number(r.id), r.i === null ? null : Number(r.i)])),
        counted: new Set(already.map((r) => `${r.channel}:${r.u}`)),
      };
    },
    async joinIncident(id, ticketIds, newResidents, now) {
      const seen = incidents.get(id);
      if (seen) incidents.set(id, { ...seen, residents: seen.residents + newResidents, updatedAt: now });
      await link.later(rowCodec(m, TicketEntity).updateByIds(ticketIds, { incidentId: id }));
      const before = headCounts.get(id);
      headCounts.set(id, { added: (before?.added ?? 0) + newResidents, at: now });
    },
    async openIncidentsFrom(residents) {
      const i = rowCodec(m, IncidentEntity);
      const rows = (await link.run([
        `${i.select()} WHERE ${i.c.status} = 'open' AND ${i.c.residents} >= ?` +
          ` ORDER BY ${i.c.id}${locking ? ' FOR UPDATE' : ''}`,
        [residents],
      ])) as Record<string, unknown>[];
      return rows.map((r) => i.hydrate(r));
    },
    async ticketsOfIncident(id) {
      const t = rowCodec(m, TicketEntity);
      const rows = (await link.run([
        `${t.select()} WHERE ${t.c.incidentId} = ? ORDER BY ${t.c.id} ASC`,
        [id],
      ])) as Record<string, unknown>[];
      return rows.map((r) => t.hydrate(r));
    },
  };
}
