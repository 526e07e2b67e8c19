// Messages sent to a rate-limited target (a group robot: 20 a minute), kept for the window so that whichever instance
// holds the robot lease next counts what was sent in the same minute.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class SendLog1764200000000 implements MigrationInterface {
  name = 'SendLog1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'send_log',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'target', type: 'varchar', length: '191' },
          // Epoch milliseconds: compared as numbers, the same on both databases.
          { name: 'sent_ms', type: 'bigint' },
          { name: 'messages', type: 'integer' },
        ],
        indices: [new TableIndex({ name: 'ix_send_log_target', columnNames: ['target', 'sent_ms'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('send_log');
  }
}
