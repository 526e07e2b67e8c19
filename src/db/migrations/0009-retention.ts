// Finished tickets past the keeping period are anonymised by the retention job (db/retention.ts): `anonymised_at`
// marks the ones done, so a run never redoes them. The job looks for tickets not yet anonymised and created before
// the cut-off; (anonymised_at, created_at) reads exactly those, where the status index would walk every ticket ever
// anonymised on each run.
import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const BY_RETENTION = new TableIndex({ name: 'ix_ticket_retention', columnNames: ['anonymised_at', 'created_at'] });

export class Retention1764600000000 implements MigrationInterface {
  name = 'Retention1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'ticket',
      new TableColumn({ name: 'anonymised_at', type: 'datetime', precision: 3, isNullable: true }),
    );
    await q.createIndex('ticket', BY_RETENTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('ticket', BY_RETENTION.name!);
    await q.dropColumn('ticket', 'anonymised_at');
  }
}
