// The public web chat's tickets by source (db/intake-uow/web-filing-rows.ts): the visitor (the server-issued cookie)
// and a keyed hash of the client's address, so every instance counts the same tickets for the day's limits and the
// flood fold. Rows are needed for a day; the housekeeping job removes them after two, so addresses are not kept.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class WebChatLimits1764700000000 implements MigrationInterface {
  name = 'WebChatLimits1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'web_chat_filing',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'visitor_id', type: 'varchar', length: '64' },
          // HMAC-SHA256 under PII_INDEX_KEY (a blind index): equal addresses compare equal, nothing else is stored.
          { name: 'address_key', type: 'varchar', length: '32' },
          { name: 'ticket_no', type: 'varchar', length: '32' },
          // Epoch milliseconds: compared as numbers, the same on both databases (as send_log).
          { name: 'filed_ms', type: 'bigint' },
        ],
        indices: [
          new TableIndex({ name: 'ix_web_filing_visitor', columnNames: ['visitor_id', 'filed_ms'] }),
          new TableIndex({ name: 'ix_web_filing_address', columnNames: ['address_key', 'filed_ms'] }),
          new TableIndex({ name: 'ix_web_filing_time', columnNames: ['filed_ms'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('web_chat_filing');
  }
}
