// The web console's own tables: its users, their sign-in sessions and the audit log of what they looked at and did.
import { EntitySchema } from 'typeorm';
import type { ConsoleRole } from '../tickets/index.js';

const ms = { type: 'datetime', precision: 3 } as const;
const id = { type: 'integer', primary: true, generated: 'increment' } as const;

/** A comma list in one column: roles and projects are few and always read with the user. */
const list = {
  to: (v: string[] | undefined) => (v ? v.join(',') : ''),
  from: (v: string | null) => (v ? v.split(',').filter(Boolean) : []),
};

export interface ConsoleUserRow {
  id: number;
  username: string;
  displayName: string;
  passwordHash: string;
  roles: ConsoleRole[];
  /** Project codes the user sees; `*` alone means every project. */
  projects: string[];
  department: string | null;
  wecomUserId: string | null;
  mustChangePassword: boolean;
  failedLogins: number;
  lockedUntil: Date | null;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const ConsoleUserEntity = new EntitySchema<ConsoleUserRow>({
  name: 'ConsoleUser',
  tableName: 'console_user',
  columns: {
    id,
    username: { type: 'varchar', length: 64 },
    displayName: { name: 'display_name', type: 'varchar', length: 64 },
    passwordHash: { name: 'password_hash', type: 'varchar', length: 255 },
    roles: { type: 'varchar', length: 64, transformer: list },
    projects: { type: 'varchar', length: 512, transformer: list },
    department: { type: 'varchar', length: 32, nullable: true },
    wecomUserId: { name: 'wecom_user_id', type: 'varchar', length: 64, nullable: true },
    mustChangePassword: { name: 'must_change_password', type: 'boolean' },
    failedLogins: { name: 'failed_logins', type: 'integer' },
    lockedUntil: { name: 'locked_until', ...ms, nullable: true },
    disabled: { type: 'boolean' },
    createdAt: { name: 'created_at', ...ms },
    updatedAt: { name: 'updated_at', ...ms },
  },
});

export interface ConsoleSessionRow {
  /** SHA-256 of the cookie's value: a copy of the table signs nobody in. */
  idHash: string;
  userId: number;
  csrfToken: string;
  /** How the user signed in: `password`, or `wecom` (网页授权 / 扫码登录, which needs no password of ours). */
  via: 'password' | 'wecom';
  ip: string;
  createdAt: Date;
  expiresAt: Date;
}

export const ConsoleSessionEntity = new EntitySchema<ConsoleSessionRow>({
  name: 'ConsoleSession',
  tableName: 'console_session',
  columns: {
    idHash: { name: 'id_hash', type: 'varchar', length: 64, primary: true },
    userId: { name: 'user_id', type: 'integer' },
    csrfToken: { name: 'csrf_token', type: 'varchar', length: 64 },
    via: { type: 'varchar', length: 16 },
    ip: { type: 'varchar', length: 64 },
    createdAt: { name: 'created_at', ...ms },
    expiresAt: { name: 'expires_at', ...ms },
  },
});

export type AuditAction =
  | 'sign_in'
  | 'sign_in_failed'
  | 'locked_out'
  | 'sign_out'
  | 'password_changed'
  | 'reveal_phone'
  | 'user_created'
  | 'user_updated'
  | 'password_reset'
  | 'api_token_created'
  | 'api_token_revoked'
  | 'ledger_full';

export interface AuditRow {
  id: number;
  at: Date;
  /** The console user name (or `cli` for the user command). */
  actor: string;
  action: AuditAction;
  ticketNo: string | null;
  reason: string | null;
  ip: string | null;
}

export const AuditEntity = new EntitySchema<AuditRow>({
  name: 'AuditLog',
  tableName: 'audit_log',
  columns: {
    id,
    at: { ...ms },
    actor: { type: 'varchar', length: 64 },
    action: { type: 'varchar', length: 32 },
    ticketNo: { name: 'ticket_no', type: 'varchar', length: 32, nullable: true },
    reason: { type: 'varchar', length: 500, nullable: true },
    ip: { type: 'varchar', length: 64, nullable: true },
  },
});

/** `read`: the GET endpoints; `write`: also the POSTs (resolve an incident, correct labels, reload rules). */
export type ApiScope = 'read' | 'write';

export interface ApiTokenRow {
  id: number;
  name: string;
  /** SHA-256 of the token: it is shown once when created and never stored. */
  tokenHash: string;
  scope: ApiScope;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const ApiTokenEntity = new EntitySchema<ApiTokenRow>({
  name: 'ApiToken',
  tableName: 'api_token',
  columns: {
    id,
    name: { type: 'varchar', length: 64 },
    tokenHash: { name: 'token_hash', type: 'varchar', length: 64 },
    scope: { type: 'varchar', length: 16 },
    createdBy: { name: 'created_by', type: 'varchar', length: 64 },
    createdAt: { name: 'created_at', ...ms },
    lastUsedAt: { name: 'last_used_at', ...ms, nullable: true },
    revokedAt: { name: 'revoked_at', ...ms, nullable: true },
  },
});

export const consoleEntities = [ConsoleUserEntity, ConsoleSessionEntity, AuditEntity, ApiTokenEntity];
