// Residents' names and phones are stored sealed (db/personal-data.ts): the columns grow to hold the ciphertext, and a
// ticket carries blind indexes of its phone (the whole number and its last four digits) and of the resident's name,
// so it can still be found by them. Rows written before this stay readable in clear until the re-encrypt job
// (db/reencrypt.ts) seals them.
import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const SEALED_LENGTH = 512;
const WIDENED: [table: string, column: string, nullable: boolean][] = [
  ['resident', 'name', true],
  ['resident', 'phone', true],
  ['ticket', 'resident_name', false],
  ['ticket', 'phone', true],
];
const BY_PHONE = new TableIndex({ name: 'ix_ticket_phone', columnNames: ['phone_index'] });
const BY_PHONE_TAIL = new TableIndex({ name: 'ix_ticket_phone_tail', columnNames: ['phone_tail_index'] });
const BY_NAME = new TableIndex({ name: 'ix_ticket_name', columnNames: ['name_index'] });

export class PersonalData1764500000000 implements MigrationInterface {
  name = 'PersonalData1764500000000';

  async up(q: QueryRunner): Promise<void> {
    // SQLite does not enforce a varchar's length; MySQL needs room for the ciphertext.
    if (q.connection.options.type !== 'better-sqlite3')
      for (const [table, column, nullable] of WIDENED)
        await q.query(
          `ALTER TABLE \`${table}\` MODIFY \`${column}\` varchar(${SEALED_LENGTH}) ${nullable ? 'NULL' : 'NOT NULL'}`,
        );
    await q.addColumns('ticket', [
      new TableColumn({ name: 'phone_index', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'phone_tail_index', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'name_index', type: 'varchar', length: '32', isNullable: true }),
    ]);
    await q.createIndices('ticket', [BY_PHONE, BY_PHONE_TAIL, BY_NAME]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('ticket', BY_NAME.name!);
    await q.dropIndex('ticket', BY_PHONE_TAIL.name!);
    await q.dropIndex('ticket', BY_PHONE.name!);
    await q.dropColumn('ticket', 'phone_tail_index');
    await q.dropColumn('ticket', 'phone_index');
    await q.dropColumn('ticket', 'name_index');
  }
}
