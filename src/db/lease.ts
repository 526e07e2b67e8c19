// A lease per job name in the database: with several instances exactly one holds it, and a crashed holder's lease
// simply expires so another instance takes over on its next try.
import type { DataSource } from 'typeorm';
import { isUniqueViolation } from './errors.js';
import { LeaseEntity } from './schema.js';
import { serialized } from './sqlite-lock.js';

export interface LeaseStore {
  /** True when `holder` now holds the lease until now + ttl (taken fresh, renewed, or taken over after expiry). */
  acquire(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  release(name: string, holder: string, now: Date): Promise<void>;
}

export function createLeaseStore(ds: DataSource): LeaseStore {
  return {
    async acquire(name, holder, now, ttlMs) {
      const expires = new Date(now.getTime() + ttlMs);
      return serialized(ds, async () => {
        const r = await ds
          .createQueryBuilder()
          .update(LeaseEntity)
          .set({ holder, expiresAt: expires })
          .where('name = :name AND (holder = :holder OR expires_at <= :now)', { name, holder, now })
          .execute();
        if (r.affected === 1) return true;
        try {
          await ds.getRepository(LeaseEntity).insert({ name, holder, expiresAt: expires });
          return true;
        } catch (err) {
          if (isUniqueViolation(err)) return false;
          throw err;
        }
      });
    },
    async release(name, holder, now) {
      await serialized(ds, () => ds.getRepository(LeaseEntity).update({ name, holder }, { expiresAt: now }));
    },
  };
}
