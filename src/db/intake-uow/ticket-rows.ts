// Tickets and their timeline: numbers, inserts (with the same-fault candidates), lookups, patches.
import { IsNull } from 'typeorm';
import { ConcurrencyError } from '../../intake/ports.js';
import { buildingOf, type NewTicket, type Ticket, type TicketEvent } from '../../tickets/index.js';
import { isUniqueViolation } from '../errors.js';
import { nameIndex, phoneIndexes } from '../personal-data.js';
import { CounterEntity, TicketEntity, type TicketRow } from '../schema.js';
import { insertedId, rowCodec, type Statement } from './fast-rows.js';
import { keepIncidents, reportReads } from './same-fault-reads.js';

import type { Unit } from './unit.js';
import type { TicketRepository } from '../../tickets/ports.js';

export function ticketRows(u: Unit): TicketRepository {
  const { m, link, orm, numbers, events, incidents } = u;
  return {
    async reserveTicketSeqs(scope, count) {
      // SQLite: numbers come from the counter row inside the transaction; nothing to gain.
      if (numbers && count > 1) await numbers.reserve(scope, count);
    },
    async nextTicketSeq(scope) {
      if (numbers) return numbers.next(scope);
      // SQLite: one writer at a time anyway, so the counter lives in the transaction.
      for (let attempt = 0; attempt < 5; attempt++) {
        const r = await m
          .createQueryBuilder()
          .update(CounterEntity)
          .set({ seq: () => 'seq + 1' })
          .where('scope = :scope', { scope })
          .execute();
        if (r.affected === 0) {
          try {
            await m.insert(CounterEntity, { scope, seq: 1 });
            return 1;
          } catch (err) {
            if (!isUniqueViolation(err)) throw err;
            continue;
          }
        }
        const row = await m.findOneByOrFail(CounterEntity, { scope });
        return row.seq;
      }
      throw new ConcurrencyError(`could not allocate a ticket number in ${scope}`);
    },
    async insertTicket(t: NewTicket) {
      const id = insertedId(await link.run(rowCodec(m, TicketEntity).insert(stored(t))));
      return { ...t, id } as Ticket;
    },
    async insertTicketAmongReports(t, f, limit) {
      const reads = reportReads(m, f, limit);
      const { c, table } = rowCodec(m, TicketEntity);
      const mine: Statement = [
        `SELECT ${c.incidentId} AS id FROM ${table}` +
          ` WHERE ${c.channel} = ? AND ${c.userId} = ? AND ${c.incidentId} IS NOT NULL`,
        [t.channel, t.userId],
      ];
      const [inserted, ...found] = await link.runMany([rowCodec(m, TicketEntity).insert(stored(t)), ...reads, mine]);
      const reporterIncidents = new Set((found.pop() as { id: number | string }[]).map((r) => Number(r.id)));
      const ticket = { ...t, id: insertedId(inserted) } as Ticket;
      return {
        ticket,
        recent: keepIncidents(m, incidents, found as Record<string, unknown>[][], limit),
        reporterIncidents,
      };
    },
    async updateTicket(id, patch) {
      await link.later(rowCodec(m, TicketEntity).updateByIds([id], stored(patch)));
    },
    async updateTickets(ids, patch) {
      await link.later(rowCodec(m, TicketEntity).updateByIds(ids, stored(patch)));
    },
    async findTicket(no) {
      const t = rowCodec(m, TicketEntity);
      const [row] = (await link.run([`${t.select()} WHERE ${t.c.no} = ?`, [no]])) as Record<string, unknown>[];
      return row ? t.hydrate(row) : undefined;
    },
    async findTicketById(id) {
      const db = await orm();
      return (await db.findOneBy(TicketEntity, { id })) ?? undefined;
    },
    async listTicketsOf(channel, userId, limit) {
      const t = rowCodec(m, TicketEntity);
      const rows = (await link.run([
        `${t.select()} WHERE ${t.c.channel} = ? AND ${t.c.userId} = ? ORDER BY ${t.c.id} DESC LIMIT ?`,
        [channel, userId, limit],
      ])) as Record<string, unknown>[];
      return rows.map((r) => t.hydrate(r));
    },
    async lastHandledBy(userId) {
      const db = await orm();
      return (
        (await db.findOne(TicketEntity, { where: { handler: userId }, order: { updatedAt: 'DESC', id: 'DESC' } })) ??
        undefined
      );
    },
    async awaitingRating(channel, userId) {
      const db = await orm();
      return (
        (await db.findOne(TicketEntity, {
          where: { channel, userId, status: 'resolved', rating: IsNull() },
          order: { completedAt: 'DESC', id: 'DESC' },
        })) ?? undefined
      );
    },
    async addEvent(e: TicketEvent) {
      events.push(e);
    },
  };
}

/** A ticket (or a change to one) as written: the building follows the room, the blind indexes the phone and name. */
function stored<T extends Partial<Ticket>>(t: T): T & Partial<TicketRow> {
  return {
    ...t,
    ...(t.room === undefined ? {} : { building: buildingOf(t.room) }),
    ...(t.phone === undefined ? {} : phoneIndexes(t.phone)),
    ...(t.residentName === undefined ? {} : { nameIndex: nameIndex(t.residentName) }),
  };
}
