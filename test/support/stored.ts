// Rows read back through the entities, so sealed columns (names, phones, payloads) are opened as the service opens
// them; tests that look at what is stored in clear read the files or a dump instead (personal-data.test.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { DataSource, FindOptionsWhere } from 'typeorm';
import type { DatabaseConfig } from '../../src/config/load-config.js';
import { OutboxEntity, type OutboxRow, TicketEntity, type TicketRow } from '../../src/db/schema.js';

export const outboxRows = (ds: DataSource): Promise<OutboxRow[]> =>
  ds.getRepository(OutboxEntity).find({ order: { id: 'ASC' } });

export const ticketRows = (ds: DataSource, where: FindOptionsWhere<TicketRow> = {}): Promise<TicketRow[]> =>
  ds.getRepository(TicketEntity).find({ where, order: { id: 'ASC' } });

export const payloadSays = (row: OutboxRow, text: string) => JSON.stringify(row.payload).includes(text);

/** Everything the database holds, as bytes on disk (SQLite, with its WAL) or as a dump (MariaDB). */
export function storedBytes(database: DatabaseConfig): string {
  if (database.type === 'sqlite')
    return [database.path, `${database.path}-wal`]
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('utf8'))
      .join('\n');
  const db = new URL(database.url).pathname.slice(1);
  const dump = spawnSync('mariadb-dump', ['-h', '127.0.0.1', '-u', 'root', '--skip-extended-insert', db], {
    encoding: 'utf8',
  });
  if (dump.status !== 0) throw new Error(`mariadb-dump failed: ${dump.stderr}`);
  return dump.stdout;
}
