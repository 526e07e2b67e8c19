// The web console: users (argon2 hashes, roles, project scope, lockout), sign-in sessions kept in the database so
// every instance knows them, the audit log (sign-ins, revealed phones, user changes) the auditor reads, and the
// scoped API tokens scripts use instead of ADMIN_TOKEN.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const ms = { type: 'datetime', precision: 3 } as const;
const id = {
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
} as const;

export class Console1764800000000 implements MigrationInterface {
  name = 'Console1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'console_user',
        columns: [
          id,
          { name: 'username', type: 'varchar', length: '64' },
          { name: 'display_name', type: 'varchar', length: '64' },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'roles', type: 'varchar', length: '64' },
          { name: 'projects', type: 'varchar', length: '512' },
          { name: 'department', type: 'varchar', length: '32', isNullable: true },
          { name: 'wecom_user_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'must_change_password', type: 'boolean' },
          { name: 'failed_logins', type: 'integer' },
          { name: 'locked_until', ...ms, isNullable: true },
          { name: 'disabled', type: 'boolean' },
          { name: 'created_at', ...ms },
          { name: 'updated_at', ...ms },
        ],
        indices: [
          new TableIndex({ name: 'uq_console_user_name', columnNames: ['username'], isUnique: true }),
          new TableIndex({ name: 'ix_console_user_wecom', columnNames: ['wecom_user_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'console_session',
        columns: [
          { name: 'id_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', type: 'integer' },
          { name: 'csrf_token', type: 'varchar', length: '64' },
          { name: 'via', type: 'varchar', length: '16' },
          { name: 'ip', type: 'varchar', length: '64' },
          { name: 'created_at', ...ms },
          { name: 'expires_at', ...ms },
        ],
        indices: [
          new TableIndex({ name: 'ix_console_session_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'ix_console_session_expiry', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          id,
          { name: 'at', ...ms },
          { name: 'actor', type: 'varchar', length: '64' },
          { name: 'action', type: 'varchar', length: '32' },
          { name: 'ticket_no', type: 'varchar', length: '32', isNullable: true },
          { name: 'reason', type: 'varchar', length: '500', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_audit_at', columnNames: ['at'] }),
          new TableIndex({ name: 'ix_audit_ticket', columnNames: ['ticket_no'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'api_token',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'scope', type: 'varchar', length: '16' },
          { name: 'created_by', type: 'varchar', length: '64' },
          { name: 'created_at', ...ms },
          { name: 'last_used_at', ...ms, isNullable: true },
          { name: 'revoked_at', ...ms, isNullable: true },
        ],
        indices: [new TableIndex({ name: 'uq_api_token_hash', columnNames: ['token_hash'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('api_token');
    await q.dropTable('audit_log');
    await q.dropTable('console_session');
    await q.dropTable('console_user');
  }
}
