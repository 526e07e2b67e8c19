// Read-only ticket queries for the admin API.
import { Brackets, type DataSource } from 'typeorm';
import { nameIndex, phoneIndex, phoneTailIndex } from './personal-data.js';
import { DeadlineEntity, IncidentEntity, ResidentEntity, TicketEntity, TicketEventEntity } from './schema.js';

export interface TicketFilter {
  status?: string;
  category?: string;
  level?: string;
  resident?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

/** Blind indexes to look a phone up by: 11 digits → the whole number, 4 digits → its tail; '' matches nothing. */
function phoneLookup(text: string): { phoneIndex: string; phoneTail: string } {
  const digits = text.replace(/[\s-]/g, '');
  return {
    phoneIndex: /^\d{5,}$/.test(digits) ? phoneIndex(digits) : '',
    phoneTail: /^\d{4}$/.test(digits) ? phoneTailIndex(digits) : '',
  };
}

export function createTicketQueries(ds: DataSource) {
  return {
    async list(f: TicketFilter) {
      const q = ds.getRepository(TicketEntity).createQueryBuilder('t');
      if (f.status) q.andWhere('t.status = :status', { status: f.status });
      if (f.category) q.andWhere('t.category = :category', { category: f.category });
      if (f.level) q.andWhere('t.level = :level', { level: f.level });
      if (f.resident) {
        // Names and phones are sealed: a name or a phone (or its last four digits) is found by its blind index, a
        // room by its beginning, a resident by their platform id.
        const like = `${f.resident.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const who = f.resident;
        const { phoneIndex, phoneTail } = phoneLookup(who);
        q.andWhere(
          new Brackets((w) =>
            w
              .where('t.room LIKE :like', { like })
              .orWhere('t.user_id = :exact', { exact: who })
              .orWhere('t.name_index = :name', { name: nameIndex(who) ?? '' })
              .orWhere('t.phone_index = :phoneIndex', { phoneIndex })
              .orWhere('t.phone_tail_index = :phoneTail', { phoneTail }),
          ),
        );
      }
      if (f.from) q.andWhere('t.created_at >= :from', { from: f.from });
      if (f.to) q.andWhere('t.created_at < :to', { to: f.to });
      const [items, total] = await q
        .orderBy('t.id', 'DESC')
        .skip((f.page - 1) * f.pageSize)
        .take(f.pageSize)
        .getManyAndCount();
      return { total, page: f.page, pageSize: f.pageSize, items };
    },
    async detail(no: string) {
      const ticket = await ds.getRepository(TicketEntity).findOneBy({ no });
      if (!ticket) return undefined;
      const [resident, timeline, deadlines] = await Promise.all([
        ds.getRepository(ResidentEntity).findOneBy({ channel: ticket.channel, userId: ticket.userId }),
        ds.getRepository(TicketEventEntity).find({ where: { ticketId: ticket.id }, order: { at: 'ASC', id: 'ASC' } }),
        ds.getRepository(DeadlineEntity).find({ where: { ticketId: ticket.id }, order: { dueAt: 'ASC', id: 'ASC' } }),
      ]);
      return { ticket, resident, deadlines: { responseDueAt: ticket.responseDueAt, items: deadlines }, timeline };
    },
    async incidents(status: 'open' | 'resolved' | undefined, page: number, pageSize: number) {
      const [items, total] = await ds.getRepository(IncidentEntity).findAndCount({
        where: status ? { status } : {},
        order: { updatedAt: 'DESC', id: 'DESC' },
        skip: (page - 1) * pageSize,
        take: pageSize,
      });
      return { total, page, pageSize, items };
    },
    async incident(id: number) {
      const incident = await ds.getRepository(IncidentEntity).findOneBy({ id });
      if (!incident) return undefined;
      const tickets = await ds.getRepository(TicketEntity).find({ where: { incidentId: id }, order: { id: 'ASC' } });
      return { incident, tickets };
    },
    async ping(): Promise<void> {
      await ds.query('SELECT 1');
    },
  };
}

export type TicketQueries = ReturnType<typeof createTicketQueries>;
