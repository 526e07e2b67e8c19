// Rows read back through the entities, so sealed columns (names, phones, payloads) are opened as the service opens
// them; tests that look at what is stored in clear read the files or a dump instead (personal-data.test.ts).
import type { DataSource, FindOptionsWhere } from 'typeorm';
import { OutboxEntity, type OutboxRow, TicketEntity, type TicketRow } from '../../src/db/schema.js';

export const outboxRows = (ds: DataSource): Promise<OutboxRow[]> =>
  ds.getRepository(OutboxEntity).find({ order: { id: 'ASC' } });

export const ticketRows = (ds: DataSource, where: FindOptionsWhere<TicketRow> = {}): Promise<TicketRow[]> =>
  ds.getRepository(TicketEntity).find({ where, order: { id: 'ASC' } });

export const payloadSays = (row: OutboxRow, text: string) => JSON.stringify(row.payload).includes(text);
