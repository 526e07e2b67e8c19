// The month's KPIs (db/kpi-queries.ts) on a million tickets. Which tickets were reopened: without an index on the
// event type, the only way in was each ticket's whole timeline (ix_event_ticket), ~6 events read per ticket of the
// month to find the few reopens; (type, ticket_id) goes straight to them. The month's incidents: the table had no
// index on created_at (ix_incident_open leads with the project), so every incident ever was scanned.
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const BY_EVENT_TYPE = new TableIndex({ name: 'ix_event_type', columnNames: ['type', 'ticket_id'] });
const BY_INCIDENT_CREATED = new TableIndex({ name: 'ix_incident_created', columnNames: ['created_at'] });

export class KpiIndexes1765000000000 implements MigrationInterface {
  name = 'KpiIndexes1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('ticket_event', BY_EVENT_TYPE);
    await q.createIndex('incident', BY_INCIDENT_CREATED);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('incident', BY_INCIDENT_CREATED.name!);
    await q.dropIndex('ticket_event', BY_EVENT_TYPE.name!);
  }
}
