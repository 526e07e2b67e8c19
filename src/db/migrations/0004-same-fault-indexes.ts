// The same-fault lookup (same-fault-reads.ts) reads one building's reports and the shared-facility reports of a
// category. On (project, category, created_at) it walked every report of the category since the window opened —
// hundreds of rows per new ticket once a project has a few thousand — to keep the few in one building.
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const INDEXES = [
  new TableIndex({ name: 'ix_ticket_fault_room', columnNames: ['project_code', 'category', 'trade', 'room'] }),
  new TableIndex({
    name: 'ix_ticket_fault_common',
    columnNames: ['project_code', 'category', 'trade', 'common_area', 'created_at'],
  }),
];

export class SameFaultIndexes1764100000000 implements MigrationInterface {
  name = 'SameFaultIndexes1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndices('ticket', INDEXES);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of INDEXES) await q.dropIndex('ticket', index.name!);
  }
}
