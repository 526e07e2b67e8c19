// Staff corrections as labelled examples: each ticket whose labels a person corrected (the `reclassified` event with
// `correction: true` on its timeline), with the labels it carries now and who corrected it last. `npm run train --
// --with-corrections` folds them into the training data.
import type { DataSource } from 'typeorm';
import { TicketEntity, TicketEventEntity } from './schema.js';

export interface CorrectedTicket {
  no: string;
  text: string;
  kind: string;
  category: string;
  trade: string | null;
  urgency: string;
  level: string;
  /** The timeline label of whoever corrected it last (`console:li`, `admin:wang`, `wecom:zhangsan`). */
  by: string;
  at: Date;
}

export async function correctedTickets(ds: DataSource): Promise<CorrectedTicket[]> {
  // An event's data is sealed (db/personal-data.ts), so the correction mark is read after opening it.
  const events = await ds
    .getRepository(TicketEventEntity)
    .createQueryBuilder('e')
    .where('e.type = :type', { type: 'reclassified' })
    .orderBy('e.id', 'ASC')
    .getMany();
  const last = new Map<number, { by: string; at: Date }>();
  for (const e of events)
    if ((e.data as { correction?: unknown } | null)?.correction === true)
      last.set(e.ticketId, { by: e.actor, at: e.at });
  if (last.size === 0) return [];
  const out: CorrectedTicket[] = [];
  const ids = [...last.keys()];
  // In slices: an IN list of every corrected ticket at once could pass the database's parameter limit.
  for (let i = 0; i < ids.length; i += 500) {
    const tickets = await ds
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .where('t.id IN (:...ids)', { ids: ids.slice(i, i + 500) })
      .orderBy('t.id', 'ASC')
      .getMany();
    for (const t of tickets) {
      const { by, at } = last.get(t.id)!;
      const { no, content: text, kind, category, trade, urgency, level } = t;
      out.push({ no, text, kind, category, trade, urgency, level, by, at });
    }
  }
  return out;
}
