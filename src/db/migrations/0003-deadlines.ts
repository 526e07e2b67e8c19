// Deadlines per ticket (scanned by an index on what is due next) and leases so one instance runs each job.
import {
  Table,
  TableColumn,
  TableIndex,
  type MigrationInterface,
  type QueryRunner,
  type TableColumnOptions,
} from 'typeorm';

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
const time = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'datetime',
  precision: 3,
  isNullable: nullable,
});

export class Deadlines1764000000000 implements MigrationInterface {
  name = 'Deadlines1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'ticket_deadline',
        columns: [
          pk,
          { name: 'ticket_id', type: 'integer' },
          str('kind', 32),
          str('label', 64),
          time('due_at'),
          time('warn_at', true),
          // What the scan looks at: the next moment something must happen (warn, miss, escalate); null when settled.
          time('next_check_at', true),
          str('stage', 16),
          { name: 'escalation_step', type: 'integer', default: 0 },
          { name: 'urgent', type: 'boolean', default: false },
          { name: 'notify', type: 'text' },
          str('upgrade_to', 16, true),
          time('met_at', true),
          time('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_deadline_ticket_kind', columnNames: ['ticket_id', 'kind'], isUnique: true }),
          new TableIndex({ name: 'ix_deadline_next_check', columnNames: ['next_check_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'approval',
        columns: [
          pk,
          { name: 'ticket_id', type: 'integer' },
          str('kind', 32),
          str('question', 255),
          { name: 'proposal', type: 'text' },
          str('approver_role', 32),
          str('status', 16),
          str('decided_by', 64, true),
          time('decided_at', true),
          { name: 'reason', type: 'text', isNullable: true },
          time('created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_approval_ticket', columnNames: ['ticket_id', 'status'] })],
      }),
    );
    await q.addColumns('ticket', [
      new TableColumn({ name: 'rating', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ ...time('completed_at', true) }),
    ]);
    await q.createTable(
      new Table({
        name: 'job_lease',
        columns: [{ ...str('name', 64), isPrimary: true }, str('holder', 128), time('expires_at')],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('job_lease');
    await q.dropColumn('ticket', 'completed_at');
    await q.dropColumn('ticket', 'rating');
    await q.dropTable('approval');
    await q.dropTable('ticket_deadline');
  }
}
