// The periodic reports sent: one row per kind and period, claimed before the report is built and marked once its
// messages are in the outbox — so two instances never both send it, and one that died half-way is taken over.
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

export class ReportRuns1765100000000 implements MigrationInterface {
  name = 'ReportRuns1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'report_run',
        columns: [
          { name: 'kind', type: 'varchar', length: '16', isPrimary: true },
          { name: 'period', type: 'varchar', length: '16', isPrimary: true },
          { name: 'started_at', type: 'datetime', precision: 3 },
          { name: 'enqueued_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'messages', type: 'integer', default: 0 },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('report_run');
  }
}
