// Rule-engine fields on tickets (pack, department, handler, matched signals) and collective-complaint incidents.
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

export class RulesEngine1763900000000 implements MigrationInterface {
  name = 'RulesEngine1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('ticket', [
      new TableColumn({ ...str('rule_pack', 32), default: "'residential'" }),
      new TableColumn(str('department', 32, true)),
      new TableColumn(str('handler', 64, true)),
      new TableColumn({ name: 'incident_id', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'fault_terms', type: 'text', isNullable: true }),
      new TableColumn({ name: 'common_area', type: 'boolean', default: false }),
    ]);
    await q.createIndex(
      'ticket',
      new TableIndex({ name: 'ix_ticket_project_category', columnNames: ['project_code', 'category', 'created_at'] }),
    );
    await q.createIndex('ticket', new TableIndex({ name: 'ix_ticket_incident', columnNames: ['incident_id'] }));
    await q.createTable(
      new Table({
        name: 'incident',
        columns: [
          pk,
          str('project_code', 16),
          str('category', 16),
          str('trade', 16, true),
          str('title', 255),
          str('status', 16),
          str('level', 16),
          { name: 'residents', type: 'integer' },
          { name: 'resolution', type: 'text', isNullable: true },
          time('created_at'),
          time('updated_at'),
          time('resolved_at', true),
        ],
        indices: [new TableIndex({ name: 'ix_incident_open', columnNames: ['project_code', 'status', 'updated_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('incident');
    await q.dropIndex('ticket', 'ix_ticket_incident');
    await q.dropIndex('ticket', 'ix_ticket_project_category');
    for (const c of ['common_area', 'fault_terms', 'incident_id', 'handler', 'department', 'rule_pack'])
      await q.dropColumn('ticket', c);
  }
}
