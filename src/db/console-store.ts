// The console's users, sessions and audit log: the one place that reads and writes their tables.
import { createHash } from 'node:crypto';
import { IsNull, LessThan, type DataSource } from 'typeorm';
import { isUniqueViolation } from './errors.js';
import {
  ApiTokenEntity,
  type ApiScope,
  AuditEntity,
  ConsoleSessionEntity,
  ConsoleUserEntity,
  type AuditAction,
  type ConsoleSessionRow,
  type ConsoleUserRow,
} from './console-schema.js';

export type NewConsoleUser = Pick<ConsoleUserRow, 'username' | 'displayName' | 'passwordHash' | 'roles' | 'projects'> &
  Partial<Pick<ConsoleUserRow, 'department' | 'wecomUserId' | 'mustChangePassword'>>;

const hashOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex');

export function createConsoleStore(ds: DataSource) {
  const users = ds.getRepository(ConsoleUserEntity);
  const sessions = ds.getRepository(ConsoleSessionEntity);
  const audit = ds.getRepository(AuditEntity);
  const apiTokens = ds.getRepository(ApiTokenEntity);
  return {
    /** undefined when the user name is taken. */
    async addUser(u: NewConsoleUser, now: Date): Promise<ConsoleUserRow | undefined> {
      try {
        return await users.save({
          department: null,
          wecomUserId: null,
          mustChangePassword: true,
          ...u,
          failedLogins: 0,
          lockedUntil: null,
          disabled: false,
          createdAt: now,
          updatedAt: now,
        });
      } catch (err) {
        if (isUniqueViolation(err)) return undefined;
        throw err;
      }
    },
    userByName: (username: string) => users.findOneBy({ username }),
    userById: (id: number) => users.findOneBy({ id }),
    userByWecomId: (wecomUserId: string) => users.findOneBy({ wecomUserId, disabled: false }),
    listUsers: () => users.find({ order: { username: 'ASC' } }),
    async updateUser(id: number, patch: Partial<ConsoleUserRow>, now: Date): Promise<void> {
      await users.update({ id }, { ...patch, updatedAt: now });
    },
    /**
     * One more wrong password; at `limit` in a row the account locks until `lockUntil`. The increment is one UPDATE,
     * so two instances counting the same attempts do not lose one.
     */
    async recordFailure(id: number, limit: number, lockUntil: Date, now: Date): Promise<{ locked: boolean }> {
      await users.increment({ id }, 'failedLogins', 1);
      const u = await users.findOneByOrFail({ id });
      if (u.failedLogins < limit) return { locked: false };
      await users.update({ id }, { failedLogins: 0, lockedUntil: lockUntil, updatedAt: now });
      return { locked: true };
    },

    async openSession(
      sessionId: string,
      s: Omit<ConsoleSessionRow, 'idHash' | 'createdAt' | 'expiresAt'>,
      now: Date,
      ttlMs: number,
    ) {
      await sessions.insert({
        idHash: hashOf(sessionId),
        ...s,
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttlMs),
      });
    },
    /** The live session and its user, or undefined (unknown, expired, or the user disabled since). */
    async session(sessionId: string, now: Date) {
      const s = await sessions.findOneBy({ idHash: hashOf(sessionId) });
      if (!s || s.expiresAt <= now) return undefined;
      const user = await users.findOneBy({ id: s.userId });
      if (!user || user.disabled) return undefined;
      return { session: s, user };
    },
    /** Slides the expiry forward: an idle console signs out after the session's time-to-live. */
    async touchSession(sessionId: string, expiresAt: Date): Promise<void> {
      await sessions.update({ idHash: hashOf(sessionId) }, { expiresAt });
    },
    async closeSession(sessionId: string): Promise<void> {
      await sessions.delete({ idHash: hashOf(sessionId) });
    },
    /** After a password change or reset every other sign-in of the user ends. */
    async closeSessionsOf(userId: number, except?: string): Promise<void> {
      const all = await sessions.findBy({ userId });
      const keep = except ? hashOf(except) : undefined;
      const ids = all.map((s) => s.idHash).filter((h) => h !== keep);
      if (ids.length) await sessions.delete(ids);
    },
    async purgeSessions(now: Date): Promise<number> {
      return (await sessions.delete({ expiresAt: LessThan(now) })).affected ?? 0;
    },

    async addApiToken(t: { name: string; token: string; scope: ApiScope; createdBy: string }, now: Date) {
      const { token, ...rest } = t;
      return apiTokens.save({ ...rest, tokenHash: hashOf(token), createdAt: now, lastUsedAt: null, revokedAt: null });
    },
    listApiTokens: () => apiTokens.find({ order: { id: 'DESC' } }),
    async revokeApiToken(id: number, now: Date): Promise<boolean> {
      return ((await apiTokens.update({ id, revokedAt: IsNull() }, { revokedAt: now })).affected ?? 0) > 0;
    },
    /** The scope of a live token; its last use is kept to the minute, so a busy script does not write on each call. */
    async apiTokenScope(token: string, now: Date): Promise<ApiScope | undefined> {
      const t = await apiTokens.findOneBy({ tokenHash: hashOf(token), revokedAt: IsNull() });
      if (!t) return undefined;
      if (!t.lastUsedAt || now.getTime() - t.lastUsedAt.getTime() > 60_000)
        await apiTokens.update({ id: t.id }, { lastUsedAt: now });
      return t.scope;
    },

    async audit(e: { actor: string; action: AuditAction; ticketNo?: string; reason?: string; ip?: string }, at: Date) {
      await audit.insert({ at, ticketNo: null, reason: null, ip: null, ...e });
    },
    async auditLog(f: { action?: AuditAction; ticketNo?: string; page: number; pageSize: number }) {
      const where: { action?: AuditAction; ticketNo?: string } = {};
      if (f.action) where.action = f.action;
      if (f.ticketNo) where.ticketNo = f.ticketNo;
      const [items, total] = await audit.findAndCount({
        where,
        order: { id: 'DESC' },
        skip: (f.page - 1) * f.pageSize,
        take: f.pageSize,
      });
      return { items, total };
    },
  };
}

export type ConsoleStore = ReturnType<typeof createConsoleStore>;
