// Written with TypeORM's Table API so one migration serves MySQL/MariaDB and SQLite.
import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

const pk: TableColumnOptions = {
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
};
const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
const time = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'datetime',
  precision: 3,
  isNullable: nullable,
});
const int = (name: string): TableColumnOptions => ({ name, type: 'integer' });

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'resident',
        columns: [
          pk,
          str('channel', 16),
          str('user_id', 128),
          str('project_code', 16, true),
          str('name', 64, true),
          str('room', 32, true),
          str('phone', 20, true),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [new TableIndex({ name: 'uq_resident_user', columnNames: ['channel', 'user_id'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dialogue_session',
        columns: [
          { ...str('channel', 16), isPrimary: true },
          { ...str('user_id', 128), isPrimary: true },
          text('state'),
          int('version'),
          time('updated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'inbound_message',
        columns: [
          pk,
          str('channel', 16),
          str('dedupe_key', 191),
          str('user_id', 128),
          text('reply', true),
          time('received_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_inbound_dedupe', columnNames: ['channel', 'dedupe_key'], isUnique: true }),
          new TableIndex({ name: 'ix_inbound_received', columnNames: ['received_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ticket',
        columns: [
          pk,
          str('no', 32),
          str('project_code', 16),
          str('channel', 16),
          str('user_id', 128),
          str('resident_name', 64),
          str('room', 32),
          str('phone', 20, true),
          text('content'),
          str('summary', 255),
          str('kind', 16),
          str('category', 16),
          str('trade', 16, true),
          str('urgency', 16),
          str('level', 16),
          { name: 'confidence', type: 'float' },
          str('status', 16),
          str('receiver', 64),
          text('images'),
          text('location', true),
          text('cause_analysis', true),
          text('corrective_action', true),
          text('handling_opinion', true),
          text('leader_instruction', true),
          time('response_due_at'),
          time('created_at'),
          time('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_ticket_no', columnNames: ['no'], isUnique: true }),
          new TableIndex({ name: 'ix_ticket_user', columnNames: ['channel', 'user_id'] }),
          new TableIndex({ name: 'ix_ticket_status', columnNames: ['status', 'created_at'] }),
          new TableIndex({ name: 'ix_ticket_created', columnNames: ['created_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ticket_event',
        columns: [pk, int('ticket_id'), time('at'), str('type', 32), str('actor', 128), text('data', true)],
        indices: [new TableIndex({ name: 'ix_event_ticket', columnNames: ['ticket_id', 'at'] })],
      }),
    );
    await q.createTable(
      new Table({ name: 'ticket_counter', columns: [{ ...str('scope', 64), isPrimary: true }, int('seq')] }),
    );
    await q.createTable(
      new Table({
        name: 'outbox',
        columns: [
          pk,
          str('dedupe_key', 191),
          str('channel', 16),
          str('recipient', 255),
          text('payload'),
          str('status', 16),
          int('attempts'),
          time('next_attempt_at'),
          str('locked_by', 64, true),
          time('locked_until', true),
          text('last_error', true),
          time('created_at'),
          time('sent_at', true),
        ],
        indices: [
          new TableIndex({ name: 'uq_outbox_dedupe', columnNames: ['dedupe_key'], isUnique: true }),
          new TableIndex({ name: 'ix_outbox_due', columnNames: ['status', 'next_attempt_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'access_token',
        columns: [{ ...str('key', 128), isPrimary: true }, text('token'), time('expires_at')],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'access_token',
      'outbox',
      'ticket_counter',
      'ticket_event',
      'ticket',
      'inbound_message',
      'dialogue_session',
      'resident',
    ]) {
      await q.dropTable(t, true);
    }
  }
}
