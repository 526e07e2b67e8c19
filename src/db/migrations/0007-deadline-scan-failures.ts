// The deadline scan handles each due deadline in a transaction of its own. One it cannot handle (its data makes the
// handler throw) records how often that happened and why, and is looked at again after a backoff instead of stalling
// every other alert: the reason stays on the row, where the admin API shows it with the ticket's deadlines.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

export class DeadlineScanFailures1764400000000 implements MigrationInterface {
  name = 'DeadlineScanFailures1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('ticket_deadline', [
      new TableColumn({ name: 'scan_failures', type: 'integer', default: 0 }),
      new TableColumn({ name: 'scan_error', type: 'text', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('ticket_deadline', 'scan_error');
    await q.dropColumn('ticket_deadline', 'scan_failures');
  }
}
